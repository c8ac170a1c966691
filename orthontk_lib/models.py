r"""Network specs: one description gives the Flax network and its infinite-width twin.

A spec (:class:`FCN`, :class:`CNN`) is a frozen, hashable dataclass. From it come

* ``spec.module()``: a ``flax.linen.Module`` of the finite network;
* ``spec.initialize(key, x)``: the variables that ``spec.module().apply`` takes,
  drawn with orthogonal or Gaussian weights (:mod:`orthontk_lib.init`);
* ``spec.stax()``: the neural-tangents ``(init_fn, apply_fn, kernel_fn)`` of the
  same network, same parameterization and variances, whose ``kernel_fn`` is the
  infinite-width NNGP/NTK;
* ``spec.stax_params(variables)``: the Flax variables in the layout of
  ``stax()[1]``, so that the two forward passes can be checked to agree.

neural-tangents is not a dependency: ``spec.stax()`` imports it, and raises an
``ImportError`` where it cannot be imported (neural-tangents 0.6.5 needs JAX < 0.6).
``make references`` builds an environment that has it, and there
``references/neural_tangents_fixtures.py`` writes the values the tests compare against.

Layers follow neural-tangents' ``stax.Dense``. Under the NTK parameterization
(Jacot et al. 2018, arXiv:1806.07572, p. 3)

.. math::

   z^{l} = \frac{\sigma_W}{\sqrt{n_{l-1}}} W^{l} h^{l-1} + \sigma_b b^{l},
   \qquad h^{l} = \phi(z^{l}), \qquad W^{l}_{ij}, b^l_i \text{ of unit variance};

under the standard one (Sohl-Dickstein et al. 2020, arXiv:2001.07301)
:math:`z^{l} = W^{l} h^{l-1} + b^{l}` with
:math:`\mathbb{E}[(W^l_{ij})^2] = \sigma_W^2 / n_{l-1}`, :math:`b^l_i \sim N(0, \sigma_b^2)`.
Weights are Gaussian or (delta-)orthogonal with that same second moment per
weight; biases are always Gaussian. ``depth`` counts hidden layers.

**Deep networks compile once.** Unrolled (the default), a network of ``L`` hidden layers
is ``L`` traced layers, with parameters ``hidden_0 … hidden_{L-1}`` (``conv_0 …`` for a
CNN), and XLA's compile time grows with ``L``. With ``scan=True`` the hidden layers of
equal shape, 1 to ``L - 1``, are one ``jax.lax.scan`` over stacked parameters
(``hidden``: ``kernel`` (L-1, n, n), ``bias`` (L-1, n); ``conv``: (L-1, k, k, c, c)),
while layer 0 (input to width) and the readout stay apart. The function is the same, and
``spec.initialize(key, x)`` draws the same parameters as the unrolled network from the
same key (it stacks the unrolled draw, :func:`stack_layers`), so a scan spec only changes
the compiled program. Code that reads parameters by layer name takes
``spec.unstack_layers(variables)`` and ``spec.unrolled()``; scan is opt-in and is used
where deep networks are trained (``bench/scan_compile.py`` measures the compile times).

Example:

>>> import jax
>>> from orthontk_lib.models import FCN
>>> spec = FCN(depth=2, width=64, activation="erf", init="orthogonal")
>>> x = jax.random.normal(jax.random.key(0), (5, 10))
>>> variables = spec.initialize(jax.random.key(1), x)
>>> spec.module().apply(variables, x).shape  # (5, 1) outputs
(5, 1)
"""

import dataclasses
import math
import warnings

import flax.linen as nn
import jax
import jax.numpy as jnp

from orthontk_lib import activations
from orthontk_lib import init as _init

__all__ = ["FCN", "CNN", "ACTIVATIONS", "activation_fn", "Dense", "Conv", "stack_layers", "unstack_layers"]

ACTIVATIONS = activations.NAMES
"""Activation names a spec accepts: the keys of :data:`orthontk_lib.activations.TABLE` (``xtanh`` is x*tanh(x),
``x2tanh`` is x^2*tanh(x), ``elu`` is ELU with α = 1)."""

