r"""The figures of finite-width corrections, on the paper's axes where the paper drew them."""



from orthontk_lib import plots

from .experiment import INITS
from .statistics import SPECTRUM_FLOOR, spread_slopes, training_gap_samples, training_gap_slopes

__all__ = ["fig_depth", "fig_spectra", "fig_spread", "fig_training"]

# FIGURES


def fig_spread(arrays):
    """Relative seed-to-seed variance of the NTK against width, with fits and an n^(-1) guide."""
    return plots.width_scaling(arrays["widths"], dict(zip(INITS, arrays["spread"])), fits=spread_slopes(arrays),
                               guide_slope=-1, ylabel="relative variance of $\\hat\\Theta$ over seeds")


def fig_depth(arrays):
    """Normalized variance of the NTK diagonal against depth, at the two critical points (a panel each, both with
    labelled y ticks on one shared scale), one legend below the panels."""
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False, sharey=True)
    for ax, (key, title) in zip(axes[0], (("fluct", "σ_W = 1, σ_b = 0 (q* = 0)"),
                                          ("fluct_eoc", "Edge of Chaos: σ_W = 1.302 (q* ≈ 0.5)"))):
        plots.depth_curves(arrays["fluct_depths"], dict(zip(INITS, arrays[key])), ax=ax, legend=False,
                           ylabel="Var $\\hat\\Theta(x,x)$ / $(\\mathbb{E}\\,\\hat\\Theta(x,x))^2$" if key == "fluct" else None)
        ax.set_title(title, fontsize=8)
        ax.tick_params(axis="y", labelleft=True)
    plots.plain_log_ticks(axes[0, 0].yaxis)
    plots.legend_outside(fig, below=True, ncols=3, fontsize=8)
    return fig


def fig_spectra(arrays):
    """Jacobian singular-value histograms by depth (values below :data:`SPECTRUM_FLOOR` in the leftmost bin)."""
    return plots.spectra(arrays["iso"], arrays["iso_depths"], floor=SPECTRUM_FLOOR)


def fig_training(arrays):
    """The training gap against width (seed means ±1 s.d.), fits, and an n^(-1/2) guide."""
    samples = training_gap_samples(arrays)  # (W, init, seed)
    return plots.width_scaling(arrays["train_widths"], {init: samples[:, i] for i, init in enumerate(INITS)},
                               fits=training_gap_slopes(arrays), guide_slope=-0.5,
                               ylabel=r"$\Delta(n) = \max_t |L_t - L^{\rm lin}_t| \,/\, L^{\rm lin}_0$")
