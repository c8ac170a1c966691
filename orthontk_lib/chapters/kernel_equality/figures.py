r"""The figures of the kernels' equality at infinite width, on the paper's axes where the paper drew them."""

import numpy as np
from matplotlib.colors import same_color

from orthontk_lib import plots

from .experiment import CNN_VARIANTS, heatmap_config

__all__ = ["ERR_LABEL", "GUIDE_LABEL", "fig_cnn", "fig_errors", "fig_gap", "fig_kernels"]

# FIGURES

ERR_LABEL = r"$\|\hat\Theta - \Theta_\infty\|_F / \|\Theta_\infty\|_F$"


GUIDE_LABEL = r"$\propto n^{-1/2}$"


def fig_errors(cfg, arrays):
    """Seed-mean errors (±1 s.d.) against width, a panel per (data set, activation), each with a dashed n^(-1/2)
    guide; one legend for the panels names the inits, the depths and the guide."""
    fig = plots.width_scaling_grid(arrays["widths"], arrays["err"], cfg.configs(), ylabel=ERR_LABEL)
    guides = [line for ax in fig.axes for line in ax.get_lines()
              if line.get_linestyle() == "--" and same_color(line.get_color(), "k")]
    for line in guides:
        line.set_label(GUIDE_LABEL)
    handles, labels = fig.axes[0].get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda k: labels[k] == GUIDE_LABEL)  # the guide last
    handles, labels = [handles[k] for k in order], [labels[k] for k in order]
    for legend in list(fig.legends):
        legend.remove()
    fig.legend(handles, labels, loc="outside right center", fontsize=7)
    return fig


def fig_gap(cfg, arrays):
    """The gap δ(n) against width, one line per configuration (colour: data set and activation; marker: depth), and
    a dashed n^(-1/2) guide: the decay of seed noise, which the gap follows when both inits share one limit."""
    configs = cfg.configs()
    pairs = list(dict.fromkeys(c[:2] for c in configs))
    markers = dict(zip(cfg.depths, "osD^v<>"))
    fig, ax = plots.figure(width=4.6)
    for c, (dataset, activation, depth) in enumerate(configs):
        k = pairs.index((dataset, activation))
        ax.loglog(arrays["widths"], arrays["delta"][c], marker=markers[depth], lw=1, alpha=0.8,
                  color=plots.sequential(k, len(pairs), "tab10" if len(pairs) > 1 else "viridis"),
                  ls=("-", "--", ":", "-.")[k % 4], label=f"{dataset}, {activation}, L={depth}")
    widths = np.asarray(arrays["widths"], float)
    start = np.exp(np.mean(np.log(arrays["delta"][:, 0])))  # through the geometric mean of the narrowest width
    ax.loglog(widths, start * (widths / widths[0]) ** -0.5, "k--", lw=1.2, label=GUIDE_LABEL)
    ax.set(xlabel="width n", ylabel=r"$\delta(n)$")
    fig.legend(loc="outside right center", fontsize=6)
    return fig



def fig_kernels(cfg, arrays):
    """Θ_∞ and one network of each init at the smallest and largest width, for :func:`heatmap_config`."""
    c, (n0, n1) = heatmap_config(cfg), (arrays["widths"][0], arrays["widths"][-1])
    return plots.kernel_heatmaps({r"$\Theta_\infty$": arrays["theta_inf"][c],
                                  f"Gaussian, n={n0}": arrays["first_small"][c, 0],
                                  f"orthogonal, n={n0}": arrays["first_small"][c, 1],
                                  f"Gaussian, n={n1}": arrays["first_large"][c, 0],
                                  f"orthogonal, n={n1}": arrays["first_large"][c, 1]})


def fig_cnn(cfg, arrays):
    """CNN errors against channels, a panel per depth, the four (filter, init) variants."""
    return plots.variant_panels(arrays["cnn_channels"], arrays["cnn_err"], CNN_VARIANTS,
                                [f"L={L} conv layers" for L in cfg.cnn_depths], xlabel="channels n", ylabel=ERR_LABEL)
