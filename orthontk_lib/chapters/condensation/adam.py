r"""The paper's main experiment: 5–50–1 networks, every parameter from N(0, 0.005²), full-batch Adam, for activations of
multiplicity 1, 2 and 3. Its points and arrays (the input weights kept over training), the count over training and at
the paper's step, its claims, numbers and tables (the counting rules, softplus's extra orientation) and figures."""

import jax
import numpy as np

from orthontk_lib import plots, results
from orthontk_lib.claims import AtMost, Claim, Measurement, with_reading
from orthontk_lib.init import normal_params
from orthontk_lib.models import FCN
from orthontk_lib.reproduction import PaperFigure
from orthontk_lib.train import TrainConfig

from .counting import (
    GRID_COVERS,
    GRID_THRESHOLDS,
    ROBUST,
    RULE_WHY,
    TYPICAL,
    ZX,
    bound_measurement,
    bound_table,
    dominant_neurons,
    median_range,
    md_table,
    median_ratio,
    orientation_order,
    recount,
    share_above,
    stage_counts,
)
from .experiment import ADAM_ACTIVATIONS, ADAM_KNOBS, MULTIPLICITY, SLUG, sines_task, stage_ends, train_point
from .orientations import condensed_orientations, cosine_similarity, largest_holding, orientation_clusters

__all__ = ["ADAM_CLAIMS", "ADAM_FIGURE", "ADAM_SWEEP", "ADAM_U_STRIDE", "PAPER_STEP", "_span", "_with_paper_step",
           "adam_arrays", "adam_bound", "adam_numbers", "adam_point", "adam_rows", "bias_split",
           "counts_over_training", "fig_adam_cosine", "fig_adam_counts", "grid_numbers", "grid_rows", "heat_when",
           "history", "history_table", "measure_adam", "softplus_numbers", "stage_end_steps"]

# THE POINTS

ADAM_FIGURE = PaperFigure(
    "Zhou, Xu et al. (2022), Sec. 5: the main experiment (5–50–1 networks from N(0, 0.005²), full-batch Adam, "
    "cosine similarity of the neurons' input weights, for activations of multiplicity 1, 2 and 3)",
    settings=dict(adam_activations=ADAM_ACTIVATIONS, adam_std=0.005, adam_lr=1e-3, width=50, d=5, n_train=80),
    labels=dict(adam_activations="activations", adam_std="init std", adam_lr="Adam learning rate", width="width",
                n_train="training points"))


ADAM_U_STRIDE = 2
"""The Adam runs keep their input weights at every ``ADAM_U_STRIDE``-th evaluation (evaluated every 2 steps: every 4
steps), for the count over training and the heat map at the paper's step."""


def adam_point(cfg, data, activation, depth=1):
    """The paper's main experiment for one activation: every parameter drawn from N(0, ``adam_std``²), full-batch
    Adam; per seed the stage end, its count of orientations, the input weights there and over training (every
    ``ADAM_U_STRIDE``-th evaluation) (``depth`` hidden layers of ``width`` units; the first layer's input weights are
    counted)."""
    spec = FCN(depth, cfg.width, activation, parameterization="standard")
    keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), 7), cfg.n_seeds)
    loss, u = train_point(spec, data, TrainConfig(steps=cfg.adam_steps, record_every=2, optimizer="adam"),
                          cfg.adam_lr, keys, params=normal_params(spec, keys, data.x_train, cfg.adam_std))
    ends, count_end, at_end = stage_ends(cfg, loss, u)
    return {"loss": loss, "end": ends, "count_end": count_end, "u_end_stage": at_end,
            "u": u[:, ::ADAM_U_STRIDE].astype(np.float32)}


ADAM_SWEEP = results.Sweep(
    SLUG, "adam", knobs=ADAM_KNOBS, over=("adam_activations",),
    points=lambda cfg: [{"activation": a} for a in cfg.adam_activations],
    run=lambda cfg, it: adam_point(cfg, sines_task(cfg), it["activation"]), desc="Adam from N(0, std^2)")
"""The paper's Adam runs, one point per activation."""


def adam_arrays(cfg):
    """The paper's Adam runs, one point per activation, stacked as (activation, ...) with the prefix ``adam_``."""
    adam = ADAM_SWEEP.results(cfg)
    return {f"adam_{k}": np.stack([p.arrays[k] for p in adam]) for k in adam[0].arrays}


# STATISTICS

PAPER_STEP = 100
"""The step of the paper's heat maps: after its 100 epochs of full-batch Adam, one step each."""


def history(arrays, which="adam"):
    """The Adam runs' input weights over training and their steps: ((activation, seed, T, m, d + 1), (T,)); None when
    the run kept the weights at the stage end only (the committed paper run did)."""
    if f"{which}_u" not in arrays:
        return None
    u = np.asarray(arrays[f"{which}_u"])
    return u, np.arange(u.shape[2]) * 2 * ADAM_U_STRIDE


