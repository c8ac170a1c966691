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


# every name a part defines (its __all__), as if the chapter were one module, parts in reading order
from .experiment import *  # noqa: F403
from .statistics import *  # noqa: F403
from .claims import *  # noqa: F403
from .figures import *  # noqa: F403
