"""Mean-field helper: known critical points and fixed points."""

import math
import re

import numpy as np
import pytest
from scipy import integrate, optimize

from orthontk_lib import dual
from orthontk_lib import meanfield as mf
from orthontk_lib.chapters.edge_of_chaos import QUADRATURE_TESTED_DEPTH


def test_relu_is_critical_at_sigma_w_squared_two_without_bias():
    assert mf.chi("relu", math.sqrt(2), 0.0) == pytest.approx(1.0, abs=1e-9)
    assert mf.critical_b_std("relu", math.sqrt(2)) == 0.0


@pytest.mark.parametrize("W_std", [1.2, 1.6])
def test_relu_chi_is_half_sigma_w_squared_whatever_the_bias(W_std):
    assert mf.chi("relu", W_std, 0.3) == pytest.approx(W_std**2 / 2, rel=1e-9)


def test_relu_fixed_point_is_closed_form():
    # q = W^2 q / 2 + b^2  =>  q* = b^2 / (1 - W^2 / 2)
    assert mf.q_star("relu", 1.2, 0.5) == pytest.approx(0.25 / (1 - 0.72), rel=1e-9)
    assert mf.q_star("relu", 1.5, 0.5) == math.inf  # W^2 > 2: the variance explodes


def test_tanh_edge_of_chaos_points_from_the_papers():
    # Hayou, Doucet, Rousseau 2019: tanh EOC (sigma_b, sigma_w) = (0.2, 1.302), quoted to one digit
    assert mf.critical_b_std("tanh", 1.302) == pytest.approx(0.2, abs=0.005)
    # Huang, Du, Xu 2021 (code): sigma_w^2 = 1.05, sigma_b^2 = 2.01e-5 on the critical line
    assert mf.critical_b_std("tanh", math.sqrt(1.05)) ** 2 == pytest.approx(2.01e-5, rel=1e-3)


def test_critical_point_has_chi_one_and_the_phases_lie_either_side():
    b = mf.critical_b_std("tanh", 1.4)
    assert mf.chi("tanh", 1.4, b) == pytest.approx(1.0, abs=1e-8)
    assert mf.chi("tanh", 1.4, b / 2) > 1 > mf.chi("tanh", 1.4, 2 * b)  # chaotic below, ordered above


def test_no_critical_bias_is_a_clear_error():
    with pytest.raises(ValueError, match="^W_std: no critical b_std"):
        mf.critical_b_std("tanh", 0.9)
    assert np.isnan(mf.critical_line("tanh", [0.9, 1.302])[0])


def test_expectation_of_a_polynomial_is_exact():
    from orthontk_lib import dual

    assert dual.expectation(lambda x: x**4, 2.0) == pytest.approx(3 * 2.0**2, rel=1e-12)


# THE NTK AT LARGE DEPTH ON THE EDGE OF CHAOS


def _sphere(n=3, d=8, seed=0):
    x = np.random.default_rng(seed).normal(size=(n, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True) * np.sqrt(d)


@pytest.mark.parametrize("activation, W_std", [("relu", 2**0.5), ("tanh", 1.302), ("elu", 1.227), ("erf", 1.3)])
def test_the_exact_edge_ratio_matches_the_direct_recursion(activation, W_std):
    """At depths where 1 - c is far above float64's resolution the two recursions must agree."""
    from orthontk_lib import kernels

    b_std = 0.0 if activation == "relu" else mf.critical_b_std(activation, W_std)
    x = _sphere()
    ref = kernels.analytic_ntk_by_depth(activation, W_std, b_std, x, 25)
    ref = np.stack([k / k[0, 0] for k in ref])[:, [0, 0, 1], [1, 2, 2]]
    rho = np.array([x[0] @ x[1], x[0] @ x[2], x[1] @ x[2]]) / x.shape[1]
    got = mf.edge_ntk_ratio(activation, W_std, b_std, rho, np.arange(1, 26))
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-13)