def counts_over_training(arrays, which="adam", threshold=0.95, cover=0.9):
    """Condensed orientations at every saved instant: ((activation, seed, T), steps (T,)); None without a history."""
    h = history(arrays, which)
    if h is None:
        return None
    return recount(h[0], np.zeros(h[0].shape[:3]), threshold, cover), h[1]


def bias_split(u, threshold=0.95, cover=0.9):
    r"""Does the bias split an orientation? For one network's input weights ``u`` (m, d + 1): the condensed
    orientations counted on (w, b) and on w alone, and for each pair of condensed clusters whose neurons agree in w
    (mean cosine of their :math:`\hat w` at least ``threshold``, the clustering's own criterion), the mean cosine of their
    :math:`\hat u = (w, b)/\lVert(w, b)\rVert` and the smaller cluster's mean :math:`\lVert u_k\rVert` relative to the
    other condensed neurons'.

    Returns:
      ``{"wb": int, "w": int, "pairs": [(cos_w, cos_wb, norm_ratio)]}``.
    """
    labels = orientation_clusters(u, threshold)
    keep = largest_holding(np.bincount(labels, weights=np.sum(u**2, axis=-1)), cover)
    cos_wb, cos_w = cosine_similarity(u), cosine_similarity(u[:, :-1])
    norms = np.linalg.norm(u, axis=-1)
    pairs = []
    for i in range(len(keep)):
        for j in range(i + 1, len(keep)):
            a, b = labels == keep[i], labels == keep[j]
            cw = float(cos_w[np.ix_(a, b)].mean())
            if cw >= threshold:
                small = a if a.sum() < b.sum() else b
                rest = np.isin(labels, keep) & ~small
                pairs.append((cw, float(cos_wb[np.ix_(a, b)].mean()), float(norms[small].mean() / norms[rest].mean())))
    return {"wb": len(keep), "w": condensed_orientations(u[:, :-1], threshold, cover), "pairs": pairs}


def _span(x, fmt=".3f"):
    return f"{min(x):{fmt}}" if f"{min(x):{fmt}}" == f"{max(x):{fmt}}" else f"{min(x):{fmt}}–{max(x):{fmt}}"


# CLAIMS

ADAM_CLAIMS = [
    *(Claim(f"condensation-adam-p{p}", f"{ZX}, Sec. 5 (main experiment; " + (
        "Thm. 1)" if p == 1 else "for p > 1 in d = 5 an experimental finding, not a theorem)"),
        f"In the paper's Adam experiment, p = {p} neurons condense onto at most {2 * p} orientations.",
        f"condensed orientations / {2 * p} ({p} line{'s' if p > 1 else ''}) at the end of the initial stage of the "
        f"paper's main experiment (5–50–1, N(0, 0.005²), Adam), largest over the activations of multiplicity {p} of the "
        f"{TYPICAL}", AtMost(1.0), why=RULE_WHY, decide="more seeds", robustness=ROBUST,
        caveat=f"counted at the stage end, not step {PAPER_STEP}")
      for p in (1, 2, 3)),
]


def adam_bound(arrays, cfg, which, p, activation=None):
    acts = list(cfg.adam_activations if which == "adam" else cfg.deep_activations)
    idx = [i for i, a in enumerate(acts) if MULTIPLICITY[a] == p and activation in (None, a)]
    end = np.asarray(arrays[f"{which}_end"])[idx]
    counts = np.where(end >= 0, np.asarray(arrays[f"{which}_count_end"], float)[idx], np.nan)
    return [acts[i] for i in idx], counts, np.asarray(arrays[f"{which}_u_end_stage"])[idx], end


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


def measure_adam(arrays, cfg):
    """The Adam claims, each one's statistic with its 95% interval, the count at the paper's step in its reading."""
    claims = {c.id: c for c in ADAM_CLAIMS}
    return {cid: _with_paper_step(bound_measurement(claims[cid], *adam_bound(arrays, cfg, "adam", p)), arrays, cfg)
            for p, cid in ((p, f"condensation-adam-p{p}") for p in (1, 2, 3))}


# NUMBERS


