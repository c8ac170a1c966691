r"""The figures of the NTK's constancy during training, on the paper's axes where the paper drew them."""


import numpy as np

from orthontk_lib import plots

from .experiment import INITS
from .statistics import change_slopes, final_change

__all__ = ["CHANGE", "CHANGE_T", "LINE", "_with_inverse_guide", "fig_cnn", "fig_large_lr", "fig_linearization",
           "fig_weights", "fig_width"]

# FIGURES

CHANGE = r"$\|\Theta_T - \Theta_0\|_F / \|\Theta_0\|_F$"
CHANGE_T = r"$\|\Theta_t - \Theta_0\|_F / \|\Theta_0\|_F$"


def fig_weights(arrays):
    """The paper's figure: per layer, the relative weight change against width (one panel per init), and the NTK's."""
    w = np.asarray(arrays["weight_widths"], float)
    change, ntk = arrays["weight_change"], arrays["weight_ntk_change"]  # (width, init, seed, layer), (width, init, seed)
    n_layers = change.shape[-1]
    fig, axes = plots.figure(ncols=3, width=2.8, height=2.6, sharey=True, squeeze=False)
    for i, init in enumerate(INITS):
        ax = axes[0, i]
        for l in range(n_layers):
            name = "readout" if l == n_layers - 1 else f"layer {l + 1}"
            ax.errorbar(w, change[:, i, :, l].mean(-1), yerr=change[:, i, :, l].std(-1, ddof=1), marker="o", ms=3,
                        capsize=2, lw=1.2, color=plots.sequential(l, n_layers, "plasma"), label=name)
        ax.set_title(f"{init}: weights", fontsize=9)
        ax.set_ylabel(r"$\|W_T - W_0\|_F / \|W_0\|_F$" if i == 0 else None)
    for i, init in enumerate(INITS):
        axes[0, 2].errorbar(w, ntk[:, i].mean(-1), yerr=ntk[:, i].std(-1, ddof=1), marker="o", ms=3, capsize=2,
                            color=plots.COLORS[init], label=init)
    axes[0, 2].set_title("NTK", fontsize=9)
    axes[0, 2].set_ylabel(CHANGE)
    axes[0, 2].yaxis.set_tick_params(labelleft=True)
    for ax in axes[0]:
        top = max(line.get_ydata()[0] for line in ax.get_lines() if len(line.get_ydata()) == len(w))
        ax.plot(w, top * (w / w[0]) ** -0.5, "k--", lw=1, label=r"$n^{-1/2}$")
        ax.plot(w, top * (w / w[0]) ** -1.0, "k:", lw=1, label=r"$n^{-1}$")
        ax.set(xscale="log", yscale="log", xlabel="width n")
        plots.label_ticks(ax, w)
    plots.legend_outside(fig, fontsize=7)  # one legend: layers, inits and guides, each once
    return fig


def fig_width(arrays):
    """Small-lr kernel change against width, both inits, with fits and the n^(-1/2) and n^(-1) guides."""
    small = {init: arrays["fcn_change"][:, i, 0, :, -1] for i, init in enumerate(INITS)}
    fig = plots.width_scaling(arrays["fcn_widths"], small, fits=dict(zip(INITS, change_slopes(arrays))),
                              ylabel=CHANGE)
    return _with_inverse_guide(fig, arrays["fcn_widths"], small)


def _with_inverse_guide(fig, widths, values):
    r"""A :func:`plots.width_scaling` figure with a dotted :math:`n^{-1}` guide (perturbation theory's rate) through
    the same first point as its :math:`n^{-1/2}` one, and its one legend redrawn to name both."""
    ax = fig.axes[0]
    w = np.asarray(widths, float)
    first = np.mean([v.mean(-1)[0] for v in values.values()])
    ax.plot(w, first * (w / w[0]) ** -1.0, "k:", lw=1, label=r"$\propto n^{-1}$")
    rows = len(ax.get_legend_handles_labels()[1]) - 1  # the legend below held one entry fewer
    for legend in list(fig.legends):
        legend.remove()
    fig.set_figheight(fig.get_figheight() - (0.16 * rows + 0.1))  # legend_outside adds the room again
    plots.legend_outside(ax, fontsize=7)
    return fig


