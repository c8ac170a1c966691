r"""Chapter "Kernel equality": orthogonal and Gaussian FCNs share one infinite-width NTK.

For each data set, activation, depth and width, ``n_seeds`` networks of each
initialization; per configuration the statistics are

.. math::

   \varepsilon_{\text{init}}(n) = \frac{\lVert \hat\Theta^{\text{init}}_n - \Theta_\infty \rVert_F}{\lVert \Theta_\infty \rVert_F},
   \qquad
   \delta(n) = \frac{\lVert \bar\Theta^{\text{orth}}_n - \bar\Theta^{\text{gauss}}_n \rVert_F}{\lVert \Theta_\infty \rVert_F},

where :math:`\bar\Theta_n` is the seed mean of the empirical NTKs. Theory
(Huang, Du, Xu 2021): :math:`\varepsilon \propto n^{-1/2}` for both, and
:math:`\delta \to 0`.

The same statistics for CNNs on 8x8 digit images, against the channel count, for
the four ways of drawing a conv kernel (:data:`CNN_VARIANTS`): Gaussian or
orthogonal, over the full k x k filter or only at its centre (delta; the
delta-orthogonal kernels of Xiao et al. 2018). :math:`\Theta_\infty` is
the analytic CNN kernel (:func:`kernels.analytic_ntk`), the limit of full-filter Gaussian weights.
"""


from .claims import (  # noqa: F401
    CLAIMS,
    GAP_WHY,
    HDX,
    SLOPE_WHY,
    curve_verdicts,
    levelling_curves,
    measure,
    non_monotone_cnn_curves,
    numbers,
)
from .experiment import (  # noqa: F401
    CNN_VARIANTS,
    DATASETS,
    FILTERS,
    INITS,
    SLUG,
    SWEEPS,
    Config,
    _cnn_limit,
    _cnn_point,
    _deep,
    _limit,
    _point,
    bias_in_standard_errors,
    bias_ratios,
    cnn_gap_slope,
    cnn_point,
    cnn_pooled_slope,
    compute,
    compute_cnn,
    delta_slope,
    depth_trend_words,
    error_by_depth,
    heatmap_config,
    image_inputs,
    inputs,
    point,
    pooled_slope,
    seed_mean_distance,
    slope_table,
)
from .figures import ERR_LABEL, fig_cnn, fig_errors, fig_gap, fig_kernels  # noqa: F401
