"""Initializers: orthogonality, matched second moments, delta-orthogonal structure."""

import math

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


# One fan convention for every shape: n_in = product of all axes but the last, n_out = the last, m = max(n_in, n_out).
# m is written out by hand for each shape.
FAN_CASES = [
    ((16, 16), 16),
    ((32, 8), 32),
    ((8, 32), 32),
    ((3, 3, 4, 8), 36),  # conv kernel: fan-in 3*3*4 = 36 > 8
    ((2, 8, 4), 16),  # fan-in 2*8 = 16 > 4 (the last two axes alone would say 8)
    ((1, 1, 4, 8), 8),  # fan-in 4 < 8
    ((2, 3, 16), 16),  # fan-in 6 < 16
    ((5, 5, 3, 64), 75),  # fan-in 75 > 64
]


def gaussian_second_moment(fn, key, shape):
    # mean of W^2 over >= 400k draws: relative std sqrt(2/N) <= 0.23%, so a 3% tolerance is > 13 sigma.
    n = -(-400_000 // math.prod(shape))
    keys = jax.random.split(key, n)
    return float(jnp.mean(jax.vmap(lambda k: fn(k, shape))(keys) ** 2))


@pytest.mark.parametrize("shape, m", FAN_CASES)
def test_equal_scale_gives_equal_second_moment_for_every_rank(key, shape, m):
    scale = 2.0
    expected = scale**2 / m  # E[W_ij^2] = scale^2 / max(n_in, n_out)
    W = init.orthogonal(scale)(key, shape)
    mat = W.reshape(-1, shape[-1])  # (n_in, n_out)
    small = mat.T @ mat if mat.shape[0] >= mat.shape[1] else mat @ mat.T
    assert jnp.allclose(small, scale**2 * jnp.eye(min(mat.shape)), atol=1e-4)  # exact: Gram of the shorter side
    assert float(jnp.mean(W**2)) == pytest.approx(expected, rel=1e-4)
    assert gaussian_second_moment(init.gaussian(scale), key, shape) == pytest.approx(expected, rel=0.03)


@pytest.mark.parametrize("shape, m", FAN_CASES)
def test_matched_scale_gives_the_requested_variance_for_every_rank(key, shape, m):
    variance = 0.3
    scale = init.matched_scale(shape, variance)
    assert scale == pytest.approx(math.sqrt(variance * m))
    assert float(jnp.mean(init.orthogonal(scale)(key, shape) ** 2)) == pytest.approx(variance, rel=1e-4)
    assert gaussian_second_moment(init.gaussian(scale), key, shape) == pytest.approx(variance, rel=0.03)


@pytest.mark.parametrize("shape", [(), (7,)])
def test_shapes_without_fan_in_and_fan_out_are_refused(key, shape):
    for make in (init.orthogonal(), init.gaussian()):
        with pytest.raises(ValueError, match="rank >= 2"):
            make(key, shape)
    with pytest.raises(ValueError, match="rank >= 2"):
        init.matched_scale(shape, 1.0)


@pytest.mark.parametrize("k, tap", [(1, 0), (2, 0), (3, 1), (4, 1), (5, 2)])
def test_delta_orthogonal_fills_the_tap_that_maps_each_pixel_to_itself(key, k, tap):
    # 'SAME' padding pads (k-1)//2 before: output pixel p reads input p + i - (k-1)//2 at tap i, so tap (k-1)//2.
    K = init.delta_orthogonal(1.5)(key, (k, k, 4, 8))
    assert float(jnp.abs(K.at[tap, tap].set(0.0)).sum()) == 0.0
    assert jnp.allclose(K[tap, tap] @ K[tap, tap].T, 1.5**2 * jnp.eye(4), atol=1e-5)
    assert init.centre_tap(K.shape) == (tap, tap)


def test_normal_params_draws_every_parameter_from_one_normal_whatever_its_fans():
    """Zhou, Xu et al.'s N(0, std²) for every weight and bias: the tree has the network's shapes, one per key; each
    leaf's sample moments match N(0, std²) (checked against the exact chi-square band of the variance), unlike the
    fan-scaled default draw; different keys and different leaves are different draws."""
    import numpy as np
    from scipy import stats

    from orthontk_lib.models import FCN

    spec = FCN(2, 300, "tanh", parameterization="standard")
    x = jnp.ones((1, 40))
    keys = jax.random.split(jax.random.key(0), 3)
    params = init.normal_params(spec, keys, x, 0.005)
    reference = spec.initialize(keys[0], x)["params"]
    assert jax.tree.structure(params) == jax.tree.structure(reference)
    for leaf, ref in zip(jax.tree.leaves(params), jax.tree.leaves(reference)):
        assert leaf.shape == (3, *ref.shape)
        v = np.asarray(leaf[0], np.float64).ravel()
        n = v.size
        lo, hi = (0.005**2 * stats.chi2.ppf(q, n) / n for q in (1e-6, 1 - 1e-6))
        assert lo < np.mean(v**2) < hi, (leaf.shape, np.mean(v**2))
        assert abs(v.mean()) < 6 * 0.005 / math.sqrt(n)
        assert not np.allclose(leaf[0], leaf[1])
    big = max(jax.tree.leaves(params), key=lambda a: a[0].size)
    assert np.std(np.asarray(big[0])) < 0.1 * np.std(np.asarray(max(jax.tree.leaves(reference), key=np.size)))
