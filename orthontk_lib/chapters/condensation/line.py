r"""One input dimension: the input weights (w, b) of each neuron are a point of the plane, and the paper's theorem
bounds their condensed orientations by 2p for any multiplicity p. The 1-D runs (the paper's task and Adam), their
statistics (the multiplicity gap, the condensed lines and those gradient flow predicts), claims, numbers, tables and figure."""

import jax
import numpy as np

from orthontk_lib import plots, results, stats
from orthontk_lib.claims import AtLeast, AtMost, Claim, Measurement, with_reading
from orthontk_lib.data import load
from orthontk_lib.init import normal_params
from orthontk_lib.models import FCN
from orthontk_lib.reproduction import PaperFigure
from orthontk_lib.train import TrainConfig

from .counting import (
    GRID_COVERS,
    GRID_THRESHOLDS,
    ROBUST,
    TYPICAL,
    ZX,
    bound_measurement,
    bound_table,
    md_table,
    median_range,
    recount,
)
from .experiment import COUNTING_KNOBS, MULTIPLICITY, SLUG, stage_ends, train_point
from .orientations import largest_holding, orientation_clusters

__all__ = ["LINE_CLAIMS", "LINE_FIGURE", "LINE_SWEEP", "_line_bound", "_merge_angles", "fig_polar", "line_angles",
           "line_angles_measured_predicted", "line_arrays", "line_counts", "line_data", "line_differences",
           "line_match", "line_numbers", "line_point", "line_rows", "line_rule_counts", "line_rule_table",
           "line_rule_words", "measure_line", "multiplicity_gap", "multiplicity_gap_ci", "predicted_line_angles"]

# THE POINTS

LINE_FIGURE = PaperFigure(
    "Zhou, Xu et al. (2022), Sec. 5: the 1-D experiment (y = sin 3x + sin(6x)/2 on [−1, 1.5], the input weights "
    "(w, b) in polar coordinates)",
    settings=dict(width_1d=100, n_1d=40, lr_1d=5e-4),
    labels=dict(width_1d="width", n_1d="training points", lr_1d="Adam learning rate"))


def line_differences(cfg):
    """The 1-D experiment's initialization, where it is not the paper's N(0, 0.005²) for every parameter."""
    if cfg.std_1d == 0.005:
        return []
    if cfg.std_1d > 0:
        return [f"every parameter from N(0, {cfg.std_1d:g}²) (paper: N(0, 0.005²))"]
    return [f"weights and biases at {cfg.scale_1d:g} times LeCun's standard deviation, the output layer's too "
            f"(paper: every parameter from N(0, 0.005²))"]


def line_data(cfg):
    """The 1-D task (the paper's): ``n_1d`` points on a grid of [−1, 1.5], y = sin 3x + sin(6x)/2."""
    return load("sines", n_train=cfg.n_1d, n_test=100, d=1, seed=cfg.seed)


def line_point(cfg, activation):
    """The 1-D experiment (the paper's: full-batch Adam), ``n_seeds`` networks: losses, stage ends and their counts,
    and the input weights (w, b) of the first network over training."""
    data = line_data(cfg)
    spec = FCN(1, cfg.width_1d, activation, W_std=cfg.scale_1d, b_std=cfg.scale_1d, parameterization="standard")
    train_cfg = TrainConfig(steps=cfg.steps_1d, record_every=2, optimizer="adam")
    keys = jax.random.split(jax.random.key(cfg.seed), cfg.n_seeds)
    params = normal_params(spec, keys, data.x_train, cfg.std_1d) if cfg.std_1d > 0 else None
    loss, u = train_point(spec, data, train_cfg, cfg.lr_1d, keys, params=params)
    ends, count_end, _ = stage_ends(cfg, loss, u)
    return {"loss": loss, "u": u[0], "end": ends, "count_end": count_end}


LINE_SWEEP = results.Sweep(
    SLUG, "line", knobs=("n_1d", "width_1d", "scale_1d", "std_1d", "steps_1d", "lr_1d", "n_seeds", "seed")
    + COUNTING_KNOBS, over=("activations_1d",), points=lambda cfg: [{"activation": a} for a in cfg.activations_1d],
    run=lambda cfg, it: line_point(cfg, it["activation"]), desc="1-D networks")
"""The 1-D networks, one point per activation."""


def line_arrays(cfg):
    """The 1-D runs, one point per activation, stacked as (activation, ...) with the prefix ``line_``, and the steps of
    the first seed's saved weights."""
    lines = LINE_SWEEP.results(cfg)
    out = {f"line_{k}": np.stack([p.arrays[k] for p in lines]) for k in lines[0].arrays}
    out["line_steps"] = np.arange(out["line_loss"].shape[-1]) * 2  # u of the first seed at every evaluation
    return out


# STATISTICS


