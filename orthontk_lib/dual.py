r"""Dual activations: the Gaussian expectations that carry a kernel through one non-linearity.

For an activation :math:`\phi` and a centred Gaussian pair :math:`(u, v)` with variances
:math:`q_1, q_2` and correlation :math:`c`,

.. math::

   \hat\phi(q_1, q_2, c) = \mathbb{E}[\phi(u)\,\phi(v)], \qquad
   \hat{\dot\phi}(q_1, q_2, c) = \mathbb{E}[\phi'(u)\,\phi'(v)],

the dual activation of Daniely, Frostig, Singer 2016 (arXiv:1602.05897, Sec. 5) and its derivative's. They
are the NNGP and derivative maps of every infinite-width recursion (Lee et al. 2018, Eq. 4; Jacot et al.
2018, Thm. 1), and on the diagonal (:math:`q_1 = q_2 = q`, :math:`c = 1`) the variance map
:math:`\mathbb{E}[\phi(\sqrt q z)^2]` and the slope factor :math:`\mathbb{E}[\phi'(\sqrt q z)^2]` of
mean-field theory (Poole et al. 2016; Schoenholz et al. 2017).

Closed forms where they exist: ReLU (the arc-cosine kernel, Cho & Saul 2009), erf (the arcsine kernel,
Williams 1997), the identity, and ELU on the diagonal (through the scaled complementary error function).
Otherwise piecewise Gauss-Legendre quadrature in standard normal coordinates: each axis is truncated to
:math:`|z| \le 10` (Gaussian mass outside: 1.5e-23) and split at the point where the argument crosses 0, where
ReLU-like and ELU derivatives have their kinks, so every piece is smooth and the rule converges exponentially.
Off the diagonal the expectation is taken as

.. math:: \mathbb{E}[\phi(u)\phi(v)] = \tfrac12\big(\mathbb{E}\phi(u)^2 + \mathbb{E}\phi(v)^2\big)
          - \tfrac12\,\mathbb{E}\big[(\phi(u) - \phi(v))^2\big],

which keeps its relative precision as :math:`c \to 1`, where deep kernels live. The tolerance, checked in the
tests against adaptive quadrature (``scipy.integrate.quad``) in float64 for every activation of
:data:`orthontk_lib.models.ACTIVATIONS`, is :data:`TOLERANCE`.

Example:

>>> round(float(variance_map("relu", 2.0)), 12)  # E[relu(u)^2] = q / 2
1.0
>>> k, kdot = bivariate("erf", 1.0, 1.0, 0.5)  # the arcsine kernel and its derivative's
>>> round(float(kdot), 6)
0.450158
"""

import functools
import math

import numpy as np

from orthontk_lib.activations import TABLE

__all__ = ["TOLERANCE", "QUADRATURE_MAX_VARIANCE", "CLOSED_FORM", "activation_numpy", "expectation", "variance_map", "derivative_map",
           "bivariate"]

TOLERANCE = 1e-7
r"""Tolerance of every quantity here, closed form or quadrature, relative to :math:`\sqrt{\mathbb{E}f(u)^2\,
\mathbb{E}f(v)^2}` (the scale of the expectation; off the diagonal the difference form's error is absolute on that
scale), for variances up to 1e6 on the diagonal and :data:`QUADRATURE_MAX_VARIANCE` off it: the worst case measured
against adaptive quadrature is 2e-8 (ELU's derivative near correlation 1); the tests hold every activation to it."""

CLOSED_FORM = tuple(name for name, a in TABLE.items() if a.bivariate is not None)
r"""Activations whose :math:`\hat\phi` and :math:`\hat{\dot\phi}` are closed forms everywhere (ELU only on the
diagonal): those of :data:`orthontk_lib.activations.TABLE` with a bivariate closed form."""

TRUNCATION = 10.0
"""Quadrature range |z| <= TRUNCATION in standard normal coordinates."""

NODES_1D = 128
"""Gauss-Legendre nodes per piece of 1-D expectations (four pieces: split at 0 and at plus and minus 40 / sqrt(q))."""

QUADRATURE_MAX_VARIANCE = 1e3
"""Largest variance for which the bivariate quadrature is tested to :data:`TOLERANCE`; beyond it an error."""

