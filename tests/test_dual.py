"""Dual activations and the analytic kernels built from them, against references computed independently:
adaptive quadrature (scipy) of the JAX activations in float64, closed forms written out here, and neural-tangents'
closed-form kernels in float64, stored with their inputs in tests/fixtures/neural_tangents (``make references``)."""

import math
import warnings

import jax
import numpy as np
import pytest
from scipy import integrate

from orthontk_lib import dual, kernels, meanfield
from orthontk_lib.models import ACTIVATIONS, CNN, FCN, activation_fn
from references.fixtures import load



@pytest.fixture(autouse=True)
def _x64():
    """Every test here in float64, so the JAX references below compute in float64 (28 us a call)."""
    with meanfield.float64():
        yield


def _jax64(activation, order):
    """The activation (order 0) or its ``jax.grad`` (order 1), from JAX, not the library's NumPy table: float64."""
    fn = jax.jit(jax.grad(activation_fn(activation)) if order else activation_fn(activation))
    return lambda x: float(fn(np.float64(x)))


def _density(z):
    return math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


def _quad(g, a, b):
    return integrate.quad(g, a, b, epsabs=1e-15, epsrel=1e-11, limit=400)[0]


def _reference_1d(f, q):
    """E f(sqrt(q) z) by adaptive quadrature, split at the kink z = 0."""
    g = lambda z: f(math.sqrt(q) * z) * _density(z)
    return _quad(g, -np.inf, 0.0) + _quad(g, 0.0, np.inf)


def _reference_2d(f, q1, q2, c):
    """E f(u) f(v) by nested adaptive quadrature, split at both kinks (|z| <= 12 carries all but 4e-33 of the mass)."""
    s = math.sqrt(1 - c * c)

    def inner(z1):
        t = min(max(-c * z1 / s, -12.0), 12.0)
        g = lambda z2: f(math.sqrt(q2) * (c * z1 + s * z2)) * _density(z2)
        return f(math.sqrt(q1) * z1) * sum(_quad(g, a, b) for a, b in ((-12.0, t), (t, 12.0)) if b > a)

    return sum(_quad(lambda z1: inner(z1) * _density(z1), a, b) for a, b in ((-12.0, 0.0), (0.0, 12.0)))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_variance_and_derivative_maps_match_adaptive_quadrature(activation):
    for q in (1e-9, 1e-3, 0.3, 2.0, 30.0, 1e4, 1e6):  # tiny (ELU's closed form cancels) to huge (tanh' a spike)
        for order, ours in ((0, dual.variance_map), (1, dual.derivative_map)):
            f = _jax64(activation, order)
            ref = _reference_1d(lambda u: f(u) ** 2, q)
            assert float(ours(activation, q)) == pytest.approx(ref, rel=dual.TOLERANCE), (q, order)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dual_activation_matches_nested_adaptive_quadrature(activation):
    # generic, unequal variances with a negative correlation, and near correlation 1 where deep kernels live
    for q1, q2, c in ((2.0, 0.7, -0.6), (1.0, 1.0, 0.999)):
        k, kdot = dual.bivariate(activation, q1, q2, c)
        for order, ours in ((0, k), (1, kdot)):
            ref = _reference_2d(_jax64(activation, order), q1, q2, c)
            assert float(ours) == pytest.approx(ref, rel=dual.TOLERANCE, abs=1e-15), (q1, q2, c, order)


