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


# every name a part defines (its __all__), as if the chapter were one module, parts in reading order
from .experiment import *  # noqa: F403
from .claims import *  # noqa: F403
from .figures import *  # noqa: F403
