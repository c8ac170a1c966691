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
           "EDGE_LIMIT", "edge_ntk_ratio", "SCAN_PER_DECADE", "Q_FLOOR", "float64"]

SCAN_PER_DECADE = 16
"""Points per decade of the log-spaced scans of :func:`q_star` and :func:`critical_b_std` (a ratio of 1.155 between
neighbours); two roots closer than that are still found where the scan shows the dip between them as a local
minimum (see :func:`q_star`)."""

Q_FLOOR = 1e-12
"""The smallest variance the scans start from: with ``b_std = 0`` and φ(0) = 0, q = 0 is a fixed point, and the
search starts just above it (so an unstable q = 0, tanh at σ_W > 1, gives way to the positive root)."""


def q_star(activation, W_std, b_std, q_max=1e8):
    r"""The fixed point :math:`q^*` of the variance map that iteration from :math:`q^0 = \sigma_b^2` converges to.

    With :math:`V(q) = \mathbb{E}_{z \sim N(0,1)}[\phi(\sqrt q z)^2]` and :math:`g(q) = \sigma_W^2 V(q) + \sigma_b^2 - q`
    (the length map of Poole et al. 2016 and Schoenholz et al. 2017, the module's first equation), :math:`q^*` is the
    smallest root of g above :math:`\max(\sigma_b^2, 10^{-12})`, where g turns from positive to negative: V increases
    with q for every activation of the table, so the map's iterates rise to it from below. g is scanned at
    :data:`SCAN_PER_DECADE` log-spaced points up to ``q_max``; the first sign change is solved by Brent's method to
    1e-13 relative, and before it every sampled local minimum of g is minimized (bounded, in log q) so that a pair of
    roots between two samples is not stepped over. A root tangent to 0 (g touching 0 without changing sign) is not
    resolved.

    Args:
      activation: a name of :data:`orthontk_lib.activations.TABLE`.
      W_std, b_std: :math:`\sigma_W \ge 0` and :math:`\sigma_b \ge 0` (weight variance :math:`\sigma_W^2/n`).
      q_max: the largest variance searched; ``q_max`` > ``max(b_std**2, Q_FLOOR)``.

    Returns:
      :math:`q^*` (a float, the units of a pre-activation variance); 0.0 where ``b_std = 0`` and q = 0 is stable;
      ``math.inf`` where g stays positive up to ``q_max``: the variance grows without bound (the map diverges, e.g.
      ReLU at :math:`\sigma_W^2 > 2`).

    Raises:
      ValueError: for a negative or non-finite ``W_std`` or ``b_std``, or ``q_max`` not above the scan's start.
    """
    lo = _check_point(W_std, b_std)
    if not q_max > lo:
        raise ValueError(f"q_max: must exceed max(b_std**2, {Q_FLOOR:g}) = {lo:g}, got {q_max}")
    g = lambda q: W_std**2 * dual.variance_map(activation, q) + b_std**2 - q
    if g(lo) <= 0:
        return float(lo if b_std > 0 else 0.0)
    return _first_sign_change(g, lo, q_max)


def chi(activation, W_std, b_std, q=None):
    r"""The slope :math:`\chi_1 = \sigma_W^2\, \mathbb{E}[\phi'(\sqrt{q^*} z)^2]` of the correlation map at c = 1
    (Poole et al. 2016; Schoenholz et al. 2017; the module's second equation): below 1 the ordered phase, above 1
    the chaotic one.

    Args:
      activation: a name of :data:`orthontk_lib.activations.TABLE`.
      W_std, b_std: :math:`\sigma_W, \sigma_b`.
      q: the variance to evaluate at, default :func:`q_star`; where that is ``inf`` (a diverging variance), the
        slope at q = 1e12, i.e. its large-variance limit (:math:`\sigma_W^2/2` for ReLU).

    Returns:
      χ, a dimensionless float.
    """
    q = q_star(activation, W_std, b_std) if q is None else q
    q = min(max(q, 0.0), 1e12)  # diverging q: a large q
    return float(W_std**2 * dual.derivative_map(activation, q))


