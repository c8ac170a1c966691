r"""Where rounding, not depth, sets a curve: float64's floors of the analytic kernels, float32's resolution of the
finite-width ones, the depth from which a curve is not read, and how the figures draw them."""

import math

import numpy as np

__all__ = ["EPS32", "EPS64", "FLOOR_STYLE", "READ_ABOVE", "below_floor", "floor_of", "floor_state", "shade_floor"]

EPS64 = float(np.finfo(np.float64).eps)
"""float64's resolution, 2.2e-16."""


EPS32 = float(np.finfo(np.float32).eps)
"""float32's resolution, 1.2e-7: the finite-width networks' kernels are float32, so a spread near it is rounding."""


READ_ABOVE = 1e3
"""A decaying curve is read only where it lies this many times above its floor (:func:`floor_of`): there the floor's
rounding moves its logarithm by at most 1e-3, and a slope over a window of depths by less than 1%."""


def floor_of(activation):
    r"""The float64 floor of a normalized-kernel curve of ``activation``: where rounding, not depth, sets its value.

    Entries of order 1 are carried to a few times :math:`\varepsilon = 2.2 \cdot 10^{-16}` (taken as
    :math:`10\varepsilon`). ReLU's derivative kernel :math:`1 - \arccos(c)/\pi` moves as :math:`\sqrt{1 - c}`, so once
    the recursion carries :math:`1 - c` at :math:`\varepsilon` (the ordered phase, deep down) its kernel stops at
    :math:`\sqrt\varepsilon \approx 1.5 \cdot 10^{-8}`: the ordered ReLU distance to the limit stays there, while the
    spread, a difference of entries that now round alike, falls on through it to :math:`\varepsilon`, rounding too."""
    return math.sqrt(EPS64) if activation == "relu" else 10 * EPS64


def below_floor(values, floor):
    """Indices at which ``values`` lie below :data:`READ_ABOVE` times ``floor`` (NaN counts as below)."""
    return np.flatnonzero(~(np.asarray(values, float) >= READ_ABOVE * floor))


def floor_state(end, floor):
    """Where a curve that crossed below :data:`READ_ABOVE` times its floor ends: ``"still falling"`` (more than ten
    times above the floor: read no further), ``"at its floor"`` (down to a thousandth of float64's ε: rounding of
    order-one numbers lands there), or ``"far below the floor"``: lower than any rounding of order-one numbers can
    reach, so the quantity goes to zero itself (the chaotic phase's off-diagonal correlations), carried by float64 to
    relative precision, and the cut at :data:`READ_ABOVE` times the floor is conservative, not needed."""
    if end > 10 * floor:
        return "still falling"
    if end >= np.finfo(np.float64).eps / 1000:
        return "at its floor"
    return "far below the floor"


FLOOR_STYLE = {"relu": (0, (1, 2)), "erf": (0, (4, 1, 1, 1))}
"""Line style of each float64 floor: ReLU's √ε dotted, the smooth activations' 10ε dash-dotted."""


def shade_floor(ax, activation, label, color="0.85"):
    """A band from the axis' bottom to ``READ_ABOVE`` times the floor of ``activation`` (values not read), and a
    labelled line at the floor."""
    floor = floor_of(activation)
    ax.axhspan(ax.get_ylim()[0], READ_ABOVE * floor, color=color, alpha=0.5, lw=0, zorder=0)
    ax.axhline(floor, color="0.3", lw=0.9, ls=FLOOR_STYLE["relu" if activation == "relu" else "erf"], label=label,
               zorder=1)
