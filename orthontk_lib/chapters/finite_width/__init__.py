r"""Chapter "Finite-width corrections": where orthogonal and Gaussian networks differ.

Three measurements at finite width:

* **spread vs width**: the seed-to-seed relative variance of the NTK entries,
  :math:`v(n) = \overline{\operatorname{Var}_s \hat\Theta_{ab}} / \overline{(\mathbb{E}_s \hat\Theta_{ab})^2}`,
  which theory puts at :math:`O(1/n)` for both initializations;
* **fluctuations vs depth** at fixed width: the normalized variance of the NTK diagonal,
  :math:`\operatorname{Var}_s \hat\Theta(x, x) / (\mathbb{E}_s \hat\Theta(x, x))^2`, for tanh at two
  critical points (:data:`CRITICAL_POINTS`). Day, Kahn, Roberts (2025) find it growing with depth/width for
  Gaussian weights and saturating for orthogonal ones at tanh's criticality :math:`\sigma_W = 1,
  \sigma_b = 0`, whose fixed point is :math:`q^* = 0` (the signal decays towards tanh's linear region).
  The second point, the Edge of Chaos of Hayou, Doucet, Rousseau (2019), :math:`\sigma_W = 1.302` with
  :math:`\sigma_b` from :math:`\chi = 1`, has :math:`q^* \approx 0.5`; neither paper compares the two
  initializations there: it is this book's test of whether the result depends on :math:`q^* = 0`;
* **dynamical isometry**: singular values of the input-output Jacobian
  :math:`\partial h^L / \partial x` of deep linear and tanh networks.

Statistics over seeds are computed in ``n_groups`` disjoint groups of seeds, whose
spread gives the error bars.
"""


from .claims import CLAIMS, DKR, HDR, HDX, _curve_words, _floor_words, measure, numbers  # noqa: F401
from .experiment import (  # noqa: F401
    CRITICAL_POINTS,
    INITS,
    SLUG,
    SWEEPS,
    TRAIN_SPEC,
    Config,
    _by_estimate,
    _fluctuation_sweep,
    _keys,
    _ntk_seeds_minutes,
    _sphere,
    _training_setup,
    compute,
    fluctuation_minutes,
    fluctuation_point,
    grouped_relative_variance,
    isometry_minutes,
    isometry_point,
    linearized_losses,
    record_every,
    record_steps,
    spread_minutes,
    spread_point,
    tanh_linear_words,
    training_data,
    training_minutes,
    training_point,
)
from .figures import fig_depth, fig_spectra, fig_spread, fig_training  # noqa: F401
from .statistics import (  # noqa: F401
    SPECTRUM_FLOOR,
    depth_factor,
    depth_growth,
    growth_difference,
    isometry_deviation,
    last_step_ratio,
    spectrum_width,
    spread_slopes,
    training_gap_samples,
    training_gap_slopes,
    training_gaps,
    width_words,
)