def test_the_exact_relu_recursion_matches_an_extended_precision_direct_one_deep_down():
    """np.longdouble (64-bit mantissa) keeps 1 - c ~ 1e-6 to about 1e-13 relative at depth 5,000."""
    rho = np.array([-0.5, 0.3, 0.9])
    c = rho.astype(np.longdouble)
    theta, alpha = c.copy(), np.longdouble(1)
    pi = np.longdouble(np.pi)
    for _ in range(5000):
        t = np.arccos(c)
        c_new = (np.sqrt(1 - c * c) + (pi - t) * c) / pi
        theta = c_new + (1 - t / pi) * theta
        alpha = 1 + alpha
        c = c_new
    got = mf.edge_ntk_ratio("relu", 2**0.5, 0.0, rho, [5000])[0]
    np.testing.assert_allclose(got, (theta / alpha).astype(float), rtol=1e-9)


def _split_legendre_edge_ratio(phi, dphi, W_std, b_std, rho, depth, n=48, T=12.0):
    """K^L/α_L (shape (P,); (D, P) for a sequence of depths) by an independent float64 quadrature: nested
    Gauss-Legendre in the coordinates u = √q z1, v = √q (c z1 + s z2) (not the library's sum and difference), the
    inner axis split at v = 0 (where ELU's second derivative jumps), the outer one at u = 0 and at 1, 4 and 16 times
    s either side, the scale on which the inner integral varies once v's kink crosses it; the difference form
    E φ(u)² - E φ(u)φ(v) = E (φ(u) - φ(v))² / 2 carries 1 - c."""
    x, wx = np.polynomial.legendre.leggauss(n)
    pdf = lambda t: np.exp(-t * t / 2) / np.sqrt(2 * np.pi)

    def pieces(cuts):
        cuts = np.unique(np.clip(cuts, -T, T))
        half = np.diff(cuts)[:, None] / 2
        z = (cuts[:-1, None] + half * (x + 1)).ravel()
        return z, (half * wx).ravel() * pdf(z)

    z0, w0 = pieces([-T, 0.0, T])  # the diagonal's rule
    s2, b2 = W_std**2, b_std**2
    q = s2 + b2
    rho = np.asarray(rho, float)
    delta, theta_k, alpha = s2 * (1 - rho) / q, q - s2 * (1 - rho), q
    wanted = np.atleast_1d(depth).astype(int)
    out = np.empty((wanted.size, rho.size))
    for layer in range(1, int(wanted.max()) + 1):
        sq = np.sqrt(q)
        half, kdot = [], []
        for d in delta:
            c, s = 1 - d, np.sqrt(d * (2 - d))
            z1, w1 = pieces([-T, -16 * s, -4 * s, -s, 0.0, s, 4 * s, 16 * s, T])
            k = np.clip(-c * z1 / s, -T, T)[:, None]  # the kink v = 0 on each inner line
            lo, hi = (k + T) / 2 * x + (k - T) / 2, (T - k) / 2 * x + (T + k) / 2
            z2 = np.concatenate([lo, hi], 1)
            w2 = np.concatenate([(k + T) / 2 * wx * pdf(lo), (T - k) / 2 * wx * pdf(hi)], 1) * w1[:, None]
            u, v = sq * z1[:, None], sq * (c * z1[:, None] + s * z2)
            half.append(0.5 * (w2 * (phi(u) - phi(v)) ** 2).sum())
            kdot.append((w2 * dphi(u) * dphi(v)).sum())
        q_new = s2 * (w0 * phi(sq * z0) ** 2).sum() + b2
        delta = s2 * np.array(half) / q_new
        theta_k = q_new * (1 - delta) + s2 * np.array(kdot) * theta_k
        alpha = q_new + s2 * (w0 * dphi(sq * z0) ** 2).sum() * alpha
        q = q_new
        out[wanted == layer] = theta_k / alpha
    return out if np.ndim(depth) else out[0]


