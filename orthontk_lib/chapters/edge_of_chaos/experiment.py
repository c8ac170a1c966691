r"""The experiments: the paper's points in each phase, the chapter's knobs (:class:`Config`), the analytic depth
sweep, the finite-width networks, the rate points (direct and exact recursion), the trainability runs, their sweeps
and :func:`compute`; the paper's figures this chapter reproduces."""

import dataclasses
import functools
import math

import jax
import numpy as np

from orthontk_lib import kernels, meanfield, results
from orthontk_lib.book.profiles import ChapterConfig, ConfigError, Cost
from orthontk_lib.data import DATASETS, DIMENSION, IMAGES, load
from orthontk_lib.kernels import kernel_regression_accuracy, normalized, spread
from orthontk_lib.models import FCN
from orthontk_lib.reproduction import PaperFigure


SLUG = "edge-of-chaos"
PHASES = ("ordered", "edge", "chaotic")


@functools.cache
def points():
    """The (activation, phase) -> (W_std, b_std) points measured; Edge-of-Chaos biases from the mean-field helper
    (computed once: do not modify the dict)."""
    return {
        ("erf", "ordered"): (0.8, 0.3),
        ("erf", "edge"): (1.3, meanfield.critical_b_std("erf", 1.3)),
        ("erf", "chaotic"): (2.0, 0.3),
        ("relu", "ordered"): (1.2, 0.3),
        ("relu", "edge"): (math.sqrt(2.0), 0.0),
    }


@functools.cache
def paper_points():
    """Hayou, Doucet, Rousseau's points, (activation, phase) -> (W_std, b_std): on the Edge of Chaos ReLU (√2, 0),
    ELU σ_W 1.227 and tanh σ_W 1.302, each with the bias that puts it exactly on the Edge (the paper rounds it to
    0.2), and points of the same activations in the ordered and chaotic phases."""
    return {
        ("relu", "edge"): (math.sqrt(2.0), 0.0),
        ("elu", "edge"): (1.227, meanfield.critical_b_std("elu", 1.227)),
        ("tanh", "edge"): (1.302, meanfield.critical_b_std("tanh", 1.302)),
        ("relu", "ordered"): (1.2, 0.2),
        ("elu", "ordered"): (1.0, 0.2),
        ("tanh", "ordered"): (1.0, 0.2),
        ("tanh", "chaotic"): (2.0, 0.2),
    }


RATE_FORMS = {"relu": "1/L", "elu": "log L / L", "tanh": "log L / L"}
"""The rate at which K^L/α_L approaches its limit on the Edge of Chaos (Hayou, Doucet, Rousseau 2019, Thm. 2)."""

