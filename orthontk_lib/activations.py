r"""The activation table: one entry per activation holds everything the library knows about it.

As a layer of neural-tangents' ``stax`` holds both its function and its kernel, an :class:`Activation` holds

* the function on JAX arrays (the networks of :mod:`orthontk_lib.models`);
* the function and its derivative on NumPy float64 arrays (the dual activations of :mod:`orthontk_lib.dual`);
* neural-tangents' layer for it (a closed-form ``stax`` layer by name, else ``stax.ElementwiseNumerical``);
* its dual activation in closed form where one is known: the diagonal maps
  :math:`q \mapsto \mathbb{E}\phi(\sqrt q z)^2, \mathbb{E}\phi'(\sqrt q z)^2` and the bivariate map
  :math:`(q_1, q_2, c) \mapsto (\mathbb{E}\phi(u)\phi(v), \mathbb{E}\phi'(u)\phi'(v))`
  (Cho & Saul 2009 for ReLU's arc-cosine kernel, Williams 1997 for erf's arcsine kernel);
* its multiplicity :math:`p` (Zhou, Xu et al. 2022, Def. 1): :math:`\phi^{(k)}(0) = 0` for :math:`1 \le k < p`
  and :math:`\phi^{(p)}(0) \ne 0`; ``None`` where :math:`\phi` has no derivative at 0 (ReLU), which the theorem
  does not cover;
* a note on what a reader should know (an approximation, a convention at a kink).

The chapters' own tables (the condensation bound 2p, the closed forms the Edge-of-Chaos chapter uses) are read
from :data:`TABLE`; adding an activation is one entry here.
"""

import dataclasses
import functools
import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
from scipy import special

__all__ = ["Activation", "TABLE", "NAMES", "get"]


@dataclasses.dataclass(frozen=True)
class Activation:
    """One activation :math:`\\phi` (see the module docstring for each field's role)."""

    name: str
    jax: Callable  # phi on JAX arrays
    numpy: Callable  # phi on NumPy float64 arrays
    derivative: Callable  # phi' on NumPy float64 arrays
    multiplicity: int | None  # Zhou, Xu et al.'s p; None: no derivative at 0
    stax: str | None = None  # neural-tangents' closed-form layer ("Relu", "Erf", "Identity"); None: quadrature
    diagonal: tuple[Callable, Callable] | None = None  # closed-form (E phi^2, E phi'^2) as functions of q
    bivariate: Callable | None = None  # closed-form (q1, q2, c) -> (E phi(u)phi(v), E phi'(u)phi'(v))
    note: str = ""


def _tanh_prime(x):
    return 1.0 - np.tanh(x) ** 2


def _relu_bivariate(q1, q2, c):
    theta = np.arccos(c)
    return (np.sqrt(q1) * np.sqrt(q2) / (2 * np.pi) * (np.sqrt(1.0 - c * c) + (np.pi - theta) * c),
            (np.pi - theta) / (2 * np.pi))


def _erf_bivariate(q1, q2, c):
    s12 = c * np.sqrt(q1) * np.sqrt(q2)
    a = (1 + 2 * q1) * (1 + 2 * q2)
    det = 1 + 2 * (q1 + q2) + 4 * q1 * q2 * (1 - c) * (1 + c)  # det(I + 2 Sigma), without cancellation at c = 1
    return 2 / np.pi * np.arcsin(2 * s12 / np.sqrt(a)), 4 / np.pi / np.sqrt(det)


def _elu_diagonal(q):
    r"""ELU (:math:`\alpha = 1`): with :math:`\mathbb{E}[e^{a x} 1_{x<0}] = \tfrac12 \mathrm{erfcx}(a\sqrt{q/2})`
    for :math:`x \sim N(0, q)`, :math:`\mathbb{E}\,\mathrm{elu}^2 = q/2 + \tfrac12\mathrm{erfcx}(\sqrt{2q})
    - \mathrm{erfcx}(\sqrt{q/2}) + \tfrac12` and :math:`\mathbb{E}\,\mathrm{elu}'^2 = \tfrac12 +
    \tfrac12\mathrm{erfcx}(\sqrt{2q})`."""
    return (q / 2 + 0.5 * special.erfcx(np.sqrt(2 * q)) - special.erfcx(np.sqrt(q / 2)) + 0.5,
            0.5 + 0.5 * special.erfcx(np.sqrt(2 * q)))


TABLE = {a.name: a for a in (
    Activation("relu", jax.nn.relu, lambda x: np.maximum(x, 0.0), lambda x: (x > 0).astype(np.float64), None,
               stax="Relu", diagonal=(lambda q: q / 2, lambda q: np.full_like(q, 0.5)), bivariate=_relu_bivariate,
               note="the derivative at 0 is taken as 0"),
    Activation("erf", jax.scipy.special.erf, special.erf, lambda x: 2 / math.sqrt(math.pi) * np.exp(-x * x), 1,
               stax="Erf", diagonal=(lambda q: 2 / np.pi * np.arcsin(2 * q / (1 + 2 * q)),
                                     lambda q: 4 / np.pi / np.sqrt(1 + 4 * q)),
               bivariate=_erf_bivariate),
    Activation("tanh", jnp.tanh, np.tanh, _tanh_prime, 1),
    Activation("linear", lambda x: x, lambda x: x, np.ones_like, 1, stax="Identity",
               diagonal=(lambda q: q, np.ones_like),
               bivariate=lambda q1, q2, c: (c * np.sqrt(q1) * np.sqrt(q2), np.ones_like(c))),
    Activation("sigmoid", jax.nn.sigmoid, special.expit, lambda x: special.expit(x) * special.expit(-x), 1),
    Activation("softplus", jax.nn.softplus, lambda x: np.logaddexp(0.0, x), special.expit, 1,
               note="softplus(0) = log 2, not 0: the bias direction carries a constant"),
    Activation("xtanh", lambda x: x * jnp.tanh(x), lambda x: x * np.tanh(x),
               lambda x: np.tanh(x) + x * _tanh_prime(x), 2, note="x·tanh(x): φ''(0) = 2"),
    Activation("x2tanh", lambda x: x**2 * jnp.tanh(x), lambda x: x * x * np.tanh(x),
               lambda x: 2 * x * np.tanh(x) + x * x * _tanh_prime(x), 3, note="x²·tanh(x): φ'''(0) = 6"),
    Activation("elu", jax.nn.elu, lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))),
               lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0.0))), 1,
               diagonal=(lambda q: _elu_diagonal(q)[0], lambda q: _elu_diagonal(q)[1]),
               note="α = 1, as jax.nn.elu; its diagonal maps are closed forms, its bivariate map quadrature"),
    Activation("gelu", functools.partial(jax.nn.gelu, approximate=False), lambda x: x * special.ndtr(x),
               lambda x: special.ndtr(x) + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi), 1, stax="Gelu",
               note="the exact x·Φ(x), as neural-tangents' Gelu kernel; jax.nn.gelu's default is the tanh "
                    "approximation (up to 5e-4 apart), which that kernel does not describe"),
)}
"""Every activation the library accepts, by name (see :class:`Activation`)."""

NAMES = tuple(TABLE)
"""The names of :data:`TABLE`, in its order."""


def get(name, what="activation"):
    """The :class:`Activation` called ``name``.

    Raises:
      ValueError: naming ``what`` and the accepted names, for a name outside :data:`TABLE`.
    """
    if name not in TABLE:
        raise ValueError(f"{what}: must be one of {', '.join(NAMES)}; got {name!r}")
    return TABLE[name]
