r"""Chapter "Training curves": in the NTK regime orthogonal and Gaussian networks train alike.

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

Statistic (one per setting): the largest gap between the two inits' mean curves over the recorded steps and the
four curves, in units of the seeds' standard deviation at that step, with a 95% interval.
"""

import dataclasses
import math
from typing import NamedTuple

import jax
import numpy as np

from orthontk_lib import plots, results
from orthontk_lib.book.profiles import ChapterConfig, ConfigError, Cost
from orthontk_lib.claims import AtMost, Claim, Measurement
from orthontk_lib.data import load
from orthontk_lib.models import FCN
from orthontk_lib.reproduction import PaperFigure

SLUG = "training-curves"
INITS = ("gaussian", "orthogonal")
DATASETS = ("digits", "cifar10")
METRICS = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")


class Setting(NamedTuple):
    """One of the paper's training runs (widths, steps and seeds are the profile's)."""

    depth: int
    activation: str
    W_var: float  # sigma_W^2
    b_var: float  # sigma_b^2
    optimizer: str  # "sgd" or "rmsprop"
    lr: float  # the paper's learning rate at the paper's width
    batch_size: int | None  # None: full batch
    loss: str  # "mse" (one-hot targets) or "cross_entropy"
    paper_width: int
    paper_steps: int
    figure: str  # which of the paper's figures


SETTINGS = {
    "gd-shallow": Setting(3, "tanh", 1.5, 0.01, "sgd", 1e-3, None, "mse", 400, 10_000, "full-batch GD figure"),
    "gd-deep": Setting(7, "tanh", 1.5, 0.1, "sgd", 1e-4, None, "mse", 800, 10_000, "full-batch GD figure"),
    "sgd-tanh": Setting(5, "tanh", 2.0, 0.1, "sgd", 1e-3, 1000, "cross_entropy", 800, 100_000, "NTK-regime SGD figure"),
    "rmsprop-relu": Setting(9, "relu", 2.0, 0.01, "rmsprop", 1e-5, 1000, "mse", 1600, 100_000,
                            "NTK-regime SGD figure"),
}
"""The paper's settings. ReLU's σ_W², σ_b² are not in the notes this book follows (2.0 and 0.01 are ours)."""


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the four training runs; ``widths`` and ``steps`` list one value per setting, in SETTINGS order."""

    widths: tuple[int, ...] = dataclasses.field(default=(16, 16, 16, 16), metadata={"min": 1})  # hidden widths
    steps: tuple[int, ...] = dataclasses.field(default=(20, 20, 20, 20), metadata={"min": 2})  # optimizer steps
    n_seeds: int = dataclasses.field(default=2, metadata={"min": 2})  # networks per (setting, init)
    records: int = dataclasses.field(default=20, metadata={"min": 2})  # evaluations per run
    dataset: str = dataclasses.field(default="digits", metadata={"choices": DATASETS})  # "digits" or "cifar10"
    n_train_gd: int = dataclasses.field(default=256, metadata={"min": 1})  # training images, full-batch runs
    n_train_sgd: int = dataclasses.field(default=1297, metadata={"min": 1})  # training images, mini-batch runs
    n_test: int = dataclasses.field(default=256, metadata={"min": 1})  # test images
    seed: int = dataclasses.field(default=0, metadata={"min": 0})  # root seed

    PRECISION = "tensorfloat32"  # training curves over seeds; TF32 to be checked against "highest" on a GPU
    PROFILES = {
        "smoke": dict(widths=(16, 16, 16, 16), steps=(20, 20, 20, 20), n_seeds=2, records=5, n_train_gd=32,
                      n_train_sgd=64, n_test=32),
        "quick": dict(widths=(128, 128, 64, 64), steps=(1000, 1000, 300, 300), n_seeds=6, records=20),
        # the paper's architectures, widths, batch, optimizers and learning rates; 10 seeds and 10^4 steps (the paper:
        # 30 seeds, and 10^5 steps for the SGD figure, 98% of the cost), on digits (CIFAR-10 is on no machine here)
        "paper": dict(widths=(400, 800, 800, 1600), steps=(10_000, 10_000, 10_000, 10_000), n_seeds=10, records=50,
                      dataset="digits", n_train_gd=256, n_train_sgd=1297, n_test=256),
    }
    COST = {"paper": Cost("GPU", 8, "estimate: about 30 PFLOP of training (6 FLOP per weight per image, 10 seeds per "
                                    "init, digits' 64 inputs), at 80 TFLOP/s, plus evaluations")}

    def __post_init__(self):
        for name in ("widths", "steps"):
            if len(getattr(self, name)) != len(SETTINGS):
                raise ConfigError(f"{name}: one value per setting ({', '.join(SETTINGS)}); got {getattr(self, name)}")
        if self.records > min(self.steps):
            raise ConfigError(f"records: at most the smallest step count ({min(self.steps)}); got {self.records}")

    @property
    def seeds(self):
        return list(range(self.seed, self.seed + self.n_seeds))

    def width(self, name):
        return self.widths[list(SETTINGS).index(name)]

    def n_steps(self, name):
        return self.steps[list(SETTINGS).index(name)]

    def lr(self, name, width=None):
        """The paper's learning rate, times paper width / width for plain (S)GD (η Θ unchanged); ``width`` in place
        of the setting's."""
        s = SETTINGS[name]
        return s.lr * (s.paper_width / (width or self.width(name)) if s.optimizer == "sgd" else 1.0)

    def spec(self, name, init, width=None):
        s = SETTINGS[name]
        return FCN(s.depth, width or self.width(name), s.activation, math.sqrt(s.W_var), math.sqrt(s.b_var), init,
                   parameterization="standard", out_dim=10)