TRAIN_POINTS = {"edge": (1.302, None), "ordered": (1.0, 0.2), "chaotic": (2.0, 0.2)}
"""Trainability: tanh at the paper's Edge-of-Chaos point and off it (None: the Edge's bias for that σ_W)."""


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the depth sweep."""

    dataset: str = dataclasses.field(default="digits", metadata={"choices": DATASETS})  # every kernel's and run's data
    max_depth: int = dataclasses.field(default=50, metadata={"min": 4})  # deepest network (hidden layers)
    n_train: int = dataclasses.field(default=32, metadata={"min": 4})  # images for the spread and regression
    n_test: int = dataclasses.field(default=64, metadata={"min": 1})  # images to classify
    emp_depths: tuple[int, ...] = dataclasses.field(default=(4, 16), metadata={"min": 1})  # finite-width depths
    emp_width: int = dataclasses.field(default=256, metadata={"min": 1})  # finite-width network's width
    emp_seeds: int = dataclasses.field(default=2, metadata={"min": 1})  # finite-width networks per depth
    emp_inputs: int = dataclasses.field(default=12, metadata={"min": 3})  # inputs of the finite-width kernels
    grid: int = dataclasses.field(default=12, metadata={"min": 3})  # phase diagram points per axis
    exact_max_depth: int = dataclasses.field(default=1000, metadata={"min": 100})  # deepest layer of the exact rate recursion (ReLU: ten times deeper)
    train_depths: tuple[int, ...] = dataclasses.field(default=(20,), metadata={"min": 1})  # trainability depths
    train_width: int = dataclasses.field(default=64, metadata={"min": 1})  # trainability width
    train_lrs: tuple[float, ...] = dataclasses.field(default=(1e-2,), metadata={"min": 0.0})  # SGD lr per depth
    train_steps: int = dataclasses.field(default=400, metadata={"min": 10})  # SGD steps (batch 64)
    train_seeds: int = dataclasses.field(default=2, metadata={"min": 1})  # networks per depth and initialization
    train_n_train: int = dataclasses.field(default=1497, metadata={"min": 64})  # trainability: training images
    train_n_test: int = dataclasses.field(default=300, metadata={"min": 1})  # trainability: test images
    seed: int = dataclasses.field(default=0, metadata={"min": 0})  # root seed

    # float32 products: the finite-width NTK spreads are kernel measurements; the trainability runs (width 300,
    # batch 64) are bound by their layers' sequential kernels, where TF32 would save little
    PRECISION = "highest"
    PROFILES = {
        "smoke": dict(max_depth=20, n_train=16, n_test=16, emp_depths=(2, 4), emp_width=64, emp_seeds=2,
                      emp_inputs=6, grid=5, exact_max_depth=100, train_depths=(6,), train_width=16, train_lrs=(1e-2,),
                      train_steps=20, train_seeds=1),
        "quick": dict(max_depth=200, n_train=64, n_test=256, emp_depths=(4, 12, 36), emp_width=512, emp_seeds=3,
                      emp_inputs=16, grid=16, exact_max_depth=3000, train_depths=(30,), train_width=100, train_lrs=(1e-2,),
                      train_steps=600, train_seeds=2),
        "paper": dict(max_depth=500, n_train=256, n_test=1000, emp_depths=(4, 12, 36, 100), emp_width=2048,
                      emp_seeds=8, emp_inputs=32, grid=40, exact_max_depth=30_000, train_depths=(100, 200, 300),
                      train_width=300,
                      train_lrs=(1e-3, 1e-4, 1e-4), train_steps=10000, train_seeds=4),
    }

    def __post_init__(self):
        if len(self.train_lrs) != len(self.train_depths):
            raise ConfigError(f"train_lrs: one learning rate per depth in train_depths ({len(self.train_depths)}); "
                              f"got {len(self.train_lrs)}")
    COST = {"paper": Cost("GPU", 75, "estimate: on 2 CPU cores (2026-11-28) the analytic part took 8 minutes and the "
                                     "first finite-width point (width 2048, depth 4, 16 networks) 3 minutes, so the "
                                     "twelve finite-width points would take about 5 hours there; the trainability runs "
                                     "(width 300, depths to 300, 10,000 SGD steps, nine points of four networks) are "
                                     "bound by the 300 layers' sequential kernels, about 5 minutes a point on a GPU")}

    @property
    def seeds(self):
        return list(range(self.seed, self.seed + self.emp_seeds))


def depth_point(cfg, data, activation, W_std, b_std):
    """Per depth 1..max_depth: spread of Θ̂ on the train set, a pair's Θ̂, and the test accuracy; float64."""
    x = np.concatenate([data.x_train, data.x_test])
    n = cfg.n_train
    out = {"spread": [], "pair": [], "accuracy": []}
    for theta in kernels.analytic_ntk_by_depth(activation, W_std, b_std, x, cfg.max_depth):
        out["spread"].append(spread(theta[:n, :n]))
        out["pair"].append(normalized(theta[:2, :2])[0, 1])
        out["accuracy"].append(kernel_regression_accuracy(theta, n, data.y_train, data.y_test))
    return {k: np.asarray(v) for k, v in out.items()}


def empirical_point(cfg, x, activation, W_std, b_std, depth, init="orthogonal"):
    """Spread of the normalized empirical NTK of ``init`` networks at one depth: (emp_seeds,)."""
    spec = FCN(depth, cfg.emp_width, activation, W_std, b_std, init)
    keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), depth), cfg.emp_seeds)
    return spread(np.asarray(kernels.empirical_ntk_seeds(spec, keys, x), np.float64))


