r"""Chapter "Constancy under training": how far the NTK moves during gradient descent.

Full-batch gradient descent on :math:`L = \frac{1}{2N}\lVert f(X) - y \rVert^2` with
learning rate :math:`\eta` moves the outputs on the training set by

.. math::

   f_{t+1} = f_t - \frac{\eta}{N}\, \Theta_t\, (f_t - y) + O(\eta^2),

so while :math:`\Theta_t \approx \Theta_0` the network follows its linearization
:math:`f^{\text{lin}}_t - y = (I - \eta\Theta_0/N)^t (f_0 - y)`, which converges
when :math:`\eta < 2N/\lambda_{\max}(\Theta_0)`. Huang, Du, Xu (2021) prove that,
for orthogonal as for Gaussian weights, :math:`\sup_t \lVert \Theta_t - \Theta_0
\rVert = O(n^{-1/2})` at width :math:`n`; Dyer & Gur-Ari (2020) give the sharper
:math:`O(n^{-1})` for the change over training. Measured, for both inits:

* the relative change :math:`\lVert \Theta_t - \Theta_0 \rVert_F / \lVert
  \Theta_0 \rVert_F` against width and over training, at :math:`\eta = N /
  \lambda_{\max}` (half the stability limit), for FCNs and (smaller) CNNs;
* the distance between the network's outputs and its linearization's;
* the same change at :math:`\eta = 3N/\lambda_{\max}` (1.5 times the limit),
  where the linearization diverges and the network survives only by moving its
  kernel: the "catapult" of Lewkowycz et al. (2020).
"""

import dataclasses
import math

import jax
import numpy as np

from orthontk_lib import kernels, results, stats
from orthontk_lib.data import load
from orthontk_lib.models import CNN, FCN
from orthontk_lib.book.profiles import ChapterConfig, ConfigError