def _reference_gap(f, q, delta, n=80, T=12.0):
    """E (f(u) - f(v))^2 for u, v of variance q and correlation 1 - delta, by a fixed rule in the coordinates
    u = sqrt(q) z1, v = sqrt(q) (c z1 + s z2) (not the library's): z2 split at v's kink, z1 at u's and at 1, 4 and 16
    times s either side, the scale on which the inner integral varies once v's kink crosses it."""
    x, wx = np.polynomial.legendre.leggauss(n)
    c, s = 1.0 - delta, math.sqrt(delta * (2.0 - delta))
    cuts = np.unique(np.clip([-T, -16 * s, -4 * s, -s, 0.0, s, 4 * s, 16 * s, T], -T, T))
    z1 = np.concatenate([(b - a) / 2 * x + (a + b) / 2 for a, b in zip(cuts[:-1], cuts[1:])])
    w1 = np.concatenate([(b - a) / 2 * wx for a, b in zip(cuts[:-1], cuts[1:])]) * np.exp(-z1 * z1 / 2)
    t = np.clip(-c * z1 / s, -T, T)[:, None]
    lo, hi = (t + T) / 2 * x + (t - T) / 2, (T - t) / 2 * x + (T + t) / 2
    z2 = np.concatenate([lo, hi], 1)
    w2 = np.concatenate([(t + T) / 2 * wx * np.exp(-lo * lo / 2), (T - t) / 2 * wx * np.exp(-hi * hi / 2)], 1)
    u, v = math.sqrt(q) * z1[:, None], math.sqrt(q) * (c * z1[:, None] + s * z2)
    return float(((f(u) - f(v)) ** 2 * w2).sum(1) @ w1) / (2 * math.pi)


@pytest.mark.parametrize("activation", [a for a in ACTIVATIONS if a not in dual.CLOSED_FORM])
def test_near_correlation_one_the_gap_keeps_its_relative_digits(activation):
    """Where deep kernels live (1 - c down to 1e-6), E(f(u) - f(v))^2 = 2 (E f^2 - E f(u) f(v)) carries 1 - c: its
    relative error, not only the error on E f^2's scale, must stay small, or a recursion thousands of layers deep
    drifts. The rule used away from c = 1 missed ELU's derivative's gap by 1e-3 at 1e-5."""
    phi, dphi = dual.activation_numpy(activation)
    for q in (0.5, 3.0):
        for delta in (0.3, 0.1001, 0.0999, 1e-2, 1e-4, 1e-6):  # both rules, either side of dual.NEAR_ONE
            k, kdot = dual.bivariate(activation, q, q, 1.0 - delta)
            for f, e, ours in ((phi, dual.variance_map(activation, q), k),
                               (dphi, dual.derivative_map(activation, q), kdot)):
                gap = 2 * (float(e) - float(ours))
                ref = _reference_gap(f, q, delta)
                assert gap == pytest.approx(ref, rel=1e-9 + 1e-15 * float(e) / ref), (q, delta, f is dphi)


def test_elu_moments_are_the_closed_form():
    # E[e^{a x} 1{x<0}] = exp(a^2 q / 2) Phi(-a sqrt(q)) for x ~ N(0, q), written with the normal CDF directly
    from scipy.stats import norm

    q = 0.7
    m = lambda a: math.exp(a * a * q / 2) * norm.cdf(-a * math.sqrt(q))
    assert dual.variance_map("elu", q) == pytest.approx(q / 2 + m(2) - 2 * m(1) + 0.5, rel=1e-13)
    assert dual.derivative_map("elu", q) == pytest.approx(0.5 + m(2), rel=1e-13)


def test_a_non_finite_expectation_is_an_error_not_a_nan():
    with pytest.raises(FloatingPointError, match="relu: the dual activation is not finite"):
        dual.bivariate("relu", np.inf, 1.0, 0.5)
    with pytest.raises(FloatingPointError, match="beyond the bivariate quadrature's range"):
        dual.bivariate("tanh", 1e4, 1.0, 0.5)


def test_the_erf_derivative_kernel_keeps_its_digits_at_correlation_one():
    # det(I + 2 Sigma) = 1 + 4q at c = 1: E[erf'(u)^2] = (4 / pi) / sqrt(1 + 4q), written out here
    for q in (1e8, 1e16):
        assert dual.bivariate("erf", q, q, 1.0)[1] == pytest.approx(4 / math.pi / math.sqrt(1 + 4 * q), rel=1e-12)


# EDGE OF CHAOS


