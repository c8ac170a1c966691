"""Training chapters at paper scale on one GPU, without neural-tangents (the GPU image's JAX is too new for it).

Runs a chapter's ``compute`` at its ``paper`` profile with overrides given as JSON, writes the results
under ``$ORTHONTK_DATA_DIR`` (point by point, as the runner does) and prints a JSON line with wall
times and the chapter's statistics. Used on the lent GPU machine, whose image has no CIFAR-10 (no
network) and no papermill: ``dataset="digits"`` and the notebook's statistics called directly.

Run: python -m bench.gpu_scale constancy '{"dataset": "digits"}' > constancy.json
Then, on a machine with the repository: python -m bench.gpu_scale --record constancy.json "what it shows"
stores it in bench/results.json as ``gpu_scale_<chapter>``.
"""

import json
import pathlib
import sys
import time

import jax
import numpy as np


def constancy_stats(con, a):
    cs = con.change_slopes(a)
    return {
        "fcn_widths": a["fcn_widths"].tolist(),
        "slope_gaussian": [cs[0][0], list(cs[0][1])],
        "slope_orthogonal": [cs[1][0], list(cs[1][1])],
        "orth_over_gauss": list(con.init_ratio(a)),
        "linearization_slope": list(con.common_slope(a, con.linearization_gap(a))),
        "cnn_widths": a["cnn_widths"].tolist(),
        "cnn_slope": list(con.common_slope(a, con.final_change(a, "cnn"), "cnn")),
        "large_lr_change": con.large_lr_change(a),
        "sharpness_before_after": list(con.final_sharpness(a)),
        "change_small_lr": con.final_change(a).tolist(),
        "diverged_large_lr": int(a["fcn_diverged"][:, :, 1].sum()),
    }


def speedup_stats(sp, cfg, a):
    out = {}
    for arch in sp.ARCHS:
        g = sp.view(a, arch)
        out[arch] = {
            "depths": g["depths"].tolist(),
            "deep_large": list(sp.region_speedup(g, "deep-large")[:2]),
            "shallow_small": list(sp.region_speedup(g, "shallow-small")[:2]),
            "failure_edge": sp.failure_edge(g),
            "speedup_map": np.round(sp.speedup_map(g), 3).tolist(),
        }
    return out


def condensation_stats(cd, cfg, a):
    counts = cd.counts_at_stage_end(a)
    return {
        "activations": list(cfg.activations), "scales": list(cfg.scales),
        "orientations_median": np.round(np.nanmedian(counts, -1), 1).tolist(),
        "bound_ratio_5d": cd.bound_ratio(a, cfg.activations),
        "bound_ratio_1d": cd.bound_ratio(a, cfg.activations_1d, "line"),
        "multiplicity_gap_1d": cd.multiplicity_gap(a, cfg.activations_1d),
        "lazy_orientations_per_neuron": cd.lazy_orientations(a),
        "change_slope": list(cd.change_slope(a)),
        "line_counts": a["line_count_end"].tolist(),
    }


def main(slug, overrides):
    import importlib

    module = importlib.import_module(f"orthontk_lib.chapters.{slug}")
    cfg = module.Config.for_profile("paper", use_env=False, **overrides)
    start = time.perf_counter()
    a = module.compute(cfg)
    wall = time.perf_counter() - start
    stats = {"constancy": lambda: constancy_stats(module, a), "speedup": lambda: speedup_stats(module, cfg, a),
             "condensation": lambda: condensation_stats(module, cfg, a)}[slug]()
    out = {"chapter": slug, "config": cfg.asdict(), "wall_s": round(wall, 1), "device": str(jax.devices()[0]),
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
