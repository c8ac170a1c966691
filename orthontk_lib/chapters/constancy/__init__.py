r"""Chapter "Constancy under training": how far the NTK moves during gradient descent.

Full-batch gradient descent on :math:`L = \frac{1}{2N}\lVert f(X) - y \rVert^2` with
learning rate :math:`\eta` moves the outputs on the training set by

.. math::

   f_{t+1} = f_t - \frac{\eta}{N}\, \Theta_t\, (f_t - y) + O(\eta^2),

so while :math:`\Theta_t \approx \Theta_0` the network follows its linearization
:math:`f^{\text{lin}}_t - y = (I - \eta\Theta_0/N)^t (f_0 - y)`, which converges
when :math:`\eta < 2N/\lambda_{\max}(\Theta_0)`. Huang, Du, Xu (2021) prove that
the NTK of an orthogonal network is constant during training at infinite width, and find
*empirically* that at finite width it varies at a rate of the same order as a Gaussian
network's (for Gaussian weights the change is :math:`O(n^{-1/2})`, Jacot et al. 2018, Lee et
al. 2019; Dyer & Gur-Ari (2020) give :math:`O(n^{-1})` for the change over training).
Measured, for both inits:

* the relative change :math:`\lVert \Theta_t - \Theta_0 \rVert_F / \lVert
  \Theta_0 \rVert_F` against width and over training, at :math:`\eta = N /
  \lambda_{\max}` (half the stability limit), for FCNs and (smaller) CNNs;
* the distance between the network's outputs and its linearization's;
* the same change at :math:`\eta = 3N/\lambda_{\max}` (1.5 times the limit),
  where the linearization diverges and the network survives only by moving its
  kernel: the "catapult" of Lewkowycz et al. (2020).
"""


# every name a part defines (its __all__), as if the chapter were one module, parts in reading order
from .experiment import *  # noqa: F403
from .statistics import *  # noqa: F403
from .claims import *  # noqa: F403
from .figures import *  # noqa: F403
from .devices import *  # noqa: F403
