r"""Statistics of the NTK's constancy during training read from the saved arrays (slopes, ratios, with their intervals)."""


import numpy as np

from orthontk_lib import stats

from .experiment import INITS

__all__ = ["catapult_peak", "change_slopes", "common_slope", "final_change", "final_sharpness", "gap_slopes",
           "init_ratio", "large_lr_change", "large_lr_samples", "linearization_gap"]

# STATISTICS


def final_change(arrays, arch="fcn", lr=0):
    """Seed-mean relative NTK change after training: (width, init)."""
    return arrays[f"{arch}_change"][:, :, lr, :, -1].mean(-1)


def change_slopes(arrays, arch="fcn"):
    """Per init: (slope, 95% CI, intercept) of the small-lr final change against width (log-log)."""
    c = final_change(arrays, arch)
    return [stats.loglog_fit(arrays[f"{arch}_widths"], c[:, i]) for i in range(len(INITS))]


def init_ratio(arrays, arch="fcn"):
    """Orthogonal over Gaussian final change (small lr): geometric mean over widths, and its 95% t-interval."""
    mean, (lo, hi) = stats.mean_ci(np.log(final_change(arrays, arch)[:, 1] / final_change(arrays, arch)[:, 0]))
    return float(np.exp(mean)), (float(np.exp(lo)), float(np.exp(hi)))


def linearization_gap(arrays, arch="fcn"):
    """Seed-mean of max_t ||f_t − f_t^lin|| / ||f_0 − y||: (width, init)."""
    return arrays[f"{arch}_gap"].max(-1).mean(-1)


def gap_slopes(arrays, arch="fcn"):
    """Per init: log-log fit of the linearization gap against width."""
    g = linearization_gap(arrays, arch)
    return [stats.loglog_fit(arrays[f"{arch}_widths"], g[:, i]) for i in range(len(INITS))]


def common_slope(arrays, values, arch="fcn"):
    """One log-log slope for both inits (each its own intercept) of ``values`` (width, init) against width."""
    w = arrays[f"{arch}_widths"]
    return stats.common_loglog_slope([w] * values.shape[1], [values[:, i] for i in range(values.shape[1])])


def final_sharpness(arrays, arch="fcn", lr=1):
    r""":math:`\eta\,\lambda_{\max}(\Theta_t) / N` at the start and the end of training (seed and init means,
    largest width): GD on the linearized model is stable below 2."""
    n = {"fcn": "n_train", "cnn": "cnn_train"}[arch]
    s = arrays[f"{arch}_lam"][-1, :, lr].mean((0, 1)) * arrays[f"{arch}_eta"][lr] / float(arrays[n])
    return float(s[0]), float(s[-1])


def large_lr_change(arrays, arch="fcn"):
    """The smaller over inits of the seed-mean kernel change at the large learning rate, largest width."""
    return float(final_change(arrays, arch, lr=1)[-1].min())


def large_lr_samples(arrays, arch="fcn"):
    """Per init, the seeds' kernel change at the large learning rate and the largest width: (init, seed)."""
    return arrays[f"{arch}_change"][-1, :, 1, :, -1]


def catapult_peak(arrays, arch="fcn"):
    """Largest training loss over the run at the large learning rate over the initial loss (seed and init mean,
    largest width), from the loss at every step: above 1 when the loss spikes before it comes down."""
    loss = arrays[f"{arch}_step_loss"][-1, :, 1]  # (init, seed, step)
    return float((loss.max(-1) / loss[..., 0]).mean())
