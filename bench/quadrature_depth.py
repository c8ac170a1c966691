"""How deep the Edge-of-Chaos NTK recursion of the quadrature activations (tanh, ELU) agrees with an independent rule.

:func:`orthontk_lib.meanfield.edge_ntk_ratio` carries 1 - c through :mod:`orthontk_lib.dual`'s quadrature, good to
``dual.TOLERANCE`` per layer; over tens of thousands of layers a small bias could accumulate. The test suite holds it
to an independent split Gauss-Legendre rule (``tests/test_meanfield.py``) down to
``edge_of_chaos.QUADRATURE_TESTED_DEPTH`` layers, all CI can afford. This runs both to the paper profile's
``exact_max_depth`` once, at the chapter's Edge points and input cosines, and records, per activation and depth, the
largest difference of the distance to the limit the chapter reads, L (K^L/α_L - 1/3), in ``bench/results.json``
(``quadrature_depth``). The chapter reads that record (:func:`orthontk_lib.chapters.edge_of_chaos.quadrature_checked_depth`).

Run: python -m bench.quadrature_depth [--depths 1000 3000 10000 30000] [--activation tanh|elu]
(about 40 ms a layer for the two rules together on one CPU core).
"""

import argparse
import importlib.util
import json
import pathlib
import time

import numpy as np

from bench.record import RESULTS, record
from orthontk_lib import meanfield as mf
from orthontk_lib.chapters import edge_of_chaos as eoc

KEY = "quadrature_depth"
FNS = {"tanh": (np.tanh, lambda t: 1 - np.tanh(t) ** 2),
       "elu": (lambda t: np.where(t > 0, t, np.expm1(np.minimum(t, 0))),
               lambda t: np.where(t > 0, 1.0, np.exp(np.minimum(t, 0))))}


def reference():
    """``tests/test_meanfield.py``'s independent rule (the tests are not a package)."""
    path = pathlib.Path(__file__).parents[1] / "tests" / "test_meanfield.py"
    spec = importlib.util.spec_from_file_location("_test_meanfield", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._split_legendre_edge_ratio


def check(activation, depths):
    """``{depth: max |L (got - ref)|}`` over the chapter's input cosines, and the seconds each rule took."""
    W_std, b_std = eoc.paper_points()[(activation, "edge")]
    rho = [0.38119316, 0.66990423, 0.9630909]  # the paper run's pairs (exact_rho_*: digits' smallest, median, largest)
    start = time.perf_counter()
    got = mf.edge_ntk_ratio(activation, W_std, b_std, rho, depths)
    lib_s = time.perf_counter() - start
    start = time.perf_counter()
    ref = reference()(*FNS[activation], W_std, b_std, rho, depths)
    ref_s = time.perf_counter() - start
    diff = {int(L): float(np.abs(L * (g - r)).max()) for L, g, r in zip(depths, got, ref)}
    return {"W_std": W_std, "b_std": b_std, "rho": rho, "max_abs_diff_L_ratio": diff,
            "library_s": round(lib_s, 1), "reference_s": round(ref_s, 1)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", type=int, nargs="+", default=[1000, 3000, 10000, 30000])
    parser.add_argument("--activation", choices=sorted(FNS), nargs="+", default=sorted(FNS))
    args = parser.parse_args(argv)
    old = json.loads(RESULTS.read_text()).get(KEY, {}) if RESULTS.exists() else {}
    entry = {a: old[a] for a in FNS if a in old and a not in args.activation}
    for activation in args.activation:
        entry[activation] = check(activation, sorted(args.depths))
        print(activation, json.dumps(entry[activation]), flush=True)
    record(KEY, {**entry, "statistic": "largest |L (K^L/α_L from the library - from the independent rule)| over the inputs"})


if __name__ == "__main__":
    main()
