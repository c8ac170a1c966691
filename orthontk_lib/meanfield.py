r"""Mean-field signal propagation in deep FCNs: fixed point q*, slope χ, the Edge of Chaos.

For a network with weights of variance :math:`\sigma_W^2 / n` and biases of
variance :math:`\sigma_b^2` (Poole et al. 2016; Schoenholz et al. 2017), the
pre-activation variance of an input evolves layer to layer as

.. math::

   q^{l+1} = \sigma_W^2\, \mathbb{E}_{z \sim N(0, 1)}\big[\phi(\sqrt{q^l} z)^2\big] + \sigma_b^2 ,

with fixed point :math:`q^*`, and the correlation map's slope there is

.. math::

   \chi = \sigma_W^2\, \mathbb{E}_{z \sim N(0, 1)}\big[\phi'(\sqrt{q^*} z)^2\big].

:math:`\chi < 1` is the ordered phase, :math:`\chi > 1` the chaotic one, and
:math:`\chi = 1` the Edge of Chaos (criticality), where gradients neither
vanish nor explode with depth. For ReLU, :math:`\chi = \sigma_W^2 / 2` whatever
:math:`q^*`, so the critical point is :math:`\sigma_W^2 = 2, \sigma_b = 0`.

Gaussian expectations use Gauss-Hermite quadrature; activations are those of
:data:`orthontk_lib.models.ACTIVATIONS`.

Example:

>>> round(chi("relu", W_std=2**0.5, b_std=0.0), 6)
1.0
>>> round(critical_b_std("tanh", W_std=1.302), 2)  # Hayou et al. 2019's tanh EOC point
0.2
"""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from scipy import optimize

from orthontk_lib.models import activation_fn

__all__ = ["gaussian_expectation", "q_star", "chi", "critical_b_std", "critical_line", "correlation_map", "c_star",
           "chi_at_correlation", "ntk_by_depth"]


def gaussian_expectation(fn, q, degree=200):
    r""":math:`\mathbb{E}_{z \sim N(0,1)}[f(\sqrt{q} z)]` by Gauss-Hermite quadrature (``fn`` acts on arrays).

    The degree is even, so no node sits at the kink of ReLU-like functions, and the symmetric nodes
    give :math:`\mathbb{E}[1_{z>0}] = 1/2` exactly.
    """
    nodes, weights = _hermite(degree)
    return float(np.dot(weights, np.asarray(fn(math.sqrt(q) * nodes), np.float64)))


def q_star(activation, W_std, b_std, q_max=1e8):
    r"""The stable fixed point :math:`q^*` of the variance map; ``inf`` if the map diverges (q above ``q_max``).

    Found as the root of :math:`V(q) - q` above :math:`\sigma_b^2` (Brent's method), where :math:`V` is the
    variance map; the smallest root, which iteration from below converges to.
    """
    phi = _numpy_fn(activation, 0)
    g = lambda q: W_std**2 * gaussian_expectation(lambda z: phi(z) ** 2, q) + b_std**2 - q
    lo = max(b_std**2, 1e-12)
    if g(lo) <= 0:
        return float(lo if b_std > 0 else 0.0)
    hi = lo
    while g(hi) > 0:
        hi *= 4.0
        if hi > q_max:
            return math.inf
    return float(optimize.brentq(g, hi / 4.0, hi, xtol=1e-14, rtol=1e-12))


def chi(activation, W_std, b_std, q=None):
    r"""The slope :math:`\chi = \sigma_W^2 \mathbb{E}[\phi'(\sqrt{q^*} z)^2]` at the fixed point (or at ``q``)."""
    q = q_star(activation, W_std, b_std) if q is None else q
    dphi = _numpy_fn(activation, 1)
    q = min(max(q, 1e-12), 1e12)  # q* = 0 (no bias): the limit q -> 0+; diverging q: a large q
    return W_std**2 * gaussian_expectation(lambda z: dphi(z) ** 2, q)