FIGURE = PaperFigure(
    "Huang, Du, Xu (2021), Sec. 4 and supplement: the full-batch GD figure and the NTK-regime SGD figure "
    "(training and test loss and accuracy against steps, orthogonal and Gaussian overlaid)",
    settings=dict(widths=tuple(s.paper_width for s in SETTINGS.values()),
                  steps=tuple(s.paper_steps for s in SETTINGS.values()), dataset="cifar10", n_train_gd=256,
                  n_test=256),
    always=("the RMSProp run used MNIST in the paper; here it uses the chapter's data set",
            "the ReLU run's σ_W² = 2 and σ_b² = 0.01 are ours (not in the notes this book follows)"),
    labels=dict(n_train_gd="full-batch training images", n_test="test images"))


def computed_differences(cfg):
    """Differences no single knob names: the seed count (the paper's GD runs use 30) and scaled learning rates."""
    lrs = [f"{name} η = {cfg.lr(name):.3g} (paper: {s.lr:g})" for name, s in SETTINGS.items()
           if not math.isclose(cfg.lr(name), s.lr)]
    seeds = [] if cfg.n_seeds == 30 else [f"{cfg.n_seeds} seeds per init (paper: 30)"]
    return seeds + (["learning rates scaled by paper width / width: " + ", ".join(lrs)] if lrs else [])


# THE EXPERIMENT


def training_data(cfg, name, n_train=None):
    """Images flattened and scaled to [0, 1], one-hot labels; 256 (full batch) or ``n_train_sgd`` training images
    (``n_train`` in place of the profile's)."""
    if n_train is None:
        n_train = cfg.n_train_gd if SETTINGS[name].batch_size is None else cfg.n_train_sgd
    kwargs = dict(seed=cfg.seed) if cfg.dataset == "digits" else {}
    return load(cfg.dataset, n_train=n_train, n_test=cfg.n_test, **kwargs)


def run_setting(cfg, name, width=None, steps=None, n_train=None):
    """Both inits, ``n_seeds`` networks each: every metric as (init, seed, record), and the record steps; ``width``,
    ``steps`` and ``n_train`` in place of the config's for this setting."""
    from orthontk_lib import train

    s, steps = SETTINGS[name], steps or cfg.n_steps(name)
    every = steps // cfg.records
    data = training_data(cfg, name, n_train)
    batch = None if s.batch_size is None else min(s.batch_size, data.x_train.shape[0])
    config = train.TrainConfig(steps=every * cfg.records, batch_size=batch, loss=s.loss, optimizer=s.optimizer,
                               record_every=every)
    keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), list(SETTINGS).index(name)), cfg.n_seeds)
    out = {m: [] for m in METRICS + ("diverged",)}
    lr = cfg.lr(name, width)
    for init in INITS:
        h = train.fit_grid(cfg.spec(name, init, width), config, keys, np.full(cfg.n_seeds, lr), data)
        for m in METRICS + ("diverged",):
            out[m].append(h[m])
    return {**{m: np.stack(v) for m, v in out.items()}, "record_steps": h["record_steps"]}


def _points(cfg):
    """One point per setting, with the width, steps and training-set size it runs at."""
    n_train = lambda name: cfg.n_train_gd if SETTINGS[name].batch_size is None else cfg.n_train_sgd
    return [{"setting": name, "width": cfg.widths[i], "n_steps": cfg.steps[i], "n_train": n_train(name)}
            for i, name in enumerate(SETTINGS)]


