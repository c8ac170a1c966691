r"""Trainability: SGD of deep tanh networks from the Edge of Chaos and from the ordered and chaotic phases, on the chapter's
images. Its points and arrays, the claim, its numbers and figure."""

import jax
import numpy as np

from orthontk_lib import meanfield, plots, results, stats
from orthontk_lib.claims import AtLeast, Claim, Measurement
from orthontk_lib.data import DIMENSION, load
from orthontk_lib.models import FCN
from orthontk_lib.reproduction import PaperFigure

from .experiment import (CHANCE, CHANCE_LABEL, HDR, PHASE_COLOUR, SAVED_ON_DIGITS, SLUG, TRAIN_POINTS, by_estimate,
                         differences_markdown, markdown_table)

__all__ = ["TRAIN_CLAIMS", "TRAIN_FIGURE", "TRAIN_SWEEP", "_point", "fig_trainability", "measure_trainability",
           "train_arrays", "train_numbers", "train_point", "train_spec", "trainability_gap", "trainability_minutes",
           "training_task"]

# THE POINTS

TRAIN_FIGURE = PaperFigure(
    "Hayou, Doucet, Rousseau (2019), Sec. 4: test accuracy against training steps at and off the Edge of Chaos",
    settings=dict(train_depths=(100, 200, 300), train_width=300, train_lrs=(1e-3, 1e-4, 1e-4)),
    labels=dict(train_depths="depths", train_width="width", train_lrs="learning rates"),
    always=(lambda cfg: ("scikit-learn's digits instead of MNIST and CIFAR-10" if cfg.dataset == "digits" else
                         "CIFAR-10 only (the paper also trains on MNIST)"),
            "tanh only (the paper also trains ReLU and ELU)",
            "the number of steps is this book's (the paper does not state it)"))


def train_spec(cfg, phase, depth):
    """The trained network at ``phase``'s point of :data:`TRAIN_POINTS` (None: the Edge's bias for that σ_W): tanh,
    ``depth`` hidden layers of ``train_width``, standard parameterization, its hidden layers one ``lax.scan``."""
    W_std, b_std = TRAIN_POINTS[phase]
    b_std = meanfield.critical_b_std("tanh", W_std) if b_std is None else b_std
    return FCN(depth, cfg.train_width, "tanh", W_std, b_std, parameterization="standard", out_dim=10, scan=True)


def train_point(cfg, data, depth, lr, phases=tuple(TRAIN_POINTS)):
    """SGD (batch 64, cross-entropy) of ``train_seeds`` tanh networks of one depth from each initialization of
    ``phases``, all in one program: test accuracy and training loss per (phase, seed, record).

    In the standard parameterization σ_W and σ_b only scale the initial draw (:func:`orthontk_lib.models.canonical`),
    so the phases share one network function and run together (on a GPU this point is bound by its sequential layer
    steps, not by its FLOPs: three phases cost about what one does). Every phase draws its networks from the same keys
    and sees the same batches, as when run one by one."""
    from orthontk_lib import train

    every = max(1, cfg.train_steps // 20)
    config = train.TrainConfig(steps=cfg.train_steps - cfg.train_steps % every, batch_size=64,
                               loss="cross_entropy", record_every=every)
    keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed + 5), depth), cfg.train_seeds)
    key_init = jax.vmap(jax.random.split, out_axes=1)(keys)[0]  # the draws fit_grid makes from these keys
    params = [jax.vmap(lambda k, s=train_spec(cfg, p, depth): s.initialize(k, data.x_train[:1])["params"])(key_init)
              for p in phases]
    params = jax.tree.map(lambda *a: jax.numpy.concatenate(a), *params)
    h = train.fit_grid(train_spec(cfg, phases[0], depth), config, jax.numpy.tile(keys, len(phases)),
                       np.full(len(phases) * cfg.train_seeds, lr), data, params=params)
    shape = (len(phases), cfg.train_seeds, -1)
    return {"test_accuracy": h["test_accuracy"].reshape(shape), "train_loss": h["train_loss"].reshape(shape),
            "record_steps": h["record_steps"]}


def training_task(cfg):
    """The trainability task: ``train_n_train`` training and ``train_n_test`` test images on the sphere (by default
    all of scikit-learn's digits, 1,497 and 300)."""
    return load(cfg.dataset, n_train=cfg.train_n_train, n_test=cfg.train_n_test, seed=cfg.seed, sphere=True)


