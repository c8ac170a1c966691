r"""Empirical and analytic NTK / NNGP of a spec.

The neural tangent kernel of a network :math:`f(\theta; x) \in \mathbb{R}^K` is

.. math::

   \Theta(x, x') = \frac{1}{K} \sum_{k=1}^{K}
       \nabla_\theta f_k(\theta; x)^\top \nabla_\theta f_k(\theta; x'),

the Jacobian Gram matrix averaged over output units: the convention of
neural-tangents' ``trace_axes=(-1,)``, under which the infinite-width limit is
``spec.stax()[2](x1, x2, "ntk")``.

For an :class:`~orthontk_lib.models.FCN`, :func:`empirical_ntk` uses the exact
layer-wise Gram form (the chain rule through one affine layer)

.. math::

   \Theta = \sum_{l=1}^{L+1} \Big(\frac{1}{K}\sum_k \delta^{l}_k {\delta^{l}_k}^{\top}\Big)
            \odot \big(c_l\, h^{l-1} {h^{l-1}}^{\top} + \beta\big),

where :math:`\delta^l_k = \partial f_k / \partial z^l` (backpropagated errors,
shape (N, n_l)) with :math:`z^l` the layer's output after the parameterization's scale
and bias, :math:`h^{l-1}` the layer's input (N, n_{l-1}), and
:math:`(c_l, \beta) = (\sigma_W^2 / n_{l-1}, \sigma_b^2)` under the NTK
parameterization, :math:`(1, 1)` under the standard one. It never forms a
per-parameter Jacobian.

Both factors come from the network's own Flax module, :meth:`spec.module() <orthontk_lib.models.FCN.module>`,
in one ``apply`` and its vector-Jacobian product: every :class:`~orthontk_lib.models.Dense` and
:class:`~orthontk_lib.models.Conv` layer sows its input :math:`h^{l-1}` into the ``intermediates`` collection
and perturbs its output :math:`z^l` by a zero ``perturbations`` variable, so the VJP with respect to the
perturbations at the cotangent :math:`e_k` is :math:`(\delta^l_k)_l` (Flax's ``Module.sow`` and
``Module.perturb``), for all K output units at once under ``jax.vmap``.

A :class:`~orthontk_lib.models.CNN` has the same form with every spatial position
of a conv layer taken as a unit: with :math:`\delta^l_k(x)_p` the error at position
:math:`p` and :math:`P^{l-1}(x)_p` the :math:`k \times k` input patch there,

.. math::

   \Theta_{\text{conv } l}(x, x') = \frac{1}{K}\sum_k \sum_{p, p'}
       \langle \delta^l_k(x)_p, \delta^l_k(x')_{p'} \rangle
       \big(c_l \langle P^{l-1}(x)_p, P^{l-1}(x')_{p'} \rangle + \beta\big),

with :math:`c_l = \sigma_W^2 / (k^2 c_{l-1})`; the patches are taken from the conv layer's
sown input (N, H, W, c_{l-1}) with its 'SAME' padding (:func:`~orthontk_lib.models.conv_same`'s), and the
errors (N, H, W, c_l) come from the same VJP as the FCN's.

The analytic kernels are this module's own float64 recursions; neural-tangents is not imported.

Example:

>>> import jax
>>> from orthontk_lib.models import FCN
>>> spec = FCN(depth=1, width=256, activation="relu", W_std=1.5, b_std=0.1)
>>> x = jax.random.normal(jax.random.key(0), (4, 8))
>>> variables = spec.initialize(jax.random.key(1), x)
>>> empirical_ntk(spec, variables, x).shape  # (4, 4) train-train NTK
(4, 4)
"""

import dataclasses
import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from orthontk_lib import dual
from orthontk_lib.models import FCN, canonical

__all__ = ["empirical_ntk", "empirical_ntk_seeds", "key_batch", "empirical_nngp", "empirical_nngp_seeds", "input_output_jacobian", "jacobian_ntk", "analytic_ntk", "analytic_ntk_by_depth", "analytic_nngp", "analytic_kernels",
           "normalized", "spread", "kernel_regression_accuracy"]


# EMPIRICAL NTK