def critical_b_std(activation, W_std, b_max=10.0, q_max=1e8):
    r"""The smallest ``b_std`` in [0, ``b_max``] at which χ (:func:`chi`) crosses 1 on the stable branch of
    :math:`q^*`: the Edge of Chaos at this ``W_std`` (Schoenholz et al. 2017; Hayou, Doucet, Rousseau 2019).

    As :math:`\sigma_b` grows, :math:`q^*(\sigma_b)` (:func:`q_star`) is the first q at which
    :math:`h(q) = q - \sigma_W^2 V(q)` reaches :math:`\sigma_b^2`; it moves continuously while h rises to new highs
    and jumps where the stable root vanishes (h's local maximum), or diverges beyond h's highest value. So the search
    runs in q: h and :math:`\chi(q) = \sigma_W^2\mathbb{E}\phi'(\sqrt q z)^2` on :data:`SCAN_PER_DECADE` log-spaced
    points from :math:`q^*(0)`, χ(q) = 1 solved by Brent's method between neighbours on the branch, and
    :math:`\sigma_b = \sqrt{h(q)}` there, checked by :func:`q_star` (it must return that q). A change of sign of
    χ − 1 across a jump of :math:`q^*` is not a crossing: χ never equals 1 there.

    Args:
      activation: a name of :data:`orthontk_lib.activations.TABLE`.
      W_std: :math:`\sigma_W`.
      b_max: the largest :math:`\sigma_b` considered.
      q_max: the largest variance scanned (as :func:`q_star`'s).

    Returns:
      :math:`\sigma_b` (a float); 0.0 where χ = 1 already at :math:`\sigma_b = 0` (ReLU at :math:`\sigma_W^2 = 2`).

    Raises:
      ValueError: starting ``"W_std: no critical b_std"``, when χ does not cross 1 on the stable branch for
        ``b_std`` in [0, ``b_max``], saying why: χ − 1 keeps one sign there (tanh at ``W_std`` < 1, ReLU at
        ``W_std`` ≠ √2), χ jumps over 1 where :math:`q^*` jumps or diverges (x·tanh at ``W_std`` = 1), or
        :math:`q^*` diverges at every ``b_std``.
    """
    _check_point(W_std, 0.0)
    where = f"W_std: no critical b_std in [0, {b_max}] for {activation} at W_std={W_std}"
    s2 = W_std**2
    q0 = q_star(activation, W_std, 0.0, q_max)
    chi0 = chi(activation, W_std, 0.0, q0)
    if abs(chi0 - 1.0) < 1e-9:
        return 0.0
    if q0 == math.inf:
        raise ValueError(f"{where}: q* diverges already at b_std = 0, and so at every b_std")
    lo = max(q0, Q_FLOOR)
    q = _log_grid(lo, q_max)
    h = q - s2 * dual.variance_map(activation, q)  # the level b_std**2 at which q* reaches q
    excess = s2 * dual.derivative_map(activation, q) - 1.0  # chi - 1
    excess[0] = chi0 - 1.0
    on = np.ones(q.size, bool)  # q is q*(sqrt(h)): h reaches a new high there
    on[1:] = h[1:] >= np.maximum.accumulate(h)[:-1]
    branch = np.flatnonzero(on)
    notes = []
    for a, b in zip(branch[:-1], branch[1:]):
        if h[a] > b_max**2:
            break
        if excess[a] * excess[b] > 0:
            continue
        if b > a + 1:  # q* jumps between q[a] and q[b]: chi jumps over 1 without equalling it
            notes.append(f"chi jumps from {excess[a] + 1:.4g} to {excess[b] + 1:.4g} where q* jumps from about "
                         f"{q[a]:.4g} to {q[b]:.4g} (b_std about {_jump_b_std(activation, s2, q, a):.4g})")
            continue
        f = lambda t: s2 * float(dual.derivative_map(activation, t)) - 1.0
        qc = q[a] if excess[a] == 0 else q[b] if excess[b] == 0 else optimize.brentq(
            f, q[a], q[b], xtol=1e-14 * lo, rtol=1e-13)
        b2 = qc - s2 * float(dual.variance_map(activation, qc))
        if not 0 <= b2 <= b_max**2:
            continue
        check = q_star(activation, W_std, math.sqrt(b2), q_max)
        if abs(check - qc) <= 1e-6 * qc:
            return float(math.sqrt(b2))
        notes.append(f"chi = 1 at q = {qc:.4g}, but q* at b_std = {math.sqrt(b2):.4g} is {check:.4g}, "
                     f"past a jump")
    top = branch[-1]
    if h[top] < b_max**2:  # beyond h's highest value q* diverges
        inf_excess = chi(activation, W_std, 0.0, math.inf) - 1.0
        diverges = f"q* diverges above b_std about {math.sqrt(max(h[top], 0.0)):.4g}"
        if inf_excess * excess[top] <= 0:
            diverges += f" (chi from {excess[top] + 1:.4g} to its large-q limit {inf_excess + 1:.4g})"
        notes.append(diverges)
        top_b = math.sqrt(max(h[top], 0.0))
        top_excess = excess[top]
    else:
        top_b, top_excess = b_max, chi(activation, W_std, b_max, q_star(activation, W_std, b_max, q_max)) - 1.0
    stable = (f"on the stable branch chi - 1 is {excess[0]:+.3g} at b_std=0 and {top_excess:+.3g} at "
              f"b_std={top_b:.4g}")
    raise ValueError(f"{where} ({stable}{''.join('; ' + n for n in notes)})")