def trainability_minutes(cfg, p, device):
    """Minutes of one trainability point: SGD (batch 64) of ``train_seeds`` networks per phase, in one program, the full train and test sets
    evaluated at every record (:func:`orthontk_lib.book.cost.training_flops`), and their draws. The hidden layers are a
    ``lax.scan``: each step runs the depth's layers one after another forward and back, and each evaluation
    forward, so on a GPU the point is bound by those sequential steps (:data:`orthontk_lib.book.cost.STEP_SECONDS`)."""
    from orthontk_lib.book import cost

    every = max(1, cfg.train_steps // 20)
    steps = cfg.train_steps - cfg.train_steps % every
    records = steps // every + 1
    layers = cost.dense_layers(DIMENSION[cfg.dataset], [cfg.train_width] * p["depth"], 10)
    weights = sum(a * b for a, b in layers)
    runs = len(TRAIN_POINTS) * cfg.train_seeds  # every phase in one program
    flops = (cost.training_flops(weights, 64, steps, runs, records, cfg.train_n_train + cfg.train_n_test)
             + cost.init_flops(layers, "gaussian", runs))
    return cost.estimated_minutes(flops, device, steps=(2 * steps + 2 * records) * p["depth"])


TRAIN_SWEEP = results.Sweep(
    SLUG, "trainability", knobs=("dataset", "train_width", "train_steps", "train_seeds", "train_n_train",
                                 "train_n_test", "seed"), since={**SAVED_ON_DIGITS, "train_n_train": 1497, "train_n_test": 300},
    over=("train_depths", "train_lrs"),
    points=lambda cfg: [{"depth": L, "lr": lr} for L, lr in zip(cfg.train_depths, cfg.train_lrs)],
    run=lambda cfg, it: train_point(cfg, training_task(cfg), it["depth"], it["lr"]),
    minutes=trainability_minutes, device=lambda cfg, p: by_estimate(trainability_minutes)(cfg, p),
    desc="SGD at and off the Edge of Chaos")
"""SGD at and off the Edge of Chaos, one point per (depth, learning rate)."""


def train_arrays(cfg):
    """Test accuracy and training loss per (depth, phase, seed, record), and the records' steps."""
    runs = TRAIN_SWEEP.results(cfg)
    return {"train_accuracy": np.stack([p.arrays["test_accuracy"] for p in runs]),  # (depth, phase, S, R)
            "train_loss": np.stack([p.arrays["train_loss"] for p in runs]),
            "train_steps": runs[0].arrays["record_steps"]}


# STATISTICS


def trainability_gap(arrays):
    """Test accuracy averaged over training (the area under the learning curve, step 0 left out) at the deepest
    trained depth: Edge of Chaos minus the better off-Edge initialization, with a 95% Welch interval over networks
    (unbounded with one network each). The average rewards training sooner as well as further, as the paper's
    curves do."""
    acc = arrays["train_accuracy"][-1, :, :, 1:].mean(-1)  # (phase, seed)
    phases = list(TRAIN_POINTS)
    edge = acc[phases.index("edge")]
    best = max((acc[i] for i, p in enumerate(phases) if p != "edge"), key=np.mean)
    return stats.welch_ci(edge, best)


# CLAIMS

TRAIN_CLAIMS = [
    Claim("eoc-trainability", f"{HDR}, Sec. 4 (trainability)",
          "A deep tanh network trains better under SGD from the Edge of Chaos than off it.",
          "test accuracy averaged over training (area under the learning curve) at the deepest trained depth, Edge "
          "of Chaos minus the better off-Edge initialization, in the ordered or the chaotic phase (95% Welch interval "
          "over networks)", AtLeast(0.0),
          why="better means a positive difference; no size is given by the paper", decide="more networks",
          caveat="tanh on digits only"),
]


def measure_trainability(arrays, cfg):
    """The trainability claim, its accuracy difference with a 95% Welch interval."""
    return {"eoc-trainability": Measurement(*trainability_gap(arrays))}


# WORDS


def train_numbers(arrays, cfg, measured):
    """The trainability section's numbers (the trainability claim's measurement from ``measured``)."""
    acc = arrays["train_accuracy"][:, :, :, -1].mean(-1)  # (depth, phase)
    d, (lo, hi) = measured["eoc-trainability"][:2]
    point = lambda p: "({:g}, {:.3g})".format(*_point(p))
    return {
        "eoc-train-seeds": cfg.train_seeds, "eoc-train-width": cfg.train_width,
        "eoc-train-depths": ", ".join(f"{L} (lr {lr:g})" for L, lr in zip(cfg.train_depths, cfg.train_lrs)),
        "eoc-train-steps": int(arrays["train_steps"][-1]),
        **{f"eoc-train-{p}": point(p) for p in TRAIN_POINTS},
        "eoc-train-acc": markdown_table(["depth", *TRAIN_POINTS], [
            [L, *(f"{acc[i, j]:.2f}" for j in range(len(TRAIN_POINTS)))] for i, L in enumerate(cfg.train_depths)]),
        "eoc-train-gap": f"{d:.2f} [{lo:.2f}, {hi:.2f}]",
        "eoc-train-verdict": measured.verdict("eoc-trainability"),
        "eoc-train-ndiff": len(TRAIN_FIGURE.differences(cfg)),
        "eoc-train-differs": differences_markdown(TRAIN_FIGURE, cfg),
    }


def _point(phase):
    """``(σ_W, σ_b)`` of ``phase``'s point of :data:`TRAIN_POINTS`, the Edge's bias filled in."""
    W_std, b_std = TRAIN_POINTS[phase]
    return W_std, meanfield.critical_b_std("tanh", W_std) if b_std is None else b_std


# FIGURE


def fig_trainability(cfg, arrays):
    """Test accuracy against SGD steps, one panel per depth, one colour per initialization; seed mean and range."""
    n = len(cfg.train_depths)
    fig, axes = plots.figure(ncols=n, width=3.0, height=2.6, squeeze=False)
    steps = arrays["train_steps"]
    for i, L in enumerate(cfg.train_depths):
        ax = axes[0, i]
        for j, phase in enumerate(TRAIN_POINTS):
            acc = arrays["train_accuracy"][i, j]
            ax.plot(steps, acc.mean(0), color=PHASE_COLOUR[phase], label=phase)
            ax.fill_between(steps, acc.min(0), acc.max(0), color=PHASE_COLOUR[phase], alpha=0.2, lw=0)
        ax.axhline(CHANCE, color="grey", lw=0.8, ls=":", label=CHANCE_LABEL)
        ax.set(xlabel="SGD step", ylabel="test accuracy" if i == 0 else None, title=f"depth {L}", ylim=(0, 1))
    axes[0, 0].legend(fontsize=7)
    return fig
