r"""The phase diagram: log χ₁ over (σ_W, σ_b) for erf and tanh, the Edge of Chaos between the ordered and the chaotic
phase, and the points the chapter measures."""

import math

import numpy as np

from orthontk_lib import meanfield, plots, results

from .experiment import SLUG, points

__all__ = ["PHASE_SWEEP", "fig_phase", "phase_arrays", "phase_diagram"]

# THE POINT


def phase_diagram(cfg):
    """log chi over a (W_std, b_std) grid, and the Edge-of-Chaos line b_std(W_std), for erf and for tanh."""
    w = np.linspace(0.6, 2.6, cfg.grid)
    b = np.linspace(0.0, 1.0, cfg.grid)
    w_line = np.linspace(0.6, 2.6, max(6, cfg.grid))
    out = {"w": w, "b": b, "w_line": w_line}
    for act in ("erf", "tanh"):
        out[f"log_chi_{act}"] = np.array([[math.log(meanfield.chi(act, wi, bj)) for wi in w] for bj in b])
        out[f"b_line_{act}"] = meanfield.critical_line(act, w_line)
    return out


PHASE_SWEEP = results.Sweep(
    SLUG, "phase", knobs=("grid",), points=lambda cfg: [{}], run=lambda cfg, it: phase_diagram(cfg),
    desc="phase diagram")
"""The phase diagram, one point."""


def phase_arrays(cfg):
    """The phase diagram's saved arrays (:func:`phase_diagram`)."""
    return dict(PHASE_SWEEP.results(cfg)[0].arrays)


# FIGURE


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
