r"""Beyond one hidden layer: the paper's Adam experiment with ``deep_depth`` hidden layers, the first layer's input weights
counted. Its points and arrays, claims and numbers; its figure is the Adam one's (:func:`fig_adam_cosine` with
``which="deep"``)."""

import numpy as np

from orthontk_lib import results
from orthontk_lib.claims import AtMost, Claim

from .adam import adam_bound, adam_point
from .counting import COUNTING_RULE, ROBUST, TYPICAL, ZX, bound_measurement, bound_table, median_range
from .experiment import ADAM_KNOBS, MULTIPLICITY, SLUG, sines_task

__all__ = ["DEEP_CLAIMS", "DEEP_SWEEP", "deep_arrays", "deep_numbers", "deep_rows", "measure_deep"]

# THE POINTS

DEEP_SWEEP = results.Sweep(
    SLUG, "deep", knobs=ADAM_KNOBS, over=("deep_activations", "deep_depth"),
    points=lambda cfg: [{"activation": a, "depth": cfg.deep_depth} for a in cfg.deep_activations],
    run=lambda cfg, it: adam_point(cfg, sines_task(cfg), it["activation"], it["depth"]), desc="Adam, deeper networks")
"""The deeper networks' Adam runs, one point per activation."""


def deep_arrays(cfg):
    """The deeper networks' runs, one point per activation, stacked as (activation, ...) with the prefix ``deep_``."""
    deep = DEEP_SWEEP.results(cfg)
    return {f"deep_{k}": np.stack([p.arrays[k] for p in deep]) for k in deep[0].arrays}


# CLAIMS

DEEP_CLAIMS = [
    *(Claim(f"condensation-deep-{act}", f"{ZX}, Sec. 5 (condensation beyond one hidden layer)",
            f"With several hidden layers, first-layer {act} neurons condense onto at most "
            f"{2 * MULTIPLICITY[act]} orientations.",
            f"condensed orientations of the first hidden layer ({act}, multiplicity {MULTIPLICITY[act]}) / "
            f"{2 * MULTIPLICITY[act]} at the end of the initial stage, {TYPICAL}", AtMost(1.0),
            why="the one-layer bound 2p, which the paper's deeper experiments show for the first layer too. For a "
                "typical network that is a median at 2p or below. " + COUNTING_RULE,
            decide="more seeds", robustness=ROBUST)
      for act in ("tanh", "xtanh")),
]


def measure_deep(arrays, cfg):
    """The deeper networks' claims, each one's statistic with its 95% interval."""
    claims = {c.id: c for c in DEEP_CLAIMS}
    return {cid: bound_measurement(claims[cid], *adam_bound(arrays, cfg, "deep", MULTIPLICITY[act], act))
            for act, cid in ((act, f"condensation-deep-{act}") for act in ("tanh", "xtanh"))}


# NUMBERS


def deep_numbers(arrays, cfg, measured):
    """The deeper networks' numbers and bound table (``measured``: the chapter's claims measured on ``arrays``)."""
    return {
        "cd-deep-net": f"{cfg.d}–{'–'.join([str(cfg.width)] * cfg.deep_depth)}–1",
        "cd-deep-depth": str(cfg.deep_depth),
        "cd-deep-bounds": bound_table(measured, ["condensation-deep-tanh", "condensation-deep-xtanh"]),
    }


def deep_rows(cfg, arrays):
    """Rows of the deeper networks' table: φ, 2p, orientations at the stage end (median [range] over seeds), and the
    stage end (Adam steps, median)."""
    rows = []
    for i, act in enumerate(cfg.deep_activations):
        c, e = np.asarray(arrays["deep_count_end"][i], float), arrays["deep_end"][i]
        c = np.where(c < 0, np.nan, c)
        p = MULTIPLICITY[act]
        rows.append([act, "—" if p is None else str(2 * p), median_range(c),
                     "never" if (e < 0).all() else f"{2 * np.median(e[e >= 0]):.0f}"])
    return rows
