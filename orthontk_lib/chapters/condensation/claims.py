r"""The claims the chapter tests (:data:`CLAIMS`), each with its statistic, rule and tolerance, and
:func:`measure`, which measures every one of them from the saved arrays."""


import numpy as np

from orthontk_lib.claims import AtLeast, AtMost, Claim, Measurement, with_reading, Within

from .experiment import MULTIPLICITY
from .statistics import (
    PAPER_STEP,
    _line_counts,
    line_rule_words,
    change_slope,
    change_slope_ci,
    counts_at_stage_end,
    counts_over_training,
    lazy_orientations_ci,
    median_ratio,
    median_ratio_ci,
    multiplicity_gap_ci,
    reading,
    rule_grid,
    share_above,
)

# CLAIMS

ZX = "Zhou, Xu et al. 2022"
TYPICAL = ("seed median (a typical network, not the worst of the seeds); 95% bootstrap interval over seeds; the "
           "share of seeds above 2p, with its exact interval, in the detail")
RULE_WHY = ("the bound 2p for a typical network: a median at 2p or below; orientations within about 18° count as one "
            "(cosine 0.95), the fewest clusters holding 90% of the weight; other thresholds and covers are shown on the "
            "page")
ROBUST = "cd-robustness"
"""Label of the section that tests a failing bound's robustness (seeds, counting rule, instant): every bound claim's."""
CLAIMS = [
    Claim("condensation-orientations", f"{ZX}, Thm. 1 (p = 1, any input dimension)",
          "With small initialization, the input weights of neurons with an activation of multiplicity p = 1 condense "
          "onto at most 2 orientations early in training, in any input dimension.",
          "condensed orientations / 2p at the end of the initial stage (d = 5, gradient descent, smallest init scale), "
          f"largest over the p = 1 activations of the {TYPICAL}", AtMost(1.0), why=RULE_WHY, decide="more seeds", robustness=ROBUST),
    *(Claim(f"condensation-adam-p{p}", f"{ZX}, Sec. 5 (main experiment; " + (
        "Thm. 1)" if p == 1 else "for p > 1 in d = 5 an experimental finding, not a theorem)"),
        f"In the paper's main experiment (5–50–1, N(0, 0.005²), Adam) neurons of multiplicity {p} condense onto at "
        f"most {2 * p} orientations ({p} line{'s' if p > 1 else ''}) in the initial stage.",
        f"condensed orientations / {2 * p} at the end of the initial stage, largest over the activations of "
        f"multiplicity {p} of the {TYPICAL}", AtMost(1.0), why=RULE_WHY, decide="more seeds",
        robustness=ROBUST)
      for p in (1, 2, 3)),
    *(Claim(f"condensation-deep-{act}", f"{ZX}, Sec. 5 (condensation beyond one hidden layer)",
            f"In a network with several hidden layers, the first layer's neurons ({act}, multiplicity "
            f"{MULTIPLICITY[act]}) condense onto at most {2 * MULTIPLICITY[act]} orientations in the initial stage.",
            f"condensed orientations of the first hidden layer / {2 * MULTIPLICITY[act]} at the end of the initial "
            f"stage, {TYPICAL}", AtMost(1.0),
            why="the one-layer bound 2p, which the paper's deeper experiments show for the first layer too; " + RULE_WHY,
            decide="more seeds", robustness=ROBUST)
      for act in ("tanh", "xtanh")),
    Claim("condensation-1d-bound", f"{ZX}, Thm. 2 (1-D input, any p)",
          "With 1-D input, neurons condense onto at most 2p orientations for any multiplicity p.",
          "condensed orientations / 2p at the end of the initial stage (1-D), largest over the activations with a "
          f"multiplicity of the {TYPICAL}", AtMost(1.0), why="the theorem's bound, for a typical network",
          decide="more seeds", robustness=ROBUST),
    Claim("condensation-multiplicity", f"{ZX}, Sec. 5 (experiments)",
          "The number of condensed orientations grows with the multiplicity: x·tanh (p = 2) condenses onto more "
          "orientations than tanh (p = 1); the paper finds 2p.",
          "median condensed orientations of x·tanh minus those of tanh (1-D; 95% bootstrap interval over seeds)",
          AtLeast(1.0), why="2p gives 4 − 2 = 2; one more orientation is the least that shows growth",
          decide="more seeds"),
    Claim("condensation-lazy-none", f"{ZX}, Sec. 5 (the initial scale as a control)",
          "At the usual initialization scale (LeCun's) the input weights do not condense.",
          "condensed orientations / m at s = 1 at the end of the initial stage (seed median, fewest over "
          "activations; 95% bootstrap interval over seeds)",
          AtLeast(0.25), why="random orientations in d + 1 = 6 dimensions rarely lie within 18° of each other, "
          "giving about 0.7 m clusters; condensation gives 2p/m <= 0.08 at m = 50", decide="more seeds"),
    Claim("condensation-weight-change", f"{ZX}, Sec. 4 (the initial stage)",
          "From a small initialization the input weights grow to a size set by the task, not by the initialization: "
          "their relative change is of order 1/s.",
          "log-log slope of the relative change of the input weights at the end of the initial stage against the "
          "scale s <= 0.03 (seed medians; the activation farthest from −1; 95% bootstrap interval over seeds)",
          Within(-1.0, 0.15), why="theory: −1; the stage ends at a loss drop fixed up to one evaluation's "
          "resolution, which moves the slope by a few hundredths", decide="more scales or seeds"),
]
CLAIM = {c.id: c for c in CLAIMS}


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval; the bounds' details carry each activation's seed median, the
    share of seeds above 2p and, where the weights were saved for every seed, the typical count under every counting
    rule of the grid and the reading it supports."""
    return {
        "condensation-orientations": bound_measurement("condensation-orientations", *_main_bound(arrays, cfg)),
        "condensation-1d-bound": with_reading(bound_measurement("condensation-1d-bound", *_line_bound(arrays, cfg)),
                                               line_rule_words(arrays, cfg)),
        **{f"condensation-adam-p{p}": _with_paper_step(
            bound_measurement(f"condensation-adam-p{p}", *_adam_bound(arrays, cfg, "adam", p)), arrays, cfg)
           for p in (1, 2, 3)},
        **{f"condensation-deep-{act}": bound_measurement(f"condensation-deep-{act}",
                                                         *_adam_bound(arrays, cfg, "deep", MULTIPLICITY[act], act))
           for act in ("tanh", "xtanh")},
        "condensation-multiplicity": with_reading(Measurement(*multiplicity_gap_ci(arrays, cfg.activations_1d)),
                                                   line_rule_words(arrays, cfg, CLAIM["condensation-multiplicity"].rule.x)),
        "condensation-lazy-none": Measurement(*lazy_orientations_ci(arrays)),
        "condensation-weight-change": Measurement(*change_slope_ci(arrays), {"slopes": change_slope(arrays)[1]}),
    }


def bound_measurement(claim_id, acts, counts, u=None, end=None):
    """A bound claim's :class:`Measurement`: :func:`median_ratio` of ``counts`` (A, S) with its bootstrap interval; the
    detail gives each activation's median and seeds above 2p, and (with the weights ``u`` at the stage ends ``end``)
    the typical count under every rule of the grid and the reading it supports. NaN without an activation."""
    if not acts:
        return Measurement(float("nan"), (float("nan"), float("nan")), {"activations": []})
    ps = [MULTIPLICITY[a] for a in acts]
    value, ci = median_ratio_ci(counts, ps)
    detail = {"activations": list(acts), "median": [float(np.nanmedian(c)) if not np.all(np.isnan(c)) else None
                                                    for c in np.asarray(counts, float)],
              "above_2p": [list(share_above(c, p)[:2]) + [share_above(c, p)[2], list(share_above(c, p)[3])]
                           for c, p in zip(np.asarray(counts, float), ps)]}
    if u is not None:
        grid = rule_grid(u, end, ps)
        detail["rules"] = [[r, x] for r, x in grid]
        detail["reading"] = reading(CLAIM[claim_id].verdict(value, ci), grid)
    return Measurement(value, ci, detail)


def _with_paper_step(m, arrays, cfg):
    """An Adam bound's measurement with the instant added to its reading, where the run kept its weights over
    training: a typical network's count / 2p at the paper's step (:data:`PAPER_STEP`) beside the stage end's."""
    ct = counts_over_training(arrays, "adam", cfg.threshold, cfg.cover)
    acts = (m.detail or {}).get("activations") or []
    if ct is None or not acts or "reading" not in m.detail:
        return m
    c, steps = ct
    j = int(np.argmin(np.abs(steps - PAPER_STEP)))
    idx = [list(cfg.adam_activations).index(a) for a in acts]
    ratio = median_ratio(np.asarray(c, float)[idx, :, j], [MULTIPLICITY[a] for a in acts])
    where = "within 2p" if ratio <= 1 else "above 2p"
    m = with_reading(m, f"at the paper's step {int(steps[j])} a typical network has {ratio:.3g} × 2p ({where})")
    return Measurement(m.value, m.ci, {**m.detail, "paper_step_ratio": float(ratio)})