def line_counts(arrays):
    return np.where(arrays["line_end"] >= 0, arrays["line_count_end"], np.nan)


def multiplicity_gap(arrays, activations_1d, counts=None):
    """1-D experiment: median condensed orientations of the p = 2 activation minus that of the p = 1 one (x·tanh, tanh);
    ``counts`` (activation, seed) replaces the measured ones."""
    c = line_counts(arrays) if counts is None else counts
    med = {a: np.nanmedian(c[i]) for i, a in enumerate(activations_1d)}
    if "xtanh" not in med or "tanh" not in med:
        raise ValueError(f"multiplicity_gap: needs tanh and xtanh among the 1-D activations, got {list(activations_1d)}")
    return float(med["xtanh"] - med["tanh"])


def multiplicity_gap_ci(arrays, activations_1d):
    """:func:`multiplicity_gap` with its exact 95% interval (:func:`orthontk_lib.stats.median_contrast_ci`: each
    median bounded by order statistics of its seeds at 97.5%, the difference between the bounds' ends); seeds whose
    stage never ended are left out of their activation's median. With 4 seeds the interval is infinite."""
    value = multiplicity_gap(arrays, activations_1d)
    c = line_counts(arrays)
    acts = list(activations_1d)
    rows = [c[acts.index(a)][~np.isnan(c[acts.index(a)])] for a in ("xtanh", "tanh")]
    if min(r.size for r in rows) == 0:
        return value, (float("nan"), float("nan"))  # an activation whose stage never ended: no median, no interval
    return value, stats.median_contrast_ci(rows, [1.0, -1.0])[1]


def line_angles(u, threshold=0.95, cover=0.9):
    r"""Angles (degrees, modulo 180) of the lines the 2-D input weights ``u`` (m, 2) have condensed onto, sorted.

    The condensed orientations of :func:`condensed_orientations`, each as its clusters' :math:`\lVert u\rVert^2`-weighted
    mean direction; a line and its opposite give one angle.
    """
    labels = orientation_clusters(u, threshold)
    keep = largest_holding(np.bincount(labels, weights=np.sum(u**2, axis=-1)), cover)
    angles = []
    for lab in keep:
        sel = labels == lab
        mean = (u[sel] * np.linalg.norm(u[sel], axis=-1, keepdims=True)).sum(0)
        angles.append(np.degrees(np.arctan2(mean[1], mean[0])) % 180.0)
    return _merge_angles(angles)


def predicted_line_angles(x, y, p):
    r"""The lines (degrees, modulo 180) gradient flow condenses 1-D input weights onto, from initialization.

    With the output still :math:`\approx 0` the residual is :math:`-y`. For :math:`p = 1` every :math:`u_k` moves
    along :math:`v = \frac1N \sum_i y_i \tilde x_i` (:math:`\tilde x = (x, 1)`): one line. For :math:`p = 2`,
    :math:`\dot u_k = 2 a_k R u_k` with :math:`R = \frac1N \sum_i y_i \tilde x_i \tilde x_i^\top`: :math:`u_k` turns to
    the eigenvector of :math:`R` of largest eigenvalue if :math:`a_k > 0`, of smallest if :math:`a_k < 0`: two lines.
    """
    xt = np.stack([np.ravel(x), np.ones(np.size(x))], 1)
    y = np.ravel(y)
    if p == 1:
        v = (xt * y[:, None]).mean(0)
        return [float(np.degrees(np.arctan2(v[1], v[0])) % 180.0)]
    if p == 2:
        _, vecs = np.linalg.eigh((xt * y[:, None]).T @ xt / len(y))
        return sorted(float(np.degrees(np.arctan2(e[1], e[0])) % 180.0) for e in vecs.T)
    raise ValueError(f"predicted_line_angles: p must be 1 or 2, got {p}")


def _merge_angles(angles, tol=10.0):
    """Sorted line angles (mod 180), merging those within ``tol`` degrees (a line's two orientations)."""
    out = []
    for a in sorted(angles):
        if out and min(abs(a - out[-1]), 180 - abs(a - out[-1])) < tol:
            continue
        out.append(float(a))
    if len(out) > 1 and 180 - (out[-1] - out[0]) < tol:
        out.pop()
    return out


def line_rule_counts(arrays, activations_1d):
    """The 1-D run's kept seed (its first; the run keeps no other's weights) counted under every (threshold, cover)
    of the grid at the end of its initial stage: ``(rules, {activation: counts})``, activations that never ended left
    out."""
    rules = [(t, c) for t in GRID_THRESHOLDS for c in GRID_COVERS]
    out = {}
    for i, act in enumerate(activations_1d):
        end = int(arrays["line_end"][i, 0])
        if end >= 0:
            u = np.asarray(arrays["line_u"][i][end])
            out[act] = [float(recount(u, 0, t, c)) for t, c in rules]
    return rules, out


