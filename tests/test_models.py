"""Specs: validation, shapes, parameter counts, and the Flax network equal to its stax twin (neural-tangents' outputs
and kernels, stored with their inputs and parameters in tests/fixtures/neural_tangents by ``make references``)."""

import itertools
import math

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from orthontk_lib import kernels
from orthontk_lib.models import ACTIVATIONS, CNN, FCN
from references.fixtures import load

N_PARAMS_FCN_2x32_64_10 = 64 * 32 + 32 + 32 * 32 + 32 + 32 * 10 + 10  # = 3466


def n_params(variables):
    return sum(p.size for p in jax.tree.leaves(variables))


def test_fcn_shapes_and_parameter_count(key):
    spec = FCN(depth=2, width=32, out_dim=10)
    x = jnp.ones((5, 64))
    variables = spec.initialize(key, x)
    assert spec.module().apply(variables, x).shape == (5, 10)
    assert n_params(variables) == N_PARAMS_FCN_2x32_64_10 == 3466


def test_cnn_shapes_and_parameter_count(key):
    spec = CNN(depth=2, channels=8, kernel_size=3, out_dim=2)
    x = jnp.ones((3, 6, 6, 1))
    variables = spec.initialize(key, x)
    assert spec.module().apply(variables, x).shape == (3, 2)
    assert n_params(variables) == (3 * 3 * 1 * 8 + 8) + (3 * 3 * 8 * 8 + 8) + (6 * 6 * 8 * 2 + 2)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(depth=0), "depth"),
        (dict(width=0), "width"),
        (dict(activation="swish"), "activation"),
        (dict(init="uniform"), "init"),
        (dict(parameterization="mup"), "parameterization"),
        (dict(W_std=-1.0), "W_std"),
        (dict(out_dim=0), "out_dim"),
    ],
)
def test_bad_arguments_raise_value_error_naming_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}:"):
        FCN(**kwargs)


def test_delta_orthogonal_needs_enough_channels(key):
    with pytest.raises(ValueError, match="^channels:"):
        CNN(channels=2, init="orthogonal", filter="delta").initialize(key, jnp.ones((1, 4, 4, 3)))


@pytest.mark.parametrize("init", ["gaussian", "orthogonal"])
def test_delta_filters_are_zero_off_centre_with_k_squared_times_the_variance(key, init):
    k = CNN(channels=256, kernel_size=3, init=init, filter="delta").initialize(key, jnp.ones((1, 4, 4, 256)))
    kernel = k["params"]["conv_0"]["kernel"]  # (3, 3, 256, 256), NTK parameterization: unit per-weight variance
    assert not bool(jnp.any(kernel.at[1, 1].set(0.0)))
    assert abs(float((kernel[1, 1] ** 2).mean()) - 9.0) < 0.5


def test_full_orthogonal_filters_are_orthogonal_as_a_matrix(key):
    kernel = CNN(channels=64, kernel_size=3, init="orthogonal").initialize(key, jnp.ones((1, 4, 4, 4)))["params"]["conv_0"]["kernel"]
    m = kernel.reshape(-1, 64)  # (36, 64): the 36 rows are orthogonal, each weight of unit second moment
    assert jnp.allclose(m @ m.T, 64 * jnp.eye(36), atol=1e-3)


@pytest.mark.parametrize(
    "parameterization, init, output_activation",
    list(itertools.product(["ntk", "standard"], ["gaussian", "orthogonal"], ["linear", "tanh"])),
)
def test_fcn_matches_its_stax_twin(parameterization, init, output_activation):
    spec = FCN(
        depth=2, width=16, activation="erf", W_std=1.3, b_std=0.2, init=init,
        parameterization=parameterization, out_dim=3, output_activation=output_activation,
    )
    case = load("neural_tangents", "fcn_twin")[f"{parameterization}-{init}-{output_activation}"]
    assert case.spec == spec
    ours = spec.module().apply(case.variables, case["x"])  # theirs: spec.stax()[1](spec.stax_params(variables), x)
    assert jnp.allclose(ours, case["out"], atol=1e-5)


