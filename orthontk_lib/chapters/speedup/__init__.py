r"""Chapter "Where orthogonal initialization speeds up training": (learning rate x depth) grids.

Deep tanh networks in the standard parameterization, on the critical line
:math:`\chi = 1` at a small fixed point :math:`q^*`, where tanh is nearly linear
(Huang, Du, Xu 2021, Sec. 5: their :math:`\sigma_W^2 = 1.05, \sigma_b^2 = 2.01\cdot10^{-5}`).
Two architectures, each a grid of its own (:meth:`Config.grid`):

* ``"fcn"``: fully connected, weights Gaussian of variance :math:`\sigma_W^2 / n_{in}`
  or :math:`\sigma_W Q` with :math:`Q` Haar-orthogonal (the paper's experiment);
* ``"cnn"``: 3x3 convolutions, Gaussian over the whole filter, *delta-orthogonal*
  (Xiao et al. 2018: zero off the centre tap, an orthogonal centre tap), and, the
  control that separates orthogonality from the delta structure, delta-Gaussian
  (a Gaussian centre tap).

Plain SGD on softmax cross-entropy. For every (depth, init), all (learning rate,
seed) runs are one jitted program (:func:`orthontk_lib.train.fit_grid`), sharded
over the available devices.

The statistic is the paper's: :math:`\tau`, the first step at which the
accuracy on the current mini-batch reaches the grid's ``target``. A run that never
reaches it within ``steps`` counts as failed; for the speed-up
:math:`\tau_{\text{gauss}} / \tau_{\text{orth}}` its :math:`\tau` is censored at
``steps`` (which understates the speed-up of the init that succeeds).
"""


from .claims import CLAIMS, FCN_CLAIMS, HDX, MIN_CELLS, SPEED_WHY, STEP_WHY, _speed, measure, target_check  # noqa: F401
from .experiment import (  # noqa: F401
    ARCHS,
    CNN_DRAWS,
    CNN_INITS,
    DATASETS,
    FIGURE,
    INITS,
    SLUG,
    Config,
    Grid,
    default_mesh,
    depth_point,
    family_lr_scale,
    first_hit,
    init_point,
    lr_block,
    training_data,
)
from .figures import (  # noqa: F401
    FAMILY_CMAPS,
    _tau_norm,
    fig_cnn_grid,
    fig_curves,
    fig_failure_edge,
    fig_grid,
    fig_learning_speed,
)
from .prose import (  # noqa: F401
    _cells,
    _cells_change,
    _edge_words,
    _speedup_range,
    bootstrap_caveat,
    boundary_words,
    cnn_edge_comparison,
    edge_bound_words,
    large_vs_small_lr_words,
    numbers,
    orthogonal_losses,
    target_words,
    tau_span,
    uncensored_speedups,
    uncensored_words,
)
from .statistics import (  # noqa: F401
    _resolved,
    at_alt_target,
    both_train,
    censored_tau,
    censoring_marks,
    edge_ratios,
    evaluation_interval,
    every_trains,
    failure_edge,
    failure_edges,
    failure_rate,
    grid_edges,
    grid_spacing,
    mean_tau,
    region,
    region_speedup,
    speedup_map,
    stability,
    stability_growth,
    test_tau,
    trained,
    width_shrinkage,
    width_speedups,
)
from .sweeps import (  # noqa: F401
    _DATA_KNOBS,
    _KNOBS,
    POINT_MINUTES,
    SWEEPS,
    _data,
    _points,
    _run,
    _whole_points,
    compute,
    lr_parts,
    point_flops,
    point_minutes,
    view,
)
