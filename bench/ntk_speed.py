"""Empirical NTK: orthontk's layer-wise Gram form vs neural-tangents' two working implementations.

FCN case: width 1024, depth 3, 64 inputs of dimension 64 (goal: >= 50x neural-tangents at 1e-5 agreement).
CNN case: 256 channels, depth 2, 10 8x8 images (the kernel-equality chapter's largest quick point):
orthontk's position-wise Gram form vs neural-tangents.

neural-tangents needs JAX < 0.6, so this runs in the environment that has it (``make references`` builds it):

    make references && .venv-references/bin/python -m bench.ntk_speed

Elsewhere it stops with one message saying so. neural-tangents pins that environment to JAX 0.5.3, so its "ours"
is timed on that JAX too; ``python -m bench.ntk_speed --ours`` times the same two cases of ours alone on the main
environment's JAX (keys ``..._ours_main_jax``), to set beside it.
"""

import sys

import jax
import numpy as np

from bench.record import median_seconds, record
from orthontk_lib import kernels
from orthontk_lib.models import CNN, FCN
from references.neural_tangents_fixtures import empirical_ntk as nt_empirical_ntk
from references.neural_tangents_fixtures import import_neural_tangents


FCN_CASE = (FCN(depth=3, width=1024, activation="relu", W_std=1.5, b_std=0.1, init="orthogonal"),
            jax.random.normal(jax.random.key(0), (64, 64)))
CNN_CASE = (CNN(depth=2, channels=256, activation="relu", b_std=0.1, init="orthogonal"),
            jax.random.normal(jax.random.key(0), (10, 8, 8, 1)))


def case(spec, x, fast):
    variables = spec.initialize(jax.random.key(1), x)
    ours = lambda: fast(spec, variables, x).block_until_ready()
    reference = np.asarray(ours())
    entry = {"ours_s": median_seconds(ours)}
    for impl in ("NTK_VECTOR_PRODUCTS", "JACOBIAN_CONTRACTION"):
        run = lambda: nt_empirical_ntk(spec, variables, x, implementation=impl).block_until_ready()
        err = float(np.abs(np.asarray(run()) - reference).max() / np.abs(reference).max())
        entry[impl] = {"seconds": median_seconds(run), "max_rel_diff": err, "speedup": None}
        entry[impl]["speedup"] = entry[impl]["seconds"] / entry["ours_s"]
    return entry


def ours_alone():
    """Time ours alone on this environment's JAX (the main one), for the two cases of :func:`main`."""
    for key, (spec, x) in (("empirical_ntk_fcn_w1024_d3_n64_ours_main_jax", FCN_CASE),
                           ("empirical_ntk_cnn_c256_d2_8x8_n10_ours_main_jax", CNN_CASE)):
        variables = spec.initialize(jax.random.key(1), x)
        runs = [median_seconds(lambda: kernels.empirical_ntk(spec, variables, x).block_until_ready()) for _ in range(3)]
        entry = {"ours_s": float(np.median(runs)), "ours_s_runs": runs,
                 "note": "ours alone on the main environment's JAX; the neural-tangents entries time ours on JAX 0.5.3"}
        record(key, entry)
        print(key, entry)


def main():
    if sys.argv[1:] == ["--ours"]:
        return ours_alone()
    try:
        import_neural_tangents()
    except ImportError as e:
        sys.exit(str(e))
    fcn, x = FCN_CASE
    entry = case(fcn, x, kernels.empirical_ntk)
    entry["goal"] = ">= 50x both neural-tangents implementations, max_rel_diff <= 1e-5"
    entry["note"] = ("FCN: 'ours' is empirical_ntk's layer-wise Gram form, each layer's input and dz read from one apply of "
                     "the Flax module (sow/perturb); run in .venv-references beside neural-tangents 0.6.5")
    entry["met"] = all(entry[i]["speedup"] >= 50 and entry[i]["max_rel_diff"] <= 1e-5 for i in ("NTK_VECTOR_PRODUCTS", "JACOBIAN_CONTRACTION"))
    record("empirical_ntk_fcn_w1024_d3_n64", entry)
    print("FCN", entry)
    cnn, xi = CNN_CASE
    entry = case(cnn, xi, kernels.empirical_ntk)
    entry["note"] = ("CNN: 'ours' is empirical_ntk's position-wise Gram form, each layer's input and dz read from one "
                     "apply of the Flax module (sow/perturb); run in .venv-references beside neural-tangents 0.6.5")
    record("empirical_ntk_cnn_c256_d2_8x8_n10", entry)
    print("CNN", entry)


if __name__ == "__main__":
    main()
