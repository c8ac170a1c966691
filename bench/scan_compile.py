"""Compile time of the speed-up chapter's training program against depth: unrolled layers vs ``scan=True``.

The program is what :func:`orthontk_lib.train.fit_grid` compiles for one (depth, init) grid point of the
learning-speed figure (tanh, standard parameterization, on the critical line; SGD on cross-entropy, mini-batches,
evaluations on the full sets): ``jax.jit(...).lower(...)`` (tracing) then ``.compile()`` (XLA), from abstract
shapes, with JAX's persistent compilation cache off so that every program is compiled. Unrolled, the program
holds one traced layer per hidden layer (forward, backward, evaluation); with ``scan=True`` the equal hidden
layers are one ``lax.scan``, so its size does not grow with depth. Width and grid size barely change compile
time (they are shapes, not program size); they are the quick profile's.

Run: python -m bench.scan_compile            (depths 10, 50, 200; records ``scan_compile`` in bench/results.json)
     python -m bench.scan_compile --depths 4 8 --no-record   (a quick look)
"""

import argparse
import time

import jax
import jax.numpy as jnp

from bench.record import record
from orthontk_lib import train
from orthontk_lib.chapters import speedup as sp
from orthontk_lib.models import canonical


def compile_seconds(spec, config, n_pairs, n_train, n_test, d=64, k=10):
    """``(trace_s, compile_s)`` of ``fit_grid``'s program for ``spec``, from abstract inputs."""
    x1 = jnp.zeros((1, d))
    params = jax.eval_shape(jax.vmap(lambda key: spec.initialize(key, x1)["params"]),
                            jax.random.split(jax.random.key(0), n_pairs))
    f32 = lambda *shape: jax.ShapeDtypeStruct(shape, jnp.float32)
    key_batch = jax.ShapeDtypeStruct((n_pairs, 2), jnp.uint32)
    arrays = (f32(n_train, d), f32(n_train, k), f32(n_test, d), f32(n_test, k))
    program = train._fit_program(canonical(spec), config, False)
    start = time.perf_counter()
    lowered = program.lower(params, key_batch, f32(n_pairs), arrays, None)
    traced = time.perf_counter() - start
    start = time.perf_counter()
    lowered.compile()
    return traced, time.perf_counter() - start


def main(depths=(10, 50, 200), save=True):
    jax.config.update("jax_enable_compilation_cache", False)
    cfg = sp.Config.for_profile("quick", use_env=False)
    grid = cfg.grid("fcn")
    config = train.TrainConfig(steps=grid.steps, batch_size=grid.batch_size, loss="cross_entropy",
                               record_every=grid.record_every)
    n_pairs = len(grid.lrs) * grid.n_seeds
    out = {"unrolled": {}, "scan": {}}
    for depth in depths:
        for way, scan in (("unrolled", False), ("scan", True)):
            spec = sp.Config.spec(cfg, depth, "orthogonal").unrolled()
            spec = spec.__class__(**{**spec.__dict__, "scan": scan})
            traced, compiled = compile_seconds(spec, config, n_pairs, cfg.n_train, cfg.n_test)
            out[way][str(depth)] = {"trace_s": round(traced, 2), "compile_s": round(compiled, 2),
                                    "total_s": round(traced + compiled, 2)}
            print(way, depth, out[way][str(depth)], flush=True)
    deep, shallow = str(max(depths)), str(min(depths))
    entry = {"depths": list(depths), "width": cfg.width, "pairs": n_pairs, "steps": config.steps,
             "batch_size": config.batch_size, **out,
             "growth_unrolled": out["unrolled"][deep]["total_s"] / out["unrolled"][shallow]["total_s"],
             "growth_scan": out["scan"][deep]["total_s"] / out["scan"][shallow]["total_s"],
             "note": "seconds to trace (lower) and compile fit_grid's program for one grid point of the "
                     "learning-speed figure (tanh, standard parameterization, orthogonal); JAX's persistent "
                     "compilation cache off; growth = total at the deepest over the shallowest depth"}
    if save:
        record("scan_compile", entry)
    print(entry)
    return entry


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--no-record", action="store_true", help="print only; leave bench/results.json as it is")
    args = parser.parse_args()
    main(tuple(args.depths), save=not args.no_record)
