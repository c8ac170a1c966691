r"""The experiment of the NTK's constancy during training: the chapter's knobs (:class:`Config`), its measurement points, the sweeps that save
them and :func:`compute`."""

import dataclasses
import functools
import math

import jax
import numpy as np

from orthontk_lib import kernels, results, stats
from orthontk_lib.book.profiles import ChapterConfig, ConfigError, Cost
from orthontk_lib.data import DIMENSION, load
from orthontk_lib.models import ACTIVATIONS, CNN, FCN, INITS
from orthontk_lib.reproduction import PaperFigure

__all__ = ["ARCHS", "B_STD", "Config", "DATASETS", "INITS", "SLUG", "SWEEPS", "WEIGHT_FIGURE", "W_STD",
           "_DRIFT_KNOBS", "_by_estimate", "_drift_point", "_drift_setup", "_weight_setup", "compute", "lambda_max",
           "layer_groups", "linearized_outputs", "relative_change", "training_data", "weight_change",
           "weight_minutes", "weight_ntk_slopes", "weight_point", "weight_slopes", "width_point"]

SLUG = "constancy"
DATASETS = ("digits", "cifar10")
W_STD, B_STD = math.sqrt(2.0), 0.1  # ReLU at its critical weight variance, a small bias


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the training sweeps."""

    widths: tuple[int, ...] = dataclasses.field(default=(64,), metadata={"help": "FCN hidden widths n", "min": 1})
    depth: int = dataclasses.field(default=2, metadata={"help": "FCN hidden layers", "min": 1})
    cnn_channels: tuple[int, ...] = dataclasses.field(default=(16,), metadata={"help": "CNN channels", "min": 1})
    cnn_depth: int = dataclasses.field(default=2, metadata={"help": "CNN conv layers", "min": 1})
    n_seeds: int = dataclasses.field(default=3, metadata={"help": "networks per (init, width, lr)", "min": 2})
    steps: int = dataclasses.field(default=200, metadata={"help": "full-batch GD steps", "min": 10})
    lr_small: float = dataclasses.field(default=1.0, metadata={"help": "eta in units of N / lambda_max", "min": 0.0})
    lr_large: float = dataclasses.field(default=3.0, metadata={"help": "eta in units of N / lambda_max", "min": 0.0})
    dataset: str = dataclasses.field(default="digits", metadata={"choices": DATASETS})
    n_train: int = dataclasses.field(default=32, metadata={"help": "training images (FCN)", "min": 2})
    cnn_train: int = dataclasses.field(default=16, metadata={"help": "training images (CNN)", "min": 2})
    weight_widths: tuple[int, ...] = dataclasses.field(default=(64,), metadata={
                                                       "help": "widths, weight figure", "min": 1})
    weight_depth: int = dataclasses.field(default=3, metadata={"help": "hidden layers, weight figure", "min": 1})
    weight_activation: str = dataclasses.field(default="erf", metadata={
                                               "help": "phi, weight figure", "choices": ACTIVATIONS})
    weight_seeds: int = dataclasses.field(default=15, metadata={
                                          "help": "runs per (width, init), weight figure", "min": 2})
    seed: int = dataclasses.field(default=0, metadata={"help": "root seed", "min": 0})

    PROFILES = {
        "smoke": dict(widths=(16, 32, 64), cnn_channels=(4, 8, 16), cnn_depth=1, n_seeds=2, steps=20, n_train=8,
                      cnn_train=4, weight_widths=(16, 32, 64), weight_seeds=2),
        "quick": dict(widths=(64, 128, 256, 512, 1024), cnn_channels=(16, 32, 64), cnn_depth=1, n_seeds=4, steps=100,
                      n_train=32, cnn_train=16, weight_widths=(16, 32, 64, 128, 256, 512), weight_seeds=6),
        "paper": dict(widths=(64, 128, 256, 512, 1024, 2048, 4096), cnn_channels=(32, 64, 128, 256, 512), n_seeds=10,
                      steps=1000, dataset="cifar10", n_train=256, cnn_train=64,
                      weight_widths=tuple(2**k for k in range(4, 13)), weight_seeds=15),
    }
    COST = {"paper": Cost("GPU", 15, "measured on one H200, 2026-11-29: the drift sweeps 8.7 minutes on digits, the "
                                     "weight figure to width 256 1.2 minutes; estimate: 3 to 5 more for its widths 512 "
                                     "to 4096 (on 2 CPU cores 512 and 1024 took 15.5 minutes)")}

    def __post_init__(self):
        if not self.lr_large > 2.0 > self.lr_small > 0:
            raise ConfigError(f"lr_small: must lie in (0, 2) and lr_large above 2 (units of N / lambda_max: 2 is "
                              f"the stability limit); got lr_small={self.lr_small}, lr_large={self.lr_large}")

    @property
    def every(self):
        """Steps between records: about 20 records per run."""
        return max(1, self.steps // 20)

    def fcn(self, width, init="gaussian"):
        return FCN(self.depth, width, "relu", W_STD, B_STD, init)

    def weight_fcn(self, width, init="gaussian"):
        """The network of the paper's weight-change figure."""
        return FCN(self.weight_depth, width, self.weight_activation, W_STD, B_STD, init)

    def cnn(self, channels, init="gaussian"):
        return CNN(self.cnn_depth, channels, 3, "relu", W_STD, B_STD, init)


