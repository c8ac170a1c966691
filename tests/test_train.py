"""Training: a smoke run, the pure step, vmapped grid equal to single runs, divergence masked, sharding."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from orthontk_lib import train
from orthontk_lib.data import load
from orthontk_lib.models import FCN


@pytest.fixture(scope="module")
def digits():
    return load("digits", n_train=64, n_test=32)


def test_smoke_train_step_reduces_the_loss(digits):
    spec = FCN(depth=1, width=16, out_dim=10, init="orthogonal")
    cfg = train.TrainConfig(steps=1, batch_size=8, record_every=1)
    state = train.create_train_state(spec, cfg, jax.random.key(0), 0.5, digits.x_train)
    step = train.create_train_step(spec, cfg, 0.5)
    batch = (digits.x_train[:8], digits.y_train[:8])
    losses = []
    for _ in range(5):
        state, metrics = step(state, batch)
        losses.append(float(metrics["loss"]))
    assert int(state.step) == 5 and losses[-1] < losses[0]


def test_grid_is_the_same_as_runs_one_at_a_time(digits):
    spec = FCN(depth=2, width=16, activation="tanh", out_dim=10)
    cfg = train.TrainConfig(steps=20, batch_size=16, record_every=10, loss="cross_entropy")
    keys = jax.random.split(jax.random.key(1), 3)
    lrs = jnp.array([0.05, 0.5, 1.0])
    grid = train.fit_grid(spec, cfg, keys, lrs, digits)
    for g in range(3):
        one = train.fit_grid(spec, cfg, keys[g : g + 1], lrs[g : g + 1], digits)
        np.testing.assert_allclose(grid["train_loss"][g], one["train_loss"][0], rtol=1e-5)
    assert grid["record_steps"].tolist() == [0, 10, 20]
    assert grid["batch_loss"].shape == (3, 20)


def test_diverged_runs_are_masked_not_crashed(digits):
    spec = FCN(depth=3, width=16, out_dim=10)
    cfg = train.TrainConfig(steps=30, record_every=10, loss="mse")
    h = train.fit_grid(spec, cfg, jax.random.split(jax.random.key(0), 2), jnp.array([0.05, 1e4]), digits)
    assert h["diverged"].tolist() == [False, True]
    assert np.isfinite(h["train_loss"][0]).all() and h["train_loss"][0, -1] < h["train_loss"][0, 0]


def test_parameters_are_recorded_during_training(digits):
    spec = FCN(depth=1, width=8, out_dim=10, W_std=0.1, b_std=0.1, parameterization="standard")
    cfg = train.TrainConfig(steps=6, record_every=3)
    keys = jax.random.split(jax.random.key(0), 2)
    h = train.fit_grid(spec, cfg, keys, jnp.array([0.1, 0.1]), digits, record_params=True)
    kernel = h["params"]["hidden_0"]["kernel"]
    assert kernel.shape == (2, 3, 64, 8)
    init = jax.vmap(lambda k: spec.initialize(jax.random.split(k)[0], digits.x_train[:1])["params"])(keys)
    np.testing.assert_array_equal(kernel[:, 0], np.asarray(init["hidden_0"]["kernel"]))  # record 0 is the draw
    assert not np.allclose(kernel[:, 0], kernel[:, -1])


def test_ntk_is_recorded_during_training(digits):
    spec = FCN(depth=1, width=32, out_dim=10)
    cfg = train.TrainConfig(steps=10, record_every=5)
    h = train.fit_grid(spec, cfg, jax.random.split(jax.random.key(0), 1), jnp.array([0.1]), digits, ntk_probe=digits.x_train[:4])
    assert h["ntk"].shape == (1, 3, 4, 4)
    assert not np.allclose(h["ntk"][0, 0], h["ntk"][0, -1])  # it moved, a little


@pytest.mark.parametrize("field, value", [("loss", "hinge"), ("optimizer", "lbfgs"), ("steps", 0), ("record_every", 3)])
def test_bad_config_is_named(digits, field, value):
    cfg = train.TrainConfig(steps=10, record_every=5)._replace(**{field: value})
    with pytest.raises(ValueError, match=rf"^{field}:"):
        train.fit_grid(FCN(width=4, out_dim=10), cfg, jax.random.split(jax.random.key(0), 1), jnp.array([0.1]), digits)



ONE_KEY = {"typed": lambda: jax.random.key(0), "legacy": lambda: jax.random.PRNGKey(0)}
BATCH = {"typed": lambda: jax.random.split(jax.random.key(0), 2), "legacy": lambda: jax.random.split(jax.random.PRNGKey(0), 2)}


@pytest.mark.parametrize("kind", ["typed", "legacy"])
def test_one_key_where_a_batch_is_expected_is_named(digits, kind):
    """Issue 37: one key (typed or legacy uint32) was an IndexError from inside the vmap; a batch of either kind trains."""
    cfg = train.TrainConfig(steps=2, record_every=1)
    spec = FCN(width=4, out_dim=10)
    with pytest.raises(ValueError, match=r"^keys: .*batch of PRNG keys.*one key"):
        train.fit_grid(spec, cfg, ONE_KEY[kind](), jnp.array([0.1]), digits)
    assert train.fit_grid(spec, cfg, BATCH[kind](), jnp.array([0.1, 0.1]), digits)["train_loss"].shape == (2, 3)


def test_a_batch_larger_than_the_training_set_is_named(digits):
    """Issue 37: batch_size > N reached XLA's dynamic_slice error; N itself is one full batch per step."""
    spec, keys = FCN(width=4, out_dim=10), jax.random.split(jax.random.key(0), 1)
    small = digits._replace(x_train=digits.x_train[:12], y_train=digits.y_train[:12])
    with pytest.raises(ValueError, match=r"^batch_size: .*at most the training set's size \(12\).*16"):
        train.fit_grid(spec, train.TrainConfig(steps=2, record_every=1, batch_size=16), keys, jnp.array([0.1]), small)
    h = train.fit_grid(spec, train.TrainConfig(steps=2, record_every=1, batch_size=12), keys, jnp.array([0.1]), small)
    full = train.fit_grid(spec, train.TrainConfig(steps=2, record_every=1), keys, jnp.array([0.1]), small)
    np.testing.assert_allclose(h["train_loss"], full["train_loss"], rtol=1e-6)  # one batch of all N is full-batch GD


