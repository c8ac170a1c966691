r"""Training with Optax: a pure ``train_step``, and whole runs vmapped over seeds and learning rates.

Losses (:math:`f` the network, :math:`(x_i, y_i)_{i \le B}` a batch, :math:`y_i` one-hot or real):

.. math::

   \text{mse} = \frac{1}{2B}\sum_i \lVert f(x_i) - y_i \rVert^2, \qquad
   \text{cross\_entropy} = -\frac{1}{B}\sum_i \sum_k y_{ik} \log \operatorname{softmax}(f(x_i))_k .

:func:`fit_grid` trains one network per (seed, learning rate) pair as *one*
jitted program (``jax.vmap`` over the pairs, ``jax.lax.scan`` over steps). A run
whose loss stops being finite, or grows past ``divergence`` times its initial
value, is *masked*: its parameters freeze and it is
flagged ``diverged``, while the others go on. Given a ``jax.sharding.Mesh``, the
pair axis is laid out over the mesh's devices with ``NamedSharding``, so the same
code runs on one CPU, one GPU or many.

This module imports neither neural-tangents nor TensorFlow.

Example:

>>> import jax
>>> from orthontk_lib.models import FCN
>>> from orthontk_lib.data import load
>>> data = load("digits", n_train=64, n_test=32)
>>> cfg = TrainConfig(steps=20, record_every=10, loss="mse")
>>> spec = FCN(depth=1, width=32, out_dim=10)
>>> keys = jax.random.split(jax.random.key(0), 2)
>>> hist = fit_grid(spec, cfg, keys, jax.numpy.array([0.1, 0.1]), data)
>>> hist["train_loss"].shape  # (pairs, records): steps 0, 10, 20
(2, 3)
"""

import functools
from typing import NamedTuple, Optional

import jax
import jax.numpy as jnp
import numpy as np
import optax

from orthontk_lib import kernels
from orthontk_lib.models import canonical

__all__ = ["TrainConfig", "default_mesh", "TrainState", "create_train_state", "create_train_step", "fit_grid", "loss_fn",
           "accuracy"]

LOSSES = ("mse", "cross_entropy")
OPTIMIZERS = ("sgd", "adam", "rmsprop")


class TrainConfig(NamedTuple):
    """How to train; the learning rate is an argument of its own (it is swept)."""

    steps: int = 1000  # optimizer steps
    batch_size: Optional[int] = None  # None: full-batch gradient descent
    loss: str = "mse"  # "mse" or "cross_entropy"
    optimizer: str = "sgd"  # "sgd", "adam" or "rmsprop" (Optax)
    record_every: int = 100  # steps between evaluations on the full train and test sets
    divergence: float = 1e4  # diverged once the batch loss exceeds this times the initial train loss


class TrainState(NamedTuple):
    """Parameters, optimizer state, step counter and divergence flag."""

    params: dict
    opt_state: tuple
    step: jnp.ndarray
    diverged: jnp.ndarray


# LOSSES AND METRICS


def loss_fn(name, pred, y):
    """``mse`` or ``cross_entropy`` of predictions (B, K) against targets (B, K); a scalar."""
    if name == "mse":
        return 0.5 * jnp.mean(jnp.sum((pred - y) ** 2, axis=-1))
    return jnp.mean(optax.softmax_cross_entropy(pred, y))


def accuracy(pred, y):
    """Fraction of rows where ``argmax pred == argmax y``; a scalar."""
    return jnp.mean(jnp.argmax(pred, -1) == jnp.argmax(y, -1))


# STATE AND STEP


def create_train_state(spec, config, key, learning_rate, x):
    """A fresh :class:`TrainState` for ``spec`` at ``learning_rate`` (may be traced)."""
    _check_config(config)
    return _fresh_state(config, learning_rate, spec.initialize(key, x[:1])["params"])


def _fresh_state(config, learning_rate, params):
    """Step 0, not diverged, a new optimizer state for ``params``."""
    return TrainState(params, _optimizer(config.optimizer, learning_rate).init(params), jnp.array(0), jnp.array(False))