def training_data(cfg, n, images=False):
    r"""``n`` training images scaled to :math:`\lVert x \rVert^2 = d`, scalar targets ``label / 9 - 1/2``.

    ``images=True`` keeps the (H, W, C) layout (for the CNN). The test set is one image (unused).
    """
    d = load(cfg.dataset, n_train=n, n_test=1, seed=cfg.seed, flatten=not images)
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


WEIGHT_FIGURE = PaperFigure(
    "Huang, Du, Xu (2021), Sec. 4: the weight- and kernel-change figure, the paper's Fig. 2 (per layer ||W_T − W_0||_F/||W_0||_F and "
    "the NTK's ||Θ_T − Θ_0||_F/||Θ_0||_F against width, Gaussian and orthogonal weights)",
    settings=dict(weight_widths=tuple(2**k for k in range(4, 13)), weight_depth=3, weight_activation="erf",
                  weight_seeds=15),
    always=(lambda cfg: "the book chose the data, learning rate and steps: full-batch GD on the chapter's training "
                        f"set, η = lr_small·N/λ_max, σ_W² = {W_STD**2:g}, σ_b = {B_STD:g}",),
    labels=dict(weight_widths="widths", weight_depth="hidden layers", weight_activation="activation",
                weight_seeds="runs per width"))


def weight_point(cfg, data, lam, width):
    r"""Both inits at one width: (init, seed, layer) relative weight change and (init, seed) NTK change.

    Full-batch GD at :math:`\eta` = ``lr_small`` :math:`N/\lambda_{\max}` for ``steps`` steps; only the
    weights and kernels at the start and the end are kept.
    """
    from orthontk_lib import train

    config = train.TrainConfig(steps=cfg.steps, record_every=cfg.steps, loss="mse")
    keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), 300_000 + width), cfg.weight_seeds)
    lrs = np.full(cfg.weight_seeds, cfg.lr_small * data.x_train.shape[0] / lam)
    weights, ntk = [], []
    for init in INITS:
        spec = cfg.weight_fcn(width, init)
        h = train.fit_grid(spec, config, keys, lrs, data, ntk_probe=data.x_train, record_params=True)
        kernel = [np.asarray(h["params"][name]["kernel"], np.float64) for name in spec.layers()]  # (S, 2, in, out)
        weights.append(np.stack([np.linalg.norm(k[:, -1] - k[:, 0], axis=(-2, -1)) / np.linalg.norm(k[:, 0], axis=(-2, -1))
                                 for k in kernel], axis=-1))
        ntk.append(relative_change(np.asarray(h["ntk"], np.float64))[:, -1])
    return {"weights": np.stack(weights), "ntk": np.stack(ntk)}