def fig_linearization(arrays):
    """Left: the drift over training at three widths. Right: the linearization gap against width (±1 s.d.)."""
    widths = arrays["fcn_widths"]
    pick = sorted({0, len(widths) // 2, len(widths) - 1})
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False)
    plots.time_courses(arrays["record_steps"], {(init, f"n={widths[w]}"): arrays["fcn_change"][w, i, 0]
                                                for i, init in enumerate(INITS) for w in pick},
                       ylabel=CHANGE_T, ax=axes[0, 0])
    gap = arrays["fcn_gap"].max(-1)  # (width, init, seed), at the small lr
    for i, init in enumerate(INITS):
        axes[0, 1].errorbar(widths, gap[:, i].mean(-1), yerr=gap[:, i].std(-1, ddof=1), fmt="o-", capsize=2,
                            color=plots.COLORS[init], label=init)
    axes[0, 1].set(xscale="log", yscale="log", xlabel="width n",
                   ylabel=r"$\max_t \|f_t - f^{\mathrm{lin}}_t\| / \|f_0 - y\|$")
    axes[0, 1].legend(fontsize=7)
    return fig


LINE = {"gaussian": "-", "orthogonal": "--"}
"""Line style per init in the large-lr figure, whose two inits' curves would otherwise lie on each other."""


def fig_large_lr(cfg, arrays):
    """Left: change after training at both learning rates against width. Middle: its course at the large lr.
    Right: the training loss at every step at the large lr (the catapult's spike). Colour and line style name the
    init, the marker the learning rate; steps on a symmetric-log axis (linear below 1, so step 0 shows)."""
    fig, axes = plots.figure(ncols=3, width=2.7, height=2.6, squeeze=False)
    for i, init in enumerate(INITS):
        for lr, marker in ((0, "o"), (1, "s")):
            axes[0, 0].loglog(arrays["fcn_widths"], final_change(arrays, lr=lr)[:, i], marker=marker, ls=LINE[init],
                              color=plots.COLORS[init], mfc="white" if init == "orthogonal" else None,
                              label=f"{init}, η = {(cfg.lr_small, cfg.lr_large)[lr]:g} N/λ")
    axes[0, 0].set(xlabel="width n", ylabel=CHANGE)
    steps = arrays["record_steps"]
    loss = arrays["fcn_step_loss"][-1, :, 1]  # (init, seed, step)
    for i, init in enumerate(INITS):
        axes[0, 1].plot(steps, arrays["fcn_change"][-1, i, 1].mean(0), ls=LINE[init], marker=".", ms=4,
                        color=plots.COLORS[init])  # a dot per record
        axes[0, 2].plot(np.arange(loss.shape[-1]), loss[i].mean(0), ls=LINE[init], color=plots.COLORS[init])
    axes[0, 1].set(xlabel="GD step", ylabel=CHANGE_T)
    axes[0, 2].set(xlabel="GD step", ylabel="training loss (large η)", yscale="log")
    for ax in axes[0, 1:]:
        ax.set_xscale("symlog", linthresh=1)
        ax.set_xlim(0, max(steps[-1], loss.shape[-1] - 1))
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=7)
    return fig


def fig_cnn(arrays):
    """The small-lr kernel change of CNNs against channels, with the n^(-1/2) and n^(-1) guides."""
    cnn = {init: arrays["cnn_change"][:, i, 0, :, -1] for i, init in enumerate(INITS)}
    fig = plots.width_scaling(arrays["cnn_widths"], cnn, fits=dict(zip(INITS, change_slopes(arrays, "cnn"))),
                              xlabel="channels", ylabel=CHANGE)
    return _with_inverse_guide(fig, arrays["cnn_widths"], cnn)
