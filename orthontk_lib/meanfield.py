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

__all__ = ["q_star", "chi", "critical_b_std", "critical_line", "correlation_map", "c_star", "chi_at_correlation"]


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