@functools.lru_cache(maxsize=2)
def _weight_setup(cfg):
    """The training set and :math:`\lambda_{\max}` at ``lr_width`` of the weight sweep's view ``cfg``."""
    data = training_data(cfg, cfg.n_train)
    return data, lambda_max(cfg.weight_fcn(cfg.lr_width), data, cfg.seed)


def weight_change(cfg):
    """The weight-change sweep, one saved point per width: ``weight_*`` arrays indexed (width, init, seed[, layer])."""
    pts = SWEEPS["weights"].results(cfg)
    _, lam = _weight_setup(SWEEPS["weights"].run_view(cfg))
    return {"weight_widths": np.asarray(cfg.weight_widths), "weight_eta": np.asarray(cfg.lr_small * cfg.n_train / lam),
            "weight_change": np.stack([p.arrays["weights"] for p in pts]),
            "weight_ntk_change": np.stack([p.arrays["ntk"] for p in pts])}


def layer_groups(n_layers):
    """Layer indices of the outer layers (first hidden, readout: one side fixed) and of the inner (width × width) ones."""
    return {"outer": [0, n_layers - 1], "inner": list(range(1, n_layers - 1))}


def weight_slopes(arrays, group):
    r"""Per init: one log-log slope of the seed-mean weight change against width shared by the layers of ``group``
    (each its own intercept), with its 95% t-interval.

    Under the NTK parameterization one GD step moves a layer by :math:`O(\eta)` in Frobenius norm whatever its
    shape, while :math:`\lVert W_0 \rVert_F` is :math:`\sqrt{n d}` for the first layer, :math:`\sqrt n` for the
    readout and :math:`n` for a width × width layer: relative changes :math:`n^{-1/2}` ("outer") and :math:`n^{-1}`
    ("inner"), the paper's two guides.
    """
    w, mean = arrays["weight_widths"], arrays["weight_change"].mean(2)  # (width, init, layer)
    layers = layer_groups(mean.shape[-1])[group]
    return [stats.common_loglog_slope([w] * len(layers), [mean[:, i, l] for l in layers]) for i in range(len(INITS))]


def weight_ntk_slopes(arrays):
    """Per init: (slope, 95% CI, intercept) of the seed-mean NTK change against width (log-log)."""
    mean = arrays["weight_ntk_change"].mean(-1)  # (width, init)
    return [stats.loglog_fit(arrays["weight_widths"], mean[:, i]) for i in range(len(INITS))]


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
    out = {k: [] for k in ("change", "gap", "loss", "step_loss", "diverged", "lam")}
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
        out["step_loss"].append(h["batch_loss"].reshape(shape + (-1,)))  # every step (full batch)
        out["diverged"].append(h["diverged"].reshape(shape))
    out = {k: np.stack(v) for k, v in out.items()}
    out["record_steps"] = h["record_steps"]
    out["eta"] = etas
    return out


ARCHS = {"fcn": ("widths", "n_train", "fcn", 1), "cnn": ("cnn_channels", "cnn_train", "cnn", 2)}
"""Per architecture of the drift sweeps: its list of widths, its training-set size, its network, its seed tag."""


@functools.lru_cache(maxsize=2)
def _drift_setup(cfg, arch):
    """The training set and :math:`\lambda_{\max}` at ``lr_width`` (the sweep's widest) of a drift sweep's view."""
    _, n_knob, net, _ = ARCHS[arch]
    data = training_data(cfg, getattr(cfg, n_knob), images=arch == "cnn")
    return data, lambda_max(getattr(cfg, net)(cfg.lr_width), data, cfg.seed)


def _drift_point(arch):
    def run(cfg, p):
        data, lam = _drift_setup(cfg, arch)
        return width_point(cfg, getattr(cfg, ARCHS[arch][2]), data, lam, p["width"], ARCHS[arch][3])
    return run


