r"""Chapter "Training curves": do orthogonal and Gaussian networks train alike in the NTK regime, as the paper shows?

Huang, Du, Xu (2021) show the training and test loss and accuracy of orthogonal and Gaussian networks over
training, overlaid: full-batch gradient descent on 256 images with the squared loss on one-hot labels (tanh,
depth 3 / width 400 and depth 7 / width 800), and, in the supplement, SGD with cross-entropy (tanh, depth 5,
width 800) and RMSProp with the squared loss (ReLU, depth 9, width 1600). The curves coincide: at these widths
and small learning rates the networks are in the kernel regime, where both inits share one kernel.

The authors' scripts use the standard parameterization: a Gaussian layer has weights
:math:`\mathcal N(0, \sigma_W^2 / n_{in})`, an orthogonal one :math:`\sigma_W Q` (square) with Q Haar-orthogonal.
In that parameterization the NTK grows linearly with width, so a profile that trains narrower networks scales
plain (S)GD's learning rate by paper width / width, which keeps :math:`\eta\,\Theta` and hence the function-space
dynamics of the linearized network unchanged; RMSProp's steps do not scale with the gradient, and keep theirs.

Statistic (one per setting): for each seed pair (an orthogonal and a Gaussian run sharing their data order) the
mean log loss ratio over each half of the recorded steps, for the training and the test loss; over seeds, the
largest mean in absolute value, with a 95% interval that covers the four (curve, half) means at once. The curves
are the same when the whole interval lies at or below 0.2 (:data:`MARGIN`, read off the paper's own curves): an equivalence test, whose
interval narrows as seeds are added and so can close.
"""


# every name a part defines (its __all__), as if the chapter were one module, parts in reading order
from .experiment import *  # noqa: F403
from .statistics import *  # noqa: F403
from .claims import *  # noqa: F403
from .figures import *  # noqa: F403
