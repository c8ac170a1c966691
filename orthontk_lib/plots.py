r"""One figure style, and the panels the chapters draw.

Functions here take arrays and return a ``matplotlib.figure.Figure`` (or draw on a given Axes); none of them shows or
writes anything. Writing a figure's files with its provenance is :mod:`orthontk_lib.book.publish`'s
(:func:`orthontk_lib.book.publish.savefig`).

Example:

>>> fig, ax = figure()
>>> _ = ax.loglog([1, 10, 100], [1, 0.3, 0.1])
>>> fig.get_size_inches().tolist()  # inches: one panel of the default width x height
[3.4, 2.8]
>>> plt.close(fig)
"""

import matplotlib.colors
import matplotlib.ticker
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["STYLE", "COLORS", "figure", "label_ticks", "plain_log_ticks", "sequential", "width_scaling",
           "width_scaling_grid", "kernel_heatmaps", "depth_curves", "spectra", "time_courses", "errorbar",
           "legend_outside"]

STYLE = {
    "figure.dpi": 110,
    "savefig.dpi": 200,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "lines.markersize": 4,
}
"""The book's rcParams."""

COLORS = {"orthogonal": "#d62728", "gaussian": "#1f77b4", "analytic": "#333333"}
"""One colour per initialization, used in every chapter."""


