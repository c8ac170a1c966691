r"""The chapter's figures, on the paper's axes where the paper drew them."""


import numpy as np

from orthontk_lib import meanfield, plots
from orthontk_lib.data import IMAGES

from .decay import (
    envelope_switch,
    spread_floor_depths,
    CHANCE,
    CHANCE_LABEL,
    DECIDING,
    EPS32,
    READ_ABOVE,
    decay_curves,
    distance_to_limit,
    floor_of,
    slope_growth,
)
from .experiment import PHASES, RATE_FORMS, TRAIN_POINTS, paper_points, points
from .prose import GROWTH_READING, growth_reading
from .rates import quadrature_checked_depth

# FIGURES

GUIDES = {"1/L": (":", "0.45", r"$\propto 1/L$"), "log L / L": ((0, (7, 3)), "olive", r"$\propto \log L / L$")}
"""Line style and colour of each rate guide: dotted grey, long-dashed olive."""


FLOOR_STYLE = {"relu": (0, (1, 2)), "erf": (0, (4, 1, 1, 1))}
"""Line style of each float64 floor: ReLU's √ε dotted, the smooth activations' 10ε dash-dotted."""


def shade_floor(ax, activation, label, color="0.85"):
    """A band from the axis' bottom to ``READ_ABOVE`` times the floor of ``activation`` (values not read), and a
    labelled line at the floor."""
    floor = floor_of(activation)
    ax.axhspan(ax.get_ylim()[0], READ_ABOVE * floor, color=color, alpha=0.5, lw=0, zorder=0)
    ax.axhline(floor, color="0.3", lw=0.9, ls=FLOOR_STYLE["relu" if activation == "relu" else "erf"], label=label,
               zorder=1)


def fig_rate(cfg, arrays):
    """max over pairs |K^L/α_L − K_∞| against depth at the paper's points: on the Edge (left, log-log, to the decade
    the curves span) with 1/L and log L/L guides; off it (right, log-linear, where an exponential is straight) with
    the float64 floors (lines) and the values left unread above them (shaded)."""
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False)
    dist = distance_to_limit(arrays)
    L = arrays["depths"].astype(float)
    styles = {"relu": "-", "elu": "--", "tanh": "-."}
    edge = [i for i, (_, p) in enumerate(paper_points()) if p == "edge"]
    markers = {"relu": None, "elu": "o", "tanh": "^"}  # ELU and tanh coincide in the ordered phase: markers tell them
    for i, (act, phase) in enumerate(paper_points()):
        ax = axes[0, 0] if phase == "edge" else axes[0, 1]
        every = 0.1 if phase == "edge" else (0.05 + 0.05 * (act == "tanh"), 0.1)  # staggered: both visible
        ax.plot(L, dist[i], styles[act], color=PHASE_COLOUR[phase], label=f"{act}, {phase}", marker=markers[act],
                markevery=every, ms=3.5, mfc="none", mew=0.8)
    anchor = min(10, len(L)) - 1
    ref = dist[edge, anchor].max()
    g = np.log(L) / L
    for name, y in (("1/L", ref * L[anchor] / L), ("log L / L", ref * g / g[anchor])):
        ls, c, label = GUIDES[name]
        axes[0, 0].plot(L[1:], y[1:], ls=ls, color=c, lw=1.2, label=label)
    lo = dist[edge].min() / 2
    axes[0, 0].set(xscale="log", yscale="log", xlabel="depth L", ylabel=r"$\max |K^L/\alpha_L - K_\infty|$",
                   ylim=(lo, 1), title="Edge of Chaos")
    ax = axes[0, 1]
    ax.set(yscale="log", xlabel="depth L", ylim=(1e-17, 2), title="ordered and chaotic")
    shade_floor(ax, "relu", r"float64 floor, ReLU ($\sqrt{\varepsilon}$)")
    shade_floor(ax, "tanh", r"float64 floor ($10\varepsilon$)", color="0.7")
    for ax in axes[0]:
        ax.title.set_fontsize(8)
    fig.legend(*_legend_entries(axes[0]), loc="outside right center", fontsize=6)
    return fig


def _legend_entries(axes):
    """Handles and labels of ``axes`` together, each label once."""
    seen = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab, h)
    return list(seen.values()), list(seen)