@pytest.mark.parametrize("activation", ["tanh", "elu"])
def test_the_exact_edge_ratio_matches_an_independent_quadrature_deep_down(activation):
    """At the paper's Edge points, 1,000 layers down (1 - c ~ 1e-3): the library's quadrature (dual.TOLERANCE per
    layer) does not drift from an independent rule; the distance to the limit, L (K^L/α_L - 1/3), agrees to 1e-6
    (measured: 9e-8 for ELU, 4e-9 for tanh; bench/quadrature_depth.py follows both to the paper profile's depth)."""
    fns = {"tanh": (np.tanh, lambda t: 1 - np.tanh(t) ** 2),
           "elu": (lambda t: np.where(t > 0, t, np.expm1(np.minimum(t, 0))),
                   lambda t: np.where(t > 0, 1.0, np.exp(np.minimum(t, 0))))}
    W_std = {"tanh": 1.302, "elu": 1.227}[activation]
    b_std = mf.critical_b_std(activation, W_std)
    rho, depth = [0.38, 0.67, 0.96], QUADRATURE_TESTED_DEPTH  # the depth the chapter marks as tested
    ref = _split_legendre_edge_ratio(*fns[activation], W_std, b_std, rho, depth)
    got = mf.edge_ntk_ratio(activation, W_std, b_std, rho, [depth])[0]
    np.testing.assert_allclose(depth * (got - 1 / 3), depth * (ref - 1 / 3), atol=1e-6)


def test_the_edge_limits_are_reached():
    """K^L/α_L -> 1/4 for ReLU and 1/3 for erf (closed forms, so deep recursions are cheap)."""
    relu = mf.edge_ntk_ratio("relu", 2**0.5, 0.0, [-0.5, 0.9], [1000, 100_000])
    assert np.all(np.abs(relu[-1] - 0.25) < 1e-4) and np.all(np.abs(relu[-1] - 0.25) < np.abs(relu[0] - 0.25) / 10)
    erf = mf.edge_ntk_ratio("erf", 1.3, mf.critical_b_std("erf", 1.3), [-0.5, 0.9], [100, 5000])
    assert np.all(np.abs(erf[-1] - 1 / 3) < 5e-3) and np.all(np.abs(erf[-1] - 1 / 3) < np.abs(erf[0] - 1 / 3) / 5)


@pytest.mark.parametrize("kwargs, match", [
    (dict(activation="relu", b_std=0.1), "needs b_std = 0"),
    (dict(rho=[1.0]), r"must lie in \(-1, 1\)"),
    (dict(depths=[3, 2]), "must increase from 1"),
])
def test_the_exact_edge_ratio_refuses_bad_input(kwargs, match):
    args = dict(activation="relu", W_std=2**0.5, b_std=0.0, rho=[0.5], depths=[1, 2])
    with pytest.raises(ValueError, match=match):
        mf.edge_ntk_ratio(**{**args, **kwargs})


# THE FIXED POINTS AGAINST ITERATION OF THE MAPS AND ADAPTIVE QUADRATURE

_SQRT_2PI = math.sqrt(2 * math.pi)

