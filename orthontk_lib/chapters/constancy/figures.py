r"""The figures of the NTK's constancy during training, on the paper's axes where the paper drew them."""


import numpy as np

from orthontk_lib import plots

from .experiment import INITS
from .statistics import change_slopes, final_change

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
    axes[0, 2].legend(fontsize=6, loc="lower left")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", fontsize=7)
    return fig


def fig_width(arrays):
    """Small-lr kernel change against width, both inits, with fits and the n^(-1/2) guide."""
    small = {init: arrays["fcn_change"][:, i, 0, :, -1] for i, init in enumerate(INITS)}
    return plots.width_scaling(arrays["fcn_widths"], small, fits=dict(zip(INITS, change_slopes(arrays))),
                               ylabel=CHANGE)


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


def fig_large_lr(cfg, arrays):
    """Left: change after training at both learning rates against width. Middle: its course at the large lr.
    Right: the training loss at every step at the large lr (the catapult's spike)."""
    fig, axes = plots.figure(ncols=3, width=2.7, height=2.6, squeeze=False)
    for i, init in enumerate(INITS):
        for lr, style in ((0, "o-"), (1, "s--")):
            axes[0, 0].loglog(arrays["fcn_widths"], final_change(arrays, lr=lr)[:, i], style, color=plots.COLORS[init],
                              label=f"{init}, η = {(cfg.lr_small, cfg.lr_large)[lr]:g} N/λ")
    axes[0, 0].set(xlabel="width n", ylabel=CHANGE)
    plots.time_courses(arrays["record_steps"], {(init, "large η"): arrays["fcn_change"][-1, i, 1]
                                                for i, init in enumerate(INITS)}, ylabel=CHANGE_T, ax=axes[0, 1])
    loss = arrays["fcn_step_loss"][-1, :, 1]  # (init, seed, step)
    for i, init in enumerate(INITS):
        axes[0, 2].plot(np.arange(loss.shape[-1]), loss[i].mean(0), color=plots.COLORS[init], label=init)
    axes[0, 2].set(xlabel="GD step", ylabel="training loss (large η)", yscale="log")
    for ax in axes[0]:
        if ax.get_legend():
            ax.get_legend().remove()
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=7)
    return fig


def fig_cnn(arrays):
    """The small-lr kernel change of CNNs against channels."""
    cnn = {init: arrays["cnn_change"][:, i, 0, :, -1] for i, init in enumerate(INITS)}
    return plots.width_scaling(arrays["cnn_widths"], cnn, fits=dict(zip(INITS, change_slopes(arrays, "cnn"))),
                               xlabel="channels", ylabel=CHANGE)