def adam_numbers(arrays, cfg, measured):
    """The Adam experiment's numbers, labels and tables (``measured``: the chapter's claims measured on ``arrays``)."""
    differs = ADAM_FIGURE.differences(cfg)
    return {
        "cd-adam-std": f"{cfg.adam_std:g}", "cd-adam-lr": f"{cfg.adam_lr:g}", "cd-adam-steps": str(cfg.adam_steps),
        "cd-adam-ndiff": str(len(differs)) if differs else "none",
        "cd-adam-settings": md_table(["setting", "the paper", "the run shown"], ADAM_FIGURE.rows(cfg)),
        "cd-adam-stage-end": stage_end_steps(arrays),
        "cd-adam-bounds": bound_table(measured, [f"condensation-adam-p{p}" for p in (1, 2, 3)]),
        "cd-adam-history": history_table(arrays, cfg),
        "cd-adam-heat-when": heat_when(arrays),
        "cd-paper-step": str(PAPER_STEP),
        **softplus_numbers(arrays, cfg),
        **grid_numbers(measured),
        "cd-grid-thresholds": ", ".join(f"{t:g}" for t in GRID_THRESHOLDS),
        "cd-grid-covers": ", ".join(f"{c:g}" for c in GRID_COVERS),
    }


def stage_end_steps(arrays):
    """When the Adam runs' initial stages ended, in Adam steps: ``"steps 58 to 138"``, or that none did."""
    ends = 2 * np.asarray(arrays["adam_end"])
    ended = ends[ends >= 0]
    return f"steps {ended.min()} to {ended.max()}" if ended.size else "which never came within the run"


def adam_rows(cfg, arrays):
    """Rows of the Adam table: φ, p, 2p, orientations (median [range]), stage end in steps (median [range])."""
    rows = []
    for i, act in enumerate(cfg.adam_activations):
        p, c, e = MULTIPLICITY[act], np.asarray(arrays["adam_count_end"][i], float), arrays["adam_end"][i]
        rows.append([act, "—" if p is None else str(p), "—" if p is None else str(2 * p),
                     median_range(np.where(c < 0, np.nan, c)), median_range(2.0 * e[e >= 0])])
    return rows


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


def grid_numbers(m):
    """Per multiplicity p = 1, 2, 3 (``cd-grid-p1``, ...): at how many of the counting rules tried a typical Adam network
    stays within 2p, ``"13 of 16"``, or ``"— (not run)"``."""
    out = {}
    for p in (1, 2, 3):
        rules = m[f"condensation-adam-p{p}"].detail.get("rules")
        out[f"cd-grid-p{p}"] = f"{sum(x <= 1 for _, x in rules)} of {len(rules)}" if rules else "— (not run)"
    return out


def history_table(arrays, cfg):
    """The count over training as a Markdown table: per activation the seed median at the paper's step and its fewest
    over the run, with the step; or a short note where the run kept the weights at the stage ends only."""
    from IPython.display import Markdown

    ct = counts_over_training(arrays, "adam", cfg.threshold, cfg.cover)
    if ct is None:
        return Markdown("*Not saved by this run (stage ends only).*")
    c, steps = ct
    j = int(np.argmin(np.abs(steps - PAPER_STEP)))
    med = np.median(c, 1)  # (activation, T)
    rows = []
    for i, act in enumerate(cfg.adam_activations):
        p = MULTIPLICITY[act]
        rows.append([act, "—" if p is None else str(2 * p), f"{med[i, j]:g}", f"{med[i].min():g}",
                     str(steps[int(np.argmin(med[i]))])])
    return md_table(["φ", "2p", f"seed median at step {steps[j]}", "fewest over the run", "at step"], rows)


def heat_when(arrays):
    """Which instant the Adam heat maps show: the paper's step where the run kept its weights over training."""
    h = history(arrays)
    if h is None:
        return "at the end of the initial stage"
    return f"at step {h[1][int(np.argmin(np.abs(h[1] - PAPER_STEP)))]}, the paper's"


def softplus_numbers(arrays, cfg):
    """Softplus's extra orientation, tested (``cd-sp-...``): seeds with more than 2 orientations counted on (w, b) and
    on w alone; in the networks with more than 2, how many have a pair of clusters that share their w-orientation, the
    pairs' mean cosines of w and of (w, b), and the smaller cluster's size relative to the other condensed neurons';
    sigmoid's seeds with more than 2 beside it. "—" where an activation was not run or no such pair was found."""
    acts = list(cfg.adam_activations)
    out = dict.fromkeys(("cd-sp-wb", "cd-sp-w", "cd-sp-split", "cd-sp-cos-w", "cd-sp-cos-wb", "cd-sp-norm",
                         "cd-sigmoid-above"), "—")
    if "softplus" in acts:
        i = acts.index("softplus")
        wb, w = (stage_counts(arrays, "adam", cfg.threshold, cfg.cover, x)[i] for x in ("wb", "w"))
        n = int(np.sum(~np.isnan(wb)))
        splits = [bias_split(u, cfg.threshold, cfg.cover) for u, c in zip(arrays["adam_u_end_stage"][i], wb) if c > 2]
        pairs = [pr for sp in splits for pr in sp["pairs"]]
        out.update({"cd-sp-wb": f"{int(np.sum(wb > 2))} of {n}", "cd-sp-w": f"{int(np.sum(w > 2))} of {n}",
                    "cd-sp-split": f"{sum(bool(sp['pairs']) for sp in splits)} of the {len(splits)}"})
        if pairs:
            cw, cwb, nr = (np.array([pr[k] for pr in pairs]) for k in range(3))
            out.update({"cd-sp-cos-w": _span(cw), "cd-sp-cos-wb": _span(cwb), "cd-sp-norm": _span(nr, ".2f")})
    if "sigmoid" in acts:
        sg = stage_counts(arrays, "adam", cfg.threshold, cfg.cover)[acts.index("sigmoid")]
        out["cd-sigmoid-above"] = f"{int(np.sum(sg > 2))} of {int(np.sum(~np.isnan(sg)))}"
    return out