def _main_bound(arrays, cfg):
    j = int(np.argmin(arrays["scales"]))
    idx = [i for i, a in enumerate(cfg.activations) if MULTIPLICITY[a] == 1]
    return ([cfg.activations[i] for i in idx], counts_at_stage_end(arrays)[idx, j], arrays["u_end_stage"][idx, j],
            arrays["end"][idx, j])


def _line_bound(arrays, cfg):
    idx = [i for i, a in enumerate(cfg.activations_1d) if MULTIPLICITY[a]]
    return [cfg.activations_1d[i] for i in idx], _line_counts(arrays)[idx]


def _adam_bound(arrays, cfg, which, p, activation=None):
    acts = list(cfg.adam_activations if which == "adam" else cfg.deep_activations)
    idx = [i for i, a in enumerate(acts) if MULTIPLICITY[a] == p and activation in (None, a)]
    end = np.asarray(arrays[f"{which}_end"])[idx]
    counts = np.where(end >= 0, np.asarray(arrays[f"{which}_count_end"], float)[idx], np.nan)
    return [acts[i] for i in idx], counts, np.asarray(arrays[f"{which}_u_end_stage"])[idx], end


def deep_rows(cfg, arrays):
    """Rows of the deeper networks' table: φ, 2p, orientations at the stage end (median [range] over seeds), and the
    stage end (Adam steps, median)."""
    rows = []
    for i, act in enumerate(cfg.deep_activations):
        c, e = np.asarray(arrays["deep_count_end"][i], float), arrays["deep_end"][i]
        c = np.where(c < 0, np.nan, c)
        p = MULTIPLICITY[act]
        rows.append([act, "—" if p is None else str(2 * p), _median_range(c),
                     "never" if (e < 0).all() else f"{2 * np.median(e[e >= 0]):.0f}"])
    return rows



def _median_range(c):
    return "—" if np.all(np.isnan(c)) else f"{np.nanmedian(c):.0f} [{np.nanmin(c):.0f}–{np.nanmax(c):.0f}]"