SLUG = "constancy"
INITS = ("gaussian", "orthogonal")
DATASETS = ("digits", "cifar10")
W_STD, B_STD = math.sqrt(2.0), 0.1  # ReLU at its critical weight variance, a small bias


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the training sweeps."""

    widths: tuple[int, ...] = dataclasses.field(default=(64,), metadata={"min": 1})  # FCN hidden widths n
    depth: int = dataclasses.field(default=2, metadata={"min": 1})  # FCN hidden layers
    cnn_channels: tuple[int, ...] = dataclasses.field(default=(16,), metadata={"min": 1})  # CNN channels
    cnn_depth: int = dataclasses.field(default=2, metadata={"min": 1})  # CNN conv layers
    n_seeds: int = dataclasses.field(default=3, metadata={"min": 2})  # networks per (init, width, lr)
    steps: int = dataclasses.field(default=200, metadata={"min": 10})  # full-batch GD steps
    lr_small: float = dataclasses.field(default=1.0, metadata={"min": 0.0})  # eta in units of N / lambda_max
    lr_large: float = dataclasses.field(default=3.0, metadata={"min": 0.0})  # eta in units of N / lambda_max
    dataset: str = dataclasses.field(default="digits", metadata={"choices": DATASETS})
    n_train: int = dataclasses.field(default=32, metadata={"min": 2})  # training images (FCN)
    cnn_train: int = dataclasses.field(default=16, metadata={"min": 2})  # training images (CNN)
    seed: int = dataclasses.field(default=0, metadata={"min": 0})  # root seed

    PROFILES = {
        "smoke": dict(widths=(16, 32, 64), cnn_channels=(4, 8, 16), cnn_depth=1, n_seeds=2, steps=20, n_train=8,
                      cnn_train=4),
        "quick": dict(widths=(64, 128, 256, 512, 1024), cnn_channels=(16, 32, 64), cnn_depth=1, n_seeds=4, steps=100,
                      n_train=32, cnn_train=16),
        "paper": dict(widths=(64, 128, 256, 512, 1024, 2048, 4096), cnn_channels=(32, 64, 128, 256, 512), n_seeds=10,
                      steps=1000, dataset="cifar10", n_train=256, cnn_train=64),
    }

    def __post_init__(self):
        if not self.lr_large > 2.0 > self.lr_small > 0:
            raise ConfigError(f"lr_small: must lie in (0, 2) and lr_large above 2 (units of N / lambda_max: 2 is "
                              f"the stability limit); got lr_small={self.lr_small}, lr_large={self.lr_large}")

    @property
    def seeds(self):
        return list(range(self.seed, self.seed + self.n_seeds))

    @property
    def every(self):
        """Steps between records: about 20 records per run."""
        return max(1, self.steps // 20)

    def fcn(self, width, init="gaussian"):
        return FCN(self.depth, width, "relu", W_STD, B_STD, init)

    def cnn(self, channels, init="gaussian"):
        return CNN(self.cnn_depth, channels, 3, "relu", W_STD, B_STD, init)


def training_data(cfg, n, images=False):
    r"""``n`` training images scaled to :math:`\lVert x \rVert^2 = d`, scalar targets ``label / 9 - 1/2``.

    ``images=True`` keeps the (H, W, C) layout (for the CNN). The test set is one image (unused).
    """
    loader = dict(digits=dict(seed=cfg.seed), cifar10={})[cfg.dataset]
    d = load(cfg.dataset, n_train=n, n_test=1, flatten=not images, **loader)
    x = d.x_train
    norms = np.sqrt(np.sum(x.reshape(n, -1) ** 2, axis=1) / x[0].size).reshape((n,) + (1,) * (x.ndim - 1))
    y = d.y_train.argmax(1)[:, None] / 9.0 - 0.5
    return d._replace(x_train=x / norms, y_train=y, x_test=(x / norms)[:1], y_test=y[:1])


def lambda_max(spec, data, seed):
    r""":math:`\lambda_{\max}` of the widest network's NTK on the training set (close to :math:`\Theta_\infty`'s)."""
    theta = kernels.empirical_ntk(spec, spec.initialize(jax.random.key(seed), data.x_train[:1]), data.x_train)
    return float(np.linalg.eigvalsh(np.asarray(theta, np.float64)).max())


def linearized_outputs(ntk0, f0, y, eta, steps):
    r"""Outputs of the linearized network on the training set: :math:`y + (I - \eta\Theta_0/N)^t (f_0 - y)`.

    Args:
      ntk0: (..., N, N) kernels at initialization; f0: (..., N, 1) outputs; y: (N, 1) targets.
      eta: learning rate; steps: (R,) steps t.

    Returns:
      (..., R, N, 1) outputs.
    """
    n = ntk0.shape[-1]
    lam, vec = np.linalg.eigh(np.asarray(ntk0, np.float64))
    r0 = np.einsum("...ia,...ik->...ak", vec, np.asarray(f0, np.float64) - y)  # residual in the eigenbasis
    decay = (1.0 - eta * lam / n)[..., None, :] ** np.asarray(steps)[:, None]  # (..., R, N)
    return y + np.einsum("...ia,...ta,...ak->...tik", vec, decay, r0)


def relative_change(ntk):
    """||Θ_t − Θ_0||_F / ||Θ_0||_F along the record axis of (..., R, N, N) kernels."""
    return np.linalg.norm(ntk - ntk[..., :1, :, :], axis=(-2, -1)) / np.linalg.norm(ntk[..., :1, :, :], axis=(-2, -1))


def width_point(cfg, spec_of, data, lam, width, tag):
    r"""Both inits at one width, small and large lr, all seeds: arrays indexed (init, lr, seed, ...).

    ``change``: relative kernel change per record; ``lam``: :math:`\lambda_{\max}(\Theta_t)` per record;
    ``gap`` (small lr only): ||f_t − f_t^lin|| / ||f_0 − y|| per record; ``loss``; ``diverged``.
    """
    from orthontk_lib import train

    config = train.TrainConfig(steps=cfg.steps - cfg.steps % cfg.every, record_every=cfg.every, loss="mse")
    n = data.x_train.shape[0]
    etas = np.array([cfg.lr_small, cfg.lr_large]) * n / lam
    lrs = np.repeat(etas, cfg.n_seeds)
    keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), tag * 100_000 + width), cfg.n_seeds)
    keys = jax.numpy.concatenate([keys, keys])  # the same networks at both learning rates
    out = {k: [] for k in ("change", "gap", "loss", "diverged", "lam")}
    for init in INITS:
        h = train.fit_grid(spec_of(width, init), config, keys, lrs, data, ntk_probe=data.x_train)
        shape = (2, cfg.n_seeds)
        ntk = h["ntk"].reshape(shape + h["ntk"].shape[1:])
        f = h["probe_output"].reshape(shape + h["probe_output"].shape[1:])
        lin = linearized_outputs(ntk[0, :, 0], f[0, :, 0], data.y_train, etas[0], h["record_steps"])
        out["change"].append(relative_change(ntk))
        out["lam"].append(np.linalg.eigvalsh(ntk.astype(np.float64))[..., -1])  # lambda_max(Θ_t)
        out["gap"].append(np.linalg.norm(f[0] - lin, axis=(-2, -1)) / np.linalg.norm(f[0, :, :1] - data.y_train,
                                                                                      axis=(-2, -1)))
        out["loss"].append(h["train_loss"].reshape(shape + (-1,)))
        out["diverged"].append(h["diverged"].reshape(shape))
    out = {k: np.stack(v) for k, v in out.items()}
    out["record_steps"] = h["record_steps"]
    out["eta"] = etas
    return out


def compute(cfg):
    """The FCN and CNN sweeps, one saved point per width; arrays indexed (width, init, lr, seed, record)."""
    base = {k: v for k, v in cfg.asdict().items() if k != "profile"}
    out = {}
    for arch, sizes, n, spec_of, tag in (("fcn", cfg.widths, cfg.n_train, cfg.fcn, 1),
                                         ("cnn", cfg.cnn_channels, cfg.cnn_train, cfg.cnn, 2)):
        data = training_data(cfg, n, images=arch == "cnn")
        lam = lambda_max(spec_of(sizes[-1]), data, cfg.seed)
        pts = results.sweep(f"{SLUG}/{cfg.profile}/{arch}", base, [{"width": w} for w in sizes],
                            lambda p: width_point(cfg, spec_of, data, lam, p["width"], tag), profile=cfg.profile,
                            seeds=cfg.seeds, desc=f"GD with NTK by {arch} width")
        for k in ("change", "gap", "loss", "diverged", "lam"):
            out[f"{arch}_{k}"] = np.stack([p.arrays[k] for p in pts])
        out[f"{arch}_widths"] = np.asarray(sizes)
        out[f"{'n' if arch == 'fcn' else 'cnn'}_train"] = np.asarray(n)
        out[f"{arch}_eta"] = pts[0].arrays["eta"]
        out["record_steps"] = pts[0].arrays["record_steps"]
    return out


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
    from scipy import stats as sps

    logs = np.log(final_change(arrays, arch)[:, 1] / final_change(arrays, arch)[:, 0])
    half = sps.t.ppf(0.975, len(logs) - 1) * logs.std(ddof=1) / np.sqrt(len(logs))
    return float(np.exp(logs.mean())), (float(np.exp(logs.mean() - half)), float(np.exp(logs.mean() + half)))


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