def _chi_by_quadrature(activation, W_std, b_std):
    """chi at q*, with q* by fixed-point iteration of the variance map, both by adaptive quadrature."""
    f, df = _jax64(activation, 0), _jax64(activation, 1)
    q = 1.0
    for _ in range(200):
        q_new = W_std**2 * _reference_1d(lambda u: f(u) ** 2, q) + b_std**2
        if abs(q_new - q) < 1e-14 * q:
            break
        q = q_new
    else:
        pytest.fail("the variance map's iteration did not converge")
    return W_std**2 * _reference_1d(lambda u: df(u) ** 2, q)


@pytest.mark.parametrize("activation, W_std", [("elu", 1.227), ("tanh", 1.302), ("erf", 1.3), ("tanh", 1.8)])
def test_edge_of_chaos_points_have_chi_one_by_independent_quadrature(activation, W_std):
    b = meanfield.critical_b_std(activation, W_std)
    assert _chi_by_quadrature(activation, W_std, b) == pytest.approx(1.0, abs=1e-6)


def test_the_elu_edge_point_of_the_paper():
    # Hayou, Doucet, Rousseau 2019 round the bias to 0.2; the exact Edge of sigma_W = 1.227 is at 0.1946 (4 digits)
    assert meanfield.critical_b_std("elu", 1.227) == pytest.approx(0.1946, abs=5e-5)


# KERNELS


def _sphere(n, d=16, seed=0):
    x = np.random.default_rng(seed).normal(size=(n, d))
    return math.sqrt(d) * x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.parametrize("activation", ["relu", "erf", "linear"])
@pytest.mark.parametrize("parameterization", ["ntk", "standard"])
def test_analytic_kernels_equal_neural_tangents_closed_forms_in_float64(activation, parameterization):
    case = load("neural_tangents", "fcn_kernels")[f"{activation}-{parameterization}"]
    spec = FCN(3, 7, activation, 1.4, 0.2, parameterization=parameterization)
    assert case.spec == spec
    for tag, b in (("11", None), ("12", case["x2"])):
        nngp, ntk = kernels.analytic_kernels(spec, case["x1"], b)
        # off the diagonal 1e-8; nt's own diagonal goes through arccos(1 - eps) and keeps about 8 digits
        np.testing.assert_allclose(nngp, case[f"nngp_{tag}"], rtol=1e-8)
        np.testing.assert_allclose(ntk, case[f"ntk_{tag}"], rtol=1e-7)


def test_depth_one_tanh_ntk_on_the_sphere_against_quadrature():
    # Theta = W^2 E[phi phi] + b^2 + W^2 E[phi' phi'] Sigma0, Sigma0 = W^2 x.x'/d + b^2 (NTK parameterization)
    W, b, x = 1.5, 0.3, _sphere(2)
    ours = kernels.analytic_ntk(FCN(1, 8, "tanh", W, b), x)
    s0 = W**2 * (x @ x.T) / x.shape[1] + b**2
    q, c = s0[0, 0], s0[0, 1] / s0[0, 0]
    f, df = _jax64("tanh", 0), _jax64("tanh", 1)
    diag = W**2 * _reference_1d(lambda u: f(u) ** 2, q) + b**2 + W**2 * _reference_1d(lambda u: df(u) ** 2, q) * q
    off = W**2 * _reference_2d(f, q, q, c) + b**2 + W**2 * _reference_2d(df, q, q, c) * s0[0, 1]
    assert ours[0, 0] == pytest.approx(diag, rel=1e-7)
    assert ours[0, 1] == pytest.approx(off, rel=1e-7)


def test_deep_relu_kernel_is_finite_where_float64_holds_it_and_an_error_beyond():
    # relu, NTK parameterization, inputs with |x|^2 / d = 1: q_l = W^2 (W^2/2)^l and Theta^L = (L + 1) q_L
    W, L = 16.0, 15
    ntk = kernels.analytic_ntk(FCN(L, 8, "relu", W, 0.0), _sphere(3))
    assert ntk[0, 0] == pytest.approx((L + 1) * W**2 * (W**2 / 2) ** L, rel=1e-12)
    assert np.all(np.isfinite(ntk))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning on the way: the book build fails on any warning
        with pytest.raises(FloatingPointError, match=r"layer \d+ overflows float64"):
            kernels.analytic_ntk(FCN(200, 8, "relu", W, 0.0), _sphere(3))
        with pytest.raises(FloatingPointError, match=r"conv layer \d+ overflows float64"):
            kernels.analytic_ntk(CNN(200, 4, 3, "relu", W, 0.0), np.ones((2, 3, 3, 1)))


