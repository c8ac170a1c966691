r"""Chapter "The NTK at large depth" (Hayou, Doucet, Rousseau 2019): Edge of Chaos vs the two phases.

Write :math:`\hat\Theta^L(x, x') = \Theta^L(x, x') / \sqrt{\Theta^L(x, x)\,\Theta^L(x', x')}` for the
normalized NTK of an FCN of depth :math:`L` at infinite width. Off the Edge of Chaos it becomes
input-independent exponentially fast in depth: with :math:`\chi` the slope of the correlation map at
its stable fixed point (:mod:`orthontk_lib.meanfield`),

.. math:: \big|\hat\Theta^L(x, x') - c_\infty\big| \approx C\, e^{-\gamma L}, \qquad \gamma \approx -\log\chi,

where :math:`c_\infty = 1` in the ordered phase (:math:`\chi < 1` at :math:`c = 1`) and
:math:`c_\infty = c^* < 1` in the chaotic one (:math:`\chi` taken at :math:`c^*`). On the Edge of
Chaos (:math:`\chi = 1` at :math:`c = 1`) the approach is only polynomial in :math:`L`, to an invertible
limit.

Measured: the spread (standard deviation over input pairs) of :math:`\hat\Theta^L` on digit images
for depths up to ``max_depth``, from the float64 analytic kernels of :func:`kernels.analytic_ntk_by_depth`
(one layer's map applied layer after layer, so all depths cost one pass), read by how fast the local log-log slope
of each curve grows with depth (:func:`slope_growth`: constant for a power law, proportional to depth for an
exponential) above its float64 floor (:func:`floor_of`);
kernel regression with :math:`\Theta^L` against depth; and an orthogonal network's empirical kernel
at a few depths.
"""


from .claims import CLAIMS, GROWTH_RULE, GROWTH_STAT, GROWTH_WHY, HDR, measure, measure_rates  # noqa: F401
from .decay import (  # noqa: F401
    CHANCE,
    CHANCE_LABEL,
    DECIDING,
    EPS32,
    EPS64,
    MIN_DEPTH,
    OFF_EDGE_LIMIT,
    READ_ABOVE,
    WINDOW_SHIFTS,
    _slope,
    _windows,
    decay_curves,
    distance_to_limit,
    floor_of,
    late_rate,
    other_accuracy_words,
    phase_growth,
    rate_ratio_windows,
    rate_ratios,
    readable,
    slope_growth,
    theory_rate,
)
from .experiment import (  # noqa: F401
    PHASES,
    QUADRATURE_BYTES,
    RATE_FIGURE,
    RATE_FORMS,
    SLUG,
    SWEEPS,
    TRAIN_FIGURE,
    TRAIN_POINTS,
    Config,
    _analytic_point,
    _by_estimate,
    _empirical_point,
    _exact_rate_point,
    _kernel_inputs,
    _rate_point,
    compute,
    depth_point,
    digits_full,
    edge_points,
    empirical_minutes,
    empirical_point,
    exact_rate_point,
    paper_points,
    phase_diagram,
    points,
    rate_point,
    rates_minutes,
    train_point,
    train_spec,
    trainability_minutes,
)
from .figures import (  # noqa: F401
    FLOOR_STYLE,
    GUIDES,
    PHASE_COLOUR,
    _legend_entries,
    fig_accuracy,
    fig_empirical,
    fig_exact_rate,
    fig_phase,
    fig_rate,
    fig_spread,
    fig_trainability,
    growth_rows,
    shade_floor,
)
from .measures import digits, kernel_regression_accuracy, normalized, spread  # noqa: F401
from .prose import (  # noqa: F401
    GROWTH_READING,
    empirical_floor_words,
    floor_state,
    floor_words,
    growth_numbers,
    growth_reading,
    numbers,
    rate_numbers,
    rate_robustness_words,
    train_numbers,
)
from .rates import (  # noqa: F401
    CHECK_TOLERANCE,
    by_depth_words,
    recorded_difference,
    QUADRATURE_CHECK,
    QUADRATURE_TESTED_DEPTH,
    RATE_READING,
    SETTLED,
    deep_phase_words,
    depth_read_words,
    deviation_ci,
    empirical_at_floor,
    empirical_deviation,
    limit_slope,
    measure_exact_rate,
    pair_slope_ratios,
    quadrature_checked_depth,
    rate_reading,
    rate_rows,
    slope_ratio,
    tested_depth_words,
    trainability_gap,
)