def fig_exact_rate(arrays):
    r""":math:`L\,(K^L/\alpha_L - K_\infty)` against depth (log axis) by the exact recursion, one panel per Edge-of-
    Chaos activation, the three pairs (smallest, median, largest cosine) as dotted, dashed and solid lines; the last
    two decades shaded, where :func:`slope_ratio` reads the slopes; a red dotted line where the quadrature
    activations' curves run deeper than they are checked (:func:`quadrature_checked_depth`)."""
    checked = quadrature_checked_depth()[0]
    fig, axes = plots.figure(ncols=len(RATE_FORMS), width=2.5, height=2.4, squeeze=False)
    for ax, act in zip(axes[0], RATE_FORMS):
        L = arrays[f"exact_depths_{act}"].astype(float)
        y = L[:, None] * (arrays[f"exact_ratios_{act}"] - meanfield.EDGE_LIMIT[act])
        for j, ls in enumerate((":", "--", "-")):
            ax.plot(L, y[:, j], ls, color="k", lw=1, label=f"cos = {arrays[f'exact_rho_{act}'][j]:.2f}")
        ax.axvspan(L[-1] / 100, L[-1] / 10, color="0.93", lw=0)
        ax.axvspan(L[-1] / 10, L[-1], color="0.86", lw=0)
        if act != "relu" and L[-1] > checked:
            ax.axvline(checked, color="C3", lw=0.8, ls=(0, (1, 1)),
                       label="tested to here" if act == list(RATE_FORMS)[1] else None)
        ax.set(xscale="log", xlabel="depth L", title=f"{act} (paper: {RATE_FORMS[act]})")
        ax.title.set_fontsize(8)
        ax.tick_params(labelsize=7)
    axes[0, 0].set_ylabel(r"$L\,(K^L/\alpha_L - K_\infty)$")
    axes[0, 0].legend(fontsize=6)
    tested = [h for h, lab in zip(*axes[0, 1].get_legend_handles_labels()) if lab == "tested to here"]
    if tested:
        axes[0, 1].legend(handles=tested, fontsize=6)
    return fig


def fig_trainability(cfg, arrays):
    """Test accuracy against SGD steps, one panel per depth, one colour per initialization; seed mean and range."""
    n = len(cfg.train_depths)
    fig, axes = plots.figure(ncols=n, width=3.0, height=2.6, squeeze=False)
    steps = arrays["train_steps"]
    for i, L in enumerate(cfg.train_depths):
        ax = axes[0, i]
        for j, phase in enumerate(TRAIN_POINTS):
            acc = arrays["train_accuracy"][i, j]
            ax.plot(steps, acc.mean(0), color=PHASE_COLOUR[phase], label=phase)
            ax.fill_between(steps, acc.min(0), acc.max(0), color=PHASE_COLOUR[phase], alpha=0.2, lw=0)
        ax.axhline(CHANCE, color="grey", lw=0.8, ls=":", label=CHANCE_LABEL)
        ax.set(xlabel="SGD step", ylabel="test accuracy" if i == 0 else None, title=f"depth {L}", ylim=(0, 1))
    axes[0, 0].legend(fontsize=7)
    return fig


PHASE_COLOUR = {"ordered": "C0", "edge": "k", "chaotic": "C3"}


def fig_phase(arrays):
    """log χ_1 over (σ_W², σ_b²) for erf and tanh, the Edge-of-Chaos line and the measured erf points."""
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False)
    for ax, act in zip(axes[0], ("erf", "tanh")):
        im = ax.pcolormesh(arrays["w"] ** 2, arrays["b"] ** 2, arrays[f"log_chi_{act}"], cmap="RdBu_r", vmin=-1.5,
                           vmax=1.5, shading="auto")
        ax.plot(arrays["w_line"] ** 2, arrays[f"b_line_{act}"] ** 2, "k-", lw=1.5, label="edge of chaos")
        ax.set(xlabel=r"$\sigma_W^2$", ylabel=r"$\sigma_b^2$", title=act, ylim=(0, arrays["b"][-1] ** 2))
    for (act, ph), (w, b) in zip(points(), arrays["points"]):
        if act == "erf":
            axes[0, 0].plot(w ** 2, b ** 2, "o", color="k", mfc={"ordered": "C0", "edge": "w", "chaotic": "C3"}[ph],
                            ms=6)
    axes[0, 0].legend(fontsize=7, loc="upper left")
    fig.colorbar(im, ax=axes[0, 1], label=r"$\log \chi_1$")
    return fig


def fig_spread(arrays):
    """The spread of Θ̂^L against depth, log-linear (with the float64 floors: lines, and the values left unread
    above them: shaded) and log-log (to the decades of the Edge curves)."""
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False)
    for i, (act, ph) in enumerate(points()):
        style = "-" if act == "erf" else "--"
        axes[0, 0].semilogy(arrays["depths"], arrays["spread"][i], style, color=PHASE_COLOUR[ph], label=f"{act}, {ph}")
        axes[0, 1].loglog(arrays["depths"], arrays["spread"][i], style, color=PHASE_COLOUR[ph])
    axes[0, 0].set(xlabel="depth L", ylabel=r"spread of $\hat\Theta^L$", ylim=(1e-17, 1))
    shade_floor(axes[0, 0], "relu", r"float64 floor, ReLU ($\sqrt{\varepsilon}$)")
    shade_floor(axes[0, 0], "erf", r"float64 floor ($10\varepsilon$)", color="0.7")
    axes[0, 1].set(xlabel="depth L", ylim=(1e-3, 1))
    fig.legend(*_legend_entries(axes[0]), loc="outside right center", fontsize=6)
    return fig


