r"""The CNN grid: 3x3 tanh convolutions on the critical line, Gaussian, delta-orthogonal and the delta-Gaussian
control, over (learning rate × depth). Its claims (delta-orthogonal kernels train faster at depth, and it is
orthogonality that does it), their words, and the CNN grid's figure."""

import math

import numpy as np

from orthontk_lib import plots
from orthontk_lib.claims import AtLeast, Claim

from .fcn_grid import SPEED_WHY, UNCENSORED, tau_norm
from .statistics import (
    censored_tau,
    censoring_marks,
    failure_edge,
    failure_rate,
    grid_spacing,
    measurement_text,
    speed_measurement,
    speed_reading,
    speedup_map,
)
from .sweeps import view

__all__ = ["CNN_CLAIMS", "CNN_DECIDE", "cnn_edge_comparison", "cnn_edge_table", "cnn_numbers", "edge_bound_words",
           "fig_cnn_grid", "measure_cnn"]

# CLAIMS

CNN_DECIDE = ("a target that takes more than a few steps to reach (where every kernel reaches it within a few steps, "
              "more seeds only repeat a ratio of small step counts), then more seeds")


CNN_CLAIMS = [
    Claim("speedup-cnn-deep", "Xiao et al. 2018; Huang, Du, Xu 2021, Sec. 5",
          "Deep critical tanh CNNs train faster from delta-orthogonal than from Gaussian kernels.",
          "τ_gauss/τ_delta-orth, geometric mean over the deep half of the CNN depths and every learning rate where "
          "most seeds of both train. A seed that never reaches the target is counted at the step budget. The 95% jackknife "
          "t-interval is over seeds, on its logarithm." + UNCENSORED,
          AtLeast(1.0), why=SPEED_WHY,
          decide=CNN_DECIDE),
    Claim("speedup-cnn-orthogonality", "this book (the kernels of Xiao et al. 2018)",
          "The CNN speed-up comes from orthogonality: delta-orthogonal beats delta-Gaussian kernels.",
          "orthogonality, not the delta structure: delta kernels with a Gaussian centre train slower than "
          "delta-orthogonal ones. The statistic is τ_delta-gauss/τ_delta-orth, geometric mean over the deep half of "
          "the CNN depths and every learning rate where most seeds of both train. A seed that never reaches the target is counted at the step budget. The 95% jackknife "
          "t-interval is over seeds, on its logarithm." + UNCENSORED,
          AtLeast(1.0), why=SPEED_WHY,
          decide=CNN_DECIDE),
]


def measure_cnn(arrays, cfg):
    """The CNN grid's claims, each one's statistic with its 95% interval."""
    cnn = view(arrays, "cnn")
    return {"speedup-cnn-deep": speed_measurement(cnn, "deep"), "speedup-cnn-orthogonality": speed_measurement(cnn, "deep", (2, 1))}


# WORDS


def cnn_numbers(arrays, cfg, measured):
    """The CNN grid's numbers, intervals, verdicts and short labels (``measured``: the chapter's claims measured on
    ``arrays``)."""
    cnn = view(arrays, "cnn")
    m, fmt = measured, measurement_text
    out = {
        "sp-cnn-channels": cfg.channels, "sp-cnn-steps": int(cnn["steps"]), "sp-cnn-batch": cfg.cnn_batch_size,
        "sp-cnn-target": f"{float(cnn['target']):.0%}", "sp-cnn-seeds": int(cnn["tau"].shape[-1]),
        "sp-cnn-deepest": int(cnn["depths"][-1]),
        "sp-cnn-deep": fmt(m["speedup-cnn-deep"]), "sp-cnn-deep-cells": m["speedup-cnn-deep"].detail["cells"],
        "sp-cnn-control": fmt(m["speedup-cnn-orthogonality"]),
        "sp-cnn-deep-reading": speed_reading(m, "speedup-cnn-deep"),
        "sp-cnn-deep-verdict": m.verdict("speedup-cnn-deep"),
        "sp-cnn-control-verdict": m.verdict("speedup-cnn-orthogonality"),
        "sp-cnn-edge-lower": cnn_edge_comparison(failure_edge(cnn), grid_spacing(cnn["lrs"])),
    }
    for k, pair in {"": (0, 1), "-control": (2, 1)}.items():
        deepest = speedup_map(cnn, pair)[-1]
        out[f"sp-cnn-deepest-range{k}"] = (f"{np.nanmin(deepest):.2f} to {np.nanmax(deepest):.2f}"
                                           if np.isfinite(deepest).any() else "undefined (no run trains)")
    return out


