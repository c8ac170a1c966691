r"""orthontk_lib: the library behind the orthontk book.

Orthogonal vs Gaussian initialization and the neural tangent kernel
(Huang, Du, Xu, IJCAI 2021, arXiv:2004.05867), in small modules named after the
concepts: ``init``, ``models``, ``kernels``, ``train``, ``data``, ``results``,
``plots``, ``stats``.

Importing this package does not import neural-tangents or TensorFlow. Only
``spec.stax()``, the infinite-width twin of a spec, imports neural-tangents, which
is not a dependency (``make references`` builds an environment with it).

Importing it leaves JAX's matmul precision as it is. Each chapter declares its own
(``Config.PRECISION``: ``"highest"`` for kernel measurements, ``"tensorfloat32"`` for the
training chapters), its compute runs under it and every saved result records it
(:func:`orthontk_lib.book.registry.matmul_precision`). On GPUs JAX multiplies float32
matrices in TF32 by default (relative error about 1e-3), larger than some tolerances (an
orthogonal matrix's Gram matrix, for one): code outside a chapter that needs float32
products sets ``jax.default_matmul_precision("highest")`` itself, as the tests do. CPUs
are unaffected.
"""

from orthontk_lib.data import Dataset, load
from orthontk_lib.init import delta_orthogonal, gaussian, orthogonal
from orthontk_lib.kernels import analytic_nngp, analytic_ntk, empirical_ntk, jacobian_ntk
from orthontk_lib.models import CNN, FCN
from orthontk_lib.train import TrainConfig, create_train_state, create_train_step, fit_grid

__version__ = "0.1.0"

__all__ = [
    "CNN",
    "FCN",
    "Dataset",
    "TrainConfig",
    "analytic_nngp",
    "analytic_ntk",
    "create_train_state",
    "create_train_step",
    "delta_orthogonal",
    "empirical_ntk",
    "fit_grid",
    "gaussian",
    "jacobian_ntk",
    "load",
    "orthogonal",
]