def weight_minutes(cfg, p, device):
    """Minutes of one :func:`weight_point`, per init: full-batch GD of ``weight_seeds`` networks for ``steps``
    steps evaluated at the start and the end (:func:`orthontk_lib.book.cost.training_flops`), their empirical NTK on the
    training set at both (:func:`orthontk_lib.book.cost.ntk_flops`) and their draws (a QR of each orthogonal layer).
    Not counted: the parameters copied out at both records and elementwise work."""
    from orthontk_lib.book import cost

    layers = cost.dense_layers(DIMENSION[cfg.dataset], cfg.weight_fcn(p["width"]).widths, 1)
    weights, n = sum(a * b for a, b in layers), cfg.n_train
    flops = sum(cost.training_flops(weights, n, cfg.steps, cfg.weight_seeds, 2, n + 1)
                + 2 * cfg.weight_seeds * cost.ntk_flops(layers, n) + cost.init_flops(layers, init, cfg.weight_seeds)
                for init in INITS)
    return cost.estimated_minutes(flops, device, steps=2 * cfg.steps, programs=2)


def _by_estimate(minutes):
    from orthontk_lib.book import cost

    return cost.by_estimate(minutes)


_DRIFT_KNOBS = ("n_seeds", "steps", "lr_small", "lr_large", "dataset", "seed")
SWEEPS = {
    "weights": results.Sweep(
        SLUG, "weights", knobs=("weight_depth", "weight_activation", "weight_seeds", "steps", "lr_small", "dataset",
                                "n_train", "seed"),
        over=("weight_widths", "widths"), points=lambda cfg: [{"width": w} for w in cfg.weight_widths],
        derived=lambda cfg: {"lr_width": max(cfg.widths)},  # eta's reference: the drift sweeps' widest network
        run=lambda cfg, p: weight_point(cfg, *_weight_setup(cfg), p["width"]), minutes=weight_minutes,
        device=lambda cfg, p: _by_estimate(weight_minutes)(cfg, p), desc="GD, weight and NTK change by width"),
    "fcn": results.Sweep(
        SLUG, "fcn", knobs=("depth", "n_train") + _DRIFT_KNOBS, over=("widths",),
        points=lambda cfg: [{"width": w} for w in cfg.widths], derived=lambda cfg: {"lr_width": cfg.widths[-1]},
        run=_drift_point("fcn"), device="GPU", desc="GD with NTK by fcn width"),
    "cnn": results.Sweep(
        SLUG, "cnn", knobs=("cnn_depth", "cnn_train") + _DRIFT_KNOBS, over=("cnn_channels",),
        points=lambda cfg: [{"width": w} for w in cfg.cnn_channels],
        derived=lambda cfg: {"lr_width": cfg.cnn_channels[-1]}, run=_drift_point("cnn"), device="GPU",
        desc="GD with NTK by cnn width"),
}
"""The chapter's sweeps, one point per width (channel count for the CNN); every learning rate is set by
:math:`\lambda_{\max}` of the sweep's widest network (``lr_width``, a derived value in every key)."""


def compute(cfg):
    """The FCN and CNN sweeps, one saved point per width; arrays indexed (width, init, lr, seed, record)."""
    out = {}
    for arch, (sizes_knob, n_knob, _, _) in ARCHS.items():
        pts = SWEEPS[arch].results(cfg)
        for k in ("change", "gap", "loss", "step_loss", "diverged", "lam"):
            out[f"{arch}_{k}"] = np.stack([p.arrays[k] for p in pts])
        out[f"{arch}_widths"] = np.asarray(getattr(cfg, sizes_knob))
        out[f"{'n' if arch == 'fcn' else 'cnn'}_train"] = np.asarray(getattr(cfg, n_knob))
        out[f"{arch}_eta"] = pts[0].arrays["eta"]
        out["record_steps"] = pts[0].arrays["record_steps"]
    return {**weight_change(cfg), **out}