def line_rule_words(arrays, cfg, gap_rule=1.0):
    """The 1-D claims under the counting rules: read under the chapter's rule (the run keeps one seed's weights); in
    that seed, at how many rules each activation with a multiplicity stays within 2p, and where the multiplicity gap
    (x·tanh minus tanh) falls below ``gap_rule`` (the multiplicity claim's bar) or sits on it."""
    rules, counts = line_rule_counts(arrays, cfg.activations_1d)
    name = lambda r: f"cosine {r[0]:g}, cover {r[1]:g}"
    parts = []
    for act, cs in counts.items():
        p = MULTIPLICITY[act]
        if not p:
            continue
        over = [f"{n:g} at {name(r)}" for n, r in zip(cs, rules) if n > 2 * p]
        parts.append(f"{act} (2p = {2 * p}) within it at {len(rules) - len(over)} of {len(rules)} rules"
                     + (f", above it at {'; '.join(over)}" if over else ""))
    if "tanh" in counts and "xtanh" in counts:
        gaps = [x - t for x, t in zip(counts["xtanh"], counts["tanh"])]
        below = [f"{g:g} at {name(r)}" for g, r in zip(gaps, rules) if g < gap_rule]
        on = sum(g == gap_rule for g in gaps)
        parts.append("the multiplicity gap (x·tanh minus tanh) is "
                     + (f"{'; '.join(below)}, below {gap_rule:g}, where condensation-multiplicity would not hold in "
                        "this seed" if below else f"at least {gap_rule:g} under every rule")
                     + (f", and exactly {gap_rule:g} at {on} rules" if on else ""))
    head = ("The 1-D run keeps its input weights for its first seed only, so condensation-1d-bound and "
            "condensation-multiplicity are read under the chapter's rule alone")
    return head + ("; in that seed, " + "; ".join(parts) if parts else "")


# CLAIMS

LINE_CLAIMS = [
    Claim("condensation-1d-bound", f"{ZX}, Thm. 2 (1-D input, any p)",
          "With 1-D input, neurons condense onto at most 2p orientations for any multiplicity p.",
          "condensed orientations / 2p at the end of the initial stage (1-D), largest over the activations with a "
          f"multiplicity of the {TYPICAL}", AtMost(1.0), why="the theorem's bound, for a typical network",
          decide="more seeds", robustness=ROBUST, caveat="counting rules checked on one seed"),
    Claim("condensation-multiplicity", f"{ZX}, Sec. 5 (experiments)",
          "x·tanh (p = 2) condenses onto more orientations than tanh (p = 1).",
          "median condensed orientations of x·tanh minus those of tanh (1-D; exact 95% interval: each median's from "
          "order statistics of the seeds at 97.5%, distribution-free)",
          AtLeast(1.0), why="the count grows with the multiplicity; the paper finds 2p, which gives 4 − 2 = 2; one more "
          "orientation is the least that shows growth", decide="more seeds", caveat="counting rules checked on one seed"),
]


def _line_bound(arrays, cfg):
    idx = [i for i, a in enumerate(cfg.activations_1d) if MULTIPLICITY[a]]
    return [cfg.activations_1d[i] for i in idx], line_counts(arrays)[idx]


def measure_line(arrays, cfg):
    """The 1-D experiment's claims, each one's statistic with its 95% interval; both carry the kept seed's reading
    under every counting rule (:func:`line_rule_words`)."""
    bound, gap = LINE_CLAIMS
    return {
        "condensation-1d-bound": with_reading(bound_measurement(bound, *_line_bound(arrays, cfg)),
                                               line_rule_words(arrays, cfg)),
        "condensation-multiplicity": with_reading(Measurement(*multiplicity_gap_ci(arrays, cfg.activations_1d)),
                                                   line_rule_words(arrays, cfg, gap.rule.x)),
    }


# NUMBERS


def line_numbers(arrays, cfg, measured):
    """The 1-D experiment's numbers, labels and tables (``measured``: the chapter's claims measured on ``arrays``)."""
    differs = LINE_FIGURE.differences(cfg, line_differences(cfg))
    settings = md_table(["setting", "the paper", "the run shown"], LINE_FIGURE.rows(cfg)
                        + [["initialization", "every parameter from N(0, 0.005²)", d.split(" (paper:")[0]]
                           for d in line_differences(cfg)])
    return {
        "cd-line-width": str(cfg.width_1d), "cd-line-n": str(cfg.n_1d), "cd-line-lr": f"{cfg.lr_1d:g}",
        "cd-line-steps": str(cfg.steps_1d),
        "cd-line-ndiff": str(len(differs)) if differs else "none",
        "cd-line-settings": settings,
        "cd-line-bounds": bound_table(measured, ["condensation-1d-bound"], reading=False),
        "cd-line-rules": line_rule_table(arrays, cfg),
        **line_match(cfg, arrays),
    }


