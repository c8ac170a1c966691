"""Initializers: orthogonality, matched second moments, delta-orthogonal structure."""

import jax
import jax.numpy as jnp
import pytest

from orthontk_lib import init


@pytest.mark.parametrize("shape", [(16, 16), (32, 8), (8, 32)])
@pytest.mark.parametrize("scale", [1.0, 1.7])
def test_orthogonal_gram_is_scaled_identity(key, shape, scale):
    W = init.orthogonal(scale)(key, shape)
    small = W.T @ W if shape[0] >= shape[1] else W @ W.T
    assert jnp.allclose(small, scale**2 * jnp.eye(min(shape)), atol=1e-5)


@pytest.mark.parametrize("shape", [(256, 256), (512, 128), (128, 512)])
def test_gaussian_and_orthogonal_have_the_same_second_moment_per_weight(key, shape):
    # E[W_ij^2] = scale^2 / max(n_in, n_out) for both; the Gaussian estimate over
    # N = n_in * n_out entries has relative std sqrt(2/N) <= 0.6%, so 5% is > 8 sigma.
    expected = 2.0**2 / max(shape)
    for fn in (init.orthogonal, init.gaussian):
        assert float(jnp.mean(fn(2.0)(key, shape) ** 2)) == pytest.approx(expected, rel=0.05)


def test_orthogonal_is_haar_not_fixed(key):
    a = init.orthogonal()(key, (8, 8))
    b = init.orthogonal()(jax.random.fold_in(key, 1), (8, 8))
    assert float(jnp.abs(a - b).max()) > 0.1


def test_delta_orthogonal_is_zero_off_centre_and_orthogonal_at_centre(key):
    K = init.delta_orthogonal(1.5)(key, (3, 3, 4, 8))
    centre = K[1, 1]
    assert float(jnp.abs(K).sum() - jnp.abs(centre).sum()) == 0.0
    assert jnp.allclose(centre @ centre.T, 1.5**2 * jnp.eye(4), atol=1e-5)


def test_matched_scale_gives_requested_variance():
    assert init.matched_scale((10, 40), 0.5) == pytest.approx((0.5 * 40) ** 0.5)
