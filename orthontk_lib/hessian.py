r"""The Hessian of a network's output with respect to its parameters, without forming it.

For a scalar output :math:`f(\theta; x)` (one output unit, one input) the Hessian
:math:`H = \nabla^2_\theta f` has as many rows as the network has parameters, so
it is never built: a Hessian-vector product is a forward-mode derivative of the
gradient (``jax.jvp`` over ``jax.grad``), and the spectral norm
:math:`\lVert H \rVert_2 = \max_i |\lambda_i(H)|` comes from power iteration on
those products (Liu, Zhu, Belkin 2020 measure exactly this quantity:
:math:`\lVert H \rVert_2 = \tilde O(1/\sqrt{n})` for a linear output layer, while
:math:`\lVert \nabla_\theta f \rVert = \Theta(1)`).

Example:

>>> import jax
>>> from orthontk_lib.models import FCN
>>> spec = FCN(depth=1, width=16, activation="tanh")
>>> x = jax.numpy.ones((1, 3))
>>> v = spec.initialize(jax.random.key(0), x)
>>> float(hessian_norm(spec, v, x[0], jax.random.key(1))) > 0
True
"""

import functools

import jax
import jax.numpy as jnp

from orthontk_lib.models import canonical

__all__ = ["output_fn", "hvp", "hessian_norm", "gradient_norm"]


def output_fn(spec, x):
    """``params -> f(params; x)``, the first output unit at one input ``x`` (unbatched), a scalar."""
    return lambda params: spec.module().apply({"params": params}, x[None])[0, 0]


def hvp(spec, params, x, v):
    """The Hessian-vector product :math:`H v` of :func:`output_fn` (a pytree like ``params``)."""
    return jax.jvp(jax.grad(output_fn(spec, x)), (params,), (v,))[1]


def hessian_norm(spec, variables, x, key, n_iter=50):
    r"""Spectral norm :math:`\lVert \nabla^2_\theta f(\theta; x) \rVert_2` by ``n_iter`` steps of power iteration.

    Power iteration on a symmetric matrix converges to the eigenvalue of largest magnitude;
    the estimate is :math:`\lVert H v_k \rVert` for the last unit iterate :math:`v_k`, which
    never exceeds the true norm.

    Args:
      spec: the network spec (its output unit 0 is differentiated).
      variables: ``spec.initialize(...)`` or trained variables.
      x: one input, unbatched (d,) or (H, W, C).
      key: PRNG key of the random starting vector.

    Returns:
      A scalar.
    """
    return _power_iteration(canonical(spec), n_iter)(variables["params"], x, key)


def gradient_norm(spec, variables, x):
    r""":math:`\lVert \nabla_\theta f(\theta; x) \rVert_2` at one input."""
    g = jax.grad(output_fn(spec, x))(variables["params"])
    return jnp.sqrt(sum(jnp.vdot(l, l) for l in jax.tree.leaves(g)))


@functools.lru_cache(maxsize=32)
def _power_iteration(spec, n_iter):
    def run(params, x, key):
        leaves, tree = jax.tree.flatten(params)
        keys = jax.random.split(key, len(leaves))
        v = tree.unflatten([jax.random.normal(k, l.shape, l.dtype) for k, l in zip(keys, leaves)])
        norm = lambda t: jnp.sqrt(sum(jnp.vdot(l, l) for l in jax.tree.leaves(t)))
        scale = lambda t, c: jax.tree.map(lambda l: l * c, t)
        v = scale(v, 1 / norm(v))

        def step(v, _):
            hv = hvp(spec, params, x, v)
            return scale(hv, 1 / norm(hv)), None

        v, _ = jax.lax.scan(step, v, None, length=n_iter)
        return norm(hvp(spec, params, x, v))

    return jax.jit(run)