def line_rule_table(arrays, cfg, gap_rule=1.0):
    """The 1-D run's kept seed under every counting rule (:func:`line_rule_counts`) as a Markdown table: per activation
    with a multiplicity, the rules at which it stays within 2p and the counts above it; then the multiplicity gap
    (x·tanh minus tanh) against ``gap_rule`` (the multiplicity claim's bar): the rules at or above it, those exactly on
    it, and the gaps below it."""
    rules, counts = line_rule_counts(arrays, cfg.activations_1d)
    name = lambda r: f"cosine {r[0]:g}, cover {r[1]:g}"
    rows = []
    for act, cs in counts.items():
        p = MULTIPLICITY[act]
        if p:
            over = [f"{n:g} at {name(r)}" for n, r in zip(cs, rules) if n > 2 * p]
            rows.append([act, f"at most {2 * p}", f"{len(rules) - len(over)} of {len(rules)}", "; ".join(over) or "—"])
    if "tanh" in counts and "xtanh" in counts:
        gaps = [x - t for x, t in zip(counts["xtanh"], counts["tanh"])]
        below = [f"{g:g} at {name(r)}" for g, r in zip(gaps, rules) if g < gap_rule]
        on = sum(g == gap_rule for g in gaps)
        rows.append(["x·tanh minus tanh", f"at least {gap_rule:g}",
                     f"{len(rules) - len(below)} of {len(rules)} (exactly {gap_rule:g} at {on})", "; ".join(below) or "—"])
    return md_table(["count (first seed)", "bound", "rules within it", "outside it"], rows)


def line_angles_measured_predicted(cfg, arrays):
    """Per 1-D activation: the condensed lines of the first seed at the end of its initial stage (angles, [] if it
    never ended) and the lines gradient flow heads for ([] outside p = 1, 2)."""
    d1 = line_data(cfg)
    out = []
    for i, act in enumerate(cfg.activations_1d):
        end = arrays["line_end"][i]
        measured = line_angles(arrays["line_u"][i][end[0]], cfg.threshold, cfg.cover) if end[0] >= 0 else []
        p = MULTIPLICITY[act]
        out.append((measured, predicted_line_angles(d1.x_train, d1.y_train, p) if p in (1, 2) else []))
    return out


def line_rows(cfg, arrays):
    """Rows of the 1-D table: φ, 2p, orientations, stage end, measured lines (first seed), gradient flow's lines."""
    angles = lambda v: ", ".join(f"{x:.0f}°" for x in v) or "—"
    counts = line_counts(arrays)
    rows = []
    for i, (act, (measured, predicted)) in enumerate(zip(cfg.activations_1d, line_angles_measured_predicted(cfg, arrays))):
        end = arrays["line_end"][i]
        p = MULTIPLICITY[act]
        rows.append([act, "—" if p is None else str(2 * p), median_range(counts[i]), median_range(2 * end[end >= 0]),
                     angles(measured), angles(predicted)])
    return rows


def line_match(cfg, arrays):
    """The activations with p = 1 or 2 whose first seed's number of condensed lines equals gradient flow's
    (``cd-line-match``) and those whose does not (``cd-line-mismatch``), each ``"none"`` where there is none."""
    pairs = [(act, len(m), len(q)) for act, (m, q) in zip(cfg.activations_1d, line_angles_measured_predicted(cfg, arrays))
             if MULTIPLICITY[act] in (1, 2)]
    names = lambda same: " and ".join(a for a, m, q in pairs if (m == q) == same) or "none"
    return {"cd-line-match": names(True), "cd-line-mismatch": names(False)}


# FIGURES


def fig_polar(cfg, arrays):
    """1-D input weights as points (angle atan2(b, w), radius relative to the largest) at four moments."""
    acts_1d, steps_1d = list(cfg.activations_1d), arrays["line_steps"]
    fig, axes = plots.figure(ncols=4, nrows=len(acts_1d), width=2.2, height=2.5, squeeze=False,
                             subplot_kw={"projection": "polar"})
    for i, act in enumerate(acts_1d):
        u, end = arrays["line_u"][i], int(arrays["line_end"][i, 0])  # the first seed's weights and stage end
        end = len(u) // 3 if end < 0 else end
        for ax, r in zip(axes[i], [0, max(end // 2, 1), end, len(u) - 1]):
            amp = np.linalg.norm(u[r], axis=-1)
            ax.scatter(np.arctan2(u[r][:, 1], u[r][:, 0]), amp / amp.max(), s=6, color=f"C{i}")
            ax.set_title(f"{act}\nstep {steps_1d[r]}", fontsize=7, pad=8)
            ax.set_yticklabels([])
            ax.tick_params(labelsize=6)
    return fig
