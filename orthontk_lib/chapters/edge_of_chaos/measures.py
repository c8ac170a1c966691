r"""What is measured on a kernel: the digits on the sphere, the normalized kernel, its spread over input pairs,
and kernel regression's test accuracy."""


import numpy as np

from orthontk_lib.data import load


def digits(cfg):
    """Train and test digits scaled to the sphere of radius sqrt(64); one-hot labels."""
    d = load("digits", n_train=cfg.n_train, n_test=cfg.n_test, seed=cfg.seed)
    scale = lambda x: x * 8.0 / np.linalg.norm(x, axis=1, keepdims=True)
    return d._replace(x_train=scale(d.x_train), x_test=scale(d.x_test))


def normalized(theta):
    r""":math:`\hat\Theta_{ij} = \Theta_{ij} / \sqrt{\Theta_{ii}\Theta_{jj}}` of (..., N, N) kernels."""
    d = np.sqrt(np.diagonal(theta, axis1=-2, axis2=-1))
    return theta / (d[..., :, None] * d[..., None, :])


def spread(theta):
    """Standard deviation of the off-diagonal entries of the normalized kernel: (...,)."""
    k = normalized(theta)
    n = k.shape[-1]
    iu = np.triu_indices(n, 1)
    return k[..., iu[0], iu[1]].std(-1)


def kernel_regression_accuracy(theta, n_train, y_train, y_test, ridge=1e-8):
    """Test accuracy of kernel regression with the (train + test) kernel ``theta``; ridge relative to the trace."""
    k_tt = theta[:n_train, :n_train]
    k_st = theta[n_train:, :n_train]
    reg = ridge * np.trace(k_tt) / n_train
    pred = k_st @ np.linalg.solve(k_tt + reg * np.eye(n_train), y_train - y_train.mean(0))
    return float((pred.argmax(1) == y_test.argmax(1)).mean())
