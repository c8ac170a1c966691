"""Throughput of one learning-speed grid point: plain TF32 against bf16 compute, in one process, on one device.

The point is the learning-speed figure's (:mod:`orthontk_lib.chapters.speedup`): deep tanh FCNs of width 400 on
the critical line, standard parameterization, orthogonal draws (``Config.spec``: the equal hidden layers are one
``lax.scan``), SGD on cross-entropy, 16 learning rates x 4 seeds = 64 runs as one vmapped program
(:func:`orthontk_lib.train.fit_grid`'s), batch 1,000, 1,000 steps, on digits (1,400 for training, 397 for
testing), evaluated on both sets every 50 steps. Two modes:

* ``tf32``: float32 parameters and activations, matmuls under ``jax.default_matmul_precision("tensorfloat32")``
  (the chapter's declared precision);
* ``bf16``: the same network with ``compute_dtype="bfloat16"``: parameters and optimizer updates stay float32,
  each layer's input, kernel and bias are cast to bf16, so the matmuls run on bf16 tensor cores.

FLOPs are counted analytically from the matmuls: per run and training step
:math:`6 B \\sum_l n_{l-1} n_l` (forward :math:`2 B \\sum_l n_{l-1} n_l`, backward twice that), plus
:math:`2 N \\sum_l n_{l-1} n_l` per evaluation of N inputs; elementwise work is not counted. Achieved FLOP/s is
that count over the program's run time, compilation excluded (the program is compiled ahead of time and timed
apart). Each mode runs once after compiling; ``bf16_vs_tf32`` is the ratio of their FLOP/s.

Run (GPU, one command): python -m bench.learning_speed_throughput --depth 200 --out "$OUT/throughput.json"
     (CPU check):       python -m bench.learning_speed_throughput --tiny
     (store a run):     python -m bench.learning_speed_throughput --record throughput.json "what it shows"
A JSON line is printed (and written to ``--out``); ``--tiny`` (width 32, depth 4, 4 x 2 runs, batch 64, 40 steps)
records ``learning_speed_throughput_tiny_cpu`` in bench/results.json.
"""

import argparse
import dataclasses
import json
import pathlib
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

from orthontk_lib import train
from orthontk_lib.chapters import speedup as sp
from orthontk_lib.models import canonical

PAPER = dict(width=400, n_lrs=16, n_seeds=4, steps=1000, batch_size=1000, n_train=1400, n_test=397, record_every=50)
TINY = dict(width=32, n_lrs=4, n_seeds=2, steps=40, batch_size=64, n_train=256, n_test=64, record_every=10)


def matmul_flops(spec, d, batch, steps, record_every, n_eval):
    """FLOPs of one run: training steps (6 B per weight) and evaluations (2 N per weight) of ``spec``'s matmuls."""
    widths = [d] + [spec.width] * spec.depth + [spec.out_dim]
    weights = sum(a * b for a, b in zip(widths[:-1], widths[1:]))
    evaluations = steps // record_every + 1
    return 6 * batch * weights * steps + 2 * n_eval * weights * evaluations


def run_mode(spec, config, cfg, data, precision):
    """Compile and run ``fit_grid``'s program for the grid point once: seconds and a summary of what it trained."""
    lrs = np.repeat(cfg.lrs, cfg.n_seeds)
    keys = jax.random.split(jax.random.key(cfg.seed), lrs.size)
    arrays = tuple(jnp.asarray(a) for a in (data.x_train, data.y_train, data.x_test, data.y_test))
    key_init, key_batch = jax.vmap(jax.random.split, out_axes=1)(keys)
    params = jax.vmap(lambda k: spec.initialize(k, arrays[0][:1])["params"])(key_init)
    args = (params, jax.random.key_data(key_batch), jnp.asarray(lrs, jnp.float32), arrays, None)
    jax.block_until_ready(args[:4])
    with jax.default_matmul_precision(precision):
        start = time.perf_counter()
        compiled = train._fit_program(canonical(spec), config, False).lower(*args).compile()
        compile_s = time.perf_counter() - start
        print(f"  compiled in {compile_s:.1f} s", file=sys.stderr, flush=True)
        start = time.perf_counter()
        out = jax.block_until_ready(compiled(*args))
        run_s = time.perf_counter() - start
    final = np.asarray(out["train_loss"])[:, -1]
    ok = ~np.asarray(out["diverged"])
    return {"compile_s": round(compile_s, 2), "run_s": round(run_s, 3), "diverged": int((~ok).sum()),
            "median_final_train_loss": float(np.median(final[ok])) if ok.any() else None,
            "final_train_loss": [round(float(v), 5) for v in final]}