def create_train_step(spec, config, learning_rate):
    """The jitted ``train_step(state, batch) -> (state, metrics)`` with batch = (x, y)."""
    _check_config(config)
    return jax.jit(functools.partial(_train_step, spec, config, learning_rate))


def _train_step(spec, config, learning_rate, state, batch, max_loss=jnp.inf):
    x, y = batch
    tx = _optimizer(config.optimizer, learning_rate)

    def objective(params):
        pred = spec.module().apply({"params": params}, x)
        return loss_fn(config.loss, pred, y), pred

    (loss, pred), grads = jax.value_and_grad(objective, has_aux=True)(state.params)
    updates, opt_state = tx.update(grads, state.opt_state, state.params)
    diverged = state.diverged | ~jnp.isfinite(loss) | (loss > max_loss)
    keep = lambda new, old: jax.tree.map(lambda n, o: jnp.where(diverged, o, n), new, old)
    new_state = TrainState(
        keep(optax.apply_updates(state.params, updates), state.params),
        keep(opt_state, state.opt_state),
        state.step + 1,
        diverged,
    )
    return new_state, {"loss": loss, "accuracy": accuracy(pred, y)}


# WHOLE RUNS


def fit_grid(spec, config, keys, learning_rates, data, ntk_probe=None, mesh=None, record_params=False,
             params=None, linearize=False):
    r"""Train one network per pair (keys[g], learning_rates[g]); one jitted, vmapped program.

    Args:
      spec: the network spec.
      config: a :class:`TrainConfig`; its ``batch_size`` at most the training set's size N.
      keys: (G,) PRNG keys, typed or legacy uint32 (G, 2) (:func:`~orthontk_lib.kernels.key_batch`); each seeds the
        initialization and the batch order.
      learning_rates: (G,) learning rates.
      data: a :class:`~orthontk_lib.data.Dataset`, every entry finite.
      ntk_probe: optional (P, ...) inputs, finite, at which the empirical NTK and the
        network's outputs are recorded at every evaluation.
      mesh: optional ``jax.sharding.Mesh`` with one axis; the G axis is sharded
        over it (G is padded up to a multiple of the mesh size, then cut back).
      record_params: also return the parameters at every evaluation, as
        ``params`` (the Flax tree with leaves of shape (G, R, ...)).
      params: optional initial parameters, a Flax params tree with leaves of shape (G, ...); by default each
        network is drawn by ``spec.initialize`` from its key (the key still orders its mini-batches).
      linearize: with a probe, also record the linearization at initialization along the path,
        ``probe_linear`` (G, R, P, K) :math:`= f(\theta_0; x) + \nabla f(\theta_0; x)^\top (\theta_t - \theta_0)`,
        and the distance travelled ``distance`` (G, R) :math:`= \lVert \theta_t - \theta_0 \rVert`.

    Returns:
      A dict of NumPy arrays: ``record_steps`` (R,), ``train_loss``,
      ``train_accuracy``, ``test_loss``, ``test_accuracy`` (G, R), per-step
      ``batch_loss`` and ``batch_accuracy`` (G, steps), ``diverged`` (G,), the network
      outputs on the training set at initialization ``initial_output`` (G, N, K) and,
      with a probe, ``ntk`` (G, R, P, P) and ``probe_output`` (G, R, P, K). Diverged runs keep their last finite
      parameters; their losses after divergence are those of the frozen network.

    Raises:
      ValueError: before any compute, naming the argument: a bad ``config`` field, one key or no keys where a batch
        is expected, ``batch_size`` larger than N, a NaN or inf in ``data`` or ``ntk_probe`` (which would otherwise
        train into a run flagged ``diverged``), lengths of ``keys`` and ``learning_rates`` that differ.
    """
    _check_config(config)
    keys = kernels.key_batch(keys)
    _check_data(config, data, ntk_probe)
    learning_rates = jnp.asarray(learning_rates, jnp.float32)
    if keys.shape[0] != learning_rates.shape[0]:
        raise ValueError(f"keys and learning_rates: lengths differ ({keys.shape[0]} vs {learning_rates.shape[0]})")
    arrays = tuple(jnp.asarray(a) for a in (data.x_train, data.y_train, data.x_test, data.y_test))
    probe = None if ntk_probe is None else jnp.asarray(ntk_probe)
    n = keys.shape[0]
    if mesh is not None:
        keys, learning_rates = _pad_pairs(mesh.devices.size, keys, learning_rates)
    key_init, key_batch = jax.vmap(jax.random.split, out_axes=1)(keys)
    key_batch = jax.random.key_data(key_batch)  # raw uint32: shardable across processes; wrapped in the program
    # Initialize eagerly under vmap: traced into the program, Flax's init dominates compile time.
    if params is None:
        params = jax.vmap(lambda k: spec.initialize(k, arrays[0][:1])["params"])(key_init)
    elif mesh is not None:
        raise ValueError("params: given initial parameters cannot be combined with a mesh")
    if mesh is not None:
        params, key_batch, learning_rates = _shard_leading(mesh, (params, key_batch, learning_rates))
    if linearize and probe is None:
        raise ValueError("linearize: needs an ntk_probe, the inputs at which the linearization is evaluated")
    out = _fit_program(canonical(spec), config, probe is not None, record_params, linearize)(
        params, key_batch, learning_rates, arrays, probe)
    out = {k: jax.tree.map(lambda a: _to_host(a)[:n], v) for k, v in out.items()}
    out["record_steps"] = np.arange(0, config.steps + 1, config.record_every)[: out["train_loss"].shape[1]]
    return out


