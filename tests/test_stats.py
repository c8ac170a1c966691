"""The statistics the claims read: checked against independent computations, not against themselves."""

import numpy as np
import pytest

from orthontk_lib import stats


def test_limit_fit_matches_the_normal_equations():
    """The limit and its interval from the normal equations (X^T X)^-1 X^T y with s^2 (X^T X)^-1, written out."""
    from scipy.stats import t

    rng = np.random.default_rng(0)
    x = np.repeat([64.0, 128, 256, 512, 1024], 4)
    y = 0.7 + 3.0 * x ** -0.5 + 0.05 * rng.standard_normal(x.size)
    X = np.stack([np.ones_like(x), x ** -0.5], axis=1)
    beta = np.linalg.solve(X.T @ X, X.T @ y)
    r = y - X @ beta
    se = np.sqrt(r @ r / (x.size - 2) * np.linalg.inv(X.T @ X)[0, 0])
    c, (lo, hi), a = stats.limit_fit(x, y, -0.5)
    np.testing.assert_allclose([c, a], beta, rtol=1e-10)
    np.testing.assert_allclose([lo, hi], [beta[0] - t.ppf(0.975, x.size - 2) * se, beta[0] + t.ppf(0.975, x.size - 2) * se],
                               rtol=1e-10)


def test_limit_fit_interval_covers_the_true_limit_about_95_percent_of_the_time():
    rng = np.random.default_rng(1)
    x = np.repeat([64.0, 256, 1024, 4096], 3)
    hits = 0
    for _ in range(2000):
        c, (lo, hi), _ = stats.limit_fit(x, 1.0 + 2.0 * x ** -0.5 + 0.1 * rng.standard_normal(x.size))
        hits += lo <= 1.0 <= hi
    assert 0.93 < hits / 2000 < 0.97, hits / 2000  # binomial s.d. 0.5%


def test_a_quantity_that_vanishes_has_limit_zero_and_one_that_does_not_keeps_it():
    x = np.array([64.0, 128, 256, 512, 1024, 2048])
    assert stats.limit_fit(x, 5 * x ** -0.5)[0] == pytest.approx(0, abs=1e-12)
    assert stats.limit_fit(x, 0.8 + 5 * x ** -0.5)[0] == pytest.approx(0.8)


@pytest.mark.parametrize("x, y, power, message", [
    ([1, 2, 4], [1, 2, 3], 0.5, "power must be negative"),
    ([1, 2], [1, 2], -0.5, "needs n >= 3"),
    ([2, 2, 2], [1, 2, 3], -0.5, "at two x or more"),
])
def test_limit_fit_refuses_what_it_cannot_fit(x, y, power, message):
    with pytest.raises(ValueError, match=message):
        stats.limit_fit(x, y, power)
