"""The activation table: each entry's NumPy function, derivative and multiplicity against JAX's own function,
its autodiff derivatives in float64, and each closed-form dual map against quadrature of the NumPy function."""

import math

import jax
import numpy as np
import pytest

from orthontk_lib import activations, dual, meanfield, models
from orthontk_lib.chapters import condensation

X = np.concatenate([np.linspace(-8.0, 8.0, 161), [-1e-3, 1e-3, 0.37, -2.5]])
NAMES = activations.NAMES


@pytest.fixture(autouse=True)
def _x64():
    with meanfield.float64():
        yield


@pytest.mark.parametrize("name", NAMES)
def test_numpy_function_and_derivative_match_jax_in_float64(name):
    a = activations.TABLE[name]
    jx = np.asarray(jax.vmap(a.jax)(X))
    dj = np.asarray(jax.vmap(jax.grad(a.jax))(X))
    assert np.allclose(a.numpy(X), jx, rtol=1e-12, atol=1e-14)
    assert np.allclose(a.derivative(X), dj, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("name", [n for n in NAMES if activations.TABLE[n].multiplicity is not None])
def test_multiplicity_is_the_first_nonzero_derivative_at_zero(name):
    a = activations.TABLE[name]
    f, derivatives = a.jax, []
    for _ in range(a.multiplicity):
        f = jax.grad(f)
        derivatives.append(float(f(0.0)))
    assert all(abs(d) < 1e-12 for d in derivatives[:-1]) and abs(derivatives[-1]) > 1e-3, derivatives


def test_relu_has_no_multiplicity_and_the_condensation_table_reads_the_shared_one():
    assert activations.TABLE["relu"].multiplicity is None
    assert all(condensation.MULTIPLICITY[k] == activations.TABLE[k].multiplicity for k in condensation.MULTIPLICITY)


@pytest.mark.parametrize("name", [n for n in NAMES if activations.TABLE[n].diagonal is not None])
def test_closed_form_diagonal_maps_match_quadrature_of_the_numpy_function(name):
    a = activations.TABLE[name]
    for q in (0.01, 0.5, 3.0):
        for order, fn in ((0, a.numpy), (1, a.derivative)):
            ref = dual.expectation(lambda u: fn(u) ** 2, q)  # Gauss-Legendre, split at the kink
            assert float(a.diagonal[order](np.float64(q))) == pytest.approx(ref, rel=1e-8), (q, order)


def test_gelu_is_the_exact_one_that_the_neural_tangents_kernel_describes():
    x = np.linspace(-4, 4, 81)
    exact = x * 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))
    assert np.allclose(np.asarray(models.activation_fn("gelu")(x)), exact, atol=1e-12)
    assert not np.allclose(np.asarray(jax.nn.gelu(x)), exact, atol=1e-5)  # the tanh approximation is not


def test_an_unknown_name_is_one_clear_error():
    with pytest.raises(ValueError, match="activation: must be one of relu, erf"):
        activations.get("swish")