def rate_point(cfg, x, activation, W_std, b_std):
    r"""The normalized NTK :math:`\hat\Theta^L = \Theta^L / \Theta^L(x, x)` at depths 1..max_depth on ``x``: the
    off-diagonal entries (max_depth, pairs), float64. On inputs of one norm :math:`\Theta^L(x, x)` is the same for
    every x, so this is the paper's :math:`K^L/\alpha_L` with :math:`\alpha_L = \Theta^L(x, x)`.

    The kernels are :func:`kernels.analytic_ntk_by_depth`'s float64 recursion: closed forms for ReLU, quadrature that
    keeps its precision near correlation 1 for ELU and tanh (neural-tangents' numerical layer, of fixed low degree, puts
    ELU's Edge of Chaos a few percent per layer off, so that its kernel's diagonal grows exponentially there)."""
    iu = np.triu_indices(len(x), 1)
    return normalized(kernels.analytic_ntk_by_depth(activation, W_std, b_std, x, cfg.max_depth))[:, iu[0], iu[1]]


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


def phase_diagram(cfg):
    """log chi over a (W_std, b_std) grid, and the Edge-of-Chaos line b_std(W_std), for erf and for tanh."""
    w = np.linspace(0.6, 2.6, cfg.grid)
    b = np.linspace(0.0, 1.0, cfg.grid)
    w_line = np.linspace(0.6, 2.6, max(6, cfg.grid))
    out = {"w": w, "b": b, "w_line": w_line}
    for act in ("erf", "tanh"):
        out[f"log_chi_{act}"] = np.array([[math.log(meanfield.chi(act, wi, bj)) for wi in w] for bj in b])
        out[f"b_line_{act}"] = meanfield.critical_line(act, w_line)
    return out


def kernel_task(cfg):
    """The spread's and kernel regression's inputs: ``n_train`` training and ``n_test`` test images on the sphere."""
    return load(cfg.dataset, n_train=cfg.n_train, n_test=cfg.n_test, seed=cfg.seed, sphere=True)


@functools.lru_cache(maxsize=2)
def _kernel_inputs(cfg):
    """The first ``emp_inputs`` images on the sphere (those of :func:`kernel_task`'s training set), of a sweep's view."""
    return load(cfg.dataset, n_train=cfg.emp_inputs, n_test=0, seed=cfg.seed, sphere=True).x_train


def _analytic_point(cfg, it):
    return depth_point(cfg, kernel_task(cfg), it["activation"], *points()[it["activation"], it["phase"]])


def _empirical_point(cfg, it):
    pt = points()["erf", it["phase"]]
    return {f"spread_{init}": empirical_point(cfg, _kernel_inputs(cfg), "erf", *pt, it["depth"], init)
            for init in ("orthogonal", "gaussian")}


def _rate_point(cfg, it):
    return {"entries": rate_point(cfg, _kernel_inputs(cfg), it["activation"], *paper_points()[it["activation"], it["phase"]])}


def _exact_rate_point(cfg, it):
    return exact_rate_point(cfg, _kernel_inputs(cfg), it["activation"], *edge_points()[it["activation"]])


def _by_estimate(minutes):
    from orthontk_lib import train

    return train.by_estimate(minutes)


def empirical_minutes(cfg, p, device):
    """Minutes of one empirical point: per init, ``emp_seeds`` draws of the depth's network (normal draws; for the
    orthogonal one a QR of each layer, :func:`orthontk_lib.train.qr_flops`, which dominates) and their empirical
    NTKs on ``emp_inputs`` inputs (:func:`orthontk_lib.train.ntk_flops`). Not counted: the eager dispatch of the
    draws (one network at a time past depth 16 at width 2048) and the ``"highest"`` precision's slower GPU products."""
    from orthontk_lib import train

    layers = train.dense_layers(DIMENSION[cfg.dataset], [cfg.emp_width] * p["depth"], 1)
    flops = sum(train.init_flops(layers, init, cfg.emp_seeds) for init in ("orthogonal", "gaussian"))
    flops += 2 * cfg.emp_seeds * train.ntk_flops(layers, cfg.emp_inputs)
    return train.estimated_minutes(flops, device)  # one program: the inits share it