def critical_line(activation, W_stds, b_max=10.0):
    """:func:`critical_b_std` for each of ``W_stds`` (shape (N,)): the Edge of Chaos as a curve.

    Returns:
      float64 array (N,), NaN where :func:`critical_b_std` finds no critical ``b_std`` (it raises there).
    """
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
    r"""The stable fixed point :math:`c^* \in [0, 1)` of the correlation map (:func:`correlation_map`) in the chaotic
    phase, χ > 1 (Poole et al. 2016; Schoenholz et al. 2017).

    The map M is convex and increasing on [0, 1] (its power series in c has non-negative coefficients) with
    M(1) = 1 and M'(1) = χ, so with χ > 1 it has exactly one fixed point in [0, 1). It is found in
    :math:`\delta = 1 - c` as the root of the secant slope :math:`F(\delta) = (M(1) - M(1 - \delta))/\delta - 1
    = \sigma_W^2(V(q^*) - \mathbb{E}\phi(u)\phi(v))/(q^*\delta) - 1`, which falls monotonically from χ − 1 at
    δ → 0 to −M(0) at δ = 1; M(1) = 1 is used exactly (not the rounded fixed-point residual, which would add a
    spurious root at δ ~ 1e-13/(χ − 1)). F is sampled at δ = 1, 10^-0.5, 10^-1, … (down to 1e-15) until it is
    positive, then solved by Brent's method to 1e-12 relative in δ. F's rounding error, about
    :math:`4\epsilon/\delta` (ε = 2.2e-16, from the difference :math:`V - \mathbb{E}\phi(u)\phi(v)`), moves the root
    by about :math:`4\epsilon/(\delta^*(\chi - 1))` relative; :math:`1 - c^*` is returned only where that is below
    1e-3 (for erf at σ_b = 0.3: χ − 1 above about 1e-6).

    Args:
      activation: a name of :data:`orthontk_lib.activations.TABLE`.
      W_std, b_std: :math:`\sigma_W, \sigma_b`.

    Returns:
      c*, a correlation (float); 0.0 where M(0) = 0 (an odd φ without bias).

    Raises:
      ValueError: where q* is 0 or infinite (:func:`correlation_map`); where χ ≤ 1 (the ordered phase or its
        edge: c = 1 is the stable fixed point), naming χ; where χ − 1 is so small that float64 does not resolve
        1 − c* to 1e-3 relative (naming χ − 1 and the estimate).
    """
    q = _positive_q_star(activation, W_std, b_std)
    slope = chi(activation, W_std, b_std, q)
    if not slope > 1:
        raise ValueError(f"W_std, b_std: ({W_std}, {b_std}) is not in the chaotic phase of {activation} "
                         f"(chi = {slope:.9g} <= 1: c = 1 is the stable correlation fixed point)")
    v = float(dual.variance_map(activation, q))

    def secant(delta):
        c = 1.0 - delta
        d = 1.0 - c  # exact: the delta the map is evaluated at
        return W_std**2 * (v - float(dual.bivariate(activation, q, q, c)[0])) / (q * d) - 1.0

    if secant(1.0) >= 0:  # M(0) = 0 (to rounding): c = 0 is the fixed point
        return 0.0
    upper, root = 1.0, None
    for k in range(1, 31):
        delta = 10.0 ** (-k / 2)
        if secant(delta) > 0:
            root = optimize.brentq(secant, delta, upper, xtol=1e-300, rtol=1e-12)
            break
        upper = delta
    scale = W_std**2 * v / q  # rounding of F near the root, relative to 1 - c*: 4 eps scale / (delta (chi - 1))
    rounding = 4 * np.finfo(np.float64).eps * scale / ((root or 1e-15) * (slope - 1))
    if root is None or rounding > 1e-3:
        raise ValueError(f"W_std, b_std: at ({W_std}, {b_std}) {activation}'s chi - 1 = {slope - 1:.3g} is too small "
                         f"to resolve c* in float64 (1 - c* = {root or 0.0:.3g} to about {rounding:.1g} relative)")
    return float(1.0 - root)