def point_minutes(cfg, p, device):
    """Estimated minutes of one setting's point (both inits): :func:`orthontk_lib.train.training_flops` of its
    network at :data:`orthontk_lib.train.THROUGHPUT`."""
    from orthontk_lib import train

    s, n = SETTINGS[p["setting"]], p["width"]
    d_in = 3072 if cfg.dataset == "cifar10" else 64
    weights = d_in * n + (s.depth - 1) * n * n + n * 10
    batch = p["n_train"] if s.batch_size is None else min(s.batch_size, p["n_train"])
    flops = train.training_flops(weights, batch, p["n_steps"], 2 * cfg.n_seeds, cfg.records + 1, p["n_train"] + cfg.n_test)
    return train.estimated_minutes(flops / 2, device) * 2  # one program per init


SWEEPS = {"runs": results.Sweep(
    SLUG, "runs", knobs=("n_seeds", "records", "dataset", "n_test", "seed"),
    over=("widths", "steps", "n_train_gd", "n_train_sgd"), points=_points,
    run=lambda cfg, p: run_setting(cfg, p["setting"], p["width"], p["n_steps"], p["n_train"]), device="GPU",
    minutes=point_minutes,
    desc="training runs by setting")}
"""The chapter's sweep: one point per setting (its width, step count and training-set size in the point)."""


def compute(cfg):
    """One saved point per setting: ``<setting>_<metric>`` (init, seed, record) and ``<setting>_steps``."""
    pts = SWEEPS["runs"].results(cfg)
    out = {}
    for name, p in zip(SETTINGS, pts):
        out.update({f"{name}_{m}": p.arrays[m] for m in METRICS + ("diverged",)})
        out[f"{name}_steps"] = p.arrays["record_steps"]
    return out


# STATISTICS


def gap_interval(curves):
    r"""The largest gap between the inits' mean curves in units of the seed spread, with its 95% interval.

    At each record t: :math:`\Delta(t) = \bar c_{orth}(t) - \bar c_{gauss}(t)`, its 95% Welch t-interval, and the
    pooled seed standard deviation :math:`s(t) = \sqrt{(s_{gauss}^2 + s_{orth}^2)/2}`. The value is
    :math:`\max_t |\Delta(t)| / s(t)`; the interval runs from the largest lower end of :math:`|\Delta(t)|/s(t)` to
    the largest upper end: below 1 means every record's gap is surely under one seed spread; a lower end above 1
    means at least one record's surely is not. Records where every seed of both inits agrees exactly (a saturated
    accuracy) are skipped.

    Args:
      curves: (init, seed, record) for one metric, or (metric, init, seed, record).

    Returns:
      ``(value, (lo, hi), record index of the value)``.
    """
    from scipy import stats

    c = np.asarray(curves, np.float64).reshape((-1,) + np.shape(curves)[-3:])
    g, o = c[:, 0], c[:, 1]  # (metric, seed, record)
    n = g.shape[1]
    delta = o.mean(1) - g.mean(1)
    vg, vo = g.var(1, ddof=1), o.var(1, ddof=1)
    s = np.sqrt((vg + vo) / 2)
    se = np.sqrt((vg + vo) / n)
    dof = np.where(se > 0, se**4 / ((vg / n) ** 2 / (n - 1) + (vo / n) ** 2 / (n - 1) + 1e-300), n - 1)
    half = stats.t.ppf(0.975, np.maximum(dof, 1)) * se
    keep = s > 0
    if not keep.any():
        return 0.0, (0.0, 0.0), 0
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(keep, np.abs(delta) / s, -np.inf)
        lo = np.where(keep, np.maximum(np.abs(delta) - half, 0) / s, -np.inf)
        hi = np.where(keep, (np.abs(delta) + half) / s, -np.inf)
    k = int(np.argmax(value.max(0)))
    return float(value.max()), (float(lo.max()), float(hi.max())), k


def setting_gap(arrays, name):
    """``gap_interval`` over the setting's four curves."""
    return gap_interval(np.stack([arrays[f"{name}_{m}"] for m in METRICS]))


def final(arrays, name, metric):
    """Seed-mean value of ``metric`` at the last record: (init,)."""
    return arrays[f"{name}_{metric}"][:, :, -1].mean(1)


# CLAIMS

GAP_WHY = ("'the curves coincide': at every recorded step the two mean curves are closer than one standard deviation "
           "of single runs, the width of the bands the paper draws")