QUADRATURE_BYTES = 320.0
"""Bytes of NumPy traffic per node of :func:`orthontk_lib.dual.bivariate`'s quadrature and per function: about 40
float64 passes over the (pairs, 96, 96) grid (its nodes, weights, the two arguments, the activation, the squared
difference, the sums). An estimate from the code, not measured."""


def rates_minutes(cfg, p, device):
    """Minutes of one rates point: :func:`kernels.analytic_ntk_by_depth` to ``max_depth`` on ``emp_inputs`` inputs,
    in NumPy on the host's CPU whatever the device. Per layer and pair of inputs: a 96 x 96-node quadrature of the
    activation and of its derivative (:data:`QUADRATURE_BYTES` each, bound by memory traffic), or a closed form
    (ReLU: counted as free). Not counted: the one-dimensional diagonal maps (a few hundred nodes per input)."""
    from orthontk_lib import dual, train

    pairs = cfg.emp_inputs * (cfg.emp_inputs - 1) // 2
    nodes = 0 if p["activation"] in dual.CLOSED_FORM else (2 * dual.NODES_2D) ** 2
    nbytes = cfg.max_depth * pairs * 2 * nodes * QUADRATURE_BYTES
    return train.estimated_minutes(0.0, "CPU", nbytes, steps=cfg.max_depth)


