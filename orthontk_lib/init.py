r"""Orthogonal and Gaussian weight initializers, Flax-compatible.

Every initializer here has the signature ``(key, shape, dtype) -> Array`` of
``jax.nn.initializers``, so it can be handed to any ``flax.linen`` parameter.

The scales are *matched*: for a matrix of shape ``(n_in, n_out)`` and
``m = max(n_in, n_out)``, ``orthogonal(scale)`` and ``gaussian(scale)`` have the
same second moment per weight,

.. math::

   \mathbb{E}[W_{ij}^2] = \frac{\text{scale}^2}{m},

so that swapping one for the other changes the *distribution* of a layer but
not the variance of its pre-activations. This is the comparison of Huang, Du
and Xu (2021, arXiv:2004.05867), whose orthogonal NTK-parameterized layers use
``W = sqrt(max(n_in, n_out)) * Q``.

Example:

>>> import jax
>>> from orthontk_lib import init
>>> W = init.orthogonal(2.0)(jax.random.key(0), (8, 4))  # (8, 4)
>>> bool(jax.numpy.allclose(W.T @ W, 4.0 * jax.numpy.eye(4), atol=1e-5))
True
"""

import jax
import jax.numpy as jnp

__all__ = ["orthogonal", "gaussian", "delta_orthogonal", "matched_scale"]


# INITIALIZERS


def orthogonal(scale=1.0):
    r"""Orthogonal init: W = scale * Q, with Q Haar-distributed and Q^T Q = I.

    For a matrix of shape ``(n_in, n_out)``, the shorter side is orthonormal:
    ``W^T W = scale^2 I`` when ``n_in >= n_out`` and ``W W^T = scale^2 I``
    otherwise. Arrays of rank > 2 are orthogonal between their last axis and the
    flattened others (as ``jax.nn.initializers.orthogonal``, which this wraps).

    Args:
      scale: the multiplier of the Haar-orthogonal matrix ``Q``.

    Returns:
      An initializer ``(key, shape, dtype) -> Array`` of the requested shape.

    >>> import jax
    >>> W = orthogonal()(jax.random.key(1), (3, 3))  # (3, 3)
    >>> bool(jax.numpy.allclose(W @ W.T, jax.numpy.eye(3), atol=1e-5))
    True
    """
    return jax.nn.initializers.orthogonal(scale=scale, column_axis=-1)


def gaussian(scale=1.0):
    r"""Gaussian init: W_ij ~ N(0, scale^2 / max(n_in, n_out)).

    The variance is the one of ``orthogonal(scale)``'s entries, so that
    ``E[W W^T] = scale^2 I`` (the Gram matrix of the shorter side), as for
    ``orthogonal(scale)`` exactly. ``n_in, n_out`` are the last two axes.

    Args:
      scale: the matched scale (see the module docstring).

    Returns:
      An initializer ``(key, shape, dtype) -> Array``.

    >>> import jax
    >>> W = gaussian(3.0)(jax.random.key(0), (400, 400))  # (400, 400)
    >>> round(float(W.var() * 400), 1)
    9.0
    """

    def init_fn(key, shape, dtype=jnp.float32):
        m = max(shape[-2], shape[-1]) if len(shape) >= 2 else shape[-1]
        return scale / jnp.sqrt(m).astype(dtype) * jax.random.normal(key, shape, dtype)

    return init_fn


def delta_orthogonal(scale=1.0):
    r"""Delta-orthogonal conv init: K[centre] = scale * Q, K = 0 elsewhere.

    Xiao et al. 2018, "Dynamical Isometry and a Mean Field Theory of CNNs"
    (arXiv:1806.05393), Algorithm 2: the kernel of shape
    ``(k_1, ..., k_d, c_in, c_out)`` is zero except at the spatial centre, where
    it is a Haar-orthogonal ``(c_in, c_out)`` matrix with orthonormal rows.

    .. note:: Requires ``c_in <= c_out``, as the original construction does.

    Args:
      scale: the multiplier of the centre matrix.

    Returns:
      An initializer ``(key, shape, dtype) -> Array`` for rank-3 to rank-5 shapes.

    >>> import jax
    >>> K = delta_orthogonal()(jax.random.key(0), (3, 3, 4, 4))  # (3, 3, 4, 4)
    >>> float(abs(K).sum() - abs(K[1, 1]).sum())
    0.0
    """
    return jax.nn.initializers.delta_orthogonal(scale=scale, column_axis=-1)


def matched_scale(shape, variance):
    r"""The ``scale`` that gives ``orthogonal``/``gaussian`` a per-weight variance.

    .. math:: \text{scale} = \sqrt{\text{variance} \cdot \max(n_{in}, n_{out})}

    Args:
      shape: the weight shape; its last two axes are ``(n_in, n_out)``.
      variance: the wanted second moment per weight.

    Returns:
      A Python float.

    >>> matched_scale((100, 400), 0.25)
    10.0
    """
    return float((variance * max(shape[-2], shape[-1])) ** 0.5)
