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


# every name a part defines (its __all__), as if the chapter were one module, parts in reading order
from .experiment import *  # noqa: F403
from .claims import *  # noqa: F403
from .figures import *  # noqa: F403
