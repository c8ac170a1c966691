r"""Orthogonal and Gaussian weight initializers, Flax-compatible.

Every initializer here has the signature ``(key, shape, dtype) -> Array`` of
``jax.nn.initializers``, so it can be handed to any ``flax.linen`` parameter.

**Fan convention** (one for every weight shape, used by :func:`orthogonal`,
:func:`gaussian` and :func:`matched_scale`): a weight of shape
``(d_1, ..., d_{r-1}, n_out)``, rank ``r >= 2``, is read as the matrix of shape
``(n_in, n_out)`` with

.. math::

   n_{in} = d_1 \cdots d_{r-1}, \qquad n_{out} = d_r, \qquad m = \max(n_{in}, n_{out}),

i.e. the fan-in is every axis but the last (for a conv kernel ``(k, k, c_in, c_out)``,
receptive field times input channels, ``k^2 c_in``), as ``jax.nn.initializers.orthogonal``
with ``column_axis=-1`` flattens it and as Xiao et al. (2018) and Huang, Du and Xu
(2021) count it. The scales are *matched*: ``orthogonal(scale)`` and ``gaussian(scale)``
have the same second moment per weight,

.. math::

   \mathbb{E}[W_{ij}^2] = \frac{\text{scale}^2}{m},

so that swapping one for the other changes the *distribution* of a layer but
not the variance of its pre-activations. This is the comparison of Huang, Du
and Xu (2021, arXiv:2004.05867), whose orthogonal NTK-parameterized layers use
``W = sqrt(max(n_in, n_out)) * Q``. A delta (centre-tap-only) kernel is the
``(c_in, c_out)`` matrix at its centre tap: its scale is that matrix's,
``matched_scale((c_in, c_out), variance)``; see :func:`centre_tap`.

Shapes of rank < 2 have no fan-in and fan-out: every function here raises
``ValueError`` for them.

Example:

>>> import jax
>>> from orthontk_lib import init
>>> W = init.orthogonal(2.0)(jax.random.key(0), (8, 4))  # (8, 4)
>>> bool(jax.numpy.allclose(W.T @ W, 4.0 * jax.numpy.eye(4), atol=1e-5))
True
>>> K = init.orthogonal(2.0)(jax.random.key(0), (3, 3, 4, 8))  # (3, 3, 4, 8): n_in = 36, m = 36
>>> round(float((K**2).mean() * 36), 4)  # scale^2
4.0
"""

import math

import jax
import jax.numpy as jnp

__all__ = ["orthogonal", "gaussian", "normal_params", "delta_orthogonal", "matched_scale", "fans", "centre_tap"]


# INITIALIZERS


def orthogonal(scale=1.0):
    r"""Orthogonal init: W = scale * Q, with Q Haar-distributed and Q^T Q = I.

    The weight of shape ``(..., n_out)`` is the ``(n_in, n_out)`` matrix of the module's
    fan convention (every axis but the last flattened into ``n_in``), and its shorter side
    is orthonormal: ``W^T W = scale^2 I`` when ``n_in >= n_out`` and ``W W^T = scale^2 I``
    otherwise, so ``E[W_ij^2] = scale^2 / max(n_in, n_out)`` exactly (this wraps
    ``jax.nn.initializers.orthogonal(column_axis=-1)``).

    Args:
      scale: the multiplier of the Haar-orthogonal matrix ``Q``.

    Returns:
      An initializer ``(key, shape, dtype=None) -> Array`` of the requested shape (``dtype`` None: JAX's default
      float, float32 unless 64-bit mode is on); it raises ``ValueError`` for shapes of rank < 2.

    >>> import jax
    >>> W = orthogonal()(jax.random.key(1), (3, 3))  # (3, 3)
    >>> bool(jax.numpy.allclose(W @ W.T, jax.numpy.eye(3), atol=1e-5))
    True
    """
    draw = jax.nn.initializers.orthogonal(scale=scale, column_axis=-1)

    def init_fn(key, shape, dtype=None):
        fans(shape)  # the rank check, with this module's message
        return draw(key, shape, jax.dtypes.canonicalize_dtype(jnp.float_) if dtype is None else dtype)

    return init_fn


def gaussian(scale=1.0):
    r"""Gaussian init: W_ij ~ N(0, scale^2 / max(n_in, n_out)).

    ``n_in`` is the product of every axis but the last, ``n_out`` the last (the
    module's fan convention), so the variance is the second moment of
    ``orthogonal(scale)``'s entries for every shape, and ``E[W W^T] = scale^2 I`` (the
    Gram matrix of the shorter side of the flattened ``(n_in, n_out)`` matrix) as for
    ``orthogonal(scale)`` exactly.

    Args:
      scale: the matched scale (see the module docstring).

    Returns:
      An initializer ``(key, shape, dtype) -> Array``; it raises ``ValueError`` for
      shapes of rank < 2.

    >>> import jax
    >>> W = gaussian(3.0)(jax.random.key(0), (400, 400))  # (400, 400)
    >>> round(float(W.var() * 400), 1)
    9.0
    """

    def init_fn(key, shape, dtype=jnp.float32):
        m = max(fans(shape))
        return scale / jnp.sqrt(m).astype(dtype) * jax.random.normal(key, shape, dtype)

    return init_fn