def figure(ncols=1, nrows=1, width=3.4, height=2.8, **kwargs):
    """A styled ``(fig, axes)``; each panel is ``width`` x ``height`` inches."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), layout="constrained", **kwargs)
    return fig, axes


def sequential(i, n, cmap="viridis"):
    """Colour ``i`` of ``n`` evenly spaced along a sequential colour map (for curves ordered by a parameter)."""
    return plt.get_cmap(cmap)(0.85 * i / max(n - 1, 1))


# FIGURES


def width_scaling(widths, values, *, ylabel, guide_slope=-0.5, fits=None, xlabel="width n"):
    r"""Log-log panel: ``values[init]`` (width, seed) as seed mean with ±1 s.d. bars, one curve per init.

    Args:
      widths: (W,) widths.
      values: ``{init: (W, S) array}``.
      ylabel: the y axis label.
      guide_slope: slope of a dashed guide line :math:`\propto n^{s}` through the first mean.
      fits: optional ``{init: (slope, ci, intercept)}``; the fitted line is drawn and its slope put in the legend.

    Returns:
      A Figure.
    """
    fig, ax = figure()
    widths = np.asarray(widths, float)
    for init, v in values.items():
        label = init if not fits else f"{init}: slope {fits[init][0]:.2f} [{fits[init][1][0]:.2f}, {fits[init][1][1]:.2f}]"
        errorbar(ax, widths, v, log=True, marker="o", color=COLORS.get(init), label=label)
        if fits:
            ax.plot(widths, np.exp(fits[init][2]) * widths ** fits[init][0], color=COLORS.get(init), lw=0.8, alpha=0.6)
    first = np.mean([v.mean(-1)[0] for v in values.values()])
    ax.plot(widths, first * (widths / widths[0]) ** guide_slope, "k--", lw=1, label=f"$\\propto n^{{{guide_slope:g}}}$")
    ax.set(xscale="log", yscale="log", xlabel=xlabel, ylabel=ylabel)
    label_ticks(ax, widths)
    plain_log_ticks(ax.yaxis)
    legend_outside(ax, fontsize=7)
    return fig


def kernel_heatmaps(panels, label=r"$\Theta(x_i, x_j)$"):
    """Side-by-side heat maps on one colour scale: ``panels`` is ``{title: (N, N) kernel}``; ``label`` names the colour bar.

    Returns:
      A Figure.
    """
    fig, axes = figure(ncols=len(panels), width=2.3, height=2.3)
    axes = np.atleast_1d(axes)
    lo = min(float(np.min(k)) for k in panels.values())
    hi = max(float(np.max(k)) for k in panels.values())
    for ax, (title, k) in zip(axes, panels.items()):
        im = ax.imshow(k, vmin=lo, vmax=hi, cmap="viridis")
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
    fig.colorbar(im, ax=list(axes), shrink=0.8, label=label)
    return fig


def width_scaling_grid(widths, err, configs, *, ylabel):
    """Panels (rows: data sets, columns: activations) of seed-mean errors vs width; colour = init, marker = depth.

    Args:
      widths: (W,) widths.
      err: (C, 2, W, S) errors for configurations C, inits (gaussian, orthogonal), widths, seeds.
      configs: C triples (dataset, activation, depth), as ``err`` is ordered.

    Returns:
      A Figure.
    """
    datasets = list(dict.fromkeys(c[0] for c in configs))
    activations = list(dict.fromkeys(c[1] for c in configs))
    depths = list(dict.fromkeys(c[2] for c in configs))
    markers = dict(zip(depths, "osD^v<>"))
    fig, axes = figure(ncols=len(activations), nrows=len(datasets), width=3.0, height=2.5, sharex=True, sharey=True, squeeze=False)
    widths = np.asarray(widths, float)
    for c, (dataset, activation, depth) in enumerate(configs):
        ax = axes[datasets.index(dataset), activations.index(activation)]
        for i, init in enumerate(("gaussian", "orthogonal")):
            errorbar(ax, widths, err[c, i], log=True, marker=markers[depth], color=COLORS[init], lw=1, alpha=0.85,
                     label=f"{init}, L={depth}")
        ax.set_title(f"{dataset}, {activation}", fontsize=9)
    for ax in axes.flat:
        first = min(err[c, :, 0].mean() for c, conf in enumerate(configs) if axes[datasets.index(conf[0]), activations.index(conf[1])] is ax)
        ax.plot(widths, 0.9 * first * (widths / widths[0]) ** -0.5, "k--", lw=1)
        ax.set(xscale="log", yscale="log")
        label_ticks(ax, widths)
    for ax in axes[-1]:
        ax.set_xlabel("width n")
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", fontsize=7)
    return fig


def variant_panels(x, err, variants, titles, *, xlabel, ylabel):
    """One panel per entry of ``titles`` (e.g. depths) of seed-mean errors vs ``x``; colour = init, line = filter.

    Args:
      x: (W,) widths or channel counts.
      err: (P, V, W, S) errors for panels, variants, widths, seeds.
      variants: V pairs (filter, init) as ``err`` is ordered; ``"delta"`` filters are dashed.
      titles: P panel titles.

    Returns:
      A Figure.
    """
    fig, axes = figure(ncols=len(titles), width=2.6, height=2.5, sharey=True, squeeze=False)
    x = np.asarray(x, float)
    for p, (ax, title) in enumerate(zip(axes[0], titles)):
        for v, (filt, init) in enumerate(variants):
            errorbar(ax, x, err[p, v], log=True, marker="o" if filt == "full" else "s",
                     ls="-" if filt == "full" else "--", color=COLORS[init], lw=1, label=f"{init}, {filt} filter")
        ax.plot(x, 0.9 * err[p, 0, 0].mean() * (x / x[0]) ** -0.5, "k:", lw=1, label=r"$\propto n^{-1/2}$")
        ax.set(xscale="log", yscale="log", title=title, xlabel=xlabel)
        label_ticks(ax, x)
    axes[0, 0].set_ylabel(ylabel)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", fontsize=7)
    return fig


def text_colour(rgba):
    """Black or white, whichever reads on a cell of colour ``rgba`` (its relative luminance, WCAG's weights).

    >>> text_colour((0.27, 0.0, 0.33, 1.0)), text_colour((0.99, 0.91, 0.14, 1.0))  # viridis' ends
    ('white', 'black')
    """
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3])
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.18 else "black"


def grid_heatmaps(panels, x, y, *, xlabel, ylabel, marks=None, fmt="{:.0f}", prefixes=None):
    """Heat maps over a (y, x) grid, one panel per entry of ``panels`` (``{title: ((Y, X) values, cmap, norm)}``).

    Each cell prints its value; NaN cells are blank. ``marks`` (optional ``{title: (Y, X) bool}``)
    hatches cells, e.g. those where most runs failed; ``prefixes`` (optional ``{title: (Y, X) str}``)
    goes before a cell's value, e.g. "≥" for a censored ratio, which is a bound.

    Returns:
      A Figure.
    """
    # a panel wide enough for its cells' labels ("≥1.04" at 6 pt is about a quarter inch) side by side
    fig, axes = figure(ncols=len(panels), width=max(3.0, 0.32 * len(x) + 0.9), height=2.6, squeeze=False)
    for ax, (title, (values, cmap, norm)) in zip(axes[0], panels.items()):
        values = np.asarray(values, float)
        im = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, norm=norm, origin="lower", aspect="auto")
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):
                pre = prefixes[title][i, j] if prefixes and title in prefixes else ""
                ax.text(j, i, pre + fmt.format(v), ha="center", va="center", fontsize=6,
                        color=text_colour(im.cmap(im.norm(v))))
        if marks is not None and title in marks:
            for i, j in np.argwhere(marks[title]):
                ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", lw=0, color="0.4"))
        ax.set_xticks(range(len(x)), [f"{v:.2g}" for v in x], fontsize=7, rotation=45)
        ax.set_yticks(range(len(y)), [str(v) for v in y], fontsize=7)
        ax.set(title=title, xlabel=xlabel)
        ax.grid(False)
        bar = fig.colorbar(im, ax=ax, shrink=0.8)
        if isinstance(norm, matplotlib.colors.LogNorm) and norm.vmax / norm.vmin <= 100:
            # a narrow log range (a ratio such as 1/8 ... 8) gets ticks at powers of two, written out
            bar.ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(base=2))
            bar.ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
            bar.ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    axes[0, 0].set_ylabel(ylabel)
    return fig


def depth_curves(depths, values, *, ylabel, logy=True, ax=None, legend=True):
    """Group means ±1 s.d. of ``values[init]`` (D, G) against depth, one curve per init; log-x axis.

    On a log y axis a bar whose lower end is at or below zero is cut (see :func:`errorbar`). ``legend=False``
    leaves the legend to the caller (one legend for several panels).

    Returns:
      The Figure (of ``ax`` when given).
    """
    fig, ax = figure() if ax is None else (ax.figure, ax)
    for init, v in values.items():
        errorbar(ax, depths, v, log=logy, marker="o", color=COLORS.get(init), label=init)
    ax.set(xscale="log", yscale="log" if logy else "linear", xlabel="depth L")
    if ylabel:
        ax.set_ylabel(ylabel)
    label_ticks(ax, depths)
    if logy:
        plain_log_ticks(ax.yaxis)
    if legend:
        legend_outside(ax, fontsize=8)
    return fig


def time_courses(steps, curves, *, ylabel, logy=False, ax=None):
    """Seed means of ``curves[(init, label)]`` (S, R) against step: colour by init, darker for later labels.

    Args:
      steps: (R,) steps.
      curves: ``{(init, label): (S, R) array}``, labels in the order they should darken (e.g. widths).
      ylabel: the y axis label.
      ax: an Axes to draw on (a new figure otherwise).

    Returns:
      The Figure.
    """
    fig, ax = figure() if ax is None else (ax.figure, ax)
    labels = list(dict.fromkeys(label for _, label in curves))
    for (init, label), v in curves.items():
        shade = 0.35 + 0.65 * labels.index(label) / max(1, len(labels) - 1)
        ax.plot(steps, np.asarray(v).mean(0), color=COLORS.get(init), alpha=shade, label=f"{init}, {label}")
    ax.set(xlabel="GD step", ylabel=ylabel, yscale="log" if logy else "linear")
    ax.legend(fontsize=6)
    return fig


def spectra(singular_values, depths, rows=("linear", "tanh"), cols=("gaussian", "orthogonal"), floor=1e-12):
    """Histograms of singular values (log axis): panels rows x cols, one colour per depth.

    Values below ``floor`` are counted in the leftmost bin, whose tick reads "≤ floor".

    Args:
      singular_values: (D, len(rows), len(cols), n).

    Returns:
      A Figure.
    """
    fig, axes = figure(ncols=len(cols), nrows=len(rows), width=3.0, height=2.2, sharex=True, squeeze=False)
    lo = max(float(singular_values.min()), floor)
    bins = np.logspace(np.log10(lo), np.log10(float(singular_values.max()) * 1.01), 60)
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(depths)))
    for r, row in enumerate(rows):
        for c, col in enumerate(cols):
            ax = axes[r, c]
            for d, depth in enumerate(depths):
                ax.hist(np.maximum(singular_values[d, r, c], lo), bins=bins, histtype="step", color=colours[d], label=f"L={depth}")
            ax.set(xscale="log", title=f"{row}, {col}")
            ax.title.set_fontsize(9)
    if lo == floor:  # the leftmost bin also holds everything below the floor: say so on its tick
        ax = axes[-1, 0]
        k0, k1 = int(round(np.log10(lo))), int(np.floor(np.log10(bins[-1])))
        step = max(1, (k1 - k0) // 4)
        ks = list(range(k0 + step, k1 + 1, step))
        ax.set_xticks([lo, *(10.0**k for k in ks)], [f"≤$10^{{{k0}}}$", *(f"$10^{{{k}}}$" for k in ks)])
        ax.set_xlim(bins[0] / 2, bins[-1] * 2)
    for ax in axes[-1]:
        ax.set_xlabel(r"singular value of $\partial h^L / \partial x$")
    for ax in axes[:, 0]:
        ax.set_ylabel(f"count (of {singular_values.shape[-1]})")
    legend_outside(fig, fontsize=7, title="depth")
    return fig


def errorbar(ax, x, v, *, log=False, **kwargs):
    """Mean ±1 s.d. over the last axis of ``v`` (X, S) against ``x``; returns how many lower bars were cut.

    On a log axis (``log=True``) a lower end at or below zero cannot be drawn: such a bar stops at a third of the
    smallest positive value drawn in the series and ends in a "▼" marker, which the legend explains once per panel
    (:data:`CUT_LABEL`: the mean − s.d. such a bar stands for is at or below zero). Other keyword arguments go to
    ``ax.errorbar`` (``marker``, ``color``, ``label``, ``ls``).
    """
    x, v = np.asarray(x, float), np.asarray(v, float)
    mean = v.mean(-1)
    sd = v.std(-1, ddof=1) if v.shape[-1] > 1 else np.zeros_like(mean)
    lower = mean - sd
    cut = log & (lower <= 0)
    if cut.any():
        floor = min(mean.min(), lower[~cut].min() if (~cut).any() else np.inf) / 3
        lower = np.where(cut, floor, lower)
    kwargs.setdefault("capsize", 2)
    ax.errorbar(x, mean, yerr=[mean - lower, sd], **kwargs)
    if cut.any():
        ax.plot(x[cut], lower[cut], "v", color=kwargs.get("color"), ms=5, ls="none")
        if CUT_LABEL not in ax.get_legend_handles_labels()[1]:
            ax.plot([], [], "v", color="0.35", ms=5, ls="none", label=CUT_LABEL)
    return int(cut.sum())


CUT_LABEL = "bar cut: mean − s.d. ≤ 0"
"""The legend entry of the "▼" that ends an error bar :func:`errorbar` cut on a log axis."""


def legend_outside(ax, below=None, ncols=1, **kwargs):
    """One legend outside the axes, where it covers no data: of ``ax``, or, when ``ax`` is a Figure, of all its panels
    (each label once). It goes below the figure (which grows to make room) when ``below``, else at its right;
    by default below a single Axes and at the right of a Figure."""
    fig = ax if isinstance(ax, plt.Figure) else ax.figure
    seen = {}
    for source in (fig.axes if ax is fig else [ax]):
        for h, lab in zip(*source.get_legend_handles_labels()):
            seen.setdefault(lab, h)
    if below is None:
        below = ax is not fig
    if below:
        rows = -(-len(seen) // ncols)
        fig.set_figheight(fig.get_figheight() + 0.16 * rows + 0.1)  # room below the axes, which keep their size
        return fig.legend(list(seen.values()), list(seen), loc="outside lower center", ncols=ncols, **kwargs)
    return fig.legend(list(seen.values()), list(seen), loc="outside right center", ncols=ncols, **kwargs)


# AXES


def label_ticks(ax, values):
    """Label a log x axis at exactly ``values`` (no minor labels, which overlap on short ranges).

    More than six powers of two are labelled as :math:`2^k`, which stays legible.
    """
    values = np.asarray(values, float)
    pow2 = len(values) > 6 and np.all(np.log2(values) == np.round(np.log2(values)))
    ax.set_xticks(values, [f"$2^{{{int(np.log2(v))}}}$" if pow2 else f"{v:g}" for v in values])
    ax.set_xlim(values.min() / 1.25, values.max() * 1.25)
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.tick_params(axis="x", labelsize=7)


def plain_log_ticks(axis):
    """Label a log ``axis`` (``ax.xaxis`` or ``ax.yaxis``) with plain numbers (``20``, not :math:`2\\times10^1`),
    minor ticks unlabelled unless fewer than two powers of ten lie in view (where the minor labels are all there is:
    every one below a factor 3 of range, else those at 2 and 5 times a power of ten)."""
    fmt = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}")
    axis.set_major_formatter(fmt)
    axis.axes.autoscale_view()
    lo, hi = axis.get_view_interval()
    decades = np.floor(np.log10(hi)) - np.ceil(np.log10(lo)) + 1 if lo > 0 else 2
    if decades >= 2:
        axis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        return
    mantissa = lambda v: round(v / 10 ** np.floor(np.log10(v) + 1e-9), 6)
    keep = (lambda v: True) if hi / lo < 3 else (lambda v: mantissa(v) in (2.0, 5.0))
    axis.set_minor_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}" if v > 0 and keep(v) else ""))