NUMERICAL_DEG = 25
"""Gauss-Hermite degree of nt's quadrature kernels (tanh, sigmoid, ...), per dimension."""

INITS = ("gaussian", "orthogonal")
"""A spec's ``init``, and the order every chapter's arrays index the two inits in: the Gaussian baseline first."""
PARAMETERIZATIONS = ("ntk", "standard")
FILTERS = ("full", "delta")
COMPUTE_DTYPES = ("float32", "bfloat16")
"""A spec's ``compute_dtype``: parameters are float32 either way; ``"bfloat16"`` casts activations and matmul
inputs (a layer's input, kernel and bias) to bf16 and the output back to float32, for training throughput on
tensor cores. The default ``"float32"`` casts nothing.

A bf16 spec's empirical NTK (:func:`orthontk_lib.kernels.empirical_ntk`) is the float32 network's kernel: the
layer-wise Gram form runs the spec's module with ``compute_dtype="float32"`` on the same parameters (identical to the
float32 spec's; the Jacobian of the bf16 network itself, ``kernels.jacobian_ntk``, differs by about 2e-3 relative
at width 64)."""


# ACTIVATIONS


def activation_fn(name):
    """The elementwise function ``phi`` called ``name`` on JAX arrays (see :data:`ACTIVATIONS`)."""
    _check_choice("activation", name, ACTIVATIONS)
    return activations.TABLE[name].jax


def _stax_activation(name):
    """The neural-tangents layer of ``phi``: the table's closed-form ``stax`` layer where it names one, else
    quadrature."""
    stax = _neural_tangents_stax()
    layer = activations.TABLE[name].stax
    if layer is not None:
        return getattr(stax, layer)()
    with warnings.catch_warnings():  # nt warns on every numerical layer it builds
        warnings.filterwarnings("ignore", message="(Numerical Activation Layer|Using JAX autodiff)")
        return stax.ElementwiseNumerical(activation_fn(name), deg=NUMERICAL_DEG)


def _neural_tangents_stax():
    """neural-tangents' ``stax`` module, or one ``ImportError`` that says where neural-tangents is kept."""
    try:
        from neural_tangents import stax
    except ImportError as e:
        raise ImportError(
            f"spec.stax() needs neural-tangents, which cannot be imported in this environment ({e}). "
            "neural-tangents 0.6.5 needs JAX < 0.6, so it is kept outside the main environment: "
            "`make references` builds .venv-references, which has it."
        ) from e
    return stax


# LAYERS


class Dense(nn.Module):
    r"""Affine layer z = (W_std / sqrt(n_in)) W x + b_std b (ntk), or z = W x + b (standard).

    Params ``kernel`` (n_in, features) and ``bias`` (features,), as ``stax.Dense``, stored in float32;
    ``dtype`` is the compute dtype (``"bfloat16"``: inputs, parameters and output cast to it).

    For :mod:`orthontk_lib.kernels`, the layer exposes its input and output the way Flax provides:
    ``self.sow("intermediates", "input", x)`` stores the input x (N, n_in) when ``apply`` is called with
    ``mutable="intermediates"``, and ``self.perturb("z", z)`` adds ``variables["perturbations"][name]["z"]``
    (N, features) to the output z when that collection is passed, so that the gradient with respect to it is
    ∂f/∂z. Neither does anything otherwise (``spec.initialize`` returns ``params`` only): plain ``apply`` and
    training compute what they would without them.
    """

    features: int
    W_std: float = 1.0
    b_std: float = 0.0
    init: str = "gaussian"
    parameterization: str = "ntk"
    dtype: str = "float32"

    @nn.compact
    def __call__(self, x):
        n_in = x.shape[-1]
        shape = (n_in, self.features)
        ntk = self.parameterization == "ntk"
        variance = 1.0 if ntk else self.W_std**2 / n_in
        kernel = self.param("kernel", _weight_init(self.init, shape, variance), shape)
        bias = self.param("bias", nn.initializers.normal(1.0 if ntk else self.b_std), (self.features,))
        self.sow("intermediates", "input", x)
        x, kernel, bias = _cast(self.dtype, x, kernel, bias)
        return self.perturb("z", _affine(x @ kernel, bias, n_in, self.W_std, self.b_std, ntk))