def cnn_edge_table(arrays):
    """The CNN grid's failure edges (the largest learning rate at which most seeds train) as a table:
    ``(columns, rows)``, one row per depth, one column per kernel (:func:`edge_bound_words`)."""
    cnn = view(arrays, "cnn")
    inits = ("gaussian", "delta-orthogonal", "delta-gaussian")
    rows = [[f"L = {L}", *("η " + edge_bound_words(e[i], cnn["lrs"]) for i in inits)]
            for L, e in failure_edge(cnn).items()]
    return ["depth", "Gaussian", "delta-orthogonal", "delta-Gaussian"], rows


def cnn_edge_comparison(cedge, spacing):
    """The depths where delta-orthogonal kernels stop training at a smaller learning rate than Gaussian ones (both
    edges read off the grid; a Gaussian edge at the grid's top is a lower bound, so it still counts as larger), each
    with the gap in steps of the grid's ``spacing``, as a short label: ``"nowhere"``, ``"L = 16 (1 step)"``,
    ``"L = 16 (whole grid)"``. The reverse of the stability the paper reports for orthogonal FCNs."""
    parts = []
    for L, e in cedge.items():
        if not np.isfinite(e["gaussian"]) or (np.isfinite(e["delta-orthogonal"])
                                              and e["delta-orthogonal"] >= e["gaussian"]):
            continue
        if np.isfinite(e["delta-orthogonal"]):
            steps = round(math.log(e["gaussian"] / e["delta-orthogonal"]) / math.log(spacing))
            parts.append(f"L = {L} ({steps} step{'s' if steps != 1 else ''})")
        else:
            parts.append(f"L = {L} (whole grid)")
    return ", ".join(parts) or "nowhere"


def edge_bound_words(edge, lrs):
    """A failure edge read off a learning-rate grid, as prose: ``≥`` where it is the grid's top (the edge lies there
    or beyond), ``<`` the smallest where no learning rate trains (NaN), else ``=``."""
    lrs = np.asarray(lrs, float)
    if not np.isfinite(edge):
        return f"< {lrs.min():.2g}"
    return f"≥ {edge:.2g}" if np.isclose(edge, lrs.max()) else f"= {edge:.2g}"


# FIGURES


def fig_cnn_grid(arrays):
    """The CNN grid: delta-orthogonal τ, and its speed-up over Gaussian and over delta-Gaussian kernels."""
    from matplotlib import colors

    cnn = view(arrays, "cnn")
    tau, fail = censored_tau(cnn).mean(-1), failure_rate(cnn) >= 0.5  # not "most seeds train"
    ratio = colors.LogNorm(vmin=1 / 8, vmax=8)
    over_g, over_dg = "speed-up over Gaussian", "speed-up over delta-Gaussian"
    return plots.grid_heatmaps(
        {"τ delta-orthogonal": (np.where(fail[:, 1], np.nan, tau[:, 1]), "viridis", tau_norm(tau, cnn["steps"])),
         over_g: (speedup_map(cnn, (0, 1)), "RdBu_r", ratio), over_dg: (speedup_map(cnn, (2, 1)), "RdBu_r", ratio)},
        cnn["lrs"], cnn["depths"], xlabel="learning rate η", ylabel="depth L (conv layers)",
        marks={"τ delta-orthogonal": fail[:, 1], over_g: fail[:, 0], over_dg: fail[:, 2]}, fmt="{:.3g}",
        prefixes={over_g: censoring_marks(cnn, (0, 1)), over_dg: censoring_marks(cnn, (2, 1))})