NODES_2D = 48
"""Gauss-Legendre nodes per piece and axis of bivariate expectations: 96 x 96 per pair (96 x 144 near c = 1)."""


# ACTIVATIONS IN FLOAT64


def activation_numpy(activation):
    r"""``(phi, dphi)``: the activation and its derivative on NumPy float64 arrays.

    The derivative of ReLU at 0 is taken as 0, ELU's :math:`\alpha` is 1 (as ``jax.nn.elu``).

    Raises:
      ValueError: for a name outside :data:`orthontk_lib.models.ACTIVATIONS`.
    """
    from orthontk_lib.models import ACTIVATIONS

    if activation not in _NUMPY:
        raise ValueError(f"activation: must be one of {', '.join(ACTIVATIONS)}; got {activation!r}")
    return _NUMPY[activation]


# ONE DIMENSION


def expectation(fn, q):
    r""":math:`\mathbb{E}_{z \sim N(0,1)}[f(\sqrt{q}\, z)]` by quadrature split at z = 0 and at :math:`\pm 40/\sqrt q`
    (where a derivative of scale 1 in its argument, such as tanh's, has decayed).

    Args:
      fn: a function of NumPy float64 arrays, smooth on each side of 0.
      q: a variance >= 0, or an array of them (shape S).

    Returns:
      A float, or an array of shape S; relative error below :data:`TOLERANCE` for functions of at most
      polynomial growth.
    """
    q = np.asarray(q, np.float64)
    width = np.clip(40.0 / np.sqrt(np.maximum(q, 1e-300)), 0.0, TRUNCATION)  # 40 widths of f's scale 1/sqrt(q)
    z, w = _pieces(np.stack([-TRUNCATION + 0 * q, -width, 0 * q, width, TRUNCATION + 0 * q], -1), NODES_1D)
    with np.errstate(all="ignore"):
        values = np.asarray(fn(np.sqrt(q)[..., None] * z), np.float64)
    out = (values * w).sum(-1)
    return float(out) if out.ndim == 0 else out


def variance_map(activation, q):
    r""":math:`\mathbb{E}[\phi(\sqrt q z)^2]`, ``q`` a variance or an array (shape S); closed form where one exists."""
    return _diagonal(activation, q, 0, "variance map")


def derivative_map(activation, q):
    r""":math:`\mathbb{E}[\phi'(\sqrt q z)^2]`, ``q`` a variance or an array (shape S); closed form where one exists."""
    return _diagonal(activation, q, 1, "derivative map")


# TWO DIMENSIONS


def bivariate(activation, q1, q2, c, chunk=256):
    r"""``(k, kdot)`` = :math:`(\mathbb{E}[\phi(u)\phi(v)], \mathbb{E}[\phi'(u)\phi'(v)])` for many pairs at once.

    Args:
      activation: a name of :data:`orthontk_lib.models.ACTIVATIONS`.
      q1, q2: the variances of u and v (>= 0), arrays broadcast to one shape S; at most
        :data:`QUADRATURE_MAX_VARIANCE` for activations outside :data:`CLOSED_FORM`.
      c: their correlation, in [-1, 1] (clipped there), shape S.
      chunk: pairs per quadrature block (memory: chunk x 96 x 144 floats a temporary).

    Returns:
      Two float64 arrays of shape S. Closed forms for :data:`CLOSED_FORM`; quadrature otherwise, to
      :data:`TOLERANCE` relative.

    Raises:
      FloatingPointError: if a value is not finite (an overflow, or a non-finite input), or a variance is beyond
        the quadrature's range.
    """
    q1, q2, c = np.broadcast_arrays(*(np.asarray(a, np.float64) for a in (q1, q2, c)))
    c = np.clip(c, -1.0, 1.0)
    if activation in CLOSED_FORM:
        with np.errstate(all="ignore"):
            k, kdot = _BIVARIATE[activation](q1, q2, c)
    else:
        top = max(float(np.max(q1, initial=0.0)), float(np.max(q2, initial=0.0)))
        if not top <= QUADRATURE_MAX_VARIANCE:
            raise FloatingPointError(f"{activation}: a variance of {top:.3g} is beyond the bivariate quadrature's "
                                     f"range (<= {QUADRATURE_MAX_VARIANCE:g}, where TOLERANCE is tested)")
        k, kdot = np.empty(q1.shape), np.empty(q1.shape)
        flat = [a.reshape(-1) for a in (q1, q2, c)]
        k_flat, kdot_flat = k.reshape(-1), kdot.reshape(-1)
        fs = activation_numpy(activation)  # (phi, phi'): one set of quadrature nodes serves both
        for i in range(0, flat[0].size, chunk):
            part = [a[i:i + chunk] for a in flat]
            k_flat[i:i + chunk], kdot_flat[i:i + chunk] = _difference_form(
                fs, *part, (variance_map(activation, part[0]), derivative_map(activation, part[0])),
                (variance_map(activation, part[1]), derivative_map(activation, part[1])))
    return _finite(k, activation, "dual activation"), _finite(kdot, activation, "derivative's dual")