class Conv(nn.Module):
    r"""2-D convolution, 'SAME' padding, stride 1; scaled like :class:`Dense` with n_in = k^2 c_in.

    The kernel follows :mod:`orthontk_lib.init`'s fan convention (n_in = k^2 c_in, n_out = c_out).
    ``filter="full"``: every tap is drawn; an orthogonal kernel is Haar-orthogonal
    as a ``(k^2 c_in, c_out)`` matrix, with the per-weight variance of the Gaussian one.
    ``filter="delta"``: only the centre tap ``((k-1)//2, (k-1)//2)`` is drawn
    (:func:`orthontk_lib.init.centre_tap`, the tap that maps each pixel to itself under
    :func:`conv_same`'s padding, for odd and even ``k``): delta-orthogonal for
    ``init="orthogonal"`` (Xiao et al. 2018; needs ``c_in <= c_out``), a Gaussian centre
    otherwise, with ``k^2`` times the per-weight variance, so every choice gives
    pre-activations of the same variance. Params ``kernel`` (k, k, c_in, features) and
    ``bias`` (features,).

    As :class:`Dense`, it sows its input x (N, H, W, c_in) as ``intermediates[name]["input"]`` (the k x k
    patches are taken from it where needed) and perturbs its output z (N, H, W, features) by
    ``perturbations[name]["z"]``; both only when those collections are asked for.
    """

    features: int
    kernel_size: int = 3
    W_std: float = 1.0
    b_std: float = 0.0
    init: str = "gaussian"
    parameterization: str = "ntk"
    filter: str = "full"
    dtype: str = "float32"  # compute dtype, as Dense's

    @nn.compact
    def __call__(self, x):
        k, c_in = self.kernel_size, x.shape[-1]
        shape = (k, k, c_in, self.features)
        fan_in = k * k * c_in
        ntk = self.parameterization == "ntk"
        variance = 1.0 if ntk else self.W_std**2 / fan_in
        kernel = self.param("kernel", _conv_init(self.init, self.filter, shape, variance), shape)
        bias = self.param("bias", nn.initializers.normal(1.0 if ntk else self.b_std), (self.features,))
        self.sow("intermediates", "input", x)
        x, kernel, bias = _cast(self.dtype, x, kernel, bias)
        return self.perturb("z", _affine(conv_same(x, kernel), bias, fan_in, self.W_std, self.b_std, ntk))


