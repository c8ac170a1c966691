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

import dataclasses
import functools
import math

import jax
import numpy as np

from orthontk_lib import kernels, plots, results, stats
from orthontk_lib.book.profiles import ChapterConfig, ConfigError, Cost
from orthontk_lib.claims import AtLeast, AtMost, Between, Claim, Measurement, Within
from orthontk_lib.data import load
from orthontk_lib.models import ACTIVATIONS, CNN, FCN
from orthontk_lib.reproduction import PaperFigure

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
    weight_widths: tuple[int, ...] = dataclasses.field(default=(64,), metadata={"min": 1})  # widths, weight figure
    weight_depth: int = dataclasses.field(default=3, metadata={"min": 1})  # hidden layers, weight figure
    weight_activation: str = dataclasses.field(default="erf", metadata={"choices": ACTIVATIONS})  # phi, weight figure
    weight_seeds: int = dataclasses.field(default=15, metadata={"min": 2})  # runs per (width, init), weight figure
    seed: int = dataclasses.field(default=0, metadata={"min": 0})  # root seed

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
    def seeds(self):
        return list(range(self.seed, self.seed + self.n_seeds))

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


WEIGHT_FIGURE = PaperFigure(
    "Huang, Du, Xu (2021), Sec. 4: the weight- and kernel-change figure (per layer ||W_T − W_0||_F/||W_0||_F and "
    "the NTK's ||Θ_T − Θ_0||_F/||Θ_0||_F against width, Gaussian and orthogonal weights)",
    settings=dict(weight_widths=tuple(2**k for k in range(4, 13)), weight_depth=3, weight_activation="erf",
                  weight_seeds=15),
    always=("the paper's data set, learning rate and number of steps for this figure are not in the notes this book "
            "follows: here full-batch GD on the chapter's training set at η = lr_small·N/λ_max (λ_max of the NTK at "
            "initialization of this network at the drift sweeps' widest width, one η for every width) for the "
            "chapter's steps, with σ_W² = 2, σ_b = 0.1",),
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
    steps evaluated at the start and the end (:func:`orthontk_lib.train.training_flops`), their empirical NTK on the
    training set at both (:func:`orthontk_lib.train.ntk_flops`) and their draws (a QR of each orthogonal layer).
    Not counted: the parameters copied out at both records and elementwise work."""
    from orthontk_lib import train

    d_in = 3072 if cfg.dataset == "cifar10" else 64
    layers = train.dense_layers(d_in, cfg.weight_fcn(p["width"]).widths, 1)
    weights, n = sum(a * b for a, b in layers), cfg.n_train
    flops = sum(train.training_flops(weights, n, cfg.steps, cfg.weight_seeds, 2, n + 1)
                + 2 * cfg.weight_seeds * train.ntk_flops(layers, n) + train.init_flops(layers, init, cfg.weight_seeds)
                for init in INITS)
    return train.estimated_minutes(flops, device, steps=2 * cfg.steps, programs=2)


def _by_estimate(minutes):
    from orthontk_lib import train

    return train.by_estimate(minutes)


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


# CLAIMS

HDX = "Huang, Du, Xu 2021"
BOUND_WHY = ("the lazy picture bounds the change by O(n^(-1/2)) (Jacot et al. 2018, Lee et al. 2019); a slope at "
             "-1/2 or steeper is consistent with it, with 0.15 allowance for seed noise and subleading terms; "
             "perturbation theory (Dyer & Gur-Ari 2020) expects -1")
WEIGHT_WHY = ("one GD step moves each layer by O(η) in Frobenius norm (NTK parameterization), and ||W_0||_F grows as "
              "√n (first layer, readout) or n (width × width layers); 0.15 allows for seed noise and the finite "
              "widths")
CLAIMS = [
    *(Claim(f"constancy-weights-{group}-{init}", f"{HDX}, Sec. 4 (weight-change figure)",
            f"Under small-learning-rate GD the {what} of {'a' if init == 'gaussian' else 'an'} {init} network "
            f"move{'s' if group == 'outer' else ''} by a relative amount of order n^({rate}).",
            f"common log-log slope over {what} of the seed-mean ||W_T − W_0||_F/||W_0||_F against width (95% "
            "t-interval)", Within(slope, 0.15), why=WEIGHT_WHY, decide="more widths or runs (the paper profile)")
      for group, what, rate, slope in (("outer", "first and last layer", "-1/2", -0.5),
                                        ("inner", "width × width hidden layers", "-1", -1.0))
      for init in INITS),
    *(Claim(f"constancy-weights-ntk-{init}", f"{HDX}, Thm. 2 and Sec. 4 (weight-change figure)",
            f"In the same runs the NTK of {'a' if init == 'gaussian' else 'an'} {init} network moves by "
            "O(1/√width) at most.",
            "log-log slope of the seed-mean ||Θ_T − Θ_0||_F/||Θ_0||_F against width, 3-hidden-layer erf network "
            "(95% t-interval)", AtMost(-0.35), why=BOUND_WHY, decide="more widths")
      for init in INITS),
    *(Claim(f"constancy-slope-{init}", f"{HDX}, Thm. 2 and Sec. 4 (empirical rate)",
            f"Under small-learning-rate GD the NTK of {'a' if init == 'gaussian' else 'an'} {init} FCN moves by "
            "O(1/√width) at most: constant at infinite width.",
            "log-log slope of the seed-mean ||Θ_T − Θ_0||_F/||Θ_0||_F against width at η = N/λ_max (95% "
            "t-interval)", AtMost(-0.35), why=BOUND_WHY, decide="more widths")
      for init in INITS),
    Claim("constancy-orth-over-gauss", f"{HDX}, abstract and Sec. 4",
          "At finite width the NTK of an orthogonal network varies at a rate of the same order as a Gaussian "
          "network's: no speed-up from orthogonality in the lazy regime.",
          "orthogonal / Gaussian kernel change, geometric mean over widths (95% t-interval over widths)",
          Between(0.5, 2.0), why="'the same order': within a factor of two either way",
          decide="more seeds per width"),
    Claim("constancy-linearization", "Lee et al. 2019",
          "A wide network follows its linearization around initialization: the output gap vanishes at least as "
          "O(1/√width), for both inits.",
          "common log-log slope (both inits) of max_t ||f_t − f_t^lin||/||f_0 − y|| against width (95% t-interval)",
          AtMost(-0.35), why=BOUND_WHY, decide="more widths"),
    Claim("constancy-cnn-slope", f"{HDX}, Sec. 3 (CNNs)",
          "The same holds for CNNs: the NTK change under small-learning-rate GD vanishes with the channel count.",
          "common log-log slope (both inits) of the kernel change against channels (95% t-interval)",
          AtMost(-0.35), why=BOUND_WHY, decide="more channel counts (the paper profile)"),
    Claim("constancy-large-lr", "Lewkowycz et al. 2020",
          "Above the stability limit 2N/λ_max, GD converges only by moving the NTK by O(1), at every width (the "
          "catapult phase), which the lazy picture does not predict.",
          "seed-mean ||Θ_T − Θ_0||_F/||Θ_0||_F at η = 3N/λ_max, largest width, for the init that moves less "
          "(95% t-interval over seeds)",
          AtLeast(0.2), why="order one; at small η the change at that width is a few percent",
          decide="more seeds"),
]


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval."""
    out = {f"constancy-slope-{init}": Measurement(s, ci) for init, (s, ci, _) in zip(INITS, change_slopes(arrays))}
    for group in ("outer", "inner"):
        out.update({f"constancy-weights-{group}-{init}": Measurement(*fit)
                    for init, fit in zip(INITS, weight_slopes(arrays, group))})
    out.update({f"constancy-weights-ntk-{init}": Measurement(s, ci) for init, (s, ci, _) in
                zip(INITS, weight_ntk_slopes(arrays))})
    out["constancy-orth-over-gauss"] = Measurement(*init_ratio(arrays))
    out["constancy-linearization"] = Measurement(*common_slope(arrays, linearization_gap(arrays)))
    out["constancy-cnn-slope"] = Measurement(*common_slope(arrays, final_change(arrays, "cnn"), "cnn"))
    per_init = [stats.mean_ci(v) for v in large_lr_samples(arrays)]
    low = min(range(len(INITS)), key=lambda i: per_init[i][0])
    out["constancy-large-lr"] = Measurement(*per_init[low], {"init": INITS[low]})
    return out


def numbers(arrays, cfg):
    """The numbers and phrases of the chapter's prose."""
    fmt = lambda m: f"{m[0]:.2f} [{m[1][0]:.2f}, {m[1][1]:.2f}]"
    m = measure(arrays, cfg)
    same = {c.id: c.verdict(*m[c.id][:2]) for c in CLAIMS}
    same_words = {"holds": "The two inits drift by the same order: in the lazy regime orthogonality changes nothing",
                  "does not hold": "The two inits drift by different orders, against the paper's finding",
                  "inconclusive": "Whether the two inits drift by the same order is not decided at these widths and "
                                  "seeds"}
    rs = arrays["record_steps"]
    sharp = final_sharpness(arrays)
    peak = catapult_peak(arrays)
    div = arrays["fcn_diverged"][:, :, 1]
    weights = {f"con-w-{key}": ", ".join(f"{fmt(m[f'constancy-weights-{key}-{init}'])} ({init})" for init in INITS)
               for key in ("outer", "inner", "ntk")}
    w_verdicts = [c.verdict(*m[c.id][:2]) for c in CLAIMS if c.id.startswith("constancy-weights-")]
    return {
        **weights,
        "con-w-verdict": ("all six slopes are within their rules: the outer layers move as n^(-1/2), the inner ones as "
                          "n^(-1), and the kernel at least as fast as n^(-1/2), for both initializations"
                          if all(v == "holds" for v in w_verdicts) else
                          f"{sum(v == 'holds' for v in w_verdicts)} of the six slopes are within their rules "
                          f"({sum(v == 'does not hold' for v in w_verdicts)} outside, "
                          f"{sum(v == 'inconclusive' for v in w_verdicts)} inconclusive; the ledger says which)"),
        "con-w-seeds": int(arrays["weight_change"].shape[2]),
        "con-w-lr": f"{cfg.lr_small:g} N/λ = {float(arrays['weight_eta']):.3f}",
        "con-gap-words": {"holds": "The network stays close to its linearization, and closer as it widens",
                          "does not hold": "The gap to the linearization does not shrink with width as fast as "
                                           "n^(-1/2)",
                          "inconclusive": "Whether the gap to the linearization shrinks with width is not decided "
                                          "at these widths"}[same["constancy-linearization"]],
        "con-cnn-words": {"holds": "CNNs behave alike",
                          "does not hold": "CNNs do not: their kernel's drift does not fall as fast as n^(-1/2)",
                          "inconclusive": "For CNNs the decay is not decided at these channel counts"}[
                              same["constancy-cnn-slope"]],
        "con-lazy-words": {"holds": "Width does not make this regime lazy, and it",
                           "does not hold": "At the widest networks the kernel moves little even here, and yet it",
                           "inconclusive": "Whether width makes this regime lazy is not decided here; it"}[
                               same["constancy-large-lr"]],
        "con-w-same": same_slopes_sentence({key: [m[f"constancy-weights-{key}-{init}"][1] for init in INITS]
                                            for key in ("outer", "inner", "ntk")}),
        "con-w-differs": WEIGHT_FIGURE.caption(cfg),
        "con-depth": int(cfg.depth), "con-cnn-depth": int(cfg.cnn_depth),
        "con-data": f"{cfg.n_train} {cfg.dataset} images (CNN: {cfg.cnn_train})",
        "con-steps": int(rs[-1]), "con-every": int(rs[1]), "con-seeds": int(arrays["fcn_change"].shape[3]),
        "con-lr-small": f"{cfg.lr_small:g} N/λ = {arrays['fcn_eta'][0]:.3f}",
        "con-lr-large": f"{cfg.lr_large:g} N/λ = {arrays['fcn_eta'][1]:.3f}",
        "con-slope-gauss": fmt(m["constancy-slope-gaussian"]), "con-slope-orth": fmt(m["constancy-slope-orthogonal"]),
        "con-ratio": fmt(m["constancy-orth-over-gauss"]), "con-same-words": same_words[same["constancy-orth-over-gauss"]],
        "con-change-widest": ", ".join(f"{c:.3f} ({i})" for c, i in zip(final_change(arrays)[-1], INITS)),
        "con-widest": int(arrays["fcn_widths"][-1]),
        "con-gap-slope": fmt(m["constancy-linearization"]),
        "con-gap-widest": f"{linearization_gap(arrays)[-1].mean():.3f}",
        "con-early": f"{100 * (arrays['fcn_change'][-1, :, 0, :, len(rs) // 4] / arrays['fcn_change'][-1, :, 0, :, -1]).mean():.0f}%",
        "con-large": fmt(m["constancy-large-lr"]),
        "con-large-loss": f"{arrays['fcn_loss'][-1, :, 1, :, -1].mean():.1e}",
        "con-sharp": f"{sharp[0]:.2f} at initialization to {sharp[1]:.2f}",
        "con-diverged": f"{int(div.sum())} of {div.size}",
        "con-peak": f"{peak:.2g}",
        "con-peak-words": ("the training loss first rises, to {:.2g} times its initial value, then comes down: the "
                           "catapult's signature".format(peak) if peak > 1.05 else
                           "the training loss does not rise above its initial value at the recorded steps, so the "
                           "catapult's signature, a spike in the loss, is not seen here"),
        "con-cnn-slope": fmt(m["constancy-cnn-slope"]),
        "con-cnn-ratio": fmt(init_ratio(arrays, "cnn")),
        "con-cnn-large": f"{large_lr_change(arrays, 'cnn'):.2f}",
    }


def same_slopes_sentence(intervals):
    """Whether the Gaussian and orthogonal slopes' intervals overlap, per group (``{group: [ci_gauss, ci_orth]}``)."""
    names = {"outer": "outer layers", "inner": "inner layers", "ntk": "kernel"}
    apart = [names[k] for k, (g, o) in intervals.items() if g[1] < o[0] or o[1] < g[0]]
    if not apart:
        return "The orthogonal and Gaussian intervals overlap for all three, as the paper finds: the same rates"
    return (f"The orthogonal and Gaussian intervals are disjoint for the {' and the '.join(apart)}: there the two "
            "initializations move at different rates, unlike the paper's figure")


# FIGURES

CHANGE = r"$\|\Theta_T - \Theta_0\|_F / \|\Theta_0\|_F$"
CHANGE_T = r"$\|\Theta_t - \Theta_0\|_F / \|\Theta_0\|_F$"


def fig_weights(arrays):
    """The paper's figure: per layer, the relative weight change against width (one panel per init), and the NTK's."""
    w = np.asarray(arrays["weight_widths"], float)
    change, ntk = arrays["weight_change"], arrays["weight_ntk_change"]  # (width, init, seed, layer), (width, init, seed)
    n_layers = change.shape[-1]
    fig, axes = plots.figure(ncols=3, width=2.8, height=2.6, sharey=True, squeeze=False)
    for i, init in enumerate(INITS):
        ax = axes[0, i]
        for l in range(n_layers):
            name = "readout" if l == n_layers - 1 else f"layer {l + 1}"
            ax.errorbar(w, change[:, i, :, l].mean(-1), yerr=change[:, i, :, l].std(-1, ddof=1), marker="o", ms=3,
                        capsize=2, lw=1.2, color=plots.sequential(l, n_layers, "plasma"), label=name)
        ax.set_title(f"{init}: weights", fontsize=9)
        ax.set_ylabel(r"$\|W_T - W_0\|_F / \|W_0\|_F$" if i == 0 else None)
    for i, init in enumerate(INITS):
        axes[0, 2].errorbar(w, ntk[:, i].mean(-1), yerr=ntk[:, i].std(-1, ddof=1), marker="o", ms=3, capsize=2,
                            color=plots.COLORS[init], label=init)
    axes[0, 2].set_title("NTK", fontsize=9)
    axes[0, 2].set_ylabel(CHANGE)
    axes[0, 2].yaxis.set_tick_params(labelleft=True)
    for ax in axes[0]:
        top = max(line.get_ydata()[0] for line in ax.get_lines() if len(line.get_ydata()) == len(w))
        ax.plot(w, top * (w / w[0]) ** -0.5, "k--", lw=1, label=r"$n^{-1/2}$")
        ax.plot(w, top * (w / w[0]) ** -1.0, "k:", lw=1, label=r"$n^{-1}$")
        ax.set(xscale="log", yscale="log", xlabel="width n")
        plots.label_ticks(ax, w)
    axes[0, 2].legend(fontsize=6, loc="lower left")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", fontsize=7)
    return fig


def fig_width(arrays):
    """Small-lr kernel change against width, both inits, with fits and the n^(-1/2) guide."""
    small = {init: arrays["fcn_change"][:, i, 0, :, -1] for i, init in enumerate(INITS)}
    return plots.width_scaling(arrays["fcn_widths"], small, fits=dict(zip(INITS, change_slopes(arrays))),
                               ylabel=CHANGE)


def fig_linearization(arrays):
    """Left: the drift over training at three widths. Right: the linearization gap against width (±1 s.d.)."""
    widths = arrays["fcn_widths"]
    pick = sorted({0, len(widths) // 2, len(widths) - 1})
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False)
    plots.time_courses(arrays["record_steps"], {(init, f"n={widths[w]}"): arrays["fcn_change"][w, i, 0]
                                                for i, init in enumerate(INITS) for w in pick},
                       ylabel=CHANGE_T, ax=axes[0, 0])
    gap = arrays["fcn_gap"].max(-1)  # (width, init, seed), at the small lr
    for i, init in enumerate(INITS):
        axes[0, 1].errorbar(widths, gap[:, i].mean(-1), yerr=gap[:, i].std(-1, ddof=1), fmt="o-", capsize=2,
                            color=plots.COLORS[init], label=init)
    axes[0, 1].set(xscale="log", yscale="log", xlabel="width n",
                   ylabel=r"$\max_t \|f_t - f^{\mathrm{lin}}_t\| / \|f_0 - y\|$")
    axes[0, 1].legend(fontsize=7)
    return fig


def fig_large_lr(cfg, arrays):
    """Left: change after training at both learning rates against width. Middle: its course at the large lr.
    Right: the training loss at every step at the large lr (the catapult's spike)."""
    fig, axes = plots.figure(ncols=3, width=2.7, height=2.6, squeeze=False)
    for i, init in enumerate(INITS):
        for lr, style in ((0, "o-"), (1, "s--")):
            axes[0, 0].loglog(arrays["fcn_widths"], final_change(arrays, lr=lr)[:, i], style, color=plots.COLORS[init],
                              label=f"{init}, η = {(cfg.lr_small, cfg.lr_large)[lr]:g} N/λ")
    axes[0, 0].set(xlabel="width n", ylabel=CHANGE)
    plots.time_courses(arrays["record_steps"], {(init, "large η"): arrays["fcn_change"][-1, i, 1]
                                                for i, init in enumerate(INITS)}, ylabel=CHANGE_T, ax=axes[0, 1])
    loss = arrays["fcn_step_loss"][-1, :, 1]  # (init, seed, step)
    for i, init in enumerate(INITS):
        axes[0, 2].plot(np.arange(loss.shape[-1]), loss[i].mean(0), color=plots.COLORS[init], label=init)
    axes[0, 2].set(xlabel="GD step", ylabel="training loss (large η)", yscale="log")
    for ax in axes[0]:
        if ax.get_legend():
            ax.get_legend().remove()
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=7)
    return fig


def fig_cnn(arrays):
    """The small-lr kernel change of CNNs against channels."""
    cnn = {init: arrays["cnn_change"][:, i, 0, :, -1] for i, init in enumerate(INITS)}
    return plots.width_scaling(arrays["cnn_widths"], cnn, fits=dict(zip(INITS, change_slopes(arrays, "cnn"))),
                               xlabel="channels", ylabel=CHANGE)