@pytest.mark.parametrize("field, value", [("x_train", np.nan), ("y_train", np.inf), ("x_test", -np.inf),
                                          ("y_test", np.nan)])
def test_non_finite_data_is_named_not_reported_as_divergence(digits, field, value):
    """Issue 37: a NaN or inf in the data was a run flagged ``diverged``, as if the learning rate were too large."""
    bad = np.array(getattr(digits, field))
    bad[3, 1] = value
    with pytest.raises(ValueError, match=rf"^data.{field}: 1 of {bad.size} entries .*not finite"):
        train.fit_grid(FCN(width=4, out_dim=10), train.TrainConfig(steps=2, record_every=1),
                       jax.random.split(jax.random.key(0), 1), jnp.array([0.1]), digits._replace(**{field: bad}))


SHARDED = """
import jax, jax.numpy as jnp, numpy as np
from jax.sharding import Mesh
from orthontk_lib import train
from orthontk_lib.data import load
from orthontk_lib.models import FCN
assert len(jax.devices()) == 4
d = load("digits", n_train=64, n_test=32)
spec = FCN(depth=2, width=16, activation="tanh", out_dim=10)
cfg = train.TrainConfig(steps=10, batch_size=16, record_every=5, loss="cross_entropy")
keys, lrs = jax.random.split(jax.random.key(2), 6), jnp.linspace(0.1, 1.0, 6)
mesh = Mesh(np.array(jax.devices()), ("pairs",))
a = train.fit_grid(spec, cfg, keys, lrs, d, mesh=mesh)
b = train.fit_grid(spec, cfg, keys, lrs, d)
for k in b:
    np.testing.assert_allclose(a[k], b[k], rtol=1e-5, atol=1e-6)
print("identical")
"""