_SCALAR = {  # (φ, φ') on Python floats, written here from each activation's definition, not read from the library
    "relu": (lambda x: max(x, 0.0), lambda x: float(x > 0)),
    "erf": (math.erf, lambda x: 2 / math.sqrt(math.pi) * math.exp(-x * x)),
    "tanh": (math.tanh, lambda x: 1 - math.tanh(x) ** 2),
    "linear": (lambda x: x, lambda x: 1.0),
    "sigmoid": (lambda x: 0.5 * (1 + math.tanh(x / 2)), lambda x: 0.25 * (1 - math.tanh(x / 2) ** 2)),
    "softplus": (lambda x: max(x, 0.0) + math.log1p(math.exp(-abs(x))), lambda x: 0.5 * (1 + math.tanh(x / 2))),
    "xtanh": (lambda x: x * math.tanh(x), lambda x: math.tanh(x) + x * (1 - math.tanh(x) ** 2)),
    "x2tanh": (lambda x: x * x * math.tanh(x), lambda x: 2 * x * math.tanh(x) + x * x * (1 - math.tanh(x) ** 2)),
    "elu": (lambda x: x if x > 0 else math.expm1(x), lambda x: 1.0 if x > 0 else math.exp(x)),
    "gelu": (lambda x: 0.5 * x * math.erfc(-x / math.sqrt(2)),
             lambda x: 0.5 * math.erfc(-x / math.sqrt(2)) + x * math.exp(-x * x / 2) / _SQRT_2PI),
}


def _gauss(f, q):
    """E f(√q z), z ~ N(0, 1): scipy.integrate.quad on each half line (kinks sit at 0), its error estimate checked;
    at q = 0 the limit q -> 0+ (ReLU's E 1{z > 0} = 1/2, as the library's χ there)."""
    s, total = math.sqrt(max(q, 1e-300)), 0.0
    for lo, hi in ((-math.inf, 0.0), (0.0, math.inf)):
        value, err = integrate.quad(lambda z: f(s * z) * math.exp(-0.5 * z * z), lo, hi, epsabs=0.0, epsrel=1e-11,
                                    limit=200)
        assert err <= 1e-9 * abs(value), (f, q, value, err)
        total += value
    return total / _SQRT_2PI


def _iterate(activation, W_std, b_std, q_big=1e6, steps=4000):
    """The reference q*: q <- σ_W² E φ(√q z)² + σ_b² iterated in float64 from max(σ_b², 1e-12) (the library's
    documented start) until the geometric tail of the updates is below 1e-11 q; 0.0 once q falls below 1e-30 (q = 0
    is the fixed point), inf once q passes q_big."""
    phi = _SCALAR[activation][0]
    q, last = max(b_std**2, 1e-12), None
    for _ in range(steps):
        new = W_std**2 * _gauss(lambda x: phi(x) ** 2, q) + b_std**2
        step, q = new - q, new
        if q > q_big:
            return math.inf
        if q < 1e-30:
            return 0.0
        ratio = step / last if last else 0.5
        if step == 0 or (0 <= ratio < 1 and abs(step) * ratio / (1 - ratio) <= 1e-11 * q):
            return q
        last = step
    raise AssertionError(f"the reference iteration did not settle: {activation} at ({W_std}, {b_std}), q = {q}")


def _chi_reference(activation, W_std, q):
    return W_std**2 * _gauss(lambda x: _SCALAR[activation][1](x) ** 2, q)


def test_every_activation_of_the_table_has_a_reference():
    from orthontk_lib.activations import TABLE

    assert set(_SCALAR) == set(TABLE)


_GRID = [(w, b) for w in (0.8, 1.2, 1.6) for b in (0.0, 0.1, 0.5)]
_NARROW = {"xtanh": [(1.0, 0.5), (1.6, 0.2)], "x2tanh": [(1.0, 0.31), (0.7, 0.4)], "gelu": [(1.5, 0.25)]}
"""Points where the next, unstable, fixed point lies within a factor 4 of the stable one."""


@pytest.mark.parametrize("activation", list(_SCALAR))
def test_q_star_and_chi_match_the_iterated_map(activation):
    """Over (σ_W, σ_b) in {0.8, 1.2, 1.6} x {0, 0.1, 0.5} and the narrow points: q* is where iteration from σ_b²
    settles (inf where it diverges), χ the quadrature of σ_W² E φ'² there."""
    for W_std, b_std in _GRID + _NARROW.get(activation, []):
        ref = _iterate(activation, W_std, b_std)
        got = mf.q_star(activation, W_std, b_std)
        where = f"{activation} at ({W_std}, {b_std})"
        if ref == math.inf:
            assert got == math.inf, where
            continue
        assert got == pytest.approx(ref, rel=1e-6, abs=1e-12), where
        assert mf.chi(activation, W_std, b_std) == pytest.approx(_chi_reference(activation, W_std, ref), rel=1e-6,
                                                                  abs=1e-12), where


