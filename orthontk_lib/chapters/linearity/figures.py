r"""The figures of the transition to linearity, on the paper's axes where the paper drew them."""

import numpy as np

from orthontk_lib import plots

from .experiment import change_slopes, linearization_error

__all__ = ["COLORS", "_finish", "fig_change", "fig_hessian", "fig_linearization"]

# FIGURES


COLORS = ("C0", "C3", "C1")


def fig_hessian(cfg, arrays):
    """Left: ||H||_2 against width for the three cases, n^(-1/2) guide. Right: the gradient norm. ±1 s.d. over
    networks and inputs (a bar reaching zero is cut, :func:`plots.errorbar`); one legend, outside the panels."""
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False)
    labels = ("output: linear", f"output: {cfg.output}", f"bottleneck ({cfg.bottleneck} units)")
    for o, label in enumerate(labels):
        for ax, key in zip(axes[0], ("hessian", "gradient")):
            plots.errorbar(ax, arrays["widths"], arrays[key][o].reshape(len(arrays["widths"]), -1), log=True,
                           marker="o", color=COLORS[o], label=label)
    for ax, key in zip(axes[0], ("hessian_orth", "gradient_orth")):
        plots.errorbar(ax, arrays["widths"], arrays[key].reshape(len(arrays["widths"]), -1), log=True, marker="s",
                       ls="--", color="C2", label="output: linear, orthogonal weights")
    h0 = arrays["hessian"][0, 0].mean()
    axes[0, 0].plot(arrays["widths"], h0 * (arrays["widths"] / arrays["widths"][0]) ** -0.5, "k:", lw=1,
                    label=r"$\propto n^{-1/2}$")
    axes[0, 0].set(xscale="log", yscale="log", xlabel="width n", ylabel=r"$\|H\|_2$ (spectral norm)")
    axes[0, 1].set(xscale="log", yscale="log", xlabel="width n", ylabel=r"$\|\nabla_\theta f\|$")
    _finish(fig, axes[0], arrays["widths"])
    return fig


def fig_change(cfg, arrays):
    """Left: the final relative NTK change against width, with fitted slopes. Right: its course over training."""
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False)
    widths = arrays["train_widths"]
    labels = ("linear", cfg.output, "bottleneck")
    for o, (label, fit) in enumerate(zip(labels, change_slopes(arrays))):
        plots.errorbar(axes[0, 0], widths, arrays["change"][o, :, :, -1], log=True, marker="o", color=COLORS[o],
                       label=f"{label}: slope {fit[0]:.2f}")
        moved = np.asarray(arrays["record_steps"]) > 0  # the change is 0 at step 0, which a log axis cannot draw
        for w, width in enumerate(widths):
            axes[0, 1].plot(np.asarray(arrays["record_steps"])[moved], arrays["change"][o, w].mean(0)[moved],
                            color=COLORS[o], alpha=0.4 + 0.6 * w / max(1, len(widths) - 1), label=f"{label}, n={width}")
    axes[0, 0].plot(widths, arrays["change"][0, 0, :, -1].mean() * (widths / widths[0]) ** -0.5, "k:", lw=1,
                    label=r"$\propto n^{-1/2}$")
    axes[0, 0].set(xscale="log", yscale="log", xlabel="width n", ylabel=r"$\|\Theta_T - \Theta_0\|_F / \|\Theta_0\|_F$")
    axes[0, 1].set(yscale="log", xlabel="GD step", ylabel=r"$\|\Theta_t - \Theta_0\|_F / \|\Theta_0\|_F$")
    _finish(fig, axes[0], widths, ncols=3)
    return fig


def fig_linearization(cfg, arrays):
    r"""Left: the largest |f − f_lin| over training against width per case, with the bound
    ½‖H(θ_0)‖R² at the end of training (dashed). Right: error and bound over training at the largest width."""
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False)
    widths, steps = arrays["train_widths"], arrays["record_steps"]
    err = linearization_error(arrays)
    bound = 0.5 * arrays["hessian0"].max(-1)[..., None] * arrays["distance"] ** 2  # (case, width, seed, record)
    labels = ("linear", cfg.output, "bottleneck")
    for o, label in enumerate(labels):
        plots.errorbar(axes[0, 0], widths, err[o], log=True, marker="o", color=COLORS[o], label=f"{label} output"
                       if o < 2 else label)
        axes[0, 0].plot(widths, bound[o, :, :, -1].mean(-1), "--", color=COLORS[o], lw=1)
        axes[0, 1].plot(steps[1:], arrays["lin_error"][o, -1, :, 1:].max(-1).mean(0), "-", color=COLORS[o])
        axes[0, 1].plot(steps[1:], bound[o, -1, :, 1:].mean(0), "--", color=COLORS[o], lw=1)
    axes[0, 0].plot(widths, err[0, 0].mean() * (widths / widths[0]) ** -0.5, "k:", lw=1, label=r"$\propto n^{-1/2}$")
    axes[0, 0].plot([], [], "k--", lw=1, label=r"bound $\frac{1}{2}\|H_0\|R^2$")
    axes[0, 0].set(xscale="log", yscale="log", xlabel="width n", ylabel=r"$\max_t |f - f_{\rm lin}|$")
    axes[0, 1].set(yscale="log", xlabel=f"GD step (n = {widths[-1]})",
                   ylabel=r"$|f - f_{\rm lin}|$;  dashed: $\frac{1}{2}\|H_0\|R_t^2$")
    _finish(fig, axes[0], widths)
    return fig


def _finish(fig, axes, widths, ncols=2):
    """Log-x panels labelled at the widths, y ticks labelled, and one legend below the panels."""
    for ax in axes:
        if ax.get_xscale() == "log":
            plots.label_ticks(ax, widths)
        plots.plain_log_ticks(ax.yaxis)
    plots.legend_outside(fig, below=True, ncols=ncols, fontsize=7)