def test_sharded_grid_over_four_cpu_devices_is_identical(run_on_four_cpu_devices):
    assert "identical" in run_on_four_cpu_devices(SHARDED)


def test_bfloat16_compute_keeps_float32_parameters_and_output(key):
    spec = FCN(depth=3, width=32, activation="tanh", W_std=1.0, b_std=0.05, init="orthogonal",
               parameterization="standard", out_dim=10, scan=True)
    x = jax.random.normal(key, (8, 64))
    variables = spec.initialize(jax.random.key(1), x)
    half = dataclasses.replace(spec, compute_dtype="bfloat16")
    ref, out = spec.module().apply(variables, x), half.module().apply(variables, x)
    assert {l.dtype for l in jax.tree.leaves(half.initialize(jax.random.key(1), x))} == {jnp.dtype("float32")}
    assert out.dtype == jnp.float32
    np.testing.assert_allclose(out, ref, rtol=0.05, atol=0.05 * float(jnp.abs(ref).max()))  # bf16: 8 mantissa bits


def test_bfloat16_training_reaches_the_float32_loss(digits):
    """Forty SGD steps in bf16 compute follow float32's: the losses agree to a few percent of the initial loss."""
    spec = FCN(depth=3, width=32, activation="tanh", W_std=1.0, b_std=0.05, init="orthogonal",
               parameterization="standard", out_dim=10, scan=True)
    config = train.TrainConfig(steps=40, batch_size=32, loss="cross_entropy", record_every=20)
    keys = jax.random.split(jax.random.key(0), 2)
    lrs = np.array([0.2, 0.5])
    ref = train.fit_grid(spec, config, keys, lrs, digits)
    half = train.fit_grid(dataclasses.replace(spec, compute_dtype="bfloat16"), config, keys, lrs, digits)
    assert (ref["train_loss"][:, -1] < 0.5 * ref["train_loss"][:, 0]).all()  # float32 trains (2.35 to 0.53, 0.19) ...
    gap = np.abs(half["train_loss"] - ref["train_loss"]) / ref["train_loss"][:, :1]  # ... and bf16 follows it
    assert gap.max() < 0.05, gap  # seen: 0.008 (lr 0.5's last record: 0.167 vs 0.187, of an initial 2.38)


def test_the_training_program_is_built_once_per_network_and_training_config():
    """fit_grid reuses one jitted program per (network, training config): built again per call, every point of a
    sweep would trace and compile anew."""
    from orthontk_lib.models import FCN

    spec, config = FCN(1, 8, "tanh"), train.TrainConfig(steps=2)
    assert train._fit_program(spec, config, False) is train._fit_program(spec, config, False)
    assert train._fit_program(spec, config, False) is not train._fit_program(spec, config, True)


@pytest.mark.parametrize("make", [lambda n: jax.random.split(jax.random.key(0), n),
                                  lambda n: jax.random.split(jax.random.PRNGKey(0), n)], ids=["typed", "legacy"])
def test_padding_the_pairs_for_a_mesh_repeats_whole_keys(make):
    """A legacy uint32 key is a row of two words: padding repeats rows, not words."""
    from orthontk_lib.train import _pad_pairs

    keys, lrs = _pad_pairs(4, make(3), jnp.arange(3.0))
    words = lambda k: jax.random.key_data(k) if jnp.issubdtype(k.dtype, jax.dtypes.prng_key) else k
    assert keys.shape[0] == 4 and lrs.tolist() == [0.0, 1.0, 2.0, 2.0]
    assert jnp.array_equal(words(keys[3]), words(keys[2]))