def empirical_ntk(spec, variables, x1, x2=None):
    r"""Empirical NTK Θ(x1, x2) = (1/K) Σ_k ∇f_k(x1)ᵀ ∇f_k(x2) of the network at ``variables``.

    Args:
      spec: an ``FCN`` or a ``CNN`` (both by the exact layer-wise Gram form; a ``scan=True`` spec's stacked
        layers are read one by one from its unrolled module, :meth:`~orthontk_lib.models.FCN.unstack_layers`).
        A ``compute_dtype="bfloat16"`` spec gets the float32 network's kernel: the form runs the spec's module with
        ``compute_dtype="float32"`` (the same parameters, nothing cast).
      variables: ``spec.initialize(...)`` or trained variables.
      x1: inputs, (N1, ...).
      x2: inputs, (N2, ...); ``None`` means ``x1``.

    Returns:
      The (N1, N2) kernel.
    """
    spec, variables = _by_layer(spec, variables)
    if isinstance(spec, FCN):
        return _fcn_ntk(spec, variables["params"], x1, x2)
    return _cnn_ntk(spec, variables["params"], x1, x2)


def empirical_ntk_seeds(spec, keys, x1, x2=None, max_floats=2**26):
    r"""The empirical NTK of one freshly initialized network per key: (S, N1, N2).

    Initialization runs eagerly under ``jax.vmap`` (a jitted Flax init of a deep
    network takes tens of seconds to compile; eagerly it takes about one), and the
    kernels are one jitted, vmapped program. Networks are drawn in chunks of at
    most ``max_floats`` parameters in total, to bound memory.

    Args:
      spec: an FCN or CNN spec.
      keys: (S,) PRNG keys, one network each: typed (``jax.random.split(jax.random.key(0), S)``) or legacy uint32
        (S, 2) (``jax.random.split(jax.random.PRNGKey(0), S)``); one key is a ``ValueError`` (:func:`key_batch`).
      x1, x2: inputs as for :func:`empirical_ntk`.

    Returns:
      The (S, N1, N2) kernels.
    """
    return _per_network(spec, keys, x1, x2, _vmapped_ntk(canonical(spec)), max_floats)


def empirical_nngp(spec, variables, x1, x2=None):
    r"""Empirical NNGP :math:`\hat K(x_1, x_2) = \frac1K \sum_k f_k(x_1) f_k(x_2)` of the network at ``variables``.

    The outputs' Gram matrix averaged over the ``K = spec.out_dim`` output units: with a wide readout
    (``out_dim`` = width, as in Huang, Du, Xu's kernel-convergence figure) it estimates the output
    layer's NNGP :math:`K_\infty = \mathbb{E}[f_k(x_1) f_k(x_2)]`.

    Returns:
      The (N1, N2) kernel.
    """
    f1 = spec.module().apply(variables, x1)
    f2 = f1 if x2 is None else spec.module().apply(variables, x2)
    return f1 @ f2.T / f1.shape[-1]


def empirical_nngp_seeds(spec, keys, x1, x2=None, max_floats=2**26):
    """The empirical NNGP of one freshly initialized network per key: (S, N1, N2), as :func:`empirical_ntk_seeds`."""
    return _per_network(spec, keys, x1, x2, _vmapped_nngp(spec), max_floats)


def key_batch(keys, name="keys"):
    """``keys`` checked to be a batch of PRNG keys, before any compute: typed keys of shape (S,)
    (``jax.random.split(jax.random.key(0), S)``) or legacy raw uint32 keys of shape (S, 2)
    (``jax.random.split(jax.random.PRNGKey(0), S)``), S >= 1.

    Returns:
      ``keys`` unchanged (a JAX array).

    Raises:
      ValueError: naming ``name``, for one key (typed, shape (); legacy, shape (2,)), an empty batch, or an array
        that holds no PRNG keys.
    """
    keys = jnp.asarray(keys) if not isinstance(keys, jax.Array) else keys
    raw = jax.random.key_data(jax.random.key(0)).shape  # a legacy key's shape: (2,) for the default threefry
    typed = jax.dtypes.issubdtype(keys.dtype, jax.dtypes.prng_key)
    shape, want = tuple(keys.shape), f"a batch of PRNG keys, shape (S,) typed or (S, {', '.join(map(str, raw))}) uint32"
    if (typed and shape == ()) or (not typed and keys.dtype == jnp.uint32 and shape == raw):
        raise ValueError(f"{name}: expected {want} (e.g. jax.random.split(key, S)); got one key")
    if not typed and (keys.dtype != jnp.uint32 or shape[1:] != raw):
        raise ValueError(f"{name}: expected {want}; got an array of {keys.dtype} of shape {shape}")
    if keys.ndim != (1 if typed else 1 + len(raw)) or shape[0] == 0:
        raise ValueError(f"{name}: expected {want}, S >= 1; got shape {shape}")
    return keys