def conv_same(x, kernel):
    r"""Stride-1 'SAME' convolution of ``x`` (N, H, W, C_in) with ``kernel`` (k, k, C_in, C_out).

    Computed as :math:`z = \sum_{i,j} \mathrm{shift}_{ij}(x)\, K_{ij}`, a sum of
    :math:`k^2` matmuls of shifted (zero-padded) inputs: the same numbers as
    ``jax.lax.conv_general_dilated(x, kernel, (1, 1), "SAME")`` up to rounding, but
    XLA's CPU convolution runs about 5x slower inside a ``lax.scan`` (a training loop)
    than outside it, while matmuls do not: in a training loop this is about 5x faster,
    as a single call about 2x slower (``bench/conv_impl.py``).
    """
    k_h, k_w = kernel.shape[:2]
    h, w = x.shape[1:3]
    pad = [(0, 0), ((k_h - 1) // 2, k_h // 2), ((k_w - 1) // 2, k_w // 2), (0, 0)]
    xp = jnp.pad(x, pad)
    return sum(xp[:, i : i + h, j : j + w, :] @ kernel[i, j] for i in range(k_h) for j in range(k_w))


# SPECS


@dataclasses.dataclass(frozen=True)
class FCN:
    r"""Fully connected network: ``depth`` hidden layers of ``width`` units, then a readout.

    .. math::

       f(x) = \psi\big(z^{L+1}(x)\big), \quad z^{L+1} \text{ the readout of } h^L,

    where :math:`\psi` is ``output_activation`` (``"linear"``: none; a non-linear
    one makes the output layer non-linear, as in Liu, Zhu, Belkin 2020).
    """

    depth: int = 1  # number of hidden layers L >= 1
    width: int = 512  # units per hidden layer
    activation: str = "relu"  # phi, one of ACTIVATIONS
    W_std: float = 1.0  # sigma_W (a standard deviation)
    b_std: float = 0.0  # sigma_b (a standard deviation)
    init: str = "gaussian"  # "gaussian" or "orthogonal"
    parameterization: str = "ntk"  # "ntk" or "standard"
    out_dim: int = 1  # output units K
    output_activation: str = "linear"  # psi applied to the readout
    bottleneck: int = 0  # units of the middle hidden layer (index depth // 2, needs depth >= 3); 0: as wide as the rest
    scan: bool = False  # hidden layers 1..L-1 as one lax.scan over stacked parameters (see stack_layers)
    compute_dtype: str = "float32"  # "bfloat16": activations and matmul inputs in bf16, parameters float32

    def __post_init__(self):
        _check_common(self)
        _check_positive_int("width", self.width)
        if self.bottleneck:
            _check_positive_int("bottleneck", self.bottleneck)
            if self.depth < 3:
                raise ValueError(f"bottleneck: a narrow layer inside the network needs depth >= 3, got {self.depth}")
            if self.scan:
                raise ValueError("scan: a bottleneck makes the hidden layers unequal; scan needs them all of one width")

    @property
    def widths(self):
        """Units per hidden layer: ``width`` everywhere, ``bottleneck`` at layer ``depth // 2`` if given.

        >>> FCN(depth=3, width=64, bottleneck=4).widths
        (64, 4, 64)
        """
        return tuple(self.bottleneck if self.bottleneck and l == self.depth // 2 else self.width
                     for l in range(self.depth))

    def module(self):
        """The ``flax.linen.Module`` of this network; input (N, d), output (N, out_dim)."""
        return _FCNScanModule(self) if self.scan else _FCNModule(self)

    def initialize(self, key, x):
        """Variables ``{"params": ...}`` for ``self.module().apply``; ``x`` is (N, d).

        With ``scan=True`` these are the unrolled network's variables, drawn from the same ``key``, stacked by
        :meth:`stack_layers`: every layer's draw is the unrolled network's, whatever the depth.
        """
        return _initialize(self, key, x)

    def layers(self):
        """Names of the unrolled network's affine layers in order: ``hidden_0 … hidden_{L-1}, readout``."""
        return [f"hidden_{l}" for l in range(self.depth)] + ["readout"]

    def unrolled(self):
        """This network with ``scan=False``: the same function, parameters read by layer name."""
        return dataclasses.replace(self, scan=False)

    def stack_layers(self, variables):
        """The unrolled network's ``variables`` in this (``scan=True``) network's layout; see :func:`stack_layers`."""
        return stack_layers(variables, "hidden", self.depth)

    def unstack_layers(self, variables):
        """Inverse of :meth:`stack_layers`: a ``scan=True`` network's variables by layer name."""
        return unstack_layers(variables, "hidden", self.depth)

    def stax(self):
        """neural-tangents ``(init_fn, apply_fn, kernel_fn)`` of the same network.

        Raises:
          ImportError: where neural-tangents cannot be imported.
        """
        stax = _neural_tangents_stax()

        dense = lambda n: stax.Dense(n, self.W_std, self.b_std, parameterization=self.parameterization)
        layers = [layer for n in self.widths for layer in (dense(n), _stax_activation(self.activation))]
        layers += [dense(self.out_dim)] + _stax_output(self.output_activation)
        return stax.serial(*layers)

    def stax_params(self, variables):
        """The Flax ``variables`` in the parameter layout of ``self.stax()[1]``."""
        p = (self.unstack_layers(variables) if self.scan else variables)["params"]
        affine = lambda name: (p[name]["kernel"], p[name]["bias"][None, :])
        out = []
        for name in self.layers()[:-1]:
            out += [affine(name), ()]
        out.append(affine("readout"))
        return out + [()] * len(_stax_output_names(self.output_activation))


@dataclasses.dataclass(frozen=True)
class CNN:
    r"""Convolutional network: ``depth`` conv layers (k x k, 'SAME'), flatten, dense readout.

    ``filter="full"`` draws every filter tap (orthogonal: Haar-orthogonal as a
    ``(k^2 c_in, c_out)`` matrix); ``filter="delta"`` draws only the centre tap
    ``((k-1)//2, (k-1)//2)``, which maps each pixel to itself (with ``init="orthogonal"``
    the delta-orthogonal kernels of Xiao et al. 2018).
    The readout is a dense layer of the same ``init``.

    .. note:: ``stax()`` is the infinite-width network of *Gaussian* weights over the
       whole filter. Its ``apply_fn`` computes this network for any parameters
       (a delta kernel is a full one with zeros off the centre), but its
       ``kernel_fn`` is the limit of ``filter="full"`` only: a delta kernel's
       forward pass does not mix neighbouring pixels, so its NNGP and NTK differ.
    """

    depth: int = 1  # number of conv layers L >= 1
    channels: int = 64  # channels per conv layer
    kernel_size: int = 3  # k, filters are k x k
    activation: str = "relu"
    W_std: float = 1.0
    b_std: float = 0.0
    init: str = "gaussian"
    parameterization: str = "ntk"
    out_dim: int = 1
    output_activation: str = "linear"
    filter: str = "full"  # "full" or "delta" (centre tap only)
    scan: bool = False  # conv layers 1..L-1 as one lax.scan over stacked parameters (see stack_layers)
    compute_dtype: str = "float32"  # "bfloat16": activations and matmul inputs in bf16, parameters float32

    def __post_init__(self):
        _check_common(self)
        _check_positive_int("channels", self.channels)
        _check_positive_int("kernel_size", self.kernel_size)
        _check_choice("filter", self.filter, FILTERS)

    def module(self):
        """The ``flax.linen.Module``; input (N, H, W, C), output (N, out_dim)."""
        return _CNNScanModule(self) if self.scan else _CNNModule(self)

    def initialize(self, key, x):
        """Variables ``{"params": ...}`` for ``self.module().apply``; ``x`` is (N, H, W, C).

        With ``scan=True``: the unrolled network's variables from the same ``key``, stacked (:meth:`stack_layers`).
        """
        return _initialize(self, key, x)

    def unrolled(self):
        """This network with ``scan=False``: the same function, parameters read by layer name."""
        return dataclasses.replace(self, scan=False)

    def stack_layers(self, variables):
        """The unrolled network's ``variables`` in this (``scan=True``) network's layout; see :func:`stack_layers`."""
        return stack_layers(variables, "conv", self.depth)

    def unstack_layers(self, variables):
        """Inverse of :meth:`stack_layers`: a ``scan=True`` network's variables by layer name."""
        return unstack_layers(variables, "conv", self.depth)

    def stax(self):
        """neural-tangents ``(init_fn, apply_fn, kernel_fn)`` of the Gaussian network.

        Raises:
          ImportError: where neural-tangents cannot be imported.
        """
        stax = _neural_tangents_stax()

        k = (self.kernel_size, self.kernel_size)
        conv = stax.Conv(
            self.channels, k, padding="SAME", W_std=self.W_std, b_std=self.b_std, parameterization=self.parameterization
        )
        layers = [conv, _stax_activation(self.activation)] * self.depth
        layers += [
            stax.Flatten(),
            stax.Dense(self.out_dim, self.W_std, self.b_std, parameterization=self.parameterization),
        ]
        return stax.serial(*(layers + _stax_output(self.output_activation)))

    def stax_params(self, variables):
        """The Flax ``variables`` in the parameter layout of ``self.stax()[1]``."""
        p = (self.unstack_layers(variables) if self.scan else variables)["params"]
        out = []
        for l in range(self.depth):
            out += [(p[f"conv_{l}"]["kernel"], p[f"conv_{l}"]["bias"].reshape(1, 1, 1, -1)), ()]
        out += [(), (p["readout"]["kernel"], p["readout"]["bias"][None, :])]
        return out + [()] * len(_stax_output_names(self.output_activation))


def canonical(spec):
    """``spec`` with the fields that only say how parameters are drawn reset to their defaults.

    Given its parameters, a network computes the same function (hence has the same
    NTK and the same gradients) whatever ``init`` or ``filter`` drew them, so
    compiled programs keyed on ``canonical(spec)`` are shared by all inits. Under the
    standard parameterization ``W_std`` and ``b_std`` only scale the initial draw, so
    they are reset too (all init scales share one program).

    >>> canonical(FCN(init="orthogonal")) == FCN()
    True
    >>> canonical(FCN(W_std=0.01, b_std=0.01, parameterization="standard")) == FCN(parameterization="standard")
    True
    """
    reset = {"init": "gaussian", **({"filter": "full"} if isinstance(spec, CNN) else {})}
    if spec.parameterization == "standard":
        reset.update(W_std=1.0, b_std=0.0)
    return dataclasses.replace(spec, **reset)


# MODULES


class _FCNModule(nn.Module):
    """Flax module of an :class:`FCN` spec."""

    spec: FCN

    @nn.compact
    def __call__(self, x):
        s = self.spec
        phi = activation_fn(s.activation)
        h = x
        for name, n in zip(s.layers()[:-1], s.widths):
            h = phi(Dense(n, s.W_std, s.b_std, s.init, s.parameterization, dtype=s.compute_dtype, name=name)(h))
        z = Dense(s.out_dim, s.W_std, s.b_std, s.init, s.parameterization, dtype=s.compute_dtype, name="readout")(h)
        return _output(s, z)


class _CNNModule(nn.Module):
    """Flax module of a :class:`CNN` spec."""

    spec: CNN

    @nn.compact
    def __call__(self, x):
        s = self.spec
        phi = activation_fn(s.activation)
        h = x
        for l in range(s.depth):
            conv = Conv(s.channels, s.kernel_size, s.W_std, s.b_std, s.init, s.parameterization, s.filter,
                        s.compute_dtype, name=f"conv_{l}")
            h = phi(conv(h))
        h = h.reshape(h.shape[0], -1)
        z = Dense(s.out_dim, s.W_std, s.b_std, s.init, s.parameterization, dtype=s.compute_dtype, name="readout")(h)
        return _output(s, z)


class _FCNScanModule(nn.Module):
    """Flax module of an :class:`FCN` spec with ``scan=True``: ``hidden_0``, the stack ``hidden``, ``readout``."""

    spec: FCN

    @nn.compact
    def __call__(self, x):
        s = self.spec
        first = Dense(s.width, s.W_std, s.b_std, s.init, s.parameterization, dtype=s.compute_dtype, name="hidden_0")
        h = activation_fn(s.activation)(first(x))
        if s.depth > 1:
            h = _HiddenStack(s, name="hidden")(h)
        z = Dense(s.out_dim, s.W_std, s.b_std, s.init, s.parameterization, dtype=s.compute_dtype, name="readout")(h)
        return _output(s, z)


class _CNNScanModule(nn.Module):
    """Flax module of a :class:`CNN` spec with ``scan=True``: ``conv_0``, the stack ``conv``, ``readout``."""

    spec: CNN

    @nn.compact
    def __call__(self, x):
        s = self.spec
        conv = Conv(s.channels, s.kernel_size, s.W_std, s.b_std, s.init, s.parameterization, s.filter, s.compute_dtype,
                    name="conv_0")
        h = activation_fn(s.activation)(conv(x))
        if s.depth > 1:
            h = _HiddenStack(s, name="conv")(h)
        h = h.reshape(h.shape[0], -1)
        z = Dense(s.out_dim, s.W_std, s.b_std, s.init, s.parameterization, dtype=s.compute_dtype, name="readout")(h)
        return _output(s, z)


class _HiddenStack(nn.Module):
    r"""Layers 1..L-1 of a spec (all of one shape) as one ``jax.lax.scan`` over stacked parameters.

    Params ``kernel`` (L-1, n, n) (FCN) or (L-1, k, k, c, c) (CNN), and ``bias`` (L-1, n). Each step computes
    what :class:`Dense` or :class:`Conv` computes, then ``phi``: one traced layer whatever the depth. This module's
    own initializer draws layer ``l`` from ``split(key, L-1)[l - 1]`` (the right distribution, other keys than the
    unrolled network's); ``spec.initialize`` stacks the unrolled network's draws instead.
    """

    spec: object  # an FCN or a CNN with scan=True

    @nn.compact
    def __call__(self, h):
        s, n = self.spec, self.spec.depth - 1
        ntk = s.parameterization == "ntk"
        if isinstance(s, FCN):
            shape, features, op = (s.width, s.width), s.width, jnp.matmul
        else:
            shape, features, op = (s.kernel_size, s.kernel_size, s.channels, s.channels), s.channels, conv_same
        fan_in = math.prod(shape[:-1])
        variance = 1.0 if ntk else s.W_std**2 / fan_in
        w_init = _weight_init(s.init, shape, variance) if isinstance(s, FCN) else _conv_init(s.init, s.filter, shape,
                                                                                            variance)
        kernel = self.param("kernel", _stacked(w_init, n), (n,) + shape)
        bias = self.param("bias", _stacked(nn.initializers.normal(1.0 if ntk else s.b_std), n), (n, features))
        phi = activation_fn(s.activation)
        h, kernel, bias = _cast(s.compute_dtype, h, kernel, bias)  # one cast of the whole stack, outside the loop

        def layer(h, weights):
            W, b = weights
            return phi(_affine(op(h, W), b, fan_in, s.W_std, s.b_std, ntk)), None

        return jax.lax.scan(layer, h, (kernel, bias))[0]


# LAYER STACKS


def stack_layers(variables, prefix, depth):
    r"""Variables of an unrolled network with layers ``<prefix>_1 … <prefix>_{depth-1}`` stacked as ``<prefix>``.

    ``{"params": {"hidden_0": p0, "hidden_1": p1, …, "readout": r}}`` becomes
    ``{"params": {"hidden_0": p0, "hidden": stack(p1 … p_{L-1}), "readout": r}}``, each leaf of the stack of shape
    (depth - 1, ...) with ``stack[l - 1]`` the layer ``l``'s; depth 1 leaves the variables as they are. Layer 0
    (input to width) and the readout stay apart: their shapes differ from the rest.
    """
    params = dict(variables["params"])
    if depth > 1:
        layers = [params.pop(f"{prefix}_{l}") for l in range(1, depth)]
        params[prefix] = jax.tree.map(lambda *leaves: jnp.stack(leaves), *layers)
    return {**variables, "params": params}


def unstack_layers(variables, prefix, depth):
    """Inverse of :func:`stack_layers`: the stack ``<prefix>`` back as layers ``<prefix>_1 … <prefix>_{depth-1}``."""
    params = dict(variables["params"])
    if depth > 1:
        stack = params.pop(prefix)
        params.update({f"{prefix}_{l}": jax.tree.map(lambda a, l=l: a[l - 1], stack) for l in range(1, depth)})
    return {**variables, "params": params}


# INTERNAL UTILITIES


def _initialize(spec, key, x):
    """``{"params": ...}`` of ``spec.module().init(key, x)``; for a scan spec, the unrolled network's draw, stacked.

    Only ``params`` is mutable: ``init``'s default would also create the layers' zero ``perturbations``.
    """
    if spec.scan:
        return spec.stack_layers(spec.unrolled().module().init(key, x, mutable="params"))
    return spec.module().init(key, x, mutable="params")


def _cast(dtype, *arrays):
    """``arrays`` in the compute ``dtype``; as they are for ``"float32"`` (float64 inputs stay float64)."""
    if dtype == "float32":
        return arrays
    return tuple(a.astype(dtype) for a in arrays)


def _output(spec, z):
    """The network's output ``psi(z)``, in float32 when computed in a lower ``compute_dtype``."""
    out = activation_fn(spec.output_activation)(z)
    return out if spec.compute_dtype == "float32" else out.astype(jnp.float32)


def _affine(z, bias, fan_in, W_std, b_std, ntk):
    """The affine layer's output from ``z = x W`` (or the convolution): scaled and shifted per parameterization."""
    if ntk:
        return W_std / math.sqrt(fan_in) * z + b_std * bias
    return z + bias


def _stacked(init, n):
    """An initializer of shape (n, *shape) drawing ``init`` for each of the n layers from its own split key."""

    def init_fn(key, shape, dtype=jnp.float32):
        return jax.vmap(lambda k: init(k, shape[1:], dtype))(jax.random.split(key, n))

    return init_fn


def _conv_init(init, filter, shape, variance):
    """A conv kernel's initializer: delta (centre tap, ``k^2`` times the variance) or full."""
    if filter == "delta":
        return _delta_init(init, shape, variance * shape[0] * shape[1])  # (k, k, c_in, c_out); the unrolled order
    return _weight_init(init, shape, variance)


def _delta_init(init, shape, variance):
    """A kernel that is zero off the centre tap, whose centre has per-weight second moment ``variance``.

    Both inits fill the same tap, ``init.centre_tap(shape)``; the scale is the ``(c_in, c_out)`` centre matrix's.
    """
    c_in, c_out = shape[-2:]
    scale = _init.matched_scale((c_in, c_out), variance)
    if init == "orthogonal":
        if c_in > c_out:
            raise ValueError(f"channels: delta-orthogonal kernels need c_in <= c_out, got {c_in} > {c_out}")
        return _init.delta_orthogonal(scale)  # fills init.centre_tap(shape), as below
    centre = _init.gaussian(scale)

    def init_fn(key, shape, dtype=jnp.float32):
        return jnp.zeros(shape, dtype).at[_init.centre_tap(shape)].set(centre(key, shape[-2:], dtype))

    return init_fn


def _weight_init(init, shape, variance):
    """Orthogonal or Gaussian initializer with per-weight second moment ``variance`` (``init``'s fan convention)."""
    scale = _init.matched_scale(shape, variance)
    return _init.orthogonal(scale) if init == "orthogonal" else _init.gaussian(scale)


def _stax_output_names(name):
    return [] if name == "linear" else [name]


def _stax_output(name):
    return [_stax_activation(n) for n in _stax_output_names(name)]


def _check_common(spec):
    _check_positive_int("depth", spec.depth)
    _check_positive_int("out_dim", spec.out_dim)
    _check_choice("activation", spec.activation, ACTIVATIONS)
    _check_choice("output_activation", spec.output_activation, ACTIVATIONS)
    _check_choice("init", spec.init, INITS)
    _check_choice("parameterization", spec.parameterization, PARAMETERIZATIONS)
    if not isinstance(spec.scan, bool):
        raise ValueError(f"scan: must be True or False, got {spec.scan!r}")
    _check_choice("compute_dtype", spec.compute_dtype, COMPUTE_DTYPES)
    for name in ("W_std", "b_std"):
        value = getattr(spec, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise ValueError(f"{name}: must be a number >= 0, got {value!r}")


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}: must be an integer >= 1, got {value!r}")


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name}: must be one of {', '.join(choices)}; got {value!r}")
