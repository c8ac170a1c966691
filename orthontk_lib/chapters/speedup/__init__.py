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


# every name a part defines (its __all__), as if the chapter were one module, parts in reading order: the setting and its sweeps, the
# statistics the three experiments share, each experiment (its claims, words and figures), then the chapter as one
from .experiment import *  # noqa: F403
from .sweeps import *  # noqa: F403
from .statistics import *  # noqa: F403
from .fcn_grid import *  # noqa: F403
from .width_family import *  # noqa: F403
from .cnn_grid import *  # noqa: F403
from .chapter import *  # noqa: F403
from .partial import *  # noqa: F403
