r"""The numbers and phrases the chapter's prose glues (:func:`numbers`), and the tables' rows: each computed from the
arrays, so that every sentence flips when the data do."""


import numpy as np

from .claims import CLAIMS, _median_range
from .experiment import ADAM_FIGURE, LINE_FIGURE, MULTIPLICITY, line_data, line_differences
from .statistics import (
    GRID_COVERS,
    GRID_THRESHOLDS,
    PAPER_STEP,
    _line_counts,
    _span,
    bias_split,
    change_slope,
    counts_at_stage_end,
    counts_over_training,
    history,
    line_angles,
    line_rule_words,
    predicted_line_angles,
    share_above,
    stage_counts,
)


def line_words(arrays, cfg):
    """Where each 1-D activation's neurons have condensed at the end of the initial stage (seed median), beside 2p."""
    counts = _line_counts(arrays)
    parts = []
    for i, act in enumerate(cfg.activations_1d):
        c, p = np.nanmedian(counts[i]) if not np.all(np.isnan(counts[i])) else np.nan, MULTIPLICITY[act]
        if np.isnan(c):
            parts.append(f"{act}'s initial stage did not end")
            continue
        lines = f"{c:.0f} orientations" + (f" ({c / 2:g} line{'s' if c != 2 else ''})" if c % 2 == 0 else "")
        bound = "outside the theorem" if p is None else (f"the theorem allows {2 * p}" if c <= 2 * p
                                                        else f"more than the {2 * p} the theorem allows")
        parts.append(f"{act}'s onto {lines}, {bound}")
    return "; ".join(parts)

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
    counts = _line_counts(arrays)
    rows = []
    for i, (act, (measured, predicted)) in enumerate(zip(cfg.activations_1d, line_angles_measured_predicted(cfg, arrays))):
        end = arrays["line_end"][i]
        p = MULTIPLICITY[act]
        rows.append([act, "—" if p is None else str(2 * p), _median_range(counts[i]), _median_range(2 * end[end >= 0]),
                     angles(measured), angles(predicted)])
    return rows


def line_match_words(cfg, arrays):
    """Whether the first seed's number of condensed lines equals gradient flow's, per activation with p = 1 or 2."""
    pairs = [(act, len(m), len(q)) for act, (m, q) in zip(cfg.activations_1d, line_angles_measured_predicted(cfg, arrays))
             if MULTIPLICITY[act] in (1, 2)]
    same = [a for a, m, q in pairs if m == q]
    other = [f"{a} ({m} measured, {q} predicted)" for a, m, q in pairs if m != q]
    if not pairs:
        return "No activation here has a gradient-flow prediction"
    if not other:
        return f"The number of lines matches for {' and '.join(same)}"
    return (f"The number of lines matches for {' and '.join(same)} but not for {', '.join(other)}" if same else
            f"The number of lines does not match: {', '.join(other)}")


def count_rows(cfg, arrays):
    """Rows of the d-dimensional table: φ, 2p, then the median [range] of orientations at each scale."""
    counts = counts_at_stage_end(arrays)
    return [[act, "—" if MULTIPLICITY[act] is None else str(2 * MULTIPLICITY[act])]
            + [_median_range(counts[i, j]) for j in range(len(arrays["scales"]))] for i, act in enumerate(cfg.activations)]