def test_the_issue_example_x_tanh():
    """x·tanh at σ_W = 1, σ_b = 0.5: q* = 1.2992 (the iterated map), χ = 0.911, not inf and 1."""
    ref = _iterate("xtanh", 1.0, 0.5)
    assert ref == pytest.approx(1.2992, abs=1e-4)
    assert mf.q_star("xtanh", 1.0, 0.5) == pytest.approx(ref, rel=1e-6)
    assert mf.chi("xtanh", 1.0, 0.5) == pytest.approx(0.9112, abs=1e-4)


@pytest.mark.parametrize("activation, W_std", [
    ("erf", 1.3), ("erf", 3.0), ("tanh", 1.302), ("tanh", 2.0), ("elu", 1.227), ("relu", 2**0.5), ("linear", 1.0)])
def test_a_critical_bias_has_chi_one_on_the_iterated_map(activation, W_std):
    b_std = mf.critical_b_std(activation, W_std)
    q = _iterate(activation, W_std, b_std)
    assert _chi_reference(activation, W_std, q) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("activation, W_std, biases, match", [
    ("xtanh", 1.0, (0.1, 0.3, 0.4905, 0.5), r"q\* diverges above b_std about 0\.50"),
    ("x2tanh", 1.0, (0.1, 0.3015, 0.37), r"q\* diverges above b_std about 0\.37"),
    ("gelu", 1.5, (0.0, 0.1, 0.2485, 0.27), r"q\* diverges above b_std about 0\.27"),
    ("softplus", 1.3, (0.0, 1.0, 10.0), "on the stable branch"),
    ("sigmoid", 3.0, (0.0, 1.0, 10.0), "on the stable branch"),
    ("tanh", 0.9, (0.0, 1.0, 10.0), "on the stable branch"),
])
def test_no_critical_bias_where_chi_stays_below_one_on_the_stable_branch(activation, W_std, biases, match):
    """Where χ < 1 wherever iteration of the map settles (the branch ends where q* jumps to infinity, and χ's large-q
    limit may exceed 1), no b_std is critical: an error says why instead of returning the jump."""
    for b_std in biases:
        q = _iterate(activation, W_std, b_std)
        assert q < math.inf and _chi_reference(activation, W_std, q) < 0.99, (b_std, q)
    with pytest.raises(ValueError, match="^W_std: no critical b_std") as err:
        mf.critical_b_std(activation, W_std)
    assert re.search(match, str(err.value)), str(err.value)
    assert np.isnan(mf.critical_line(activation, [W_std])[0])


def _erf_edge_W_std(b_std):
    """σ_W with χ = 1 at this σ_b for erf: q_e solves q - V(q)/D(q) = σ_b², σ_W² = 1/D(q_e), V and D by quadrature."""
    V = lambda q: _gauss(lambda x: math.erf(x) ** 2, q)
    D = lambda q: _gauss(lambda x: _SCALAR["erf"][1](x) ** 2, q)
    q_e = optimize.brentq(lambda q: q - V(q) / D(q) - b_std**2, 1e-3, 10.0, xtol=1e-15, rtol=1e-14)
    return 1 / math.sqrt(D(q_e))


def _erf_secant(W_std, b_std, q, delta):
    """(M(1) - M(1 - δ))/δ - 1 for erf's correlation map at q: Williams' arcsine kernel, its difference
    arcsin(x) - arcsin(x c) taken by adaptive quadrature of 1/sqrt(1 - t²) over [x c, x] (no cancellation)."""
    x = 2 * q / (1 + 2 * q)
    gap, err = integrate.quad(lambda t: 1 / math.sqrt(1 - t * t), x * (1 - delta), x, epsabs=0.0, epsrel=1e-13)
    assert err <= 1e-11 * gap
    return W_std**2 * 2 / math.pi * gap / (q * delta) - 1