def chi_at_correlation(activation, W_std, b_std, c):
    r"""The correlation map's slope at ``c``: :math:`\sigma_W^2\, \mathbb{E}[\phi'(u)\phi'(v)]` at :math:`q^*`."""
    q = _positive_q_star(activation, W_std, b_std)
    return float(W_std**2 * dual.bivariate(activation, q, q, c)[1])


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


# FLOAT64


def float64():
    """A context manager under which JAX computes in float64 (x64 mode), on every JAX this library runs on.

    It is ``jax.enable_x64(True)`` where JAX has it (JAX >= 0.8), else ``jax.experimental.enable_x64()``:

    >>> import jax.numpy as jnp
    >>> with float64():
    ...     print(jnp.ones(2).dtype)
    float64
    """
    if hasattr(jax, "enable_x64"):
        return jax.enable_x64(True)
    from jax.experimental import enable_x64

    return enable_x64()


# INTERNAL UTILITIES


def _sin_minus_t_cos(t):
    r""":math:`\sin t - t\cos t` without cancellation at small t (series :math:`t^3/3 - t^5/30 + t^7/840 - \dots`)."""
    t = np.asarray(t, np.float64)
    t2 = t * t
    series = t * t2 * (1 / 3 - t2 / 30 + t2 * t2 / 840 - t2**3 / 45360)
    return np.where(t < 0.05, series, np.sin(t) - t * np.cos(t))


def _check_point(W_std, b_std):
    """The scans' start max(b_std**2, Q_FLOOR), after checking that W_std and b_std are finite and >= 0."""
    for name, value in (("W_std", W_std), ("b_std", b_std)):
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name}: must be finite and >= 0, got {value}")
    return max(b_std**2, Q_FLOOR)


def _log_grid(lo, hi):
    """:data:`SCAN_PER_DECADE` log-spaced points per decade from ``lo`` to ``hi``, both included."""
    return np.geomspace(lo, hi, max(2, math.ceil(SCAN_PER_DECADE * math.log10(hi / lo)) + 1))


def _first_sign_change(g, lo, hi):
    """The smallest root of ``g`` (vectorized, g(lo) > 0) in (lo, hi] where it turns negative; ``inf`` if none.

    g is sampled on :func:`_log_grid`; each strict local minimum of the samples before the first one <= 0 is
    minimized between its neighbours, so two roots closer than the samples are not skipped. The samples are taken
    two decades at a time, up to the first block with one <= 0."""
    grid = _log_grid(lo, hi)
    gs, done = np.empty(grid.size), 0
    while done < grid.size:
        stop = min(done + 2 * SCAN_PER_DECADE, grid.size)
        gs[done:stop] = g(grid[done:stop])
        done = stop
        if np.any(gs[:done] <= 0):
            break
    q, gs = grid[:done], gs[:done]
    below = np.flatnonzero(gs <= 0)
    end = below[0] if below.size else q.size
    scalar = lambda t: float(g(t))
    solve = lambda a, b: float(optimize.brentq(scalar, a, b, xtol=1e-14 * lo, rtol=1e-13))
    for i in range(1, min(end, q.size - 1)):
        if gs[i - 1] > gs[i] < gs[i + 1]:
            dip = optimize.minimize_scalar(lambda t: scalar(math.exp(t)), method="bounded",
                                           bounds=(math.log(q[i - 1]), math.log(q[i + 1])), options={"xatol": 1e-12})
            bottom = math.exp(dip.x)
            if scalar(bottom) <= 0:
                return solve(q[i - 1], bottom)
    if end == grid.size:
        return math.inf
    return float(q[end]) if gs[end] == 0 else solve(q[end - 1], q[end])


def _jump_b_std(activation, s2, q, a):
    """The b_std at which q* jumps away from near q[a]: the square root of h's local maximum around q[a]."""
    h = lambda t: math.exp(t) - s2 * float(dual.variance_map(activation, math.exp(t)))
    bounds = (math.log(q[max(a - 1, 0)]), math.log(q[min(a + 1, q.size - 1)]))
    top = optimize.minimize_scalar(lambda t: -h(t), method="bounded", bounds=bounds, options={"xatol": 1e-10})
    return math.sqrt(max(-top.fun, 0.0))


def _positive_q_star(activation, W_std, b_std):
    """q*, refusing q* = 0 and q* = inf, where correlations are undefined."""
    q = q_star(activation, W_std, b_std)
    if not 0 < q < math.inf:
        raise ValueError(f"W_std, b_std: the correlation map of {activation} at ({W_std}, {b_std}) is undefined: "
                         f"its fixed-point variance q* is {q}")
    return q

