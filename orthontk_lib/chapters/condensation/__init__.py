r"""Chapter "Condensation at small initialization" (Zhou, Xu et al. 2022): where the lazy picture ends.

A one-hidden-layer network :math:`f(x) = \sum_{k \le m} a_k\, \phi(w_k \cdot x + b_k) + c` (standard
parameterization) is trained by full-batch gradient descent on the mean squared error. Its
neurons' *input weights* are :math:`u_k = (w_k, b_k) \in \mathbb{R}^{d+1}`; their orientations are
:math:`\hat u_k = u_k / \lVert u_k \rVert`. Every weight is drawn at ``scale`` times LeCun's standard
deviation (:math:`w \sim \mathcal N(0, s^2/d)`, :math:`b \sim \mathcal N(0, s^2)`, :math:`a \sim \mathcal N(0, s^2/m)`):
:math:`s = 1` is the usual (LeCun) initialization, :math:`s \ll 1` a small one.

With a small initialization every pre-activation stays near 0 early in training, where
:math:`\phi(z) \approx \phi^{(p)}(0) z^p / p!` with :math:`p` the *multiplicity* of :math:`\phi` (its
first non-zero derivative at 0). For :math:`p = 1` gradient flow is then linear,

.. math:: \dot u_k = a_k\, \phi'(0)\, v, \qquad \dot a_k = \phi'(0)\, v \cdot u_k, \qquad
          v = -\tfrac1N \textstyle\sum_i r_i\, (x_i, 1),

so every :math:`u_k` grows along :math:`\pm v` at rate :math:`e^{\lVert v\rVert t}` while its other
components stay at the size of the initialization: the input weights *condense* onto the two
orientations :math:`\pm \hat v`. Zhou, Xu et al. prove that in this initial stage there are at most
:math:`2p` condensed orientations (for :math:`p = 1` in any input dimension; for any :math:`p` with 1-D
inputs). At :math:`s = 1` the weights barely move from their random draw and nothing condenses.

Measured here, for each activation and scale: the number of condensed orientations at the end of
the initial stage (the first evaluation at which the training loss has fallen by ``loss_drop`` of its
initial value), found by clustering the cosine similarities of the :math:`\hat u_k`
(:func:`condensed_orientations`); its course over training; and the relative change of the input
weights, :math:`\lVert U_t - U_0\rVert_F / \lVert U_0 \rVert_F`.
"""


from .claims import (  # noqa: F401
    CLAIM,
    CLAIMS,
    ROBUST,
    RULE_WHY,
    TYPICAL,
    ZX,
    _adam_bound,
    _line_bound,
    _main_bound,
    _median_range,
    _with_paper_step,
    bound_measurement,
    deep_rows,
    measure,
)
from .experiment import (  # noqa: F401
    _ADAM,
    _COUNTING,
    ADAM_ACTIVATIONS,
    ADAM_FIGURE,
    ADAM_U_STRIDE,
    LINE_FIGURE,
    MULTIPLICITY,
    SLUG,
    SWEEPS,
    Config,
    _data,
    adam_point,
    compute,
    count_stride,
    line_data,
    line_differences,
    line_point,
    scale_point,
    small_params,
    stage_ends,
    train_point,
)
from .figures import fig_adam_cosine, fig_adam_counts, fig_change, fig_cosine, fig_counts, fig_polar  # noqa: F401
from .orientations import (  # noqa: F401
    _largest_holding,
    condensed_orientations,
    cosine_similarity,
    initial_stage_end,
    input_weights,
    orientation_clusters,
    relative_change,
)
from .prose import (  # noqa: F401
    _share_text,
    adam_rows,
    adam_stage_difference,
    bound_words,
    count_rows,
    grid_rows,
    grid_words,
    heat_when,
    history_words,
    line_angles_measured_predicted,
    line_match_words,
    line_rows,
    line_words,
    numbers,
    robust_rows,
    robust_words,
    softplus_words,
)
from .statistics import (  # noqa: F401
    GRID_COVERS,
    GRID_THRESHOLDS,
    PAPER_STEP,
    _count,
    _line_counts,
    _merge_angles,
    _span,
    bias_split,
    change_slope,
    change_slope_ci,
    counts_at_stage_end,
    counts_over_training,
    dominant_neurons,
    history,
    lazy_orientations,
    lazy_orientations_ci,
    line_angles,
    median_ratio,
    median_ratio_ci,
    multiplicity_gap,
    multiplicity_gap_ci,
    orientation_order,
    predicted_line_angles,
    reading,
    recount,
    rule_grid,
    share_above,
    stage_counts,
    stage_end_change,
)