@pytest.mark.parametrize("excess", [1e-4, 1e-5, 0.5])
def test_c_star_just_inside_the_chaotic_phase_of_erf(excess):
    """erf at σ_b = 0.3, σ_W = W_edge (1 + excess): c* is the root of the reference secant (1 - c* = 3.6e-4 at 1e-4)."""
    W_std = _erf_edge_W_std(0.3) * (1 + excess)
    q = _iterate("erf", W_std, 0.3)
    delta = optimize.brentq(lambda d: _erf_secant(W_std, 0.3, q, d), 1e-9, 1.0, xtol=1e-300, rtol=1e-12)
    chi = mf.chi("erf", W_std, 0.3)
    assert chi > 1
    # both sides round the secant by about 4 eps scale / delta, which moves its root by that over (chi - 1)
    # (c_star's docstring): 1e-6 relative at excess 1e-5, so the bound, not a fixed 1e-6, is the test's tolerance
    rounding = 4 * np.finfo(np.float64).eps * W_std**2 * float(dual.variance_map("erf", q)) / q / (delta * (chi - 1))
    assert 1 - mf.c_star("erf", W_std, 0.3) == pytest.approx(delta, rel=max(1e-9, 10 * rounding))
    if excess == 1e-4:
        assert 1 - delta == pytest.approx(0.99964, abs=1e-5)


def test_c_star_just_inside_the_chaotic_phase_of_tanh():
    """tanh at (1.302 (1 + 1e-4), 0.19783): the reference secant, E (φ(u) - φ(v))² by nested adaptive quadrature,
    changes sign within 1e-4 (relative) of the library's 1 - c*."""
    W_std, b_std = 1.302 * (1 + 1e-4), 0.19783395915906857  # the Edge's bias at 1.302 (the tests above hold it)
    q = _iterate("tanh", W_std, b_std)
    phi, sq = math.tanh, math.sqrt(q)

    def secant(delta):
        c, s = 1 - delta, math.sqrt(delta * (2 - delta))
        def inner(z1):
            value, err = integrate.quad(lambda z2: (phi(sq * z1) - phi(sq * (c * z1 + s * z2))) ** 2
                                        * math.exp(-0.5 * z2 * z2), -math.inf, math.inf, epsabs=1e-13 * delta,
                                        epsrel=1e-10)
            assert err <= 1e-9 * value + 1e-13 * delta
            return value

        half_gap, err = integrate.quad(lambda z1: inner(z1) * math.exp(-0.5 * z1 * z1), -math.inf, math.inf,
                                       epsabs=1e-13 * delta, epsrel=1e-10)
        assert err <= 1e-9 * half_gap
        half_gap /= 4 * math.pi
        return W_std**2 * half_gap / (q * delta) - 1

    got = 1 - mf.c_star("tanh", W_std, b_std)
    assert got < 1e-3  # where the search used to stop
    assert secant(got * (1 - 1e-4)) > 0 > secant(got * (1 + 1e-4))


def test_c_star_names_the_phase_and_the_resolution():
    W_edge = _erf_edge_W_std(0.3)
    with pytest.raises(ValueError, match=r"not in the chaotic phase of erf \(chi = 0\.9999"):
        mf.c_star("erf", W_edge * (1 - 1e-4), 0.3)
    with pytest.raises(ValueError, match="too small to resolve c"):
        mf.c_star("erf", W_edge * (1 + 1e-8), 0.3)
    with pytest.raises(ValueError, match="^b_std: must be finite and >= 0"):
        mf.q_star("tanh", 1.0, -0.1)
