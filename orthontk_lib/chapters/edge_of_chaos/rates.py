r"""The paper's statistic at the paper's points: :math:`K^L/\alpha_L` by the direct recursion at every depth to ``max_depth``,
its distance to the exact limit on and off the Edge, and the paper's figure of it (the rate is read in
:mod:`.exact_rates`, the decay off the Edge in :mod:`.decay`)."""

import numpy as np

from orthontk_lib import kernels, meanfield, plots, results
from orthontk_lib.book.prose import IMAGES
from orthontk_lib.kernels import normalized
from orthontk_lib.reproduction import PaperFigure

from .experiment import (PHASE_COLOUR, SAVED_ON_DIGITS, SLUG, differences_markdown, kernel_inputs, legend_entries,
                         paper_points)
from .floors import shade_floor

__all__ = ["GUIDES", "OFF_EDGE_LIMIT", "QUADRATURE_BYTES", "RATES_SWEEP", "RATE_FIGURE", "_rate_point",
           "distance_to_limit", "fig_rate", "rate_arrays", "rate_figure_numbers", "rate_point", "rates_minutes"]

# THE POINTS

RATE_FIGURE = PaperFigure(
    "Hayou, Doucet, Rousseau (2019), Sec. 3: |K^L/α_L − K_∞| against depth on and off the Edge of Chaos",
    settings={}, always=(lambda cfg: f"{IMAGES[cfg.dataset]} on the sphere instead of the paper's inputs",
                         "α_L = Θ^L(x, x), the kernel's diagonal",
                         "K_∞ exact: 1/4 (ReLU) or 1/3 on the Edge, 1 (ordered) and 0 (chaotic) off it",
                         "the Edge and the off-Edge curves in two panels"))


def rate_point(cfg, x, activation, W_std, b_std):
    r"""The normalized NTK :math:`\hat\Theta^L = \Theta^L / \Theta^L(x, x)` at depths 1..max_depth on ``x``: the
    off-diagonal entries (max_depth, pairs), float64. On inputs of one norm :math:`\Theta^L(x, x)` is the same for
    every x, so this is the paper's :math:`K^L/\alpha_L` with :math:`\alpha_L = \Theta^L(x, x)`.

    The kernels are :func:`kernels.analytic_ntk_by_depth`'s float64 recursion: closed forms for ReLU, quadrature that
    keeps its precision near correlation 1 for ELU and tanh (neural-tangents' numerical layer, of fixed low degree, puts
    ELU's Edge of Chaos a few percent per layer off, so that its kernel's diagonal grows exponentially there)."""
    iu = np.triu_indices(len(x), 1)
    return normalized(kernels.analytic_ntk_by_depth(activation, W_std, b_std, x, cfg.max_depth))[:, iu[0], iu[1]]


def _rate_point(cfg, it):
    return {"entries": rate_point(cfg, kernel_inputs(cfg), it["activation"], *paper_points()[it["activation"], it["phase"]])}


QUADRATURE_BYTES = 320.0
"""Bytes of NumPy traffic per node of :func:`orthontk_lib.dual.bivariate`'s quadrature and per function: about 40
float64 passes over the (pairs, 96, 96) grid (its nodes, weights, the two arguments, the activation, the squared
difference, the sums). An estimate from the code, not measured."""


def rates_minutes(cfg, p, device):
    """Minutes of one rates point: :func:`kernels.analytic_ntk_by_depth` to ``max_depth`` on ``emp_inputs`` inputs,
    in NumPy on the host's CPU whatever the device. Per layer and pair of inputs: a 96 x 96-node quadrature of the
    activation and of its derivative (:data:`QUADRATURE_BYTES` each, bound by memory traffic), or a closed form
    (ReLU: counted as free). Not counted: the one-dimensional diagonal maps (a few hundred nodes per input)."""
    from orthontk_lib import dual
    from orthontk_lib.book import cost

    pairs = cfg.emp_inputs * (cfg.emp_inputs - 1) // 2
    nodes = 0 if p["activation"] in dual.CLOSED_FORM else (2 * dual.NODES_2D) ** 2
    nbytes = cfg.max_depth * pairs * 2 * nodes * QUADRATURE_BYTES
    return cost.estimated_minutes(0.0, "CPU", nbytes, steps=cfg.max_depth)


RATES_SWEEP = results.Sweep(
    SLUG, "rates", knobs=("dataset", "max_depth", "emp_inputs", "seed"), since=SAVED_ON_DIGITS,
    points=lambda cfg: [{"activation": a, "phase": p} for a, p in paper_points()], run=_rate_point,
    minutes=rates_minutes, desc="normalized NTK by depth at the paper's points")
"""The normalized NTK by depth at the paper's points, one point each."""


def rate_arrays(cfg):
    """The normalized NTK's off-diagonal entries at every depth and paper point (paper point, L, pairs), the points and
    their χ₁."""
    ppts = paper_points()
    rates = RATES_SWEEP.results(cfg)
    return {"rate_entries": np.stack([p.arrays["entries"] for p in rates]),  # (paper point, L, pairs)
            "rate_points": np.array([[*ppts[k]] for k in ppts]),
            "rate_chi1": np.array([meanfield.chi(a, *ppts[a, p]) for a, p in ppts])}


# STATISTICS

OFF_EDGE_LIMIT = {"ordered": 1.0, "chaotic": 0.0}
"""The limit of every off-diagonal entry of the normalized NTK off the Edge: 1 in the ordered phase (the all-ones
matrix, singular), 0 in the chaotic one (the identity)."""


def distance_to_limit(arrays):
    r"""Per paper point: :math:`\max_{x \ne x'} |\hat\Theta^L(x, x') - K_\infty|` against depth (point, L), with
    the exact limits: :data:`meanfield.EDGE_LIMIT` on the Edge, :data:`OFF_EDGE_LIMIT` off it."""
    out = []
    for i, (act, phase) in enumerate(paper_points()):
        limit = meanfield.EDGE_LIMIT[act] if phase == "edge" else OFF_EDGE_LIMIT[phase]
        out.append(np.abs(arrays["rate_entries"][i] - limit).max(-1))
    return np.array(out)


# WORDS


def rate_figure_numbers(arrays, cfg, measured):
    """How the paper's figure of the statistic differs from the one drawn here: how many settings differ, and the list."""
    return {"eoc-rate-ndiff": len(RATE_FIGURE.differences(cfg)),
            "eoc-rate-differs": differences_markdown(RATE_FIGURE, cfg)}


# FIGURE

GUIDES = {"1/L": (":", "0.45", r"$\propto 1/L$"), "log L / L": ((0, (7, 3)), "olive", r"$\propto \log L / L$")}
"""Line style and colour of each rate guide: dotted grey, long-dashed olive."""


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
    fig.legend(*legend_entries(axes[0]), loc="outside right center", fontsize=6)
    return fig