def numbers(arrays, cfg, measured):
    """The numbers and phrases of the chapter's prose (``measured``: the claims measured on ``arrays``)."""
    sc = list(arrays["scales"])
    small, large = int(np.argmin(sc)), int(np.argmax(sc))
    final = np.median(arrays["rel_change"][..., -1], -1)
    acts = list(cfg.activations)
    lazy = final[:, large]
    m = measured
    return {
        "cd-setup": f"{cfg.d}–{cfg.width}–1 networks, {cfg.n_train} training points, full-batch gradient descent "
                    f"with learning rate {cfg.lr:g} for {cfg.steps} steps, {cfg.n_seeds} seeds",
        "cd-drop": f"{cfg.loss_drop:.0%}",
        "cd-threshold": f"{cfg.threshold:g} (about {np.degrees(np.arccos(cfg.threshold)):.0f}°)",
        "cd-cover": f"{cfg.cover:.0%}",
        "cd-line-setup": f"{cfg.width_1d} neurons, {cfg.n_1d} points, full-batch Adam with learning rate "
                         f"{cfg.lr_1d:g} for {cfg.steps_1d} steps, {cfg.n_seeds} seeds",
        "cd-line-std": f"{cfg.scale_1d:g}",
        "cd-nseeds": str(cfg.n_seeds), "cd-width": str(cfg.width),
        "cd-collapse-words": (
            "the counts of the p = 1 activations reach the bound at the smallest s, where the weights grow by a large "
            "factor inside the initial stage"
            if m.verdict("condensation-orientations") == "holds" else
            "at the smallest s the counts of the p = 1 activations still exceed the bound for some seeds"),
        "cd-slopes": ", ".join(f"{s:.2f} ({act})" for s, act in zip(change_slope(arrays)[1], acts)),
        "cd-change-lazy": ", ".join(f"{final[i, large]:.2f} ({act})" for i, act in enumerate(acts)),
        "cd-lazy-words": ("about their own size or more: at this width the usual scale is not lazy"
                          if lazy.max() > 0.3 else "by a small fraction of their size: close to lazy"),
        "cd-change-small": ", ".join(f"{final[i, small]:.0f} ({act})" for i, act in enumerate(acts)),
        "cd-scale-small": f"{sc[small]:g}",
        "cd-adam-setup": f"{cfg.d}–{cfg.width}–1 networks, every parameter from N(0, {cfg.adam_std:g}²), full-batch Adam "
                         f"with learning rate {cfg.adam_lr:g} for {cfg.adam_steps} steps, {cfg.n_seeds} seeds",
        "cd-adam-differs": ADAM_FIGURE.caption(cfg, [adam_stage_difference(arrays, cfg.loss_drop)]),
        "cd-adam-words": bound_words(m, [f"condensation-adam-p{p}" for p in (1, 2, 3)]),
        "cd-adam-history-words": history_words(arrays, cfg),
        "cd-adam-heat-when": heat_when(arrays),
        "cd-paper-step": str(PAPER_STEP),
        "cd-softplus-words": softplus_words(arrays, cfg),
        "cd-grid-words": grid_words(m),
        "cd-robust-words": robust_words(m),
        "cd-line-rule-words": line_rule_words(arrays, cfg),
        "cd-grid-size": f"{len(GRID_THRESHOLDS)} cosine thresholds ({', '.join(f'{t:g}' for t in GRID_THRESHOLDS)}) by "
                        f"{len(GRID_COVERS)} covers ({', '.join(f'{c:g}' for c in GRID_COVERS)})",
        "cd-deep-setup": f"{cfg.d}–{'–'.join([str(cfg.width)] * cfg.deep_depth)}–1 networks ({cfg.deep_depth} hidden "
                         f"layers), otherwise as above",
        "cd-deep-words": bound_words(m, ["condensation-deep-tanh", "condensation-deep-xtanh"]),
        "cd-line-bound-words": bound_words(m, ["condensation-1d-bound"]),
        "cd-line-words": line_words(arrays, cfg),
        "cd-line-match": line_match_words(cfg, arrays),
        "cd-line-differs": LINE_FIGURE.caption(cfg, line_differences(cfg)),
    }


def adam_stage_difference(arrays, loss_drop=0.05):
    """The one difference from the paper's figure that the data set: the instant of the count the claims read (the
    end of each run's initial stage, and when the stages ended) and of the heat map (the paper's step where the run
    kept its weights over training, else the stage end too)."""
    ends = 2 * np.asarray(arrays["adam_end"])
    ended = ends[ends >= 0]
    when = f"{ended.min()} to {ended.max()} steps" if ended.size else "never, within the run"
    stage = (f"the end of each run's initial stage (the first evaluation where the training loss has fallen by "
             f"{loss_drop:.0%}), not the paper's step {PAPER_STEP}: here the stages end after {when}")
    if history(arrays) is None:
        return f"the heat map and the count are taken at {stage}"
    return f"the heat map is taken at the paper's step {PAPER_STEP}, but the count the claims read is taken at {stage}"