def default_mesh():
    """A one-axis ``Mesh`` over all devices when there are several, its axis ``"pairs"`` (the (learning rate, seed)
    pairs :func:`fit_grid` shards), else None (one device: nothing to shard)."""
    devices = jax.devices()
    return jax.sharding.Mesh(np.array(devices), ("pairs",)) if len(devices) > 1 else None


@functools.lru_cache(maxsize=32)
def _fit_program(spec, config, with_ntk, record_params=False, linearize=False):
    one = functools.partial(_fit_one, spec, config, with_ntk, record_params, linearize)
    return jax.jit(jax.vmap(one, in_axes=(0, 0, 0, None, None)))


def _fit_one(spec, config, with_ntk, record_params, linearize, params, key_batch, learning_rate, arrays, probe):
    x_train, y_train, x_test, y_test = arrays
    key_batch = jax.random.wrap_key_data(key_batch)
    state = _fresh_state(config, learning_rate, params)
    params0 = params

    def evaluate(params, p_train=None):
        apply = lambda x: spec.module().apply({"params": params}, x)
        p_train = apply(x_train) if p_train is None else p_train
        p_test = apply(x_test)
        ev = {
            "train_loss": loss_fn(config.loss, p_train, y_train),
            "train_accuracy": accuracy(p_train, y_train),
            "test_loss": loss_fn(config.loss, p_test, y_test),
            "test_accuracy": accuracy(p_test, y_test),
        }
        if with_ntk:
            ev["ntk"] = kernels.empirical_ntk(spec, {"params": params}, probe)
            ev["probe_output"] = apply(probe)
        if linearize:
            step = jax.tree.map(jnp.subtract, params, params0)
            f0 = lambda p: spec.module().apply({"params": p}, probe)
            value, tangent = jax.jvp(f0, (params0,), (step,))
            ev["probe_linear"] = value + tangent
            ev["distance"] = optax.tree_utils.tree_l2_norm(step)
        if record_params:
            ev["params"] = params
        return ev

    initial_output = spec.module().apply({"params": state.params}, x_train)
    first = evaluate(state.params, initial_output)
    max_loss = config.divergence * first["train_loss"]

    def one_step(state, t):
        batch = _batch(key_batch, t, x_train, y_train, config.batch_size)
        return _train_step(spec, config, learning_rate, state, batch, max_loss)

    def chunk(state, start):
        state, metrics = jax.lax.scan(one_step, state, start + jnp.arange(config.record_every))
        return state, (evaluate(state.params), metrics)

    n_chunks = config.steps // config.record_every
    state, (evals, metrics) = jax.lax.scan(chunk, state, jnp.arange(n_chunks) * config.record_every)
    out = {k: jax.tree.map(lambda a, b: jnp.concatenate([a[None], b]), first[k], evals[k]) for k in first}
    out["batch_loss"] = metrics["loss"].reshape(-1)
    out["batch_accuracy"] = metrics["accuracy"].reshape(-1)
    out["diverged"] = state.diverged
    out["initial_output"] = initial_output
    return out


