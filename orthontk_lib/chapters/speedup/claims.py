r"""The claims the chapter tests (:data:`CLAIMS`), each with its statistic, rule and tolerance, and
:func:`measure`, which measures every one of them from the saved arrays."""

from orthontk_lib.claims import AtLeast, AtMost, Claim, Measurement, on_the_bound, with_reading

from .statistics import at_alt_target, region_speedup, stability, stability_growth, width_shrinkage, width_speedups
from .sweeps import view

# CLAIMS

HDX = "Huang, Du, Xu 2021"
MIN_CELLS = 2
"""Fewer (depth, lr) cells than this where both inits train leave a speed claim inconclusive."""
SPEED_WHY = (f"a speed-up means the interval lies above 1; fewer than {MIN_CELLS} cells where both inits train, or "
             f"fewer than {MIN_CELLS} where every seed of both does, leave it inconclusive: a seed counted at the budget "
             "holds a bound, not a speed, and must not decide alone")
UNCENSORED = ("; the interval spans that one and the same statistic's over the cells where every seed of both trains "
              "(no τ censored)")
CNN_DECIDE = ("a target that takes more than a few steps to reach (where every kernel reaches it within a few steps, "
              "more seeds only repeat a ratio of small step counts), then more seeds")
STEP_WHY = ("any advantage at all; the interval already includes the grid's resolution (an edge is known to one "
            "grid step), so equal edges are inconclusive, one step apart at every resampling decides")
CLAIMS = [
    Claim("speedup-deep", f"{HDX}, abstract and Sec. 5",
          "In the linear regime of tanh, orthogonal initialization trains faster at large depth.",
          "τ_gauss/τ_orth, a seed that never reaches the target counted at the step budget, geometric mean over "
          "the deep half of depths and every learning rate where most seeds of both inits train (95% bootstrap "
          "interval over seeds)" + UNCENSORED,
          AtLeast(1.0), why=SPEED_WHY, decide="more seeds, or more learning rates where both inits train"),
    Claim("speedup-large-lr", f"{HDX}, abstract and Sec. 5",
          "In the linear regime of tanh, orthogonal initialization trains faster at large learning rate.",
          "τ_gauss/τ_orth, a seed that never reaches the target counted at the step budget, geometric mean over "
          "the larger half of learning rates and every depth where most seeds of both inits train (95% bootstrap "
          "interval over seeds)" + UNCENSORED,
          AtLeast(1.0), why=SPEED_WHY, decide="more seeds, or more depths where both inits train"),
    Claim("speedup-stability", f"{HDX}, Sec. 5 (the failure boundary of the learning-speed figure)",
          "Orthogonal networks still train at learning rates where Gaussian ones no longer do, at large depth.",
          "failure edge (largest η at which most seeds train) orthogonal over Gaussian, geometric mean over the "
          "deep half of depths (95% bootstrap interval over seeds, widened by one grid step each way)",
          AtLeast(1.0), why=STEP_WHY, decide="more seeds, or a finer learning-rate grid"),
    Claim("speedup-stability-growth", f"{HDX}, Sec. 5 (the depth family of the learning-speed figure)",
          "The stability advantage of orthogonal initialization grows with depth.",
          "the failure-edge ratio of the deep half of depths over that of the shallow half (95% bootstrap "
          "interval over seeds, widened by two grid steps each way)", AtLeast(1.0), why=STEP_WHY,
          decide="more depths, or a finer learning-rate grid"),
    Claim("speedup-small-lr-width", f"{HDX}, abstract ('a finite-width effect in the small learning rate regime')",
          "At small learning rate the speed-up of orthogonal initialization is a finite-width effect: it shrinks "
          "towards 1 as the width grows.",
          "|log τ_gauss/τ_orth| at the largest width of the width family minus at the smallest (smaller half of "
          "the learning rates, η ∝ 1/n so that ηΘ is the same at every width; runs that train; 95% bootstrap "
          "interval over seeds)",
          AtMost(0.0), why="shrinking means the difference is negative",
          decide="more seeds, or widths further apart (the paper profile: 400 to 1600 at depth 50)"),
    Claim("speedup-cnn-deep", "Xiao et al. 2018; Huang, Du, Xu 2021, Sec. 5",
          "Deep tanh CNNs on the critical line train faster from delta-orthogonal kernels than from Gaussian ones.",
          "τ_gauss/τ_delta-orth, a seed that never reaches the target counted at the step budget, geometric mean "
          "over the deep half of the CNN depths and every learning rate where most seeds of both train (95% "
          "bootstrap interval over seeds)" + UNCENSORED,
          AtLeast(1.0), why=SPEED_WHY,
          decide=CNN_DECIDE),
    Claim("speedup-cnn-orthogonality", "this book (the kernels of Xiao et al. 2018)",
          "The CNN speed-up comes from orthogonality, not from the delta structure: delta kernels with a Gaussian "
          "centre train slower than delta-orthogonal ones.",
          "τ_delta-gauss/τ_delta-orth, a seed that never reaches the target counted at the step budget, geometric "
          "mean over the deep half of the CNN depths and every learning rate where most seeds of both train (95% "
          "bootstrap interval over seeds)" + UNCENSORED,
          AtLeast(1.0), why=SPEED_WHY,
          decide=CNN_DECIDE),
]


