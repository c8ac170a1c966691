"""Hessian-vector products and power iteration against the dense Hessian of a small network."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.flatten_util import ravel_pytree

from orthontk_lib import hessian
from orthontk_lib.models import FCN


@pytest.mark.parametrize("output_activation", ["linear", "softplus"])
def test_power_iteration_finds_the_dense_hessians_spectral_norm(key, output_activation):
    spec = FCN(depth=2, width=6, activation="tanh", b_std=0.3, output_activation=output_activation)
    x = jax.random.normal(key, (1, 4))
    variables = spec.initialize(jax.random.key(1), x)
    flat, unravel = ravel_pytree(variables["params"])
    dense = jax.hessian(lambda p: hessian.output_fn(spec, x[0])(unravel(p)))(flat)
    exact = float(np.abs(np.linalg.eigvalsh(np.asarray(dense, np.float64))).max())
    estimate = float(hessian.hessian_norm(spec, variables, x[0], jax.random.key(2), n_iter=500))
    assert estimate == pytest.approx(exact, rel=1e-3)


def test_hvp_equals_dense_hessian_times_vector(key):
    spec = FCN(depth=1, width=5, activation="erf")
    x = jax.random.normal(key, (1, 3))
    params = spec.initialize(jax.random.key(1), x)["params"]
    flat, unravel = ravel_pytree(params)
    v = jax.random.normal(jax.random.key(2), flat.shape)
    dense = jax.hessian(lambda p: hessian.output_fn(spec, x[0])(unravel(p)))(flat)
    np.testing.assert_allclose(ravel_pytree(hessian.hvp(spec, params, x[0], unravel(v)))[0], dense @ v, rtol=1e-4,
                               atol=1e-5)


def test_gradient_norm_equals_the_flat_gradient(key):
    spec = FCN(depth=1, width=5, activation="relu", b_std=0.1)
    x = jax.random.normal(key, (1, 3))
    variables = spec.initialize(jax.random.key(1), x)
    g = jax.grad(hessian.output_fn(spec, x[0]))(variables["params"])
    assert float(hessian.gradient_norm(spec, variables, x[0])) == pytest.approx(float(jnp.linalg.norm(ravel_pytree(g)[0])), rel=1e-5)