def _per_network(spec, keys, x1, x2, kernel, max_floats):
    """``kernel(variables, x1, x2)`` of one network per key, initialized eagerly in chunks of ``max_floats``."""
    keys = key_batch(keys)
    init = lambda k: spec.initialize(k, x1[:1])  # parameter shapes need one input, not the batch
    shapes = jax.eval_shape(init, keys[0])
    n_params = sum(int(np.prod(l.shape)) for l in jax.tree.leaves(shapes))
    chunk = max(1, max_floats // n_params)
    out = []
    for i in range(0, keys.shape[0], chunk):
        variables = jax.vmap(init)(keys[i : i + chunk])
        out.append(kernel(variables, x1, x2))
    return jnp.concatenate(out)


def jacobian_ntk(spec, variables, x1, x2=None):
    """Reference NTK from the full parameter Jacobian ``jax.jacobian``: J(x1) J(x2)ᵀ / K.

    Costs memory (N * K * n_params); for tests and small networks only.

    Returns:
      The (N1, N2) kernel.
    """
    f = lambda p, x: spec.module().apply({"params": p}, x)
    flat = lambda x: jnp.concatenate(
        [j.reshape(j.shape[0], j.shape[1], -1) for j in jax.tree.leaves(jax.jacobian(f)(variables["params"], x))],
        axis=-1,
    )  # (N, K, n_params)
    j1 = flat(x1)
    j2 = j1 if x2 is None else flat(x2)
    return jnp.einsum("akp,bkp->ab", j1, j2) / j1.shape[1]


def input_output_jacobian(spec, variables, x):
    r"""Jacobian :math:`\partial h^L / \partial x` of an FCN's last hidden layer at one input ``x`` (d,), in float64.

    The object of dynamical isometry (Pennington et al. 2017): its singular values
    measure how the hidden layers stretch perturbations of the input. The parameters (drawn in
    float32) are cast to float64 and the product of the L layer Jacobians is formed in float64: in
    float32 a product of 64 random 128 × 128 factors already sits on round-off (its singular-value
    spread reads about 7.4 where float64 gives about 10.6).

    Returns:
      The (width, d) Jacobian, float64 (NumPy).
    """
    from orthontk_lib.meanfield import float64

    spec, variables = _by_layer(spec, variables)
    with float64():
        params = jax.tree.map(lambda a: jnp.asarray(np.asarray(a, np.float64)), variables["params"])
        x64 = jnp.asarray(np.asarray(x, np.float64))
        last_hidden = lambda v: _layer_inputs(spec.module(), params, v[None])["readout"][0]  # the readout's input h^L
        return np.asarray(jax.jacfwd(last_hidden)(x64), np.float64)


# ANALYTIC KERNELS


def analytic_ntk(spec, x1, x2=None):
    r"""Infinite-width NTK :math:`\Theta_\infty(x_1, x_2)`: (N1, N2), float64.

    FCNs and CNNs by the float64 layer recursion of :func:`analytic_kernels` (closed forms or quadrature to
    :data:`orthontk_lib.dual.TOLERANCE`); neural-tangents is not used.

    Raises:
      FloatingPointError: when the kernel is not finite (it overflows float64), naming the layer.
    """
    return analytic_kernels(spec, x1, x2)[1]


def analytic_nngp(spec, x1, x2=None):
    """Infinite-width NNGP K_∞(x1, x2) = E[f(x1) f(x2)]: (N1, N2), float64, as :func:`analytic_ntk`."""
    return analytic_kernels(spec, x1, x2)[0]


def analytic_kernels(spec, x1, x2=None):
    r"""Infinite-width ``(nngp, ntk)`` of ``spec`` on inputs ``x1`` (N1, ...) and ``x2`` (N2, ...): two (N1, N2) arrays.

    For an :class:`~orthontk_lib.models.FCN`, layer by layer in float64, as neural-tangents' ``stax`` composes
    them (Lee et al. 2019, arXiv:1902.06720, Eqs. 4-5 and App. C; Jacot et al. 2018): from the input kernel
    :math:`K^0 = x_1 \cdot x_2 / d`, :math:`\Theta^0 = 0`, a dense layer maps

    .. math::

       K \mapsto \sigma_W^2 K + \sigma_b^2, \qquad
       \Theta \mapsto \begin{cases} \sigma_W^2 K + \sigma_b^2 + \sigma_W^2\,\Theta & \text{NTK parameterization} \\
       n_{\text{in}} K + \sigma_W^2\,\Theta + 1 & \text{standard parameterization} \end{cases}

    and an activation maps :math:`K \mapsto \mathbb{E}[\phi(u)\phi(v)]`, :math:`\Theta \mapsto
    \mathbb{E}[\phi'(u)\phi'(v)]\,\Theta`, with :math:`(u, v)` centred Gaussian of covariance :math:`K`
    (:func:`orthontk_lib.dual.bivariate`). Under the standard parameterization :math:`n_{\text{in}}` is the
    layer's finite input width, as in neural-tangents; a bottleneck layer is taken at infinite width too.

    Raises:
      FloatingPointError: when a layer's kernel is not finite (float64 overflow), naming the layer.
      ValueError: when the inputs are not finite.
    """
    if not isinstance(spec, FCN):
        return _cnn_kernels(spec, x1, x2)
    for x in (x1, x2):
        if x is not None and np.ndim(x) != 2:
            raise ValueError(f"x: an FCN takes inputs of shape (N, d); got shape {np.shape(x)}")
    n_in = [np.shape(x1)[1]] + list(spec.widths)
    state = _input_kernels(x1, x2)
    for l in range(spec.depth):
        state = _dense_kernels(state, spec.W_std, spec.b_std, spec.parameterization, n_in[l], l + 1)
        state = _activation_kernels(state, spec.activation, l + 1)
    state = _dense_kernels(state, spec.W_std, spec.b_std, spec.parameterization, n_in[-1], spec.depth + 1)
    if spec.output_activation != "linear":
        state = _activation_kernels(state, spec.output_activation, spec.depth + 1)
    return state.cross


def analytic_ntk_by_depth(activation, W_std, b_std, x, max_depth):
    r"""Infinite-width NTKs of FCNs with 1, 2, …, ``max_depth`` hidden layers on ``x`` (N, d): (max_depth, N, N), float64.

    NTK parameterization, one linear output: the recursion of :func:`analytic_kernels`, with the readout's dense
    layer applied after every hidden layer, so all depths cost one pass of ``max_depth`` layers. Any activation
    of :data:`orthontk_lib.models.ACTIVATIONS` (closed forms or quadrature to :data:`orthontk_lib.dual.TOLERANCE`).

    Raises:
      FloatingPointError: when a depth's kernel is not finite (float64 overflow), naming the depth.
    """
    state = _dense_kernels(_input_kernels(x, None), W_std, b_std, "ntk", None, 1)
    n = len(state.diag1[0])
    out = np.empty((max_depth, n, n))
    for depth in range(1, max_depth + 1):
        state = _dense_kernels(_activation_kernels(state, activation, depth), W_std, b_std, "ntk", None, depth + 1)
        out[depth - 1] = state.cross[1]  # the readout of depth L is the dense layer that would start layer L + 1
    return out


# WHAT IS MEASURED ON A KERNEL


def normalized(theta):
    r"""The normalized kernel :math:`\hat\Theta_{ij} = \Theta_{ij} / \sqrt{\Theta_{ii}\Theta_{jj}}` of (..., N, N)
    kernels (Hayou, Doucet, Rousseau 2019, Sec. 3: :math:`K^L(x, x')/\alpha_L` for inputs of one norm); same shape."""
    d = np.sqrt(np.diagonal(theta, axis1=-2, axis2=-1))
    return theta / (d[..., :, None] * d[..., None, :])


def spread(theta):
    """Standard deviation of the off-diagonal entries of the normalized kernel (:func:`normalized`) of (..., N, N)
    kernels: (...,). Zero for a kernel that no longer tells its inputs apart (a constant off-diagonal)."""
    k = normalized(theta)
    n = k.shape[-1]
    iu = np.triu_indices(n, 1)
    return k[..., iu[0], iu[1]].std(-1)


def kernel_regression_accuracy(theta, n_train, y_train, y_test, ridge=1e-8):
    """Test accuracy of kernel ridge regression on centred one-hot targets.

    Args:
      theta: (N + M, N + M) kernel on the train inputs followed by the test inputs.
      n_train: N.
      y_train, y_test: (N, K) and (M, K) one-hot labels.
      ridge: the ridge, relative to the mean diagonal of the train kernel.

    Returns:
      The share of test inputs whose largest predicted output is their class.
    """
    k_tt = theta[:n_train, :n_train]
    k_st = theta[n_train:, :n_train]
    reg = ridge * np.trace(k_tt) / n_train
    pred = k_st @ np.linalg.solve(k_tt + reg * np.eye(n_train), y_train - y_train.mean(0))
    return float((pred.argmax(1) == y_test.argmax(1)).mean())


# INTERNAL UTILITIES


def _by_layer(spec, variables):
    """``(spec, variables)`` as the kernels read them: parameters by layer name (a ``scan=True`` spec's stack
    unstacked, its unrolled module) and the module computing in float32 (``compute_dtype`` reset)."""
    if spec.scan:
        spec, variables = spec.unrolled(), spec.unstack_layers(variables)
    return dataclasses.replace(spec, compute_dtype="float32"), variables


def _layer_inputs(module, params, x):
    """Every ``Dense``/``Conv`` layer's input, by layer name, sown by ``module.apply`` (see :class:`~orthontk_lib.models.Dense`)."""
    _, state = module.apply({"params": params}, x, mutable="intermediates")
    return {name: sown["input"][0] for name, sown in state["intermediates"].items()}


def _inputs_and_errors(spec, params, x):
    r"""Per affine layer l, by name: its input h^{l-1} and the errors δ^l_k = ∂f_k/∂z^l of all K output units.

    One ``apply`` of ``spec.module()`` with the ``perturbations`` collection passed (zeros) and ``intermediates``
    mutable, and its VJP at the K cotangents :math:`e_k` (one per output unit, broadcast over the inputs) under
    ``jax.vmap``.

    Returns:
      ``(inputs, errors)``, two dicts keyed by layer name: inputs (N, n_{l-1}) for a dense layer, (N, H, W, c_{l-1})
      for a conv layer; errors the layer output's shape with a leading K: (K, N, n_l) or (K, N, H, W, c_l).
    """
    module, variables = spec.module(), {"params": params}
    shapes = jax.eval_shape(functools.partial(module.apply, mutable="perturbations"), variables, x)[1]
    zeros = jax.tree.map(lambda a: jnp.zeros(a.shape, a.dtype), shapes)

    def forward(perturbations):
        out, state = module.apply({**variables, **perturbations}, x, mutable="intermediates")
        return out, state["intermediates"]

    out, vjp, sown = jax.vjp(forward, zeros, has_aux=True)
    cotangents = jnp.eye(spec.out_dim, dtype=out.dtype)[:, None, :] * jnp.ones_like(out)  # (K, N, K)
    errors = jax.vmap(vjp)(cotangents)[0]["perturbations"]
    return ({name: layer["input"][0] for name, layer in sown.items()},
            {name: layer["z"] for name, layer in errors.items()})


def _layerwise_ntk(spec, layer_factors, layer_term, params, x1, x2):
    """Σ over layers of ``layer_term`` (the Gram form of the module docstring) / K; ``x2=None`` reuses x1's pass.

    ``layer_factors(spec, h, d)`` puts one layer's input and errors (:func:`_inputs_and_errors`) in the layout
    ``layer_term`` takes.
    """
    in1, err1 = _inputs_and_errors(spec, params, x1)
    in2, err2 = (in1, err1) if x2 is None else _inputs_and_errors(spec, params, x2)
    ntk_param = spec.parameterization == "ntk"
    beta = spec.b_std**2 if ntk_param else 1.0
    theta = 0.0
    for name in in1:
        (h1, d1), (h2, d2) = layer_factors(spec, in1[name], err1[name]), layer_factors(spec, in2[name], err2[name])
        c = spec.W_std**2 / h1.shape[-1] if ntk_param else 1.0
        theta = theta + layer_term(h1, h2, d1, d2, c, beta)
    return theta / spec.out_dim


def _fcn_factors(spec, h, d):
    """A dense layer's input h (N, n_in) and errors (K, N, n_out) as d (N, K n_out), every output unit's side by side,
    so that the sum over units and k is one matmul (on XLA:CPU about 1.4x faster at K = 10 than the einsum over
    (K, N, n_out))."""
    return h, d.transpose(1, 0, 2).reshape(d.shape[1], -1)


def _fcn_term(h1, h2, d1, d2, c, beta):
    """One dense layer: h (N, n_in), d (N, K n_out)."""
    return (d1 @ d2.T) * (c * (h1 @ h2.T) + beta)


def _cnn_factors(spec, h, d):
    """A conv layer's k x k input patches (N, P, k^2 c_in) and errors (K, N, P, c) at its P = H W positions;
    the readout's input (N, 1, D) and errors (K, N, 1, K), one position."""
    if h.ndim == 2:
        return h[:, None, :], d[:, :, None, :]
    k = spec.kernel_size
    patches = jax.lax.conv_general_dilated_patches(h, (k, k), (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
    return patches.reshape(h.shape[0], -1, patches.shape[-1]), d.reshape(d.shape[:2] + (-1, d.shape[-1]))


def _cnn_term(h1, h2, d1, d2, c, beta):
    """One conv layer, position by position: h (N, P, k^2 c_in), d (K, N, P, c); P = 1 for the readout."""
    gram_delta = jnp.einsum("kapc,kbqc->apbq", d1, d2)
    gram_h = jnp.einsum("apm,bqm->apbq", h1, h2)
    return jnp.einsum("apbq,apbq->ab", gram_delta, c * gram_h + beta)


@functools.partial(jax.jit, static_argnums=0)
def _fcn_ntk(spec, params, x1, x2):
    """Layer-wise Gram form of the FCN NTK (see the module docstring)."""
    return _layerwise_ntk(spec, _fcn_factors, _fcn_term, params, x1, x2)


@functools.partial(jax.jit, static_argnums=0)
def _cnn_ntk(spec, params, x1, x2):
    """Position-wise Gram form of the CNN NTK (see the module docstring)."""
    return _layerwise_ntk(spec, _cnn_factors, _cnn_term, params, x1, x2)


class _Kernels(NamedTuple):
    """(nngp, ntk) of the points of x1 (``diag1``: two (N1,) arrays), of x2 (``diag2``) and of the pairs
    (``cross``: two (N1, N2) arrays); ``symmetric`` when x2 is x1 (then ``cross``'s diagonal is ``diag1``)."""

    diag1: tuple
    diag2: tuple
    cross: tuple
    symmetric: bool


def _input_kernels(x1, x2):
    """The input layer's kernels: K = x·x'/d (flattened inputs), Θ = 0."""
    x1, x2 = _finite_inputs(x1, x2)
    symmetric = x2 is x1
    x1, x2 = x1.reshape(len(x1), -1), x2.reshape(len(x2), -1)
    d = x1.shape[1]
    sq1, sq2 = (x1 * x1).sum(1) / d, (x2 * x2).sum(1) / d
    cross = x1 @ x2.T / d
    return _Kernels((sq1, 0 * sq1), (sq2, 0 * sq2), (cross, 0 * cross), symmetric)


def _finite_inputs(x1, x2):
    """``(x1, x2)`` as float64 arrays, ``x2`` the same object as ``x1`` when None; ValueError if any is not finite."""
    x1 = np.asarray(x1, np.float64)
    x2 = x1 if x2 is None else np.asarray(x2, np.float64)
    if not (np.all(np.isfinite(x1)) and np.all(np.isfinite(x2))):
        raise ValueError("x: the inputs hold NaN or inf")
    return x1, x2


def _dense_kernels(state, W_std, b_std, parameterization, n_in, layer):
    """One dense layer, the ``layer``-th (see :func:`analytic_kernels`), on the diagonals and the pairs alike."""
    def dense(kernels):
        nngp, ntk = kernels
        with np.errstate(over="ignore", invalid="ignore"):
            out = W_std**2 * nngp + b_std**2
            out = (out, out + W_std**2 * ntk) if parameterization == "ntk" else (out, n_in * nngp + W_std**2 * ntk + 1.0)
        if not all(np.all(np.isfinite(a)) for a in out):
            raise FloatingPointError(f"analytic kernel: dense layer {layer} overflows float64 (the variance entering it is "
                                     f"{float(np.max(nngp)):.3g}; it grows with depth above the Edge of Chaos)")
        return out

    return state._replace(diag1=dense(state.diag1), diag2=dense(state.diag2), cross=dense(state.cross))


def _activation_kernels(state, activation, layer):
    """One activation (see :func:`analytic_kernels`): the diagonals by the variance and derivative maps, the pairs by
    the dual activation (only the upper triangle when symmetric)."""
    (q1, ntk1), (q2, ntk2), (nngp, ntk) = state.diag1, state.diag2, state.cross
    try:
        slope1 = dual.derivative_map(activation, q1)
        diag1 = dual.variance_map(activation, q1), slope1 * ntk1
        diag2 = diag1 if state.symmetric else (dual.variance_map(activation, q2),
                                               dual.derivative_map(activation, q2) * ntk2)
        with np.errstate(divide="ignore", invalid="ignore"):
            norms = np.sqrt(q1)[:, None] * np.sqrt(q2)[None, :]
            c = np.where(norms > 0, nngp / norms, 0.0)
        if state.symmetric:
            iu = np.triu_indices(len(q1), 1)
            k_pairs, kdot_pairs = dual.bivariate(activation, q1[iu[0]], q1[iu[1]], c[iu])
            k, kdot = np.diag(diag1[0]), np.diag(slope1)
            k[iu], kdot[iu] = k_pairs, kdot_pairs
            k[iu[1], iu[0]], kdot[iu[1], iu[0]] = k_pairs, kdot_pairs
        else:
            k, kdot = dual.bivariate(activation, q1[:, None], q2[None, :], c)
        cross = (k, kdot * ntk)
        if not all(np.all(np.isfinite(a)) for a in (*diag1, *diag2, *cross)):
            raise FloatingPointError("a value is not finite")
    except FloatingPointError as err:
        scale = max(float(np.max(state.diag1[0], initial=0.0)), float(np.max(state.diag2[0], initial=0.0)))
        raise FloatingPointError(
            f"analytic kernel: {activation} at layer {layer} is not finite in float64 (the variance entering it is "
            f"{scale:.3g}; it grows with depth where sigma_W is above the Edge of Chaos): {err}") from None
    return _Kernels(diag1, diag2, cross, state.symmetric)


def _cnn_kernels(spec, x1, x2):
    r"""Infinite-width ``(nngp, ntk)`` of a CNN (``filter="full"``, 'SAME' padding, stride 1), each (N1, N2), float64.

    The kernels are kept for every pair of positions, (N1, N2, H, W, H, W), as neural-tangents' ``stax.Conv`` keeps
    them (Novak et al. 2019, arXiv:1810.05148, Eq. 2-3; Arora et al. 2019, arXiv:1904.11955, Sec. 3). A k x k conv
    layer shares its weights across positions, so it averages the kernel along the joint diagonal of shifts,

    .. math:: K \mapsto \frac{\sigma_W^2}{k^2} \sum_{\delta} K(p + \delta, p' + \delta) + \sigma_b^2, \qquad
              \Theta \mapsto K_{\text{new}} + \frac{\sigma_W^2}{k^2} \sum_{\delta} \Theta(p + \delta, p' + \delta)

    (NTK parameterization; positions outside the image contribute 0, the zero padding), an activation acts on each
    pair of positions as in :func:`analytic_kernels`, and the flattening readout averages the kernels over the
    spatial diagonal :math:`p = p'` before its dense layer. The input kernel is :math:`x \cdot x' / C` per pair of
    positions.

    Raises:
      ValueError: for the standard parameterization, a ``filter="delta"`` spec (its limit is another kernel, see
        :class:`~orthontk_lib.models.CNN`) or a non-finite input.
      FloatingPointError: when a layer's kernel is not finite in float64, naming the layer.
    """
    if spec.parameterization != "ntk" or spec.filter != "full" or spec.output_activation != "linear":
        raise ValueError(f"spec: the analytic CNN kernel is computed for filter='full', the NTK parameterization and a "
                         f"linear readout; got filter={spec.filter!r}, parameterization={spec.parameterization!r}, "
                         f"output_activation={spec.output_activation!r}")
    x1, x2 = _finite_inputs(x1, x2)
    c_in = x1.shape[-1]
    cross = np.einsum("aijc,bklc->abijkl", x1, x2) / c_in  # (N1, N2, H, W, H, W)
    state = _Kernels(((x1 * x1).sum(-1) / c_in, 0.0), ((x2 * x2).sum(-1) / c_in, 0.0), (cross, 0.0), False)
    w2, b2, k = spec.W_std**2, spec.b_std**2, spec.kernel_size
    for l in range(spec.depth):
        def conv(kernels, pairs):  # (nngp, ntk) -> the conv layer's (nngp, ntk), each shift sum taken once
            nngp = _conv_shift_sum(kernels[0], k, pairs) * (w2 / (k * k)) + b2
            return nngp, nngp + _conv_shift_sum(kernels[1], k, pairs) * (w2 / (k * k))

        with np.errstate(all="ignore"):
            state = state._replace(diag1=conv(state.diag1, False), diag2=conv(state.diag2, False),
                                   cross=conv(state.cross, True))
        if not all(np.all(np.isfinite(a)) for kern in state[:3] for a in kern):
            raise FloatingPointError(f"analytic kernel: conv layer {l + 1} overflows float64 (its variance grows with "
                                     "depth above the Edge of Chaos)")
        state = _activation_kernels_spatial(state, spec.activation, l + 1)
    spatial_mean = lambda a: a.reshape(a.shape[0], -1).mean(1) if np.ndim(a) == 3 else a  # flatten: p = p'
    nngp, ntk = (np.einsum("abijij->ab", a) / (a.shape[2] * a.shape[3]) for a in state.cross)
    flat = _Kernels(tuple(map(spatial_mean, state.diag1)), tuple(map(spatial_mean, state.diag2)), (nngp, ntk), False)
    return _dense_kernels(flat, spec.W_std, spec.b_std, "ntk", None, spec.depth + 1).cross


def _conv_shift_sum(kern, k, pairs):
    """Σ over the k x k shifts δ of ``kern`` at (p + δ) (per image, (N, H, W)) or (p + δ, p' + δ) (pairs,
    (N1, N2, H, W, H, W)), zero outside the image: the shifts of ``models.conv_same``."""
    if np.ndim(kern) == 0:
        return kern
    h, w = kern.shape[-2:] if not pairs else kern.shape[2:4]
    lo = (k - 1) // 2
    axes = (2, 3, 4, 5) if pairs else (1, 2)
    pad = [(0, 0)] * kern.ndim
    for ax in axes:
        pad[ax] = (lo, k // 2)
    padded = np.pad(kern, pad)
    out = np.zeros_like(kern)
    for di in range(k):
        for dj in range(k):
            if pairs:
                out += padded[:, :, di:di + h, dj:dj + w, di:di + h, dj:dj + w]
            else:
                out += padded[:, di:di + h, dj:dj + w]
    return out


def _activation_kernels_spatial(state, activation, layer):
    """:func:`_activation_kernels` for kernels over positions: diagonals (N, H, W), pairs (N1, N2, H, W, H, W)."""
    (q1, ntk1), (q2, ntk2), (nngp, ntk) = state.diag1, state.diag2, state.cross
    n1, h, w = q1.shape
    n2 = q2.shape[0]
    flat = _Kernels((q1.reshape(-1), np.broadcast_to(ntk1, q1.shape).reshape(-1)),
                    (q2.reshape(-1), np.broadcast_to(ntk2, q2.shape).reshape(-1)),
                    tuple(np.broadcast_to(a, nngp.shape).transpose(0, 2, 3, 1, 4, 5).reshape(n1 * h * w, n2 * h * w)
                          for a in (nngp, ntk)), False)
    out = _activation_kernels(flat, activation, layer)
    unflat = lambda a: a.reshape(n1, h, w, n2, h, w).transpose(0, 3, 1, 2, 4, 5)
    return _Kernels(tuple(a.reshape(n1, h, w) for a in out.diag1), tuple(a.reshape(n2, h, w) for a in out.diag2),
                    tuple(unflat(a) for a in out.cross), False)


@functools.lru_cache(maxsize=64)
def _vmapped_ntk(spec):
    """``empirical_ntk`` of ``spec`` vmapped over a leading axis of the variables, jitted."""
    return jax.jit(jax.vmap(lambda v, x1, x2: empirical_ntk(spec, v, x1, x2), in_axes=(0, None, None)))


@functools.lru_cache(maxsize=64)
def _vmapped_nngp(spec):
    """``empirical_nngp`` of ``spec`` vmapped over a leading axis of the variables, jitted."""
    return jax.jit(jax.vmap(lambda v, x1, x2: empirical_nngp(spec, v, x1, x2), in_axes=(0, None, None)))

