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

Gaussian expectations are :mod:`orthontk_lib.dual`'s: closed forms where they exist (ReLU, erf, the
identity, ELU on the diagonal), otherwise quadrature split at the activation's kink, to
:data:`orthontk_lib.dual.TOLERANCE` relative; activations are those of :data:`orthontk_lib.models.ACTIVATIONS`.

Example:

>>> round(chi("relu", W_std=2**0.5, b_std=0.0), 6)
1.0
>>> round(critical_b_std("tanh", W_std=1.302), 2)  # Hayou et al. 2019's tanh EOC point
0.2
"""

import math

import jax
import numpy as np
from scipy import optimize

from orthontk_lib import dual

__all__ = ["q_star", "chi", "critical_b_std", "critical_line", "correlation_map", "c_star", "chi_at_correlation",
           "EDGE_LIMIT", "edge_ntk_ratio"]


def q_star(activation, W_std, b_std, q_max=1e8):
    r"""The stable fixed point :math:`q^*` of the variance map; ``inf`` if the map diverges (q above ``q_max``).

    Found as the root of :math:`V(q) - q` above :math:`\sigma_b^2` (Brent's method), where :math:`V` is the
    variance map; the smallest root, which iteration from below converges to.
    """
    g = lambda q: W_std**2 * dual.variance_map(activation, q) + b_std**2 - q
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
    q = min(max(q, 0.0), 1e12)  # diverging q: a large q
    return float(W_std**2 * dual.derivative_map(activation, q))


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


def correlation_map(activation, W_std, b_std, c):
    r"""One layer's map of the correlation between two inputs at the fixed point :math:`q^*`:

    .. math:: c \mapsto \big(\sigma_W^2\, \mathbb{E}[\phi(u)\phi(v)] + \sigma_b^2\big) / q^* .

    Raises:
      ValueError: where q* is 0 or infinite (no correlation is defined there).
    """
    q = _positive_q_star(activation, W_std, b_std)
    return float((W_std**2 * dual.bivariate(activation, q, q, c)[0] + b_std**2) / q)


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
    q = _positive_q_star(activation, W_std, b_std)
    return float(W_std**2 * dual.bivariate(activation, q, q, c)[1])


# INTERNAL UTILITIES


# THE NTK AT LARGE DEPTH ON THE EDGE OF CHAOS

EDGE_LIMIT = {"relu": 1 / 4, "tanh": 1 / 3, "erf": 1 / 3, "elu": 1 / 3, "sigmoid": 1 / 3, "softplus": 1 / 3}
r"""The limit :math:`K_\infty` of :math:`K^L(x, x')/\alpha_L` on the Edge of Chaos, the same for every pair of
distinct inputs of one norm (so the limiting normalized kernel is :math:`(1 - K_\infty) I + K_\infty 11^\top`:
constant off the diagonal, and invertible).

With :math:`\delta_l = 1 - c^l` and :math:`\chi(c)` the derivative kernel's slope,
:math:`K^L \approx \sum_l q^* \prod_{k=l}^{L-1} \chi(c^k)` and :math:`\alpha_L \approx L q^*`. For ReLU
(:math:`\sigma_W^2 = 2`) :math:`\chi(c) = 1 - \arccos(c)/\pi` and :math:`\arccos c^l \sim 3\pi / l`, so
:math:`\chi(c^l) \approx 1 - 3/l`, the product is :math:`(l/L)^3` and the limit :math:`\int_0^1 t^3 dt = 1/4`.
For activations with :math:`f''(1) > 0` (the correlation map's curvature) :math:`\delta_l \sim 2/(f''(1)\, l)`,
:math:`\chi(c^l) \approx 1 - 2/l`, the product :math:`(l/L)^2` and the limit 1/3 (Hayou, Doucet, Rousseau 2019,
Sec. 3). The tests check both against :func:`edge_ntk_ratio` at depth 10^5 (ReLU) and 10^4."""


def edge_ntk_ratio(activation, W_std, b_std, rho, depths):
    r"""The normalized infinite-width NTK :math:`K^L(x, x')/\alpha_L`, :math:`\alpha_L = K^L(x, x)`, after L hidden
    layers, by the float64 layer recursion with the correlation carried as :math:`\delta = 1 - c`.

    NTK parameterization, inputs of one norm (:math:`|x|^2/d = 1`, input cosine ``rho``), one linear readout: the
    kernels of :func:`orthontk_lib.kernels.analytic_ntk_by_depth` on such inputs, which carry :math:`c` itself and so
    lose every digit once :math:`1 - c` nears float64's resolution (ReLU on the Edge: :math:`1 - c^l \sim 44/l^2`,
    1e-8 at depth 7e4). Here :math:`\delta` is never formed as a difference of numbers near 1: for ReLU through
    the angle :math:`\theta = \arccos c`, with
    :math:`1 - c' = 2\sin^2(\theta/2) - (\sin\theta - \theta\cos\theta)/\pi` (a series for small
    :math:`\theta`); otherwise :math:`1 - c' = \sigma_W^2(\mathbb{E}\phi(u)^2 - \mathbb{E}\phi(u)\phi(v))/q'`, where
    :mod:`orthontk_lib.dual`'s difference form gives the bracket to :data:`orthontk_lib.dual.TOLERANCE` on the scale
    of :math:`\mathbb{E}\phi^2` (so :math:`\delta` to a relative 1e-7/δ: ample where :math:`\delta \sim 1/L`).

    Args:
      activation: a name of :data:`orthontk_lib.models.ACTIVATIONS`; ReLU needs ``b_std = 0``.
      W_std, b_std: the initialization's :math:`\sigma_W, \sigma_b`.
      rho: input cosines :math:`x \cdot x' / |x||x'|`, shape (P,), each in (-1, 1).
      depths: increasing hidden-layer counts >= 1, shape (D,).

    Returns:
      float64 array (D, P).

    Raises:
      ValueError: for ReLU with ``b_std != 0``, a cosine outside (-1, 1), or depths not increasing from 1.
      FloatingPointError: if a kernel is not finite, naming the depth.
    """
    rho, depths = np.asarray(rho, np.float64), np.asarray(depths, int)
    if activation == "relu" and b_std != 0:
        raise ValueError(f"edge_ntk_ratio: the ReLU recursion here needs b_std = 0, got {b_std}")
    if not np.all(np.abs(rho) < 1):
        raise ValueError(f"edge_ntk_ratio: input cosines must lie in (-1, 1), got {rho.tolist()}")
    if depths.size == 0 or depths[0] < 1 or np.any(np.diff(depths) <= 0):
        raise ValueError(f"edge_ntk_ratio: depths must increase from 1, got {depths.tolist()}")
    s2, b2 = W_std**2, b_std**2
    q = s2 + b2
    delta = s2 * (1 - rho) / q  # the first dense layer's 1 - c
    theta_k, alpha = q - s2 * (1 - rho), q  # K^1 off and on the diagonal
    out, wanted = np.empty((depths.size, rho.size)), {int(L): i for i, L in enumerate(depths)}
    for layer in range(1, int(depths[-1]) + 1):
        if activation == "relu":
            theta = 2 * np.arcsin(np.sqrt(delta / 2))
            q_new, slope_diag = s2 * q / 2, s2 / 2
            delta = 2 * np.sin(theta / 2) ** 2 - _sin_minus_t_cos(theta) / np.pi
            slope = s2 * (np.pi - theta) / (2 * np.pi)
        else:
            e = dual.variance_map(activation, q)
            k, kdot = dual.bivariate(activation, q, q, 1.0 - delta)
            q_new = s2 * e + b2
            delta = np.maximum(s2 * (e - k) / q_new, 0.0)
            slope, slope_diag = s2 * kdot, s2 * float(dual.derivative_map(activation, q))
        theta_k = q_new * (1.0 - delta) + slope * theta_k
        alpha = q_new + slope_diag * alpha
        q = q_new
        if layer in wanted:
            ratio = theta_k / alpha
            if not np.all(np.isfinite(ratio)):
                raise FloatingPointError(f"edge_ntk_ratio: {activation}'s kernel is not finite at depth {layer}")
            out[wanted[layer]] = ratio
    return out


def _sin_minus_t_cos(t):
    r""":math:`\sin t - t\cos t` without cancellation at small t (series :math:`t^3/3 - t^5/30 + t^7/840 - \dots`)."""
    t = np.asarray(t, np.float64)
    t2 = t * t
    series = t * t2 * (1 / 3 - t2 / 30 + t2 * t2 / 840 - t2**3 / 45360)
    return np.where(t < 0.05, series, np.sin(t) - t * np.cos(t))


def _positive_q_star(activation, W_std, b_std):
    """q*, refusing q* = 0 and q* = inf, where correlations are undefined."""
    q = q_star(activation, W_std, b_std)
    if not 0 < q < math.inf:
        raise ValueError(f"W_std, b_std: the correlation map of {activation} at ({W_std}, {b_std}) is undefined: "
                         f"its fixed-point variance q* is {q}")
    return q


def _float64():
    """A context in which JAX computes in float64: ``jax.enable_x64(True)`` (JAX >= 0.8), else the experimental one."""
    if hasattr(jax, "enable_x64"):
        return jax.enable_x64(True)
    from jax.experimental import enable_x64

    return enable_x64()