def main(depth, tiny=False, out=None, steps=None):
    sizes = dict(TINY if tiny else PAPER, **({"steps": steps} if steps else {}))
    every = sizes.pop("record_every")
    cfg = sp.Config.for_profile("paper", use_env=False, depths=(depth,), dataset="digits", **sizes)  # its rates
    data = sp.training_data(cfg)
    config = train.TrainConfig(steps=cfg.steps, batch_size=cfg.batch_size, loss="cross_entropy", record_every=every)
    spec = cfg.spec(depth, "orthogonal")
    runs = cfg.n_lrs * cfg.n_seeds
    flops = runs * matmul_flops(spec, data.x_train.shape[1], cfg.batch_size, cfg.steps, every,
                                cfg.n_train + cfg.n_test)
    modes = {}
    for name, mode_spec, precision in (("tf32", spec, "tensorfloat32"),
                                       ("bf16", dataclasses.replace(spec, compute_dtype="bfloat16"), "default")):
        # a line before each mode, so a run cut off by its command's time limit says where it was
        print(f"{name}: start at {time.strftime('%H:%M:%S')}", file=sys.stderr, flush=True)
        modes[name] = run_mode(mode_spec, config, cfg, data, precision)
        modes[name]["tflops_per_s"] = round(flops / modes[name]["run_s"] / 1e12, 4)
        modes[name]["matmul_precision"] = precision
        print(name, {k: v for k, v in modes[name].items() if k != "final_train_loss"}, file=sys.stderr, flush=True)
        if out:  # what is measured so far, kept if the next mode does not finish
            pathlib.Path(out).write_text(json.dumps({"depth": depth, "steps": cfg.steps, "flops": float(flops),
                                                     "modes": modes, "partial": True}) + "\n")
    result = {"depth": depth, "width": cfg.width, "runs": runs, "lrs": [float(v) for v in cfg.lrs],
              "steps": cfg.steps, "batch_size": cfg.batch_size, "n_train": cfg.n_train, "n_test": cfg.n_test,
              "record_every": every, "flops": float(flops), "modes": modes,
              "bf16_vs_tf32": round(modes["tf32"]["run_s"] / modes["bf16"]["run_s"], 3),
              "tiny": tiny, "device": str(jax.devices()[0]), "jax": jax.__version__}
    line = json.dumps(result)
    print(line)
    if out:
        pathlib.Path(out).write_text(line + "\n")
    return result


def record_file(path, note, key="learning_speed_throughput"):
    """Store a printed run (made on another machine) in bench/results.json under ``key``."""
    from bench.record import record

    run = json.loads(pathlib.Path(path).read_text())
    machine = {"device": run.pop("device"), "jax": run.pop("jax")}
    record(key, {**run, "note": note}, machine_info=machine)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=None, help="hidden layers (default 200; 4 with --tiny)")
    parser.add_argument("--steps", type=int, default=None, help="SGD steps (default 1,000; 40 with --tiny)")
    parser.add_argument("--tiny", action="store_true", help="a CPU-sized check; records it in bench/results.json")
    parser.add_argument("--out", default=None, help="also write the JSON line to this file")
    parser.add_argument("--record", nargs=2, metavar=("FILE", "NOTE"), help="store a run printed elsewhere")
    args = parser.parse_args()
    if args.record:
        record_file(*args.record)
    else:
        result = main(args.depth or (4 if args.tiny else 200), args.tiny, args.out, args.steps)
        if args.tiny:
            from bench.record import record

            record("learning_speed_throughput_tiny_cpu",
                   {**{k: v for k, v in result.items() if k not in ("device", "jax")},
                    "note": "a CPU check of the bench at a tiny size (2 shared cores): bf16 is emulated on CPUs, "
                            "so the ratio says nothing of a GPU's"})
