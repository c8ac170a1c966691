"""Mean-field helper: known critical points and fixed points."""

import math

import numpy as np
import pytest

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