def test_kernels_refuse_what_they_do_not_compute():
    with pytest.raises(ValueError, match=r"^x: an FCN takes inputs of shape \(N, d\)"):
        kernels.analytic_ntk(FCN(1, 8, "relu"), np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match="^W_std, b_std: the correlation map of tanh .* is undefined"):
        meanfield.correlation_map("tanh", 0.8, 0.0, 0.5)  # q* = 0


def test_kernels_by_depth_follow_neural_tangents_erf_kernel_at_every_depth():
    # neural-tangents: the NTK of [Dense(1, 1.3, 0.2), Erf()] * depth + [Dense(1, 1.3, 0.2)]
    case = load("neural_tangents", "erf_by_depth")["erf"]
    assert case.settings == {"W_std": 1.3, "b_std": 0.2, "depths": [1, 5, 12]}
    ours = kernels.analytic_ntk_by_depth("erf", 1.3, 0.2, case["x"], 12)
    for depth in (1, 5, 12):
        np.testing.assert_allclose(ours[depth - 1], case[f"ntk_depth{depth}"], rtol=1e-8)


def test_on_the_edge_of_chaos_the_elu_kernel_grows_linearly_with_depth():
    w = 1.227
    theta = kernels.analytic_ntk_by_depth("elu", w, meanfield.critical_b_std("elu", w), _sphere(3), 160)
    diag = theta[:, 0, 0]
    assert abs(diag[159] / diag[79] - 2) < 0.05, diag[159] / diag[79]
    # with chi = 1 at q*, Theta^{L+1} - Theta^L = q^{L+1} + (chi_L - 1) Theta^L tends to q* (1e-5: chi_L's approach)
    assert diag[159] - diag[158] == pytest.approx(meanfield.q_star("elu", w, meanfield.critical_b_std("elu", w)),
                                                  rel=1e-5)


@pytest.mark.parametrize("activation, depth, kernel_size", [("relu", 1, 3), ("relu", 3, 3), ("erf", 2, 3),
                                                          ("relu", 2, 2)])
def test_cnn_kernels_equal_neural_tangents_closed_forms_in_float64(activation, depth, kernel_size):
    case = load("neural_tangents", "cnn_kernels")[f"{activation}-depth{depth}-k{kernel_size}"]
    spec = CNN(depth, 4, kernel_size, activation, 1.4, 0.1)
    assert case.spec == spec
    for tag, b in (("11", None), ("12", case["x2"])):
        ours = kernels.analytic_kernels(spec, case["x1"], b)
        for o, r in zip(ours, (case[f"nngp_{tag}"], case[f"ntk_{tag}"])):
            # nt's diagonal keeps about 8 digits (arccos(1 - eps)), the rest 1e-8
            np.testing.assert_allclose(o, r, rtol=1e-8 if b is not None else 1e-7)


def test_cnn_kernels_refuse_what_has_another_limit():
    x = np.ones((2, 4, 4, 1))
    with pytest.raises(ValueError, match="^spec: the analytic CNN kernel is computed for filter='full'"):
        kernels.analytic_ntk(CNN(1, 4, 3, "relu", output_activation="erf"), x)
    with pytest.raises(ValueError, match="^spec: the analytic CNN kernel is computed for filter='full'"):
        kernels.analytic_ntk(CNN(1, 4, 3, "relu", filter="delta"), x)
    with pytest.raises(ValueError, match="^x: the inputs hold NaN"):
        kernels.analytic_ntk(CNN(1, 4, 3, "relu"), x * np.nan)
