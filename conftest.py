"""Test session settings, for tests/ and for the notebooks nbmake runs from book/.

Notebooks run at the smoke profile, and every result, ledger record and figure a test
or a notebook writes goes to a temporary folder, never into the repository's data/.
Matrix products run in float32 ("highest"): on a GPU JAX's default is TF32, whose error
(about 1e-3) exceeds the tolerances of the library's tests (an orthogonal Gram matrix, for
one); a chapter's compute still runs under its own declared precision.
"""

import os
import tempfile

import jax

from orthontk_lib.book.build import enable_jax_cache, jax_cache_env

_scratch = tempfile.mkdtemp(prefix="orthontk-tests-")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("ORTHONTK_PROFILE", "smoke")
os.environ.setdefault("ORTHONTK_DATA_DIR", os.path.join(_scratch, "data"))
os.environ.setdefault("ORTHONTK_FIGURE_DIR", os.path.join(_scratch, "figures"))
# Programs compiled once for the whole session (and the next): here, and in the notebooks' kernels.
for _name, _value in jax_cache_env().items():
    os.environ.setdefault(_name, _value)
enable_jax_cache(os.environ["JAX_COMPILATION_CACHE_DIR"])
jax.config.update("jax_default_matmul_precision", "highest")
