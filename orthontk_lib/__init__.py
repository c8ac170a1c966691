r"""orthontk_lib: the library behind the orthontk book.

Orthogonal vs Gaussian initialization and the neural tangent kernel
(Huang, Du, Xu, IJCAI 2021, arXiv:2004.05867), in small modules named after the
concepts: ``init``, ``models``, ``kernels``, ``train``, ``data``, ``results``,
``plots``, ``stats``.

Importing this package (or ``orthontk_lib.train``) does not import
neural-tangents or TensorFlow; ``kernels.analytic_*`` and
``kernels.nt_empirical_ntk`` import them on first use.

Importing it also sets JAX's default matmul precision to ``"highest"`` (unless
``$JAX_DEFAULT_MATMUL_PRECISION`` says otherwise): on GPUs JAX otherwise multiplies
float32 matrices in TF32, whose relative error of about 1e-4 is larger than some of
the book's tolerances (an orthogonal matrix's Gram matrix, for one). CPUs are unaffected.
"""

import os as _os

_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow (pulled in by neural-tangents) is loud

import jax as _jax  # noqa: E402

if "JAX_DEFAULT_MATMUL_PRECISION" not in _os.environ:
    _jax.config.update("jax_default_matmul_precision", "highest")

from orthontk_lib.data import Dataset, load  # noqa: E402
from orthontk_lib.init import delta_orthogonal, gaussian, orthogonal  # noqa: E402
from orthontk_lib.kernels import analytic_nngp, analytic_ntk, empirical_ntk, jacobian_ntk  # noqa: E402
from orthontk_lib.models import CNN, FCN  # noqa: E402
from orthontk_lib.train import TrainConfig, create_train_state, create_train_step, fit_grid  # noqa: E402

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
