r"""Chapter "Transition to linearity and its failure" (Liu, Zhu, Belkin 2020).

Three networks against width, the paper's three cases: a linear readout
:math:`f = \tilde f`; a non-linear output :math:`f = \psi(\tilde f)`; and a
**bottleneck**, one hidden layer of fixed width inside an otherwise wide network. The
Hessians of the first two with respect to the parameters are

.. math::

   H_f = H_{\tilde f}, \qquad
   H_{\psi(\tilde f)} = \psi'(\tilde f)\, H_{\tilde f} + \psi''(\tilde f)\, \nabla\tilde f\, \nabla\tilde f^{\top},

and since :math:`\lVert H_{\tilde f} \rVert = \tilde O(1/\sqrt{n})` while
:math:`\lVert \nabla \tilde f \rVert = \Theta(1)`, the second network's Hessian
keeps a rank-one part of order one at every width; the bottleneck's Hessian block
of the weights next to the narrow layer does not shrink either. Measured: the
spectral norm (power iteration on Hessian-vector products) and the gradient norm
at initialization against width; over full-batch gradient descent, the relative
change of the NTK and the linearization error :math:`|f(\theta_t) - f_{\rm lin}(\theta_t)|`
beside the bound :math:`\tfrac12 \lVert H \rVert R_t^2`,
:math:`R_t = \lVert \theta_t - \theta_0 \rVert`, drawn from the measured norm at
initialization.
"""


from .claims import (  # noqa: F401
    CLAIMS,
    LZB,
    NO_DECAY,
    TRAINS,
    _ratio_words,
    _slope_words,
    _train_words,
    flat_words,
    loss_reduction,
    measure,
    numbers,
    train_fit_words,
)
from .experiment import (  # noqa: F401
    _NETWORK,
    FIGURE,
    SLUG,
    SWEEPS,
    Config,
    _by_estimate,
    _hessian_inputs,
    _layers,
    _networks,
    _norms,
    _norms_cost,
    _norms_program,
    _per_network_fit,
    _training_setup,
    bound_ratio,
    change_slopes,
    compute,
    digits_on_sphere,
    hessian_memory,
    hessian_minutes,
    hessian_point,
    hessian_slopes,
    learning_rate,
    linearization_error,
    linearization_slopes,
    orthogonal_hessian_slope,
    training_minutes,
    training_point,
)
from .figures import COLORS, _finish, fig_change, fig_hessian, fig_linearization  # noqa: F401
