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

Measured: the spread (standard deviation over input pairs) of :math:`\hat\Theta^L` on the chapter's images
(``dataset``: scikit-learn's digits by default) for depths up to ``max_depth``, from the float64 analytic kernels of :func:`kernels.analytic_ntk_by_depth`
(one layer's map applied layer after layer, so all depths cost one pass), read by how fast the local log-log slope
of each curve grows with depth (:func:`slope_growth`: constant for a power law, proportional to depth for an
exponential) above its float64 floor (:func:`floor_of`);
kernel regression with :math:`\Theta^L` against depth; and an orthogonal network's empirical kernel
at a few depths.
"""


# every name a part defines (its __all__), as if the chapter were one module, parts in reading order: the setting and the floors
# every experiment reads against, each experiment (its points, statistics, claims, words and figures), then the
# chapter as one
from .experiment import *  # noqa: F403
from .floors import *  # noqa: F403
from .phase_diagram import *  # noqa: F403
from .depth import *  # noqa: F403
from .rates import *  # noqa: F403
from .quadrature_check import *  # noqa: F403
from .exact_rates import *  # noqa: F403
from .decay import *  # noqa: F403
from .finite_width import *  # noqa: F403
from .trainability import *  # noqa: F403
from .chapter import *  # noqa: F403