CLAIMS = [
    Claim(f"curves-{name}", f"Huang, Du, Xu 2021, Sec. 4 ({s.figure})",
          f"{'Full-batch GD' if s.batch_size is None else s.optimizer.upper() if s.optimizer != 'sgd' else 'SGD'} "
          f"of {s.activation} networks of depth {s.depth}: orthogonal and Gaussian initializations give the same "
          "training and test loss and accuracy curves.",
          "largest gap between the two inits' mean curves over recorded steps and the four curves, in units of the "
          "pooled seed standard deviation (95% interval from the records' Welch t-intervals)",
          AtMost(1.0), why=GAP_WHY, decide="more seeds (the paper uses 30)")
    for name, s in SETTINGS.items()
]


def measure(arrays, cfg):
    """Each setting's largest gap with its interval, and where it is."""
    out = {}
    for name in SETTINGS:
        value, ci, k = setting_gap(arrays, name)
        out[f"curves-{name}"] = Measurement(value, ci, {"step": int(arrays[f"{name}_steps"][k])})
    return out


def numbers(arrays, cfg):
    """The numbers and phrases of the chapter's prose."""
    m = measure(arrays, cfg)
    out = {"curves-seeds": int(arrays["gd-shallow_train_loss"].shape[1]),
           "curves-differs": FIGURE.caption(cfg, computed_differences(cfg))}
    verdicts = []
    for name, s in SETTINGS.items():
        acc = final(arrays, name, "test_accuracy")
        value, ci = m[f"curves-{name}"][:2]
        verdict = CLAIMS[list(SETTINGS).index(name)].verdict(value, ci)
        verdicts.append(verdict)
        out[f"curves-{name}-setting"] = (f"depth {s.depth}, width {cfg.width(name)}, {s.activation}, "
                                         f"σ_W² = {s.W_var:g}, σ_b² = {s.b_var:g}, {s.optimizer.upper()} "
                                         f"η = {cfg.lr(name):.3g}, {'full batch' if s.batch_size is None else f'batch {s.batch_size}'}, "
                                         f"{'squared loss' if s.loss == 'mse' else 'cross-entropy'}, "
                                         f"{int(arrays[f'{name}_steps'][-1])} steps")
        out[f"curves-{name}-gap"] = f"{value:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"
        out[f"curves-{name}-acc"] = f"{acc[0]:.3f} (Gaussian) and {acc[1]:.3f} (orthogonal)" + (
            "; training has barely begun at this profile's step count, so the comparison says little"
            if acc.max() < 0.3 else "")
        out[f"curves-{name}-verdict"] = {"holds": "the curves coincide within one seed spread",
                                         "does not hold": "at some step the curves are surely more than one seed "
                                                          "spread apart",
                                         "inconclusive": "whether they coincide within one seed spread is not "
                                                         "decided by these seeds"}[verdict]
    counts = {v: verdicts.count(v) for v in ("holds", "does not hold", "inconclusive")}
    out["curves-summary"] = (f"Of the four settings, the curves coincide within one seed spread in {counts['holds']}, "
                             f"are surely apart in {counts['does not hold']}, and are undecided in "
                             f"{counts['inconclusive']}")
    return out


# FIGURES

YLABELS = {"train_loss": "training loss", "test_loss": "test loss", "train_accuracy": "training accuracy",
           "test_accuracy": "test accuracy"}


def fig_curves(arrays, names):
    """One row per setting in ``names``, one column per curve: seed means with ±1 s.d. bands, both inits."""
    fig, axes = plots.figure(ncols=len(METRICS), nrows=len(names), width=2.3, height=2.0, squeeze=False)
    for r, name in enumerate(names):
        steps = arrays[f"{name}_steps"]
        for c, metric in enumerate(METRICS):
            ax = axes[r, c]
            for i, init in enumerate(INITS):
                v = arrays[f"{name}_{metric}"][i]  # (seed, record)
                mean, sd = v.mean(0), v.std(0, ddof=1)
                ax.plot(steps, mean, color=plots.COLORS[init], lw=1.3, label=init)
                ax.fill_between(steps, mean - sd, mean + sd, color=plots.COLORS[init], alpha=0.2, lw=0)
            ax.set_title(f"{name}: {YLABELS[metric]}", fontsize=7)
            ax.tick_params(labelsize=7)
            if r == len(names) - 1:
                ax.set_xlabel("step", fontsize=8)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=7)
    return fig


def fig_gd(arrays):
    """The paper's full-batch GD figure: the two tanh settings."""
    return fig_curves(arrays, ["gd-shallow", "gd-deep"])


def fig_sgd(arrays):
    """The paper's NTK-regime SGD figure: SGD (tanh) and RMSProp (ReLU)."""
    return fig_curves(arrays, ["sgd-tanh", "rmsprop-relu"])
