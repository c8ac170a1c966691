r"""The chapter's figures, each on the paper's axes where the paper drew it."""


import numpy as np

from orthontk_lib import plots

from .experiment import MULTIPLICITY
from .orientations import condensed_orientations, cosine_similarity
from .statistics import PAPER_STEP, counts_over_training, dominant_neurons, history, orientation_order, stage_end_change

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


def fig_cosine(cfg, arrays):
    """Cosine similarities of the largest neurons' input weights at the end of the initial stage, s = 1 and the
    smallest s, ordered by cluster."""
    sc = list(arrays["scales"])
    small, large = int(np.argmin(sc)), int(np.argmax(sc))
    acts = list(cfg.activations)
    fig, axes = plots.figure(ncols=len(acts), nrows=2, width=2.3, height=2.3, squeeze=False)
    for i, act in enumerate(acts):
        for row, j in enumerate((large, small)):
            u = arrays["u_end_stage"][i, j, 0]
            u = u[dominant_neurons(u, cfg.cover)]
            order = orientation_order(u, cfg.threshold)
            im = axes[row, i].imshow(cosine_similarity(u)[np.ix_(order, order)], cmap="RdBu_r", vmin=-1, vmax=1)
            axes[row, i].set(xticks=[], yticks=[])
            axes[row, i].set_title(f"{act}, s = {sc[j]:g}\n({len(u)} neurons)", fontsize=7)
    fig.colorbar(im, ax=axes[:, -1], label=r"$\hat u_j \cdot \hat u_k$", shrink=0.8)
    return fig


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


def fig_counts(cfg, arrays):
    """Condensed orientations over training (seed median), a curve per scale, the bound 2p dotted."""
    from matplotlib import ticker

    sc, acts = list(arrays["scales"]), list(cfg.activations)
    fig, axes = plots.figure(ncols=len(acts), width=2.5, height=2.3, squeeze=False, sharey=True)
    for i, act in enumerate(acts):
        for j, s in enumerate(sc):
            axes[0, i].semilogx(np.maximum(arrays["count_steps"], 1), np.median(arrays["count"][i, j], 0),
                                color=plots.sequential(j, len(sc)), label=f"s = {s:g}", marker=".", ms=3,
                                lw=0.8)  # markers: the recorded steps (the initialization drawn at step 1)
        if MULTIPLICITY[act]:
            axes[0, i].axhline(2 * MULTIPLICITY[act], color="k", ls=":", lw=1)
        axes[0, i].set(title=act, xlabel="step", yscale="log")
        axes[0, i].yaxis.set_major_locator(ticker.FixedLocator([1, 2, 4, 8, 16, 32]))
        axes[0, i].yaxis.set_major_formatter(ticker.ScalarFormatter())
        axes[0, i].yaxis.set_minor_formatter(ticker.NullFormatter())
    axes[0, 0].set_ylabel("condensed orientations")
    axes[0, -1].legend(fontsize=6)
    return fig


def fig_change(cfg, arrays):
    """Relative change of the input weights at the end of the initial stage and of training, against s."""
    sc, acts = list(arrays["scales"]), list(cfg.activations)
    stage = np.nanmedian(stage_end_change(arrays), -1)
    final = np.median(arrays["rel_change"][..., -1], -1)
    fig, ax = plots.figure(width=4.2)
    for i, act in enumerate(acts):
        ax.loglog(sc, stage[i], "o-", color=f"C{i}", label=f"{act}, end of initial stage")
        ax.loglog(sc, final[i], "s--", color=f"C{i}", mfc="none", label=f"{act}, end of training")
    ax.loglog(sc, 1 / np.asarray(sc), color="0.5", lw=4, alpha=0.35, solid_capstyle="butt", label="1/s (guide)")
    ax.set(xlabel="initialization scale s", ylabel=r"$\|U_t - U_0\|_F / \|U_0\|_F$")
    fig.legend(loc="outside right center", fontsize=6)
    return fig