def adam_rows(cfg, arrays):
    """Rows of the Adam table: φ, p, 2p, orientations (median [range]), stage end in steps (median [range])."""
    rows = []
    for i, act in enumerate(cfg.adam_activations):
        p, c, e = MULTIPLICITY[act], np.asarray(arrays["adam_count_end"][i], float), arrays["adam_end"][i]
        rows.append([act, "—" if p is None else str(p), "—" if p is None else str(2 * p),
                     _median_range(np.where(c < 0, np.nan, c)), _median_range(2.0 * e[e >= 0])])
    return rows


def _share_text(share):
    k, n, _, (lo, hi) = share
    return f"{k} of {n}" + (f" ({k / n:.0%}, 95% interval {lo:.0%}–{hi:.0%})" if 0 < k else "")


def bound_words(m, claim_ids):
    """One sentence per bound claim (``m``: the claims measured, :class:`~orthontk_lib.claims.Measured`): its verdict, the typical count / 2p with its interval, each activation's median
    and seeds above 2p, and the reading the counting rules support."""
    parts = []
    for cid in claim_ids:
        v, ci, det = m[cid]
        if not det.get("activations"):
            parts.append(f"{cid}: not measured (no activation of its multiplicity was run)")
            continue
        acts = det["activations"]
        per = ", ".join(f"{a} {med:g} (seeds above 2p: {_share_text(sh)})" if med is not None else f"{a} —"
                        for a, med, sh in zip(acts, det["median"], det["above_2p"]))
        text = (f"{cid} {m.verdict(cid)}: a typical network's count / 2p is {v:.2f} [{ci[0]:.2f}, "
                f"{ci[1]:.2f}]; medians {per}")
        parts.append(text + (f"; {det['reading']}" if "reading" in det else ""))
    return ". ".join(parts)


def grid_rows(cfg, arrays):
    """Rows of the sensitivity table of the Adam runs: the counting rule, then per activation the seed median at the end
    of the initial stage and the seeds above 2p."""
    acts = list(cfg.adam_activations)
    rules = [(t, c, "wb") for t in GRID_THRESHOLDS for c in GRID_COVERS] + [(0.95, 0.9, "w")]
    rows = []
    for t, c, w in rules:
        counts = stage_counts(arrays, "adam", t, c, w)
        cells = []
        for i, act in enumerate(acts):
            med, p = np.nanmedian(counts[i]), MULTIPLICITY[act]
            k, n = share_above(counts[i], p)[:2] if p else (None, None)
            cells.append(f"{med:g}" + ("" if p is None else f" ({k}/{n})"))
        rows.append([f"{t:g}", f"{c:g}", "w" if w == "w" else "(w, b)"] + cells)
    return rows


def grid_words(m):
    """Per Adam claim: at how many of the rules tried a typical network stays within 2p."""
    parts = []
    for p in (1, 2, 3):
        det = m[f"condensation-adam-p{p}"].detail
        if "rules" not in det:
            continue
        within = sum(x <= 1 for _, x in det["rules"])
        parts.append(f"p = {p}: within 2p at {within} of the {len(det['rules'])} rules")
    return "; ".join(parts) if parts else "no Adam activation with a multiplicity was run"


def rule_sensitive(m, cid):
    """Whether a bound claim that holds at the chapter's rule has a typical count above 2p under some rule tried."""
    rules = (m[cid].detail or {}).get("rules")
    return m.verdict(cid) == "holds" and bool(rules) and any(x > 1 for _, x in rules)


def robust_rows(m):
    """Rows of the robustness table, one per bound claim that does not hold, is inconclusive, or holds at the chapter's
    rule but not under every rule tried (:func:`rule_sensitive`): claim, verdict, typical count / 2p with interval,
    seeds above 2p (the activation with most), rules within 2p, the reading (``m``: the claims measured,
    :class:`~orthontk_lib.claims.Measured`)."""
    rows = []
    for c in CLAIMS:
        v, ci, det = m[c.id]
        if "median" not in (det or {}) or (m.verdict(c.id) == "holds" and not rule_sensitive(m, c.id)):
            continue
        worst = max(range(len(det["activations"])), key=lambda i: det["above_2p"][i][2] if det["above_2p"][i][1] else -1)
        rules = det.get("rules")
        rows.append([c.id, m.verdict(c.id), f"{v:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]",
                     f"{det['activations'][worst]}: {_share_text(det['above_2p'][worst])}",
                     f"{sum(x <= 1 for _, x in rules)} of {len(rules)}" if rules else "not saved for every seed",
                     det.get("reading", "—")])
    return rows


