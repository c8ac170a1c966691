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


# every name a part defines (its __all__), as if the chapter were one module, parts in reading order: counting orientations, the
# setting, the reading against 2p that every experiment shares, each experiment (its points, statistics, claims, words
# and figures, in the page's order), then the chapter as one
from .orientations import *  # noqa: F403
from .experiment import *  # noqa: F403
from .counting import *  # noqa: F403
from .adam import *  # noqa: F403
from .deep import *  # noqa: F403
from .line import *  # noqa: F403
from .scales import *  # noqa: F403
from .chapter import *  # noqa: F403