NEAR_ONE = 0.9
"""Correlations above which the gap is taken in the pair's sum-and-difference coordinates (:func:`_gap_near_one`);
below it the cheaper rule of :func:`_gap` holds its relative precision (1e-13 measured at 1 - c = 0.1)."""


# INTERNAL UTILITIES


@functools.lru_cache(maxsize=8)
def _legendre(n):
    return np.polynomial.legendre.leggauss(n)


def _split_rule(t, n):
    r"""Nodes and weights (..., 2n) for :math:`\int_{-T}^{T} g(z)\,\varphi(z)\,dz`, Gauss-Legendre on
    :math:`[-T, t]` and :math:`[t, T]` (``t`` an array of split points, clipped to the range)."""
    t = np.clip(np.asarray(t, np.float64), -TRUNCATION, TRUNCATION)
    return _pieces(np.stack([np.full_like(t, -TRUNCATION), t, np.full_like(t, TRUNCATION)], -1), n)


def _pieces(bounds, n):
    r"""Gauss-Legendre nodes and weights (..., P n) on the P pieces between increasing ``bounds`` (..., P + 1), the
    weights times the normal density: :math:`\sum w\, g(z) \approx \int g(z) \varphi(z)\, dz`."""
    x, w = _legendre(n)
    lo, hi = bounds[..., :-1, None], bounds[..., 1:, None]
    half = (hi - lo) / 2
    z = lo + half * (x + 1)
    weights = half * w * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    return z.reshape(bounds.shape[:-1] + (-1,)), weights.reshape(bounds.shape[:-1] + (-1,))


def _difference_form(fs, q1, q2, c, e_u, e_v):
    r""":math:`\mathbb{E}[f(u)f(v)] = \frac12(e_u + e_v) - \frac12\mathbb{E}[(f(u) - f(v))^2]` for each f of ``fs``
    (with its ``e_u[i]``, ``e_v[i]``), pairs (P,) each; the functions share the quadrature nodes.

    The gap :math:`\mathbb{E}[(f(u) - f(v))^2]` carries :math:`1 - c` as c -> 1, where deep kernels live, so it must
    keep its relative digits there: above :data:`NEAR_ONE` it is taken by :func:`_gap_near_one`, below by
    :func:`_gap`."""
    near = c > NEAR_ONE
    gaps = [np.empty(c.shape) for _ in fs]
    for rule, pick in ((_gap, ~near), (_gap_near_one, near)):
        if pick.any():
            for gap, part in zip(gaps, rule(fs, q1[pick], q2[pick], c[pick])):
                gap[pick] = part
    return [0.5 * (eu + ev) - 0.5 * gap for gap, eu, ev in zip(gaps, e_u, e_v)]