# INTERNAL UTILITIES


def _batch(key, t, x, y, batch_size):
    """Step ``t``'s mini-batch: a fresh permutation every epoch, consecutive slices within it."""
    if batch_size is None:
        return x, y
    per_epoch = x.shape[0] // batch_size
    perm = jax.random.permutation(jax.random.fold_in(key, t // per_epoch), x.shape[0])
    idx = jax.lax.dynamic_slice(perm, ((t % per_epoch) * batch_size,), (batch_size,))
    return x[idx], y[idx]


def _optimizer(name, learning_rate):
    return {"sgd": optax.sgd, "adam": optax.adam, "rmsprop": optax.rmsprop}[name](learning_rate)


def _pad_pairs(size, keys, learning_rates):
    """Pad the pair axis to a multiple of ``size`` (the padding repeats the last pair and is cut afterwards)."""
    pad = (-keys.shape[0]) % size
    if pad:
        keys = jnp.concatenate([keys, jnp.repeat(keys[-1:], pad, axis=0)])
        learning_rates = jnp.concatenate([learning_rates, jnp.repeat(learning_rates[-1:], pad, axis=0)])
    return keys, learning_rates


def _shard_leading(mesh, tree):
    """Lay the leading (pair) axis of every array in ``tree`` out over the mesh's first axis.

    Within one process this is ``jax.device_put``. Across processes (after ``jax.distributed.initialize()``) no
    process can place data on another's devices: every process holds the whole (identical) tree, and each global
    array is assembled from the shards this process's devices hold (``jax.make_array_from_callback``).
    """
    from jax.sharding import NamedSharding, PartitionSpec

    sharding = NamedSharding(mesh, PartitionSpec(mesh.axis_names[0]))
    if jax.process_count() == 1:
        return jax.device_put(tree, sharding)

    def global_array(a):
        host = np.asarray(a)
        return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])

    return jax.tree.map(global_array, tree)


def _to_host(a):
    """A NumPy copy of ``a``; an array spread over several processes is gathered whole on every process."""
    if isinstance(a, jax.Array) and not a.is_fully_addressable:
        from jax.experimental import multihost_utils

        return np.asarray(multihost_utils.process_allgather(a, tiled=True))
    return np.asarray(a)


def _check_data(config, data, probe):
    """The data :func:`fit_grid` trains on: finite everywhere, and at least one batch of training examples."""
    n = len(data.x_train)
    if config.batch_size is not None and config.batch_size > n:
        raise ValueError(f"batch_size: must be at most the training set's size ({n}), got {config.batch_size}")
    named = [(f"data.{f}", getattr(data, f)) for f in ("x_train", "y_train", "x_test", "y_test")]
    for name, a in named + ([] if probe is None else [("ntk_probe", probe)]):
        bad = int(np.size(a) - np.count_nonzero(np.isfinite(np.asarray(a))))
        if bad:
            raise ValueError(f"{name}: {bad} of {np.size(a)} entries are not finite (NaN or inf); training data must "
                             "be finite (a run on it would be reported as diverged)")


def _check_config(config):
    if config.loss not in LOSSES:
        raise ValueError(f"loss: must be one of {', '.join(LOSSES)}; got {config.loss!r}")
    if config.optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer: must be one of {', '.join(OPTIMIZERS)}; got {config.optimizer!r}")
    for name in ("steps", "record_every"):
        if getattr(config, name) < 1:
            raise ValueError(f"{name}: must be >= 1, got {getattr(config, name)}")
    if config.steps % config.record_every:
        raise ValueError(f"record_every: must divide steps ({config.record_every} does not divide {config.steps})")
    if config.batch_size is not None and config.batch_size < 1:
        raise ValueError(f"batch_size: must be >= 1 or None, got {config.batch_size}")