def trainability_minutes(cfg, p, device):
    """Minutes of one trainability point: SGD (batch 64) of ``train_seeds`` networks per phase, in one program, the full train and test sets
    evaluated at every record (:func:`orthontk_lib.train.training_flops`), and their draws. The hidden layers are a
    ``lax.scan``: each step runs the depth's layers one after another forward and back, and each evaluation
    forward, so on a GPU the point is bound by those sequential steps (:data:`orthontk_lib.train.STEP_SECONDS`)."""
    from orthontk_lib import train

    every = max(1, cfg.train_steps // 20)
    steps = cfg.train_steps - cfg.train_steps % every
    records = steps // every + 1
    layers = train.dense_layers(DIMENSION[cfg.dataset], [cfg.train_width] * p["depth"], 10)
    weights = sum(a * b for a, b in layers)
    runs = len(TRAIN_POINTS) * cfg.train_seeds  # every phase in one program
    flops = (train.training_flops(weights, 64, steps, runs, records, cfg.train_n_train + cfg.train_n_test)
             + train.init_flops(layers, "gaussian", runs))
    return train.estimated_minutes(flops, device, steps=(2 * steps + 2 * records) * p["depth"])


_DIGITS = {"dataset": "digits"}
"""Every point saved before the data set was a knob ran on digits."""

SWEEPS = {
    "analytic": results.Sweep(
        SLUG, "analytic", knobs=("dataset", "max_depth", "n_train", "n_test", "seed"), since=_DIGITS,
        points=lambda cfg: [{"activation": a, "phase": p} for a, p in points()], run=_analytic_point,
        desc="analytic NTK by depth"),
    "empirical": results.Sweep(
        SLUG, "empirical", knobs=("dataset", "emp_width", "emp_seeds", "emp_inputs", "seed"), over=("emp_depths",),
        since=_DIGITS,
        points=lambda cfg: [{"phase": p, "depth": L} for p in PHASES for L in cfg.emp_depths], run=_empirical_point,
        minutes=empirical_minutes, device=lambda cfg, p: _by_estimate(empirical_minutes)(cfg, p),
        desc="orthogonal and Gaussian NTK by depth"),
    "phase": results.Sweep(
        SLUG, "phase", knobs=("grid",), points=lambda cfg: [{}], run=lambda cfg, it: phase_diagram(cfg),
        desc="phase diagram"),
    "rates": results.Sweep(
        SLUG, "rates", knobs=("dataset", "max_depth", "emp_inputs", "seed"), since=_DIGITS,
        points=lambda cfg: [{"activation": a, "phase": p} for a, p in paper_points()], run=_rate_point,
        minutes=rates_minutes, desc="normalized NTK by depth at the paper's points"),
    "exact-rates": results.Sweep(
        SLUG, "exact-rates", knobs=("dataset", "exact_max_depth", "emp_inputs", "seed"), since=_DIGITS,
        points=lambda cfg: [{"activation": a} for a in RATE_FORMS], run=_exact_rate_point,
        desc="exact NTK recursion on the Edge of Chaos"),
    "trainability": results.Sweep(
        SLUG, "trainability", knobs=("dataset", "train_width", "train_steps", "train_seeds", "train_n_train",
                                     "train_n_test", "seed"), since={**_DIGITS, "train_n_train": 1497, "train_n_test": 300},
        over=("train_depths", "train_lrs"),
        points=lambda cfg: [{"depth": L, "lr": lr} for L, lr in zip(cfg.train_depths, cfg.train_lrs)],
        run=lambda cfg, it: train_point(cfg, training_task(cfg), it["depth"], it["lr"]),
        minutes=trainability_minutes, device=lambda cfg, p: _by_estimate(trainability_minutes)(cfg, p),
        desc="SGD at and off the Edge of Chaos"),
}
"""The chapter's sweeps. The finite-width kernels and the rate fits use the first ``emp_inputs`` training digits
(``emp_inputs`` at most ``n_train``)."""


def compute(cfg):
    """The phase diagram, the analytic depth sweep at every point, and the finite-width check; saved per point."""
    pts = points()
    analytic = SWEEPS["analytic"].results(cfg)
    emp = SWEEPS["empirical"].results(cfg)
    diagram = SWEEPS["phase"].results(cfg)[0]
    x = _kernel_inputs(SWEEPS["empirical"].view(cfg))
    out = {f"{k}": np.stack([p.arrays[k] for p in analytic]) for k in ("spread", "pair", "accuracy")}  # (point, L)
    for init, key in (("orthogonal", "emp_spread"), ("gaussian", "emp_spread_gaussian")):
        out[key] = np.stack([p.arrays[f"spread_{init}"] for p in emp]).reshape(len(PHASES), len(cfg.emp_depths), -1)
    # the analytic spread on the same inputs as the finite-width kernels, at the same depths
    out["emp_analytic"] = np.array([[spread(kernels.analytic_ntk_by_depth("erf", *pts["erf", p], x, L)[-1])
                                     for L in cfg.emp_depths] for p in PHASES])
    out.update(diagram.arrays)
    out["points"] = np.array([[*pts[k]] for k in pts])
    out["chi1"] = np.array([meanfield.chi(a, *pts[a, p]) for a, p in pts])
    out["chi_c"] = np.array([meanfield.chi_at_correlation(a, *pts[a, p], meanfield.c_star(a, *pts[a, p]))
                             if p == "chaotic" else np.nan for a, p in pts])
    out["depths"] = np.arange(1, cfg.max_depth + 1)
    ppts = paper_points()
    rates = SWEEPS["rates"].results(cfg)
    out["rate_entries"] = np.stack([p.arrays["entries"] for p in rates])  # (paper point, L, pairs)
    out["rate_points"] = np.array([[*ppts[k]] for k in ppts])
    out["rate_chi1"] = np.array([meanfield.chi(a, *ppts[a, p]) for a, p in ppts])
    exact = SWEEPS["exact-rates"].results(cfg)
    check = 0.0
    for act, p in zip(RATE_FORMS, exact):
        out.update({f"exact_{k}_{act}": p.arrays[k] for k in ("depths", "ratios", "rho")})
        shallow = p.arrays["depths"] <= cfg.max_depth  # the direct recursion in c, at the same pairs and depths
        direct = out["rate_entries"][list(ppts).index((act, "edge"))][p.arrays["depths"][shallow] - 1]
        check = max(check, float(np.abs(p.arrays["ratios"][shallow] - direct[:, p.arrays["pairs"]]).max()))
    out["exact_check"] = np.asarray(check)
    out["exact_chi1"] = np.array([meanfield.chi(a, *edge_points()[a]) for a in RATE_FORMS])
    runs = SWEEPS["trainability"].results(cfg)
    out["train_accuracy"] = np.stack([p.arrays["test_accuracy"] for p in runs])  # (depth, phase, S, R)
    out["train_loss"] = np.stack([p.arrays["train_loss"] for p in runs])
    out["train_steps"] = runs[0].arrays["record_steps"]
    return out


def training_task(cfg):
    """The trainability task: ``train_n_train`` training and ``train_n_test`` test images on the sphere (by default
    all of scikit-learn's digits, 1,497 and 300)."""
    return load(cfg.dataset, n_train=cfg.train_n_train, n_test=cfg.train_n_test, seed=cfg.seed, sphere=True)


def exact_rate_point(cfg, x, activation, W_std, b_std):
    r""":math:`K^L/\alpha_L` by the exact recursion (:func:`meanfield.edge_ntk_ratio`) at log-spaced depths up to
    ``exact_max_depth`` (ten times deeper for ReLU, whose closed form is cheap), for the pairs of ``x`` with the
    smallest, the median and the largest cosine. :math:`K^L/\alpha_L` is monotone in the input cosine at every
    depth (the tests check it), so the two extreme pairs bound every pair's distance to the limit.

    Returns:
      ``{"depths": (D,), "ratios": (D, 3), "rho": (3,), "pairs": (3,)}`` (``pairs``: the pairs' indices among
      :func:`rate_point`'s upper-triangle entries of the same ``x``).
    """
    n = np.linalg.norm(x, axis=1)
    iu = np.triu_indices(len(x), 1)
    cos = ((x @ x.T) / np.outer(n, n))[iu]
    order = np.argsort(cos, kind="stable")
    pairs = order[[0, len(cos) // 2, -1]]  # indices into the pairs of rate_point's entries
    top = cfg.exact_max_depth * (10 if activation == "relu" else 1)
    depths = np.unique(np.round(np.logspace(0, np.log10(top), 30 * int(round(np.log10(top))) + 1)).astype(int))
    ratios = meanfield.edge_ntk_ratio(activation, W_std, b_std, cos[pairs], depths)
    return {"depths": depths, "ratios": ratios, "rho": cos[pairs], "pairs": pairs}


def edge_points():
    """The paper's Edge-of-Chaos points, activation -> (W_std, b_std)."""
    return {a: wb for (a, p), wb in paper_points().items() if p == "edge"}


TRAIN_FIGURE = PaperFigure(
    "Hayou, Doucet, Rousseau (2019), Sec. 4: test accuracy against training steps at and off the Edge of Chaos",
    settings=dict(train_depths=(100, 200, 300), train_width=300, train_lrs=(1e-3, 1e-4, 1e-4)),
    labels=dict(train_depths="depths", train_width="width", train_lrs="learning rates"),
    always=(lambda cfg: ("scikit-learn's digits instead of MNIST and CIFAR-10" if cfg.dataset == "digits" else
                         "CIFAR-10 only (the paper also trains on MNIST)"),
            "tanh only (the paper also trains ReLU and ELU)",
            "the number of steps is this book's (the paper does not state it)"))
RATE_FIGURE = PaperFigure(
    "Hayou, Doucet, Rousseau (2019), Sec. 3: |K^L/α_L − K_∞| against depth on and off the Edge of Chaos",
    settings={}, always=(lambda cfg: f"{IMAGES[cfg.dataset]} on the sphere instead of the paper's inputs",
                         "α_L = Θ^L(x, x), the kernel's diagonal",
                         "K_∞ exact: 1/4 (ReLU) or 1/3 on the Edge, 1 (ordered) and 0 (chaotic) off it",
                         "the Edge and the off-Edge curves in two panels"))
