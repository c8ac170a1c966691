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
import optax

from orthontk_lib.models import canonical

__all__ = ["output_fn", "hvp", "hessian_norm", "gradient_norm", "TOLERANCE", "MAX_ITER"]


def output_fn(spec, x):
    """``params -> f(params; x)``, the first output unit at one input ``x`` (unbatched), a scalar."""
    return lambda params: spec.module().apply({"params": params}, x[None])[0, 0]


def hvp(spec, params, x, v):
    """The Hessian-vector product :math:`H v` of :func:`output_fn` (a pytree like ``params``)."""
    return jax.jvp(jax.grad(output_fn(spec, x)), (params,), (v,))[1]


TOLERANCE = 1e-5
"""The default stopping rule of :func:`hessian_norm`: the relative change of its estimate from one step to the next."""

MAX_ITER = 1000
"""The default most power-iteration steps of :func:`hessian_norm`."""


def hessian_norm(spec, variables, x, key, max_iter=MAX_ITER, tol=TOLERANCE, *, with_iterations=False):
    r"""Spectral norm :math:`\lVert \nabla^2_\theta f(\theta; x) \rVert_2` by power iteration to a tolerance.

    Power iteration on the symmetric :math:`H`: :math:`v_{k+1} = H v_k / \lVert H v_k \rVert` from a random unit
    :math:`v_0`. The estimate after :math:`k` steps is :math:`\lVert H v_k \rVert = (v_k^\top H^2 v_k)^{1/2}`, the
    root of the Rayleigh quotient of :math:`H^2`: it never decreases, never exceeds the true norm, and is right
    whatever the signs of the two largest eigenvalues (the Rayleigh quotient of :math:`H` itself oscillates where
    :math:`\lambda_2 \approx -\lambda_1`). Iteration stops after the first step whose relative change of the
    estimate is below ``tol``, or after ``max_iter`` steps. Its error then is about ``tol`` :math:`\cdot
    \rho/(1-\rho)`, :math:`\rho = (\lambda_2/\lambda_1)^2` (e.g. 5.5 ``tol`` at :math:`|\lambda_2/\lambda_1|` =
    0.92), unless the start has almost no component along the top eigenvector (a plateau can end the iteration
    early; the random start makes that unlikely). ``tol=0`` runs exactly ``max_iter`` steps (the fixed count of
    earlier versions). Each step is one Hessian-vector product; the estimate costs one more. The steps are a
    ``lax.scan`` of ``max_iter`` that stops computing once done: under ``jax.vmap`` (where the stop becomes a select)
    every network pays all ``max_iter`` products, though each keeps the estimate and count of its own stop.

    Args:
      spec: the network spec (its output unit 0 is differentiated).
      variables: ``spec.initialize(...)`` or trained variables.
      x: one input, unbatched (d,) or (H, W, C).
      key: PRNG key of the random starting vector.
      max_iter: the most steps, >= 1 (an int, not traced).
      tol: the stopping rule's relative change, >= 0 (a float, not traced).
      with_iterations: also return the steps taken.

    Returns:
      A scalar (float32), in units of the output per parameter squared; with ``with_iterations``, ``(norm, steps)``,
      ``steps`` an int32 scalar in [1, ``max_iter``] (``max_iter``: the tolerance was not reached). NaN where the
      network's output or its derivatives are not finite at ``x``; 0 where the Hessian is 0.

    Raises:
      ValueError: for ``max_iter`` < 1 or ``tol`` < 0 (or not finite).
    """
    if int(max_iter) != max_iter or max_iter < 1:
        raise ValueError(f"max_iter: must be an int >= 1, got {max_iter!r}")
    if not (tol >= 0 and tol < float("inf")):
        raise ValueError(f"tol: must be finite and >= 0, got {tol!r}")
    norm, steps = _power_iteration(canonical(spec), int(max_iter), float(tol))(variables["params"], x, key)
    return (norm, steps) if with_iterations else norm


def gradient_norm(spec, variables, x):
    r""":math:`\lVert \nabla_\theta f(\theta; x) \rVert_2` at one input."""
    g = jax.grad(output_fn(spec, x))(variables["params"])
    return optax.tree_utils.tree_l2_norm(g)


@functools.lru_cache(maxsize=32)
def _power_iteration(spec, max_iter, tol):
    def run(params, x, key):
        leaves, tree = jax.tree.flatten(params)
        keys = jax.random.split(key, len(leaves))
        v = tree.unflatten([jax.random.normal(k, l.shape, l.dtype) for k, l in zip(keys, leaves)])
        norm = optax.tree_utils.tree_l2_norm
        scale = lambda t, c: optax.tree_utils.tree_scalar_mul(c, t)
        hv = hvp(spec, params, x, scale(v, 1 / norm(v)))
        est = norm(hv)

        def advance(state):
            hv, est, _, i = state
            new = hvp(spec, params, x, scale(hv, 1 / jnp.where(est > 0, est, 1.0)))
            new_est = norm(new)
            change = jnp.abs(new_est - est) / jnp.where(new_est > 0, new_est, 1.0)
            return new, new_est, (i + 1 < max_iter) & (change >= tol), i + 1  # a NaN change stops it

        # A scan of max_iter steps that stop computing once done (lax.cond), not a while_loop: JAX 0.5.3 on a CPU
        # runs a while_loop with this body zero times when its program is loaded from the persistent compilation
        # cache (tests/test_hessian.py holds a reloaded program to the fresh one).
        state = (hv, est, jnp.array(True), jnp.array(0, jnp.int32))
        state, _ = jax.lax.scan(lambda s, _: (jax.lax.cond(s[2], advance, lambda s: s, s), None), state, None,
                                length=max_iter)
        _, est, _, steps = state
        return est, steps

    return jax.jit(run)