# FIGURES


def fig_adam_cosine(cfg, arrays, which="adam", step=None):
    """The paper's figure: cosine similarities of the input weights of the Adam runs (first seed, the neurons that hold
    ``cover`` of the weight), ordered by cluster; one panel per activation. At ``step`` where the run kept its weights
    over training, else at the end of the initial stage. ``which="deep"``: the first hidden layer of the deeper
    networks."""
    acts = list(cfg.adam_activations if which == "adam" else cfg.deep_activations)
    h = history(arrays, which) if step is not None else None
    fig, axes = plots.figure(ncols=len(acts), width=2.1, height=2.3, squeeze=False)
    for i, act in enumerate(acts):
        if h is None:
            u, when = arrays[f"{which}_u_end_stage"][i, 0], "end of initial stage"
        else:
            j = int(np.argmin(np.abs(h[1] - step)))
            u, when = h[0][i, 0, j], f"step {h[1][j]}"
        n = condensed_orientations(u, cfg.threshold, cfg.cover)
        u = u[dominant_neurons(u, cfg.cover)]
        order = orientation_order(u, cfg.threshold)
        im = axes[0, i].imshow(cosine_similarity(u)[np.ix_(order, order)], cmap="RdBu_r", vmin=-1, vmax=1)
        axes[0, i].set(xticks=[], yticks=[])
        p = MULTIPLICITY[act]
        bound = "" if p is None else f", 2p = {2 * p}"
        axes[0, i].set_title(f"{act}{bound}\n{n} orientations\n{when}", fontsize=7)  # three short lines: no overlap
    fig.colorbar(im, ax=axes[0, :], label=r"$\hat u_j \cdot \hat u_k$", shrink=0.8)
    return fig


def fig_adam_counts(cfg, arrays):
    """Condensed orientations of the Adam runs against the step: seed median and quartile band, the bound 2p dotted,
    the paper's step dashed, the median end of the initial stage grey, each seed's count at its own stage end a dot.
    Without a history over training: each seed's
    count at the end of its initial stage against that step."""
    acts = list(cfg.adam_activations)
    ct = counts_over_training(arrays, "adam", cfg.threshold, cfg.cover)
    fig, axes = plots.figure(ncols=len(acts), width=2.0, height=2.2, squeeze=False, sharey=True)
    for i, act in enumerate(acts):
        ax = axes[0, i]
        if ct is None:
            end = arrays["adam_end"][i]
            ax.plot(2 * end[end >= 0], np.asarray(arrays["adam_count_end"][i])[end >= 0], "o", ms=3, color=f"C{i}",
                    alpha=0.6)
        else:
            c, steps = ct
            q1, med, q3 = np.percentile(c[i], [25, 50, 75], axis=0)
            ax.fill_between(steps, q1, q3, color=f"C{i}", alpha=0.3, lw=0)
            ax.plot(steps, med, color=f"C{i}", lw=1.2)
            ax.axvline(PAPER_STEP, color="k", ls="--", lw=0.8)
            end = arrays["adam_end"][i]
            if (end >= 0).any():
                ax.axvline(2 * np.median(end[end >= 0]), color="0.6", lw=0.8)
                # each seed's count at its own stage end, which the records' spacing may step over
                ax.plot(2 * end[end >= 0], np.asarray(arrays["adam_count_end"][i])[end >= 0], "o", ms=2.5,
                        color=f"C{i}", mec="k", mew=0.3, alpha=0.8)
        if MULTIPLICITY[act]:
            ax.axhline(2 * MULTIPLICITY[act], color="k", ls=":", lw=1)
        ax.set(title=act, xlabel="Adam step", yscale="log", ylim=(1, 60))
        ax.set_yticks([1, 2, 4, 6, 10, 20, 40], labels=["1", "2", "4", "6", "10", "20", "40"])
        ax.minorticks_off()
    axes[0, 0].set_ylabel("condensed orientations")
    return fig