def _on_the_bound(m, bound=1.0):
    """An edge ratio whose widened interval ends at exactly ``bound`` carries that in its reading: it holds only just,
    and a strict rule or an exact per-cell interval would read it as inconclusive."""
    if not on_the_bound(m.ci, bound):
        return m
    return with_reading(m, "holds only just: the interval widened by the grid's step ends at exactly 1; a rule asking "
                           "for a ratio above 1, or an exact interval per cell over the seeds, would read it as "
                           "inconclusive")


def _speed(arrays, corner, pair=(0, 1)):
    """A speed claim's measurement: the speed-up over the cells where most seeds of both inits train, its interval
    spanning that one and the uncensored cells' (every seed of both trains), so that a bound cannot decide alone."""
    v, ci, cells = region_speedup(arrays, corner, pair)
    uv, uci, ucells = region_speedup(arrays, corner, pair, uncensored=True)
    detail = {"cells": cells, "uncensored": uv, "uncensored_cells": ucells}
    if cells < MIN_CELLS or ucells < MIN_CELLS:
        if cells >= MIN_CELLS:
            detail["reading"] = (f"{ucells} cell{'s' if ucells != 1 else ''} without a seed counted at the budget: "
                                 "a bound, not a measured speed, would carry the verdict")
        return Measurement(v, (float("nan"), float("nan")), detail)
    return Measurement(v, (min(ci[0], uci[0]), max(ci[1], uci[1])), detail)


FCN_CLAIMS = ("speedup-deep", "speedup-large-lr", "speedup-stability", "speedup-stability-growth",
              "speedup-small-lr-width")


def target_check(arrays, cfg, main=None):
    """The FCN claims measured at the second target: ``{claim id: (verdict at target, at target_alt, measurement)}``;
    ``main`` is :func:`measure` at the first target when the caller has it already."""
    main = measure(arrays, cfg) if main is None else main
    alt_arrays = {**arrays, **{f"{p}{k}": v for p in ("", "family_") for k, v in
                               at_alt_target(view(arrays, p[:-1] or "fcn")).items()}}
    alt = measure(alt_arrays, cfg)
    claims = {c.id: c for c in CLAIMS}
    return {cid: (claims[cid].verdict(*main[cid][:2]), claims[cid].verdict(*alt[cid][:2]), alt[cid])
            for cid in FCN_CLAIMS}


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval."""
    fcn, cnn, family = view(arrays, "fcn"), view(arrays, "cnn"), view(arrays, "family")
    return {
        "speedup-deep": _speed(fcn, "deep"),
        "speedup-large-lr": _speed(fcn, "large-lr"),
        "speedup-stability": _on_the_bound(Measurement(*stability(fcn))),
        "speedup-stability-growth": _on_the_bound(Measurement(*stability_growth(fcn))),
        "speedup-small-lr-width": Measurement(*width_shrinkage(family),
                                              {"speedups": [s[0] for s in width_speedups(family)]}),
        "speedup-cnn-deep": _speed(cnn, "deep"),
        "speedup-cnn-orthogonality": _speed(cnn, "deep", (2, 1)),
    }