def critical_b_std(activation, W_std, b_max=10.0):
    """The ``b_std`` with χ = 1 at this ``W_std`` (the Edge of Chaos), by root finding on [0, b_max].

    Raises:
      ValueError: when no ``b_std`` in range is critical (for tanh: ``W_std < 1``; for ReLU: ``W_std != sqrt(2)``).
    """
    f = lambda b: chi(activation, W_std, b) - 1.0
    lo = f(0.0)
    if abs(lo) < 1e-9:
        return 0.0
    hi = f(b_max)
    if np.sign(lo) == np.sign(hi):
        raise ValueError(
            f"W_std: no critical b_std in [0, {b_max}] for {activation} at W_std={W_std} "
            f"(chi - 1 is {lo:+.3g} at b_std=0 and {hi:+.3g} at b_std={b_max})"
        )
    return float(optimize.brentq(f, 0.0, b_max, xtol=1e-12))


def critical_line(activation, W_stds, b_max=10.0):
    """``critical_b_std`` for each of ``W_stds`` (NaN where none exists): the Edge of Chaos as a curve."""
    out = []
    for w in W_stds:
        try:
            out.append(critical_b_std(activation, w, b_max))
        except ValueError:
            out.append(float("nan"))
    return np.array(out)


# CORRELATIONS


def bivariate_expectation(fn_u, fn_v, q, c, degree=64):
    r""":math:`\mathbb{E}[f(u)\,g(v)]` for :math:`(u, v)` centred Gaussian, variances ``q``, correlation ``c``.

    Tensor Gauss-Hermite quadrature: :math:`u = \sqrt{q} z_1`, :math:`v = \sqrt{q}(c z_1 + \sqrt{1 - c^2} z_2)`.
    """
    z, w = _hermite(degree)
    z1, z2 = z[:, None], z[None, :]
    u = math.sqrt(q) * z1
    v = math.sqrt(q) * (c * z1 + math.sqrt(max(0.0, 1.0 - c * c)) * z2)
    fu = fn_u(np.broadcast_to(u, v.shape).ravel()).reshape(v.shape)
    return float(np.sum(w[:, None] * w[None, :] * fu * fn_v(v.ravel()).reshape(v.shape)))


def correlation_map(activation, W_std, b_std, c):
    r"""One layer's map of the correlation between two inputs at the fixed point :math:`q^*`:

    .. math:: c \mapsto \big(\sigma_W^2\, \mathbb{E}[\phi(u)\phi(v)] + \sigma_b^2\big) / q^* .
    """
    q = q_star(activation, W_std, b_std)
    phi = _numpy_fn(activation, 0)
    return (W_std**2 * bivariate_expectation(phi, phi, q, c) + b_std**2) / q


def c_star(activation, W_std, b_std):
    """The stable correlation fixed point below 1 (chaotic phase: χ > 1 at c = 1), by Brent's method on [0, 1).

    Raises:
      ValueError: when the map has no fixed point in [0, 1) (the ordered phase, where c = 1 is stable).
    """
    f = lambda c: correlation_map(activation, W_std, b_std, c) - c
    hi = 1.0 - 1e-3  # closer to 1, quadrature error exceeds |f| = (chi - 1)(1 - c)
    if f(hi) >= 0:
        raise ValueError(f"W_std, b_std: ({W_std}, {b_std}) is not in the chaotic phase of {activation} "
                         f"(no correlation fixed point below 1)")
    return float(optimize.brentq(f, 0.0, hi, xtol=1e-12))


def chi_at_correlation(activation, W_std, b_std, c):
    r"""The correlation map's slope at ``c``: :math:`\sigma_W^2\, \mathbb{E}[\phi'(u)\phi'(v)]` at :math:`q^*`."""
    q = q_star(activation, W_std, b_std)
    dphi = _numpy_fn(activation, 1)
    return W_std**2 * bivariate_expectation(dphi, dphi, q, c)


# THE NTK LAYER BY LAYER