@pytest.mark.parametrize("parameterization, init", list(itertools.product(["ntk", "standard"], ["gaussian", "orthogonal"])))
def test_cnn_matches_its_stax_twin(parameterization, init):
    spec = CNN(depth=2, channels=8, W_std=1.3, b_std=0.2, init=init, parameterization=parameterization, out_dim=2)
    case = load("neural_tangents", "cnn_twin")[f"{parameterization}-{init}"]
    assert case.spec == spec
    assert jnp.allclose(spec.module().apply(case.variables, case["x"]), case["out"], atol=1e-5)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_builds_its_network(key, activation):
    spec = FCN(depth=1, width=8, activation=activation)
    x = jnp.ones((2, 3))
    assert spec.module().apply(spec.initialize(key, x), x).shape == (2, 1)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_kernel_equals_neural_tangents(activation):
    """The analytic NTK against ``spec.stax()``'s: a closed-form layer (relu, erf, linear, gelu) to 1e-8; otherwise
    neural-tangents' Gauss-Hermite quadrature of degree ``models.NUMERICAL_DEG`` = 25, which misses by up to 2.5e-2
    (elu's kink; tanh 3.6e-3, xtanh 3.3e-3, x2tanh 1.1e-3, sigmoid 2.7e-7, softplus 9e-9)."""
    spec = FCN(1, 8, activation, 1.3, 0.2)
    case = load("neural_tangents", "every_activation")[activation]
    assert case.spec == spec
    closed_form = spec.activation in ("relu", "erf", "linear", "gelu")
    np.testing.assert_allclose(kernels.analytic_ntk(spec, case["x"]), case["ntk"], rtol=1e-8 if closed_form else 5e-2)