def delta_orthogonal(scale=1.0):
    r"""Delta-orthogonal conv init: K[centre] = scale * Q, K = 0 elsewhere.

    Xiao et al. 2018, "Dynamical Isometry and a Mean Field Theory of CNNs"
    (arXiv:1806.05393), Algorithm 2: the kernel of shape
    ``(k_1, ..., k_d, c_in, c_out)`` is zero except at the spatial centre tap
    :func:`centre_tap` (index ``(k_i - 1) // 2`` per spatial axis, the tap that maps
    each pixel to itself under 'SAME' padding, even ``k_i`` included), where it is
    ``orthogonal(scale)`` of shape ``(c_in, c_out)``: orthonormal rows times ``scale``,
    so ``scale`` is that centre matrix's (``matched_scale((c_in, c_out), variance)``).
    This wraps ``jax.nn.initializers.delta_orthogonal``, which uses that tap.

    Args:
      scale: the multiplier of the centre matrix.

    Returns:
      An initializer ``(key, shape, dtype) -> Array`` for rank-3 to rank-5 shapes; it
      raises ``ValueError`` for other ranks and for ``c_in > c_out`` (the original
      construction needs orthonormal rows).

    >>> import jax
    >>> K = delta_orthogonal()(jax.random.key(0), (3, 3, 4, 4))  # (3, 3, 4, 4)
    >>> float(abs(K).sum() - abs(K[1, 1]).sum())
    0.0
    """
    return jax.nn.initializers.delta_orthogonal(scale=scale, column_axis=-1)


def matched_scale(shape, variance):
    r"""The ``scale`` that gives ``orthogonal``/``gaussian`` a per-weight variance.

    .. math:: \text{scale} = \sqrt{\text{variance} \cdot \max(n_{in}, n_{out})}

    with ``n_in, n_out = fans(shape)`` (the module's fan convention). For a delta
    kernel pass the centre matrix's shape ``(c_in, c_out)``.

    Args:
      shape: the weight shape, rank >= 2; ``n_in`` is the product of all axes but the last.
      variance: the wanted second moment per weight.

    Returns:
      A Python float.

    Raises:
      ValueError: if ``shape`` has rank < 2.

    >>> matched_scale((100, 400), 0.25)
    10.0
    >>> matched_scale((3, 3, 4, 8), 1.0)  # n_in = 36 > n_out = 8
    6.0
    """
    return float((variance * max(fans(shape))) ** 0.5)


def fans(shape):
    r"""``(n_in, n_out)`` of a weight shape: the product of all axes but the last, and the last.

    >>> fans((3, 3, 4, 8))
    (36, 8)
    >>> fans((10, 40))
    (10, 40)
    """
    shape = tuple(shape)
    if len(shape) < 2:
        raise ValueError(f"shape: a weight needs rank >= 2 (fan-in axes, then fan-out), got {shape}")
    return math.prod(shape[:-1]), shape[-1]


def centre_tap(shape):
    r"""Index of the centre tap of a kernel ``(k_1, ..., k_d, c_in, c_out)``: ``(k_i - 1) // 2`` per spatial axis.

    This is the tap that maps each pixel to itself under 'SAME' padding, which pads
    ``(k - 1) // 2`` before and ``k // 2`` after (XLA's, and ``models.conv_same``'s),
    and the one ``jax.nn.initializers.delta_orthogonal`` fills; for even ``k`` it is the
    left one of the two middle taps.

    >>> centre_tap((3, 3, 4, 8)), centre_tap((2, 2, 4, 8)), centre_tap((4, 4, 1, 1))
    ((1, 1), (0, 0), (1, 1))
    """
    return tuple((k - 1) // 2 for k in shape[:-2])


def normal_params(spec, keys, x, std):
    r"""Every parameter of the network ``spec`` (weights and biases of every layer, the readout's too) drawn i.i.d.
    from :math:`\mathcal N(0, \mathrm{std}^2)`, whatever the fans: Zhou, Xu et al.'s small initialization (2022, Sec. 5:
    :math:`\mathcal N(0, 0.005^2)`), not a variance-preserving one.

    Args:
      spec: a model of :mod:`orthontk_lib.models` (``spec.initialize(key, x)``).
      keys: (K,) keys, one tree per key.
      x: inputs of the network's shape (its first row is used to trace the parameters' shapes).
      std: the standard deviation, > 0.

    Returns:
      The parameter tree, each leaf of shape ``(K, *shape)``.
    """
    shapes = jax.eval_shape(lambda k: spec.initialize(k, x[:1])["params"], keys[0])
    leaves, tree = jax.tree.flatten(shapes)
    draw = lambda k: jax.tree.unflatten(tree, [std * jax.random.normal(kk, l.shape, l.dtype)
                                               for kk, l in zip(jax.random.split(k, len(leaves)), leaves)])
    return jax.vmap(draw)(keys)