def _gap(fs, q1, q2, c):
    r""":math:`\mathbb{E}[(f(u) - f(v))^2]` with :math:`u = \sqrt{q_1} z_1`, :math:`v = \sqrt{q_2}(c z_1 + s z_2)`,
    :math:`s = \sqrt{1 - c^2}`; z_1 split at 0 (u's kink), z_2 at :math:`-c z_1 / s` (v's kink). As s -> 0 the
    inner integral varies on the scale s in :math:`z_1`, which this fixed rule does not resolve (ELU's derivative
    lost 3 digits of the gap at 1 - c = 1e-5): near c = 1, :func:`_gap_near_one`."""
    z1, w1 = _split_rule(np.zeros(()), NODES_2D)  # (M,)
    s = np.sqrt(np.clip(1.0 - c * c, 0.0, None))
    with np.errstate(all="ignore"):
        t = np.where(s[:, None] > 0, -c[:, None] * z1[None, :] / s[:, None], 0.0)  # (P, M)
        z2, w2 = _split_rule(t, NODES_2D)  # (P, M, M)
        u = np.sqrt(q1)[:, None, None] * z1[None, :, None]
        v = np.sqrt(q2)[:, None, None] * (c[:, None, None] * z1[None, :, None] + s[:, None, None] * z2)
        return [((f(u) - f(v)) ** 2 * w2).sum(-1) @ w1 for f in fs]  # (P,) each


def _gap_near_one(fs, q1, q2, c):
    r""":math:`\mathbb{E}[(f(u) - f(v))^2]` in the coordinates of the pair's sum and difference:
    :math:`u = \sqrt{q_1}(C w + S x)`, :math:`v = \sqrt{q_2}(C w - S x)` with :math:`w, x` independent standard
    normals, :math:`C = \sqrt{(1 + c)/2}`, :math:`S = \sqrt{(1 - c)/2}` (so :math:`\mathbb{E}uv = \sqrt{q_1 q_2}\,c`).
    The kinks u = 0 and v = 0 lie at :math:`w = \mp (S/C) x`: x is split at 0 and w at both, so every piece is smooth
    however close c is to 1 (the gap to 1e-12 relative at 1 - c = 1e-6). Half again as costly as :func:`_gap`."""
    x, wx = _split_rule(np.zeros(()), NODES_2D)  # (M,)
    half = np.sqrt(np.clip((1.0 - c) / 2, 0.0, 1.0))  # S, exact near c = 1 (no 1 - c^2)
    mean = np.sqrt(np.clip((1.0 + c) / 2, 0.0, 1.0))  # C > 0 here
    with np.errstate(all="ignore"):
        k = np.minimum((half / mean)[:, None] * np.abs(x)[None, :], TRUNCATION)  # (P, M): the kinks at w = -k, k
        w, ww = _pieces(np.stack([np.full_like(k, -TRUNCATION), -k, k, np.full_like(k, TRUNCATION)], -1),
                        NODES_2D)  # (P, M, 3 NODES_2D)
        cw, sx = mean[:, None, None] * w, (half[:, None] * x[None, :])[..., None]
        u, v = np.sqrt(q1)[:, None, None] * (cw + sx), np.sqrt(q2)[:, None, None] * (cw - sx)
        return [((f(u) - f(v)) ** 2 * ww).sum(-1) @ wx for f in fs]  # (P,) each


def _diagonal(activation, q, order, what):
    """E f(sqrt(q) z)^2 for f the activation (order 0) or its derivative (order 1): closed form, else quadrature."""
    q = np.asarray(q, np.float64)
    f = activation_numpy(activation)[order]
    with np.errstate(all="ignore"):
        if activation not in _DIAGONAL:
            out = expectation(lambda u: f(u) ** 2, q)
        elif activation == "elu":  # the closed form cancels at small q (1e-9 relative at q = 1e-6)
            out = np.where(q < 1e-3, expectation(lambda u: f(u) ** 2, np.minimum(q, 1e-3)), _DIAGONAL["elu"][order](q))
        else:
            out = _DIAGONAL[activation][order](q)
    return _finite(out, activation, what)


def _finite(values, activation, what):
    if not np.all(np.isfinite(values)):
        raise FloatingPointError(f"{activation}: the {what} is not finite (an overflow, or a non-finite input)")
    return values


_NUMPY = {name: (a.numpy, a.derivative) for name, a in TABLE.items()}
_DIAGONAL = {name: a.diagonal for name, a in TABLE.items() if a.diagonal is not None}
_BIVARIATE = {name: a.bivariate for name, a in TABLE.items() if a.bivariate is not None}
