"""Training chapters at paper scale on one GPU, without neural-tangents (the GPU image's JAX is too new for it).

Runs a chapter's ``compute`` at its ``paper`` profile with overrides given as JSON, writes the results
under ``$ORTHONTK_DATA_DIR`` (point by point, as the runner does) and prints a JSON line with wall
times and the chapter's statistics. Used on the lent GPU machine, whose image has no CIFAR-10 (no
network) and no papermill: ``dataset="digits"`` and the chapter's claims measured directly.

Run: python -m bench.gpu_scale constancy '{"dataset": "digits"}' > constancy.json
Then, on a machine with the repository: python -m bench.gpu_scale --record constancy.json "what it shows"
stores it in bench/results.json as ``gpu_scale_<chapter>``.
"""

import json
import pathlib
import sys
import time

import jax


def claim_stats(module, cfg, a):
    """Every claim of the chapter: value, 95% interval and verdict (the chapter's own ``measure``)."""
    out = {}
    for c in module.CLAIMS:
        m = module.measure(a, cfg)[c.id]
        out[c.id] = {"value": m.value, "ci": list(m.ci), "verdict": c.verdict(m.value, m.ci), "detail": m.detail}
    return out


def main(slug, overrides):
    import importlib

    module = importlib.import_module(f"orthontk_lib.chapters.{slug}")
    cfg = module.Config.for_profile("paper", use_env=False, **overrides)
    from orthontk_lib.book.registry import matmul_precision

    start = time.perf_counter()
    with matmul_precision(cfg):  # the chapter's declared precision, as the runner uses it
        a = module.compute(cfg)
    wall = time.perf_counter() - start
    stats = claim_stats(module, cfg, a)
    out = {"chapter": slug, "config": cfg.asdict(), "matmul_precision": cfg.PRECISION, "wall_s": round(wall, 1),
           "device": str(jax.devices()[0]),
           "jax": jax.__version__, "stats": stats}
    print(json.dumps(out, default=float))


def record_file(path, note):
    """Store a printed run in bench/results.json, with the GPU machine it ran on."""
    from bench.record import record

    run = json.loads(pathlib.Path(path).read_text())
    machine = {"device": run.pop("device"), "jax": run.pop("jax"), "kind": "lent GPU machine (nvidia-h100-x1)"}
    record(f"gpu_scale_{run['chapter']}", {**run, "note": note}, machine_info=machine)


if __name__ == "__main__":
    if sys.argv[1] == "--record":
        record_file(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else {})
