"""Scan over equal hidden layers (``scan=True``) against the unrolled network it must equal.

References: the unrolled network (same key, same inputs), ``jax.grad`` of it, ``kernels.jacobian_ntk`` of it,
and the closed form W^T W = scale^2 I of an orthogonal draw.
"""

import json
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from orthontk_lib import kernels, train
from orthontk_lib.data import load
from orthontk_lib.models import CNN, FCN

FCNS = [
    FCN(depth=2, width=16, activation="tanh", init="orthogonal", out_dim=3),
    FCN(depth=5, width=16, activation="relu", W_std=1.4, b_std=0.1, init="gaussian", out_dim=2),
    FCN(depth=7, width=12, activation="tanh", W_std=1.1, b_std=0.05, init="orthogonal", parameterization="standard",
        out_dim=3),
    FCN(depth=3, width=12, activation="erf", W_std=1.3, b_std=0.2, init="gaussian", parameterization="standard"),
]
CNNS = [
    CNN(depth=2, channels=4, activation="relu", init="orthogonal", filter="full", out_dim=2),
    CNN(depth=4, channels=4, activation="tanh", W_std=1.2, b_std=0.1, init="gaussian", filter="full"),
    CNN(depth=3, channels=4, activation="tanh", W_std=1.1, b_std=0.05, init="orthogonal", filter="delta",
        parameterization="standard", out_dim=2),
    CNN(depth=5, channels=4, activation="erf", W_std=1.3, init="gaussian", filter="delta",
        parameterization="standard"),
]
SPECS = FCNS + CNNS
IDS = [f"{type(s).__name__}-L{s.depth}-{s.init}-{getattr(s, 'filter', 'dense')}-{s.parameterization}" for s in SPECS]


def inputs(spec, n=5, seed=0):
    shape = (n, 10) if isinstance(spec, FCN) else (n, 5, 5, 3)
    return jax.random.normal(jax.random.key(seed), shape)


def scanned(spec):
    return spec.__class__(**{**spec.__dict__, "scan": True})


def leaves_by_path(tree):
    return {jax.tree_util.keystr(path): np.asarray(leaf) for path, leaf in jax.tree_util.tree_leaves_with_path(tree)}


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_scan_draws_every_layer_as_the_unrolled_network(spec):
    x = inputs(spec)
    ours = leaves_by_path(scanned(spec).unstack_layers(scanned(spec).initialize(jax.random.key(3), x)))
    ref = leaves_by_path(spec.initialize(jax.random.key(3), x))
    assert sorted(ours) == sorted(ref)
    for name in ref:
        np.testing.assert_array_equal(ours[name], ref[name], err_msg=name)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_scan_forward_pass_equals_the_unrolled_network(spec):
    x = inputs(spec)
    variables = spec.initialize(jax.random.key(1), x)
    ref = spec.module().apply(variables, x)
    ours = scanned(spec).module().apply(scanned(spec).stack_layers(variables), x)
    np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_scan_gradients_equal_the_unrolled_networks(spec):
    x = inputs(spec)
    variables = spec.initialize(jax.random.key(2), x)
    loss = lambda s: lambda p: jnp.sum(jnp.sin(s.module().apply({"params": p}, x)))  # any smooth scalar
    ref = leaves_by_path(jax.grad(loss(spec))(variables["params"]))
    grads = jax.grad(loss(scanned(spec)))(scanned(spec).stack_layers(variables)["params"])
    ours = leaves_by_path(scanned(spec).unstack_layers({"params": grads})["params"])
    assert sorted(ours) == sorted(ref)
    for name in ref:
        np.testing.assert_allclose(ours[name], ref[name], rtol=1e-5, atol=1e-6, err_msg=name)


X64_CHECK = textwrap.dedent("""
    import json, jax, jax.numpy as jnp, numpy as np
    from orthontk_lib.models import CNN, FCN
    out = []
    for spec in [FCN(depth=6, width=16, activation="tanh", W_std=1.2, b_std=0.1, init="orthogonal"),
                 FCN(depth=4, width=16, activation="relu", init="gaussian", parameterization="standard"),
                 CNN(depth=4, channels=4, activation="tanh", init="orthogonal", filter="delta"),
                 CNN(depth=3, channels=4, activation="erf", init="gaussian", parameterization="standard")]:
        scan = spec.__class__(**{**spec.__dict__, "scan": True})
        x = jax.random.normal(jax.random.key(0), (4, 10) if isinstance(spec, FCN) else (4, 5, 5, 3), jnp.float64)
        v = jax.tree.map(lambda a: a.astype(jnp.float64), spec.initialize(jax.random.key(1), x))
        f = lambda s: lambda p: s.module().apply({"params": p}, x)
        ref, ours = f(spec)(v["params"]), f(scan)(scan.stack_layers(v)["params"])
        g_ref = jax.grad(lambda p: f(spec)(p).sum())(v["params"])
        g = scan.unstack_layers({"params": jax.grad(lambda p: f(scan)(p).sum())(scan.stack_layers(v)["params"])})
        rel = lambda a, b: float(jnp.max(jnp.abs(a - b)) / jnp.max(jnp.abs(b)))
        flat = lambda t: jnp.concatenate([a.ravel() for a in jax.tree.leaves(t)])  # some leaves are 0 (b_std = 0)
        out.append({"dtype": str(ours.dtype), "forward": rel(ours, ref), "grad": rel(flat(g["params"]), flat(g_ref))})
    print(json.dumps(out))
""")