def ntk_by_depth(activation, W_std, b_std, x, max_depth, degree=96):
    r"""Infinite-width NTKs of FCNs with 1 … ``max_depth`` hidden layers on inputs ``x`` of one norm: (max_depth, N, N).

    NTK parameterization and layout as :func:`orthontk_lib.kernels.analytic_ntk_by_depth` (a readout after the last
    hidden layer), by the recursion

    .. math::

       \Sigma^{l+1} = \sigma_W^2\, \mathbb{E}[\phi(u)\phi(v)] + \sigma_b^2, \quad
       \dot\Sigma^{l+1} = \sigma_W^2\, \mathbb{E}[\phi'(u)\phi'(v)], \quad
       \Theta^{l+1} = \Sigma^{l+1} + \dot\Sigma^{l+1}\, \Theta^l ,

    with :math:`(u, v)` centred Gaussian of covariance :math:`\Sigma^l`. Inputs of one norm share the variance
    :math:`q^l`, so each pair needs only its correlation. Each expectation is computed as
    :math:`\mathbb{E}[f(u)^2] - \tfrac12 \mathbb{E}[(f(u) - f(v))^2]`, one-dimensional quadrature of degree 200
    for the first term and tensor quadrature of degree ``degree`` for the second, which keeps its relative precision
    as the correlation approaches 1, where deep kernels live. (neural-tangents' ``ElementwiseNumerical`` layer,
    of fixed low degree, misses the Edge of Chaos of ELU by a few percent per layer; this recursion is checked
    against its closed-form erf kernel in the tests.) Use it for smooth activations: the quadrature of ReLU's
    step-function derivative converges slowly.

    Raises:
      ValueError: when the inputs' norms differ.
    """
    if activation == "relu":
        raise ValueError("activation: relu's derivative is a step, which quadrature resolves poorly; use the closed "
                         "form, orthontk_lib.kernels.analytic_ntk_by_depth")
    x = np.asarray(x, np.float64)
    d = x.shape[1]
    sq = (x * x).sum(1)
    if np.ptp(sq) > 1e-5 * sq.max():
        raise ValueError("x: ntk_by_depth needs inputs of one norm (it tracks one variance per layer); got norms "
                         f"from {np.sqrt(sq.min()):.6g} to {np.sqrt(sq.max()):.6g}")
    n = len(x)
    iu = np.triu_indices(n, 1)
    w2, b2 = W_std**2, b_std**2
    sigma = w2 * (x @ x.T) / d + b2
    q = float(np.diag(sigma).mean())
    c = sigma[iu] / q
    theta_d, theta_o = q, sigma[iu]
    phi, dphi = _numpy_fn(activation, 0), _numpy_fn(activation, 1)
    z, w = _hermite(degree)
    z1, z2, ww = z[:, None].ravel(), z, (w[:, None] * w[None, :])
    out = np.empty((max_depth, n, n))
    for depth in range(max_depth):
        e_phi, e_dphi = (gaussian_expectation(lambda t: f(t) ** 2, q) for f in (phi, dphi))
        s = np.sqrt(np.clip(1.0 - c * c, 0.0, None))
        u = np.sqrt(q) * np.broadcast_to(z1[:, None], (degree, degree))
        v = np.sqrt(q) * (c[:, None, None] * z1[None, :, None] + s[:, None, None] * z2[None, None, :])
        fu = lambda f: f(u.ravel()).reshape(1, degree, degree)
        fv = lambda f: f(v.ravel()).reshape(len(c), degree, degree)
        cross = lambda f, e: e - 0.5 * (ww * (fu(f) - fv(f)) ** 2).sum((1, 2))
        sig_o, sig_d = w2 * cross(phi, e_phi) + b2, w2 * e_phi + b2
        theta_o = sig_o + w2 * cross(dphi, e_dphi) * theta_o
        theta_d = sig_d + w2 * e_dphi * theta_d
        q, c = sig_d, sig_o / sig_d
        out[depth] = theta_d
        out[depth][iu] = theta_o
        out[depth][iu[1], iu[0]] = theta_o
    return out


# INTERNAL UTILITIES


@functools.lru_cache(maxsize=8)
def _hermite(degree):
    """Nodes and weights for E over N(0, 1) (probabilists' Hermite, weights normalized to sum 1)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(degree)
    return nodes, weights / weights.sum()


def _float64():
    """A context in which JAX computes in float64: ``jax.enable_x64(True)`` (JAX >= 0.8), else the experimental one."""
    if hasattr(jax, "enable_x64"):
        return jax.enable_x64(True)
    from jax.experimental import enable_x64

    return enable_x64()


@functools.lru_cache(maxsize=32)
def _numpy_fn(activation, order):
    """The activation (order 0) or its derivative (order 1) on NumPy arrays, in float64."""
    fn = activation_fn(activation)
    if order == 1:
        fn = jax.vmap(jax.grad(fn))

    def numpy_fn(z):
        with _float64():
            return np.asarray(fn(jnp.asarray(z, jnp.float64)))

    return numpy_fn