@pytest.mark.parametrize("spec", [
    FCN(depth=2, width=16, activation="tanh", W_std=1.3, b_std=0.2, out_dim=3, output_activation="tanh"),
    FCN(depth=2, width=16, activation="relu", W_std=1.3, b_std=0.2, out_dim=3, parameterization="standard"),
    CNN(depth=2, channels=4, activation="erf", W_std=1.3, b_std=0.2, out_dim=2),
    CNN(depth=2, channels=4, activation="relu", out_dim=2, parameterization="standard"),
], ids=["fcn-ntk", "fcn-standard", "cnn-ntk", "cnn-standard"])
def test_layers_expose_their_input_and_the_gradient_at_their_output(key, spec):
    """As Dense and Conv document: ``apply`` with ``intermediates`` mutable sows each layer's input h, and the gradient
    with respect to its zero ``perturbations`` is ∂f/∂z, so jax.grad's parameter gradients of Σf are
    W_std/sqrt(fan_in) (ntk) or 1 (standard) times hᵀ ∂f/∂z for the kernel, b_std (ntk) or 1 times Σ ∂f/∂z for the
    bias. The readout's input is the last hidden layer, phi of the layer before it (``capture_intermediates``);
    ``spec.initialize`` holds params only, and plain ``apply`` is the perturbed one at zero."""
    from functools import partial

    from orthontk_lib.models import activation_fn, conv_same

    x = jax.random.normal(jax.random.key(2), (3, 10) if isinstance(spec, FCN) else (3, 5, 5, 2))
    variables = spec.initialize(key, x)
    assert set(variables) == {"params"}
    module = spec.module()
    shapes = jax.eval_shape(partial(module.apply, mutable="perturbations"), variables, x)[1]
    zeros = jax.tree.map(lambda a: jnp.zeros(a.shape, a.dtype), shapes)
    out, state = module.apply({**variables, **zeros}, x, mutable="intermediates")
    np.testing.assert_array_equal(out, module.apply(variables, x))
    total = lambda params, perturbations: module.apply({"params": params, **perturbations}, x).sum()
    d_params, d_z = jax.grad(total, argnums=(0, 1))(variables["params"], zeros)
    ntk = spec.parameterization == "ntk"
    for name, layer in variables["params"].items():
        h, dz = state["intermediates"][name]["input"][0], d_z["perturbations"][name]["z"]
        fan_in = math.prod(layer["kernel"].shape[:-1])
        if h.ndim == 2:
            d_kernel = h.T @ dz
        else:
            d_kernel = jax.vjp(lambda kernel, h=h: conv_same(h, kernel), layer["kernel"])[1](dz)[0]
        scale, b_scale = (spec.W_std / math.sqrt(fan_in), spec.b_std) if ntk else (1.0, 1.0)
        np.testing.assert_allclose(d_params[name]["kernel"], scale * d_kernel, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(d_params[name]["bias"], b_scale * dz.reshape(-1, dz.shape[-1]).sum(0), rtol=1e-5,
                                   atol=1e-6)
    _, captured = module.apply(variables, x, capture_intermediates=True, mutable="intermediates")
    last = "hidden_1" if isinstance(spec, FCN) else "conv_1"
    hidden = activation_fn(spec.activation)(captured["intermediates"][last]["__call__"][0])
    np.testing.assert_allclose(state["intermediates"]["readout"]["input"][0], hidden.reshape(len(x), -1), rtol=1e-6)


def test_stax_without_neural_tangents_is_one_clear_error(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "neural_tangents", None)  # import neural_tangents raises ImportError
    for spec in (FCN(depth=1, width=8), CNN(depth=1, channels=4)):
        with pytest.raises(ImportError, match=r"^spec.stax\(\) needs neural-tangents, which cannot be imported in "
                                              r"this environment .*`make references` builds .venv-references"):
            spec.stax()


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_conv_same_equals_xla_convolution(key, k):
    from orthontk_lib.models import conv_same

    x = jax.random.normal(key, (3, 7, 6, 2))
    kernel = jax.random.normal(jax.random.fold_in(key, 1), (k, k, 2, 5))
    expected = jax.lax.conv_general_dilated(x, kernel, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
    np.testing.assert_allclose(conv_same(x, kernel), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("init", ["gaussian", "orthogonal"])
def test_conv_kernels_have_the_standard_per_weight_variance_for_both_inits(key, init):
    # Standard parameterization: E[K^2] = W_std^2 / fan_in = 1.5^2 / (3 * 3 * 4) = 0.0625, for (3, 3, 4, 8) kernels.
    from orthontk_lib.models import Conv

    conv = Conv(8, kernel_size=3, W_std=1.5, init=init, parameterization="standard")
    x = jnp.ones((1, 5, 5, 4))
    kernels = jax.vmap(lambda k: nn.Module.init(conv, k, x)["params"]["kernel"])(jax.random.split(key, 1500))  # 432k weights
    assert float(jnp.mean(kernels**2)) == pytest.approx(0.0625, rel=0.03)
    if init == "orthogonal":  # each draw a (36, 8) matrix with orthogonal columns: M^T M = 36 * 0.0625 I = 2.25 I
        m = kernels[0].reshape(36, 8)
        assert jnp.allclose(m.T @ m, 2.25 * jnp.eye(8), atol=1e-4)


@pytest.mark.parametrize("init", ["gaussian", "orthogonal"])
@pytest.mark.parametrize("k, tap", [(1, 0), (2, 0), (3, 1), (4, 1)])
def test_delta_conv_is_a_per_pixel_matmul_for_odd_and_even_kernels(key, init, k, tap):
    # 'SAME' padding pads (k-1)//2 before and k//2 after, so tap (k-1)//2 maps each pixel to itself: a delta kernel
    # is then the 1x1 convolution x @ K[tap, tap], and no output pixel sees only padding.
    from orthontk_lib.models import Conv

    x = jax.random.normal(key, (2, 5, 6, 3))
    conv = Conv(8, kernel_size=k, init=init, filter="delta")  # NTK parameterization, b_std = 0: z = (x * K) / sqrt(k^2 3)
    variables = nn.Module.init(conv, jax.random.key(1), x)  # Conv.init is its init field
    kernel = variables["params"]["kernel"]
    assert kernel.shape == (k, k, 3, 8)
    assert not bool(jnp.any(kernel.at[tap, tap].set(0.0))), "the kernel must be zero off the centre tap"
    centre = np.asarray(kernel[tap, tap], np.float64)
    assert (centre**2).sum() > 0
    expected = np.einsum("nhwc,cd->nhwd", np.asarray(x, np.float64), centre) / math.sqrt(k * k * 3)
    np.testing.assert_allclose(conv.apply(variables, x), expected, rtol=1e-5, atol=1e-5)