def robust_words(m):
    """The claims the robustness section is about, or that there are none."""
    rows = robust_rows(m)
    if not rows:
        return "Every bound holds at this profile: no robustness check is needed"
    return ("These bounds do not hold, are undecided, or hold at the chapter's rule but not under every rule tried: "
            + ", ".join(f"{r[0]} ({r[1]})" for r in rows) + ". Each was checked from several sides")


def history_words(arrays, cfg):
    """The count over training in words: per activation the seed median at the paper's step and its smallest value over
    the run; or that this run kept the weights at the stage ends only."""
    ct = counts_over_training(arrays, "adam", cfg.threshold, cfg.cover)
    if ct is None:
        return ("this run kept the input weights at the end of each initial stage only (it was made before the chapter "
                "saved them over training), so the count over training and at the paper's step are not available here; "
                "the quick profile shows them")
    c, steps = ct
    j = int(np.argmin(np.abs(steps - PAPER_STEP)))
    med = np.median(c, 1)  # (activation, T)
    parts = []
    for i, act in enumerate(cfg.adam_activations):
        p = MULTIPLICITY[act]
        bound = "" if p is None else f", 2p = {2 * p}"
        parts.append(f"{act} {med[i, j]:g} at step {steps[j]} (fewest over the run {med[i].min():g}, at step "
                     f"{steps[int(np.argmin(med[i]))]}{bound})")
    return "seed medians: " + "; ".join(parts)


def heat_when(arrays):
    """Which instant the Adam heat maps show."""
    h = history(arrays)
    if h is None:
        return ("at the end of the initial stage (this run did not keep the weights at the paper's step "
                f"{PAPER_STEP})")
    return f"at step {h[1][int(np.argmin(np.abs(h[1] - PAPER_STEP)))]}, the paper's"


def softplus_words(arrays, cfg):
    """Softplus's extra orientation, tested: counted on (w, b) and on w alone; in the networks with more than 2, the
    pair of clusters that share their w-orientation, their (w, b) cosine and the smaller one's size; sigmoid beside it."""
    acts = list(cfg.adam_activations)
    if "softplus" not in acts:
        return "softplus was not run"
    i = acts.index("softplus")
    wb, w = (stage_counts(arrays, "adam", cfg.threshold, cfg.cover, x)[i] for x in ("wb", "w"))
    n = int(np.sum(~np.isnan(wb)))
    text = (f"Counted on (w, b), softplus has more than 2 orientations in {int(np.sum(wb > 2))} of {n} seeds; "
            f"counted on w alone, in {int(np.sum(w > 2))} of {n}")
    splits = [bias_split(u, cfg.threshold, cfg.cover) for u, c in zip(arrays["adam_u_end_stage"][i], wb) if c > 2]
    pairs = [pr for sp in splits for pr in sp["pairs"]]
    if splits:
        if pairs:
            cw, cwb, nr = (np.array([pr[k] for pr in pairs]) for k in range(3))
            text += (f". In {sum(bool(sp['pairs']) for sp in splits)} of the {len(splits)} networks with more, two of "
                     f"the clusters point the same way in w (mean cosine of their neurons' w {_span(cw)}) and part in "
                     f"the bias alone (mean cosine of their (w, b) {_span(cwb)}, below the threshold "
                     f"{cfg.threshold:g} that would merge them); the smaller one's neurons are {_span(nr, '.2f')} times "
                     f"as large as the other condensed neurons, so they are not neurons that failed to grow")
        else:
            text += ". No two of its clusters share their w-orientation: the extra one is not a split in the bias"
    if "sigmoid" in acts:
        sg = stage_counts(arrays, "adam", cfg.threshold, cfg.cover)[acts.index("sigmoid")]
        text += (f". Sigmoid(0) = 1/2 is not 0 either, yet sigmoid has more than 2 in {int(np.sum(sg > 2))} of "
                 f"{int(np.sum(~np.isnan(sg)))} seeds")
    return text