def growth_rows(arrays):
    """Rows of the decay table, one per curve of :func:`decay_curves`: curve, floor, depths read, window factor, the
    log-log slopes over the two windows, the growth per decade with its range over windows, what it reads as, and
    whether the curve decides its phase's claim."""
    rows = []
    for label, act, ph, depths, y, floor in decay_curves(arrays):
        v, (lo, hi), d = slope_growth(depths, y, floor)
        if "exact" in label and envelope_switch(arrays, act, d) is not None:
            rows.append([label, f"{floor:.0e}", "—", "—", "—", "—", "—", "not read: its largest pair changes inside "
                         "the windows", "yes, so the claim is inconclusive"])
            continue
        read = f"{d['depths'][0]:.0f}–{d['depths'][1]:.0f}" if d["depths"] else "none"
        window = f"{d['window']:.2g}" if d["window"] else "—"
        rows.append([label, f"{floor:.0e}", read, window, f"{d['slopes'][0]:.3g}", f"{d['slopes'][1]:.3g}",
                     f"{v:.3g} [{lo:.3g}, {hi:.3g}]", GROWTH_READING[growth_reading((lo, hi))],
                     "yes" if DECIDING[ph] == "all" or "exact" in label else "no"])
    return rows


def fig_accuracy(arrays):
    """Kernel-regression test accuracy against depth; faint from the depth at which a point's spread sits on its float64
    floor (:func:`spread_floor_depths`), where rounding sets the accuracy."""
    fig, ax = plots.figure()
    floors = spread_floor_depths(arrays) if "spread" in arrays else [None] * len(points())
    L = np.asarray(arrays["depths"])
    for i, (act, ph) in enumerate(points()):
        ls, colour, y = "-" if act == "erf" else "--", PHASE_COLOUR[ph], np.asarray(arrays["accuracy"][i])
        cut = len(L) if floors[i] is None else int(np.searchsorted(L, floors[i])) + 1
        ax.semilogx(L[:cut], y[:cut], ls, color=colour, label=f"{act}, {ph}")
        if cut < len(L):
            ax.semilogx(L[cut - 1:], y[cut - 1:], ls, color=colour, alpha=0.3, lw=0.8)
    ax.axhline(CHANCE, color="grey", lw=0.8, ls=":", label=CHANCE_LABEL)
    ax.set(xlabel="depth L", ylabel="test accuracy")
    ax.legend(fontsize=6)
    return fig


def fig_empirical(cfg, arrays):
    """Finite-width orthogonal (dots) and Gaussian (squares) spreads against the analytic values and curves, on a log
    depth axis, the three side by side at each measured depth; an analytic value below the axis is a down-triangle at
    its bottom, labelled with the value; the float32 resolution of the finite-width kernels (line; shaded up to ten
    times it, where they are rounding)."""
    fig, ax = plots.figure(width=4.4)
    bottom = 1e-10
    depths = np.asarray(cfg.emp_depths, float)
    for p, ph in enumerate(PHASES):
        c = PHASE_COLOUR[ph]
        ax.plot(arrays["depths"], arrays["spread"][p], color=c, lw=1, label=f"erf {ph}, analytic (all {IMAGES[cfg.dataset]})")
        for key, marker, init, shift in (("emp_spread", "o", "orthogonal", 1 / 1.12),
                                         ("emp_spread_gaussian", "s", "Gaussian", 1.12)):
            ax.errorbar(depths * shift, arrays[key][p].mean(-1), yerr=arrays[key][p].std(-1), fmt=marker, color=c,
                        mfc="none" if init == "Gaussian" else c, capsize=2, ms=4,
                        label=f"erf {ph}, {init} n = {cfg.emp_width}")
        ana = np.asarray(arrays["emp_analytic"][p], float)
        ax.plot(depths, np.where(ana >= bottom, ana, np.nan), "x", color=c, label=f"erf {ph}, analytic (same inputs)")
        for L, v in zip(depths[ana < bottom], ana[ana < bottom]):
            ax.plot(L, bottom * 1.6, "v", color=c, ms=4)
            ax.annotate(f"{v:.0e}", (L, bottom * 1.6), xytext=(4, 2 + 8 * p), textcoords="offset points",
                        fontsize=6, color=c)  # one line per phase: values clipped at one depth stay apart
    ax.set(xscale="log", xlabel="depth L", ylabel=r"spread of $\hat\Theta^L$", yscale="log",
           xlim=(depths.min() / 1.6, depths.max() * 1.6), ylim=(bottom, 1))
    ax.axhspan(bottom, 10 * EPS32, color="0.85", alpha=0.5, lw=0, zorder=0)
    ax.axhline(EPS32, color="0.3", lw=0.8, ls=(0, (1, 2)), label="float32 resolution (finite width)")
    fig.legend(loc="outside right center", fontsize=6)
    return fig