def test_scan_equals_the_unrolled_network_in_float64():
    env = {"JAX_ENABLE_X64": "1", "JAX_PLATFORMS": "cpu", "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", X64_CHECK], env=env, capture_output=True, text=True, timeout=600,
                         cwd=str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    assert run.returncode == 0, run.stderr[-2000:]
    for case in json.loads(run.stdout.strip().splitlines()[-1]):
        assert case["dtype"] == "float64"
        assert case["forward"] <= 1e-12 and case["grad"] <= 1e-12, case


@pytest.mark.parametrize("spec", [FCNS[2], CNNS[2]], ids=["fcn", "cnn-delta"])
def test_empirical_ntk_of_a_scan_network_equals_the_unrolled_networks_jacobian_ntk(spec):
    x = inputs(spec, n=4)
    variables = spec.initialize(jax.random.key(4), x)
    ref = kernels.jacobian_ntk(spec, variables, x)
    ours = kernels.empirical_ntk(scanned(spec), scanned(spec).stack_layers(variables), x)
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)


def test_the_stacks_own_initializer_draws_orthogonal_layers():
    """``module().init`` of a scan network (other keys than the unrolled draw): each stacked layer is orthogonal,
    W^T W = scale^2 I with scale^2 = width (NTK parameterization: unit variance per weight, m = width)."""
    spec = FCN(depth=4, width=16, init="orthogonal", scan=True)
    with jax.default_matmul_precision("highest"):
        kernel = spec.module().init(jax.random.key(0), jnp.ones((1, 10)))["params"]["hidden"]["kernel"]  # (3, 16, 16)
        gram = jnp.einsum("lij,lik->ljk", kernel, kernel)
    np.testing.assert_allclose(gram, np.broadcast_to(16.0 * np.eye(16), gram.shape), atol=1e-4)
    assert not np.allclose(kernel[0], kernel[1])  # each layer its own draw


def test_delta_stack_is_zero_off_the_centre_tap():
    spec = CNN(depth=3, channels=4, init="orthogonal", filter="delta", scan=True)
    kernel = spec.module().init(jax.random.key(0), jnp.ones((1, 5, 5, 3)))["params"]["conv"]["kernel"]  # (2, 3, 3, 4, 4)
    off = np.asarray(kernel).copy()
    off[:, 1, 1] = 0.0
    assert not off.any() and np.asarray(kernel[:, 1, 1]).any()


def test_depth_one_scan_is_the_unrolled_network():
    spec = FCN(depth=1, width=8, activation="tanh", init="orthogonal")
    x = inputs(spec)
    v = scanned(spec).initialize(jax.random.key(0), x)
    assert sorted(v["params"]) == ["hidden_0", "readout"]
    np.testing.assert_array_equal(scanned(spec).module().apply(v, x), spec.module().apply(v, x))


@pytest.mark.parametrize("kwargs, name", [(dict(scan=1), "scan"), (dict(scan=True, depth=3, bottleneck=4), "scan")])
def test_bad_scan_arguments_raise_value_error_naming_it(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}:"):
        FCN(**kwargs)


def test_fit_grid_trains_a_scan_network_as_the_unrolled_one():
    data = load("digits", n_train=64, n_test=32)
    spec = FCN(depth=4, width=16, activation="tanh", W_std=1.0, b_std=0.05, init="orthogonal",
               parameterization="standard", out_dim=10)
    config = train.TrainConfig(steps=20, batch_size=16, loss="cross_entropy", record_every=10)
    keys = jax.random.split(jax.random.key(0), 2)
    ref = train.fit_grid(spec, config, keys, np.array([0.1, 0.5]), data)
    ours = train.fit_grid(scanned(spec), config, keys, np.array([0.1, 0.5]), data)
    for k in ("train_loss", "test_accuracy", "batch_loss"):
        np.testing.assert_allclose(ours[k], ref[k], rtol=1e-5, atol=1e-6, err_msg=k)
