r"""Chapter "The NTK at large depth" (Hayou, Doucet, Rousseau 2019): Edge of Chaos vs the two phases.

Write :math:`\hat\Theta^L(x, x') = \Theta^L(x, x') / \sqrt{\Theta^L(x, x)\,\Theta^L(x', x')}` for the
normalized NTK of an FCN of depth :math:`L` at infinite width. Off the Edge of Chaos it becomes
input-independent exponentially fast in depth: with :math:`\chi` the slope of the correlation map at
its stable fixed point (:mod:`orthontk_lib.meanfield`),

.. math:: \big|\hat\Theta^L(x, x') - c_\infty\big| \approx C\, e^{-\gamma L}, \qquad \gamma \approx -\log\chi,

where :math:`c_\infty = 1` in the ordered phase (:math:`\chi < 1` at :math:`c = 1`) and
:math:`c_\infty = c^* < 1` in the chaotic one (:math:`\chi` taken at :math:`c^*`). On the Edge of
Chaos (:math:`\chi = 1` at :math:`c = 1`) the approach is only polynomial in :math:`L`, to an invertible
limit.

Measured: the spread (standard deviation over input pairs) of :math:`\hat\Theta^L` on digit images
for depths up to ``max_depth``, from the float64 analytic kernels of :func:`kernels.analytic_ntk_by_depth`
(one layer's map applied layer after layer, so all depths cost one pass), read by how fast the local log-log slope
of each curve grows with depth (:func:`slope_growth`: constant for a power law, proportional to depth for an
exponential) above its float64 floor (:func:`floor_of`);
kernel regression with :math:`\Theta^L` against depth; and an orthogonal network's empirical kernel
at a few depths.
"""

import dataclasses
import functools
import math
import pathlib

import jax
import numpy as np

from orthontk_lib import kernels, meanfield, plots, results, stats
from orthontk_lib.book.profiles import ChapterConfig, ConfigError, Cost
from orthontk_lib.claims import AtLeast, AtMost, Between, Claim, Measurement, Separated
from orthontk_lib.data import load
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

    max_depth: int = dataclasses.field(default=50, metadata={"min": 4})  # deepest network (hidden layers)
    n_train: int = dataclasses.field(default=32, metadata={"min": 4})  # digits for the spread and regression
    n_test: int = dataclasses.field(default=64, metadata={"min": 1})  # digits to classify
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


@functools.lru_cache(maxsize=2)
def _kernel_inputs(cfg):
    """The first ``emp_inputs`` digits on the sphere (those of :func:`digits`' training set), of a sweep's view."""
    d = load("digits", n_train=cfg.emp_inputs, n_test=0, seed=cfg.seed)
    return d.x_train * 8.0 / np.linalg.norm(d.x_train, axis=1, keepdims=True)


def _analytic_point(cfg, it):
    return depth_point(cfg, digits(cfg), it["activation"], *points()[it["activation"], it["phase"]])


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

    layers = train.dense_layers(64, [cfg.emp_width] * p["depth"], 1)
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
    layers = train.dense_layers(64, [cfg.train_width] * p["depth"], 10)
    weights = sum(a * b for a, b in layers)
    runs = len(TRAIN_POINTS) * cfg.train_seeds  # every phase in one program
    flops = (train.training_flops(weights, 64, steps, runs, records, 1497 + 300)
             + train.init_flops(layers, "gaussian", runs))
    return train.estimated_minutes(flops, device, steps=(2 * steps + 2 * records) * p["depth"])


SWEEPS = {
    "analytic": results.Sweep(
        SLUG, "analytic", knobs=("max_depth", "n_train", "n_test", "seed"),
        points=lambda cfg: [{"activation": a, "phase": p} for a, p in points()], run=_analytic_point,
        desc="analytic NTK by depth"),
    "empirical": results.Sweep(
        SLUG, "empirical", knobs=("emp_width", "emp_seeds", "emp_inputs", "seed"), over=("emp_depths",),
        points=lambda cfg: [{"phase": p, "depth": L} for p in PHASES for L in cfg.emp_depths], run=_empirical_point,
        minutes=empirical_minutes, device=lambda cfg, p: _by_estimate(empirical_minutes)(cfg, p),
        desc="orthogonal and Gaussian NTK by depth"),
    "phase": results.Sweep(
        SLUG, "phase", knobs=("grid",), points=lambda cfg: [{}], run=lambda cfg, it: phase_diagram(cfg),
        desc="phase diagram"),
    "rates": results.Sweep(
        SLUG, "rates", knobs=("max_depth", "emp_inputs", "seed"),
        points=lambda cfg: [{"activation": a, "phase": p} for a, p in paper_points()], run=_rate_point,
        minutes=rates_minutes, desc="normalized NTK by depth at the paper's points"),
    "exact-rates": results.Sweep(
        SLUG, "exact-rates", knobs=("exact_max_depth", "emp_inputs", "seed"),
        points=lambda cfg: [{"activation": a} for a in RATE_FORMS], run=_exact_rate_point,
        desc="exact NTK recursion on the Edge of Chaos"),
    "trainability": results.Sweep(
        SLUG, "trainability", knobs=("train_width", "train_steps", "train_seeds", "seed"),
        over=("train_depths", "train_lrs"),
        points=lambda cfg: [{"depth": L, "lr": lr} for L, lr in zip(cfg.train_depths, cfg.train_lrs)],
        run=lambda cfg, it: train_point(cfg, digits_full(cfg), it["depth"], it["lr"]),
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


def digits_full(cfg):
    """The trainability task: all of scikit-learn's digits, 1,497 for training and 300 for testing, on the sphere."""
    d = load("digits", n_train=1497, n_test=300, seed=cfg.seed)
    scale = lambda x: x * 8.0 / np.linalg.norm(x, axis=1, keepdims=True)
    return d._replace(x_train=scale(d.x_train), x_test=scale(d.x_test))


def theory_rate(activation, phase, chi1, chi_c=None):
    r"""The exponential rate :math:`\gamma` at which the normalized NTK's spread vanishes, from mean-field theory.

    Ordered phase: the correlation approaches 1 as :math:`\chi_1^L`, and so does :math:`\hat\Theta`
    for a smooth :math:`\phi` (:math:`\gamma = -\log\chi_1`); for ReLU the derivative kernel
    :math:`\mathbb{E}[\phi'(u)\phi'(v)] \propto 1 - \arccos(c)/\pi` moves as :math:`\sqrt{1 - c}`, halving
    the rate (:math:`\gamma = -\tfrac12\log\chi_1`). Chaotic phase: :math:`\Theta^L(x, x)` grows as
    :math:`\chi_1^L` and :math:`\Theta^L(x, x')` as :math:`\chi_{c^*}^L`, so :math:`\hat\Theta(x, x') \to 0`
    with :math:`\gamma = \log(\chi_1 / \chi_{c^*})`. On the Edge of Chaos: 0 (no exponential decay).
    """
    if phase == "edge":
        return 0.0
    if phase == "chaotic":
        return float(math.log(chi1 / chi_c))
    return float(-math.log(chi1) * (0.5 if activation == "relu" else 1.0))


# STATISTICS

EPS64 = float(np.finfo(np.float64).eps)
"""float64's resolution, 2.2e-16."""
EPS32 = float(np.finfo(np.float32).eps)
"""float32's resolution, 1.2e-7: the finite-width networks' kernels are float32, so a spread near it is rounding."""
READ_ABOVE = 1e3
"""A decaying curve is read only where it lies this many times above its floor (:func:`floor_of`): there the floor's
rounding moves its logarithm by at most 1e-3, and a slope over a window of depths by less than 1%."""
MIN_DEPTH = 2
"""The shallowest depth read by the window statistics (depth 1 is the input layer's kernel, before any decay)."""
WINDOW_SHIFTS = (0.0, 0.25, 0.5)
"""The windows' ends are shifted down by these fractions of a window (in log depth): the range of a statistic over
them replaces a sampling interval on these deterministic curves."""


def floor_of(activation):
    r"""The float64 floor of a normalized-kernel curve of ``activation``: where rounding, not depth, sets its value.

    Entries of order 1 are carried to a few times :math:`\varepsilon = 2.2 \cdot 10^{-16}` (taken as
    :math:`10\varepsilon`). ReLU's derivative kernel :math:`1 - \arccos(c)/\pi` moves as :math:`\sqrt{1 - c}`, so once
    the recursion carries :math:`1 - c` at :math:`\varepsilon` (the ordered phase, deep down) its kernel stops at
    :math:`\sqrt\varepsilon \approx 1.5 \cdot 10^{-8}`: the ordered ReLU curves bend there (the spread then falls at
    another rate, the distance to the limit stays)."""
    return math.sqrt(EPS64) if activation == "relu" else 10 * EPS64


def readable(depths, values, floor, min_depth=MIN_DEPTH):
    """The depths from ``min_depth`` until ``values`` first falls below :data:`READ_ABOVE` times ``floor``, and their
    values: ``(L, y)``, float arrays."""
    L, y = np.asarray(depths, float), np.asarray(values, float)
    below = np.flatnonzero(~(y >= READ_ABOVE * floor))  # NaN counts as below
    end = below[0] if len(below) else len(y)
    keep = L[:end] >= min_depth
    return L[:end][keep], y[:end][keep]


def _windows(L, shifts, most=10.0, least=2.0):
    """The window factor w (two adjacent windows [e/w², e/w], [e/w, e] per shift fit in ``L``'s span, w at most
    ``most``) and the windows' ends e per shift; w is None where the span is too short for ``least``."""
    if len(L) < 3:
        return None, []
    w = min(most, (L[-1] / L[0]) ** (1 / (2 + max(shifts))))
    return (w, [L[-1] / w**s for s in shifts]) if w >= least else (None, [])


def _slope(x, y, keep):
    return float(np.polyfit(x[keep], y[keep], 1)[0]) if keep.sum() >= 3 else float("nan")


def slope_growth(depths, values, floor, shifts=WINDOW_SHIFTS):
    r"""How fast the local log-log slope :math:`s(L) = d\log y / d\log L` of a decaying curve grows: about 1 per
    decade for a power law :math:`L^{-p}` (:math:`s = -p` at every depth; :math:`\log L / L`'s drifts as
    :math:`1/\ln L`), 10 for an exponential :math:`e^{-\gamma L}` (:math:`s = -\gamma L`).

    Read on :func:`readable`'s depths (above the floor): the slope over the window :math:`[e/w, e]` over that over
    :math:`[e/w^2, e/w]`, per decade (raised to :math:`1/\log_{10} w`), with :math:`w` at most 10 and the windows
    fitted in the readable span. The curve is deterministic: the range is over the windows' ends shifted down by
    ``shifts`` windows, not a sampling interval.

    Returns:
      ``(value, (lo, hi), detail)``: the growth at shift 0 and its range; NaN (inconclusive) where the windows cannot
      be formed (a readable span under a factor of 2 per window) or a slope is not negative. ``detail``:
      ``{"depths": (first, last readable), "window": w, "slopes": (before, last) at shift 0, "by_shift": [...]}``.
    """
    L, y = readable(depths, values, floor)
    w, ends = _windows(L, shifts)
    nan = float("nan")
    if w is None:
        return nan, (nan, nan), {"depths": (float(L[0]), float(L[-1])) if len(L) else None, "window": None,
                                 "slopes": (nan, nan), "by_shift": [nan] * len(shifts)}
    x, ly = np.log(L), np.log(y)
    growth, slopes = [], []
    for e in ends:
        s = [_slope(x, ly, (L >= e / w**k * (1 - 1e-9)) & (L <= e / w ** (k - 1) * (1 + 1e-9))) for k in (2, 1)]
        slopes.append(s)
        growth.append((s[1] / s[0]) ** (1 / math.log10(w)) if s[0] < 0 and s[1] < 0 else nan)
    g = np.array(growth)
    ci = (float(g.min()), float(g.max())) if np.isfinite(g).all() else (nan, nan)
    return float(g[0]), ci, {"depths": (float(L[0]), float(L[-1])), "window": float(w), "slopes": tuple(slopes[0]),
                             "by_shift": [float(v) for v in g]}


def late_rate(depths, values, floor, shifts=WINDOW_SHIFTS):
    r"""The local exponential rate :math:`-d\log y/dL` over :func:`slope_growth`'s last window :math:`[e/w, e]`, per
    shift: (len(shifts),), NaN where the windows cannot be formed. A prefactor :math:`L^k` moves it by
    :math:`k/L`, least in the last window."""
    L, y = readable(depths, values, floor)
    w, ends = _windows(L, shifts)
    if w is None:
        return np.full(len(shifts), np.nan)
    return np.array([-_slope(L, np.log(y), (L >= e / w * (1 - 1e-9)) & (L <= e * (1 + 1e-9))) for e in ends])


def decay_curves(arrays):
    r"""Every decaying curve the chapter has, as rows ``(label, activation, phase, depths, values, floor)``: the spread
    of :math:`\hat\Theta^L` at each point of :func:`points`, :math:`\max|K^L/\alpha_L - K_\infty|` at each of
    :func:`paper_points` (:func:`distance_to_limit`), and on the Edge that distance by the exact recursion (depths to
    ``exact_max_depth``, ten times deeper for ReLU)."""
    rows = [(f"{act} {ph}, spread", act, ph, arrays["depths"], arrays["spread"][i], floor_of(act))
            for i, (act, ph) in enumerate(points())]
    dist = distance_to_limit(arrays)
    rows += [(f"{act} {ph}, |K/α − K∞|", act, ph, arrays["depths"], dist[i], floor_of(act))
             for i, (act, ph) in enumerate(paper_points())]
    rows += [(f"{act} edge, |K/α − K∞| exact", act, "edge", arrays[f"exact_depths_{act}"],
              np.abs(arrays[f"exact_ratios_{act}"] - meanfield.EDGE_LIMIT[act]).max(-1), floor_of(act))
             for act in RATE_FORMS]
    return rows


DECIDING = {"ordered": "all", "chaotic": "all", "edge": "exact"}
"""Which curves decide each phase's claim: every curve off the Edge; on it the exact recursion's, the only ones deep
enough (decades past the first layers' transient, where the distance's slope is still settling)."""


def phase_growth(arrays, phase):
    """:func:`slope_growth` of the curves of ``phase`` that decide its claim (:data:`DECIDING`), at each window the
    weakest evidence for the claim: the smallest growth off the Edge, the largest on it. ``(value, (lo, hi), detail)``,
    NaN where any deciding curve cannot be read; ``detail`` maps each curve's label to its value."""
    rows = [r for r in decay_curves(arrays) if r[2] == phase and (DECIDING[phase] == "all" or "exact" in r[0])]
    fits = {r[0]: slope_growth(*r[3:]) for r in rows}
    by_shift = np.array([f[2]["by_shift"] for f in fits.values()])  # (curve, shift)
    weakest = (by_shift.max(0) if phase == "edge" else by_shift.min(0))
    detail = {k: f[0] for k, f in fits.items()}
    if not np.isfinite(by_shift).all():
        return float(weakest[0]), (float("nan"), float("nan")), detail
    return float(weakest[0]), (float(weakest.min()), float(weakest.max())), detail


def rate_ratios(arrays):
    """Per off-critical point of :func:`points`: :func:`late_rate` of its spread over the theoretical rate, per
    window shift: {label: (len(WINDOW_SHIFTS),)}."""
    out = {}
    for i, (act, ph) in enumerate(points()):
        if ph != "edge":
            theory = theory_rate(act, ph, arrays["chi1"][i], arrays["chi_c"][i])
            out[f"{act} {ph}"] = late_rate(arrays["depths"], arrays["spread"][i], floor_of(act)) / theory
    return out


def rate_ratio_windows(arrays):
    """The fitted-over-theoretical rate farthest from 1 over the off-critical points, at shift 0, and its range over
    the windows (NaN where a point cannot be read); detail: each point's ratio at shift 0."""
    ratios = rate_ratios(arrays)
    r = np.array(list(ratios.values()))  # (point, shift)
    far = r[np.argmax(np.abs(r - 1), axis=0), np.arange(r.shape[1])] if np.isfinite(r).all() else r[:, 0]
    detail = {k: float(v[0]) for k, v in ratios.items()}
    if not np.isfinite(r).all():
        return float("nan"), (float("nan"), float("nan")), detail
    return float(far[0]), (float(far.min()), float(far.max())), detail


CHANCE = 0.1
"""Test accuracy of a constant guess on the ten digit classes (the chance line of the accuracy figures)."""
CHANCE_LABEL = "chance (10 classes)"


def other_accuracy_words(acc, phases, chance=CHANCE, margin=0.1):
    """How the off-Edge points' kernel-regression accuracies ``acc`` (per point, at the largest depth) stand against
    ``chance`` (ten classes): all within ``margin`` of it, or not all."""
    other = [a for a, ph in zip(acc, phases) if ph != "edge"]
    if all(a < chance + margin for a in other):
        return "the others are at chance"
    return "the others have fallen toward chance, not all of them to it"


def empirical_deviation(arrays, depth_index=0, key="emp_spread"):
    """Relative distance of the finite-width networks' spread (seed mean; ``key`` "emp_spread" for orthogonal,
    "emp_spread_gaussian" for Gaussian) from the analytic one, per phase."""
    emp = arrays[key][:, depth_index].mean(-1)
    ana = arrays["emp_analytic"][:, depth_index]
    return np.abs(emp - ana) / ana


def deviation_ci(arrays, depth_index=0, key="emp_spread"):
    """:func:`empirical_deviation`'s largest value over phases, with a 95% bootstrap interval over seeds."""
    ana = arrays["emp_analytic"][:, depth_index][:, None]
    samples = arrays[key][:, depth_index]  # (phase, seed)
    return stats.bootstrap_ci(samples, lambda s: float((np.abs(s.mean(-1, keepdims=True) - ana) / ana).max()))


def tested_depth_words(arrays, checked=None):
    """How deep the quadrature activations' exact curves are checked against an independent rule: in CI to
    :data:`QUADRATURE_TESTED_DEPTH`, and deeper by the recorded check (``checked``: :func:`quadrature_checked_depth`'s
    triple, read from ``bench/results.json`` when None), against how deep the curves run."""
    depth, diff, date = quadrature_checked_depth() if checked is None else checked
    deepest = max(int(arrays[f"exact_depths_{a}"][-1]) for a in RATE_FORMS if a != "relu")
    ci = (f"the tests hold the ELU and tanh recursions to an independent quadrature rule down to "
          f"{QUADRATURE_TESTED_DEPTH:,} layers")
    if diff is not None:
        ci += (f", and a one-off check (bench/quadrature_depth.py, {date}) follows both rules to {depth:,} layers, "
               f"where L (K^L/α_L − K∞) differs by at most {diff:.1g}")
    if deepest <= depth:
        return f"{ci}: every depth of the curves (to {deepest:,}) is checked"
    return (f"{ci} (the red dotted line); the curves run to {deepest:,}, and beyond the checked depth rounding "
            "accumulated over many layers is not excluded as a cause of how they bend")


def depth_read_words(claim, shallow, deep, depths, per_phase=None):
    """The finite-width claim is read at the smallest measured depth; whether its verdict, by the same rule, would be
    the same at the deepest (``shallow``, ``deep``: ``(value, (lo, hi))`` of :func:`deviation_ci` there), and, with
    ``per_phase`` (:func:`deep_phase_words`), what each phase's distance there is made of."""
    v0, v1 = claim.verdict(*shallow[:2]), claim.verdict(*deep[:2])
    same = ("so the verdict does not depend on which of the two depths is read" if v0 == v1 else
            "so the verdict depends on the depth read, as finite-width corrections that grow with depth/width "
            "predict: it is a statement about moderate depth only")
    parts = f" ({per_phase})" if per_phase else ""
    return (f"The claim is read at depth {int(depths[0])}, the smallest measured ({v0}); by the same rule at depth "
            f"{int(depths[-1])}, where the largest distance is {deep[0]:.2g} [{deep[1][0]:.2g}, {deep[1][1]:.2g}]"
            f"{parts}, it would read {v1}, {same}")


SETTLED = 10.0
"""A finite-width spread this many times its analytic value has stopped following the analytic curve down: it stays
where the width's own fluctuations put it while the infinite-width spread keeps falling."""


def deep_phase_words(arrays, depth_index=-1):
    """Per phase at ``depth_index``: the relative distance of the orthogonal networks' spread from the analytic one
    with its 95% bootstrap interval over seeds, and what it is made of where it is not a comparison of two signals:
    a spread at float32's resolution (:func:`empirical_at_floor`), or one that has settled at :data:`SETTLED` times
    the analytic value or more (the analytic curve has fallen below where the networks' kernels stay)."""
    low = empirical_at_floor(arrays, depth_index)
    words = []
    for i, ph in enumerate(PHASES):
        ana = float(arrays["emp_analytic"][i, depth_index])
        samples = arrays["emp_spread"][i, depth_index]
        v, (lo, hi) = stats.bootstrap_ci(samples, lambda x: float(abs(x.mean() - ana) / ana))
        emp = float(samples.mean())
        why = ("at float32's resolution" if low[i] else
               f"the networks' spread stays at {emp:.2g} while the analytic one falls to {ana:.2g}"
               if emp >= SETTLED * ana else f"spread {emp:.2g} against {ana:.2g} analytic")
        words.append(f"{ph} {v:.2g} [{lo:.2g}, {hi:.2g}]: {why}")
    return "; ".join(words)


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


def limit_slope(depths, ratios, limit, lo, hi):
    r"""The slope of :math:`L\,(K^L/\alpha_L - K_\infty)` against :math:`\ln L` over ``lo <= L <= hi``, one slope
    common to the pairs (each pair its own intercept), by least squares.

    :math:`K^L/\alpha_L - K_\infty = (a \ln L + b)/L + o(1/L)` makes the slope :math:`a`: zero for a :math:`1/L`
    rate (the slope then falls as the next order, :math:`1/L`), a constant for :math:`\log L / L`, and growing
    as :math:`L^{1 - p}` for a slower power :math:`L^{-p}`."""
    L = np.asarray(depths, float)
    keep = (L >= lo) & (L <= hi)
    y = (L[keep, None] * (np.asarray(ratios)[keep] - limit))  # (D, P)
    t = np.log(L[keep])[:, None] - np.log(L[keep]).mean()
    y = y - y.mean(0)
    return float((t * y).sum() / (t * t).sum() / y.shape[1])


def slope_ratio(depths, ratios, limit, shifts=(0.0, 0.25, 0.5)):
    r"""The slope of :func:`limit_slope` over the last decade of depths over that over the decade before: about 1
    for a :math:`\log L / L` rate, about 1/10 for :math:`1/L`, :math:`10^{1-p}` for :math:`L^{-p}`.

    The curve is deterministic (an exact recursion), so there is no sampling uncertainty; the interval is the range
    of the ratio over windows shifted down by ``shifts`` decades: how far the ratio has settled by these depths.

    Returns:
      ``(value, (lo, hi), (slope before, slope last))``, the value and slopes at shift 0; the range is NaN where
      the slope changes sign between the decades of any window (the curve has not reached its asymptotic form).
    """
    top = float(np.max(depths))
    values = []
    for shift in shifts:
        end = top / 10**shift
        before, last = (limit_slope(depths, ratios, limit, end / 10**k, end / 10 ** (k - 1)) for k in (2, 1))
        values.append((last / before if before else float("nan"), (before, last)))
    r = np.array([v for v, _ in values])
    if not np.all(r > 0):  # the slope changes sign between decades: not yet on its asymptotic line, nothing to read
        return float(r[0]), (float("nan"), float("nan")), values[0][1]
    return float(r[0]), (float(r.min()), float(r.max())), values[0][1]


RATE_READING = {"1/L": "1/L", "log L / L": "log L / L", "slower": "slower than log L / L"}


def rate_reading(ratio_ci):
    """What a slope ratio's interval says: ``"1/L"`` (all of it at most 0.5), ``"log L / L"`` (all in [0.5, 2]),
    ``"slower"`` (all above 2), else None (it straddles)."""
    lo, hi = ratio_ci
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return None
    return "1/L" if hi <= 0.5 else "log L / L" if 0.5 <= lo and hi <= 2 else "slower" if lo > 2 else None


OFF_EDGE_LIMIT = {"ordered": 1.0, "chaotic": 0.0}
"""The limit of every off-diagonal entry of the normalized NTK off the Edge: 1 in the ordered phase (the all-ones
matrix, singular), 0 in the chaotic one (the identity)."""


def distance_to_limit(arrays):
    r"""Per paper point: :math:`\max_{x \ne x'} |\hat\Theta^L(x, x') - K_\infty|` against depth (point, L), with
    the exact limits: :data:`meanfield.EDGE_LIMIT` on the Edge, :data:`OFF_EDGE_LIMIT` off it."""
    out = []
    for i, (act, phase) in enumerate(paper_points()):
        limit = meanfield.EDGE_LIMIT[act] if phase == "edge" else OFF_EDGE_LIMIT[phase]
        out.append(np.abs(arrays["rate_entries"][i] - limit).max(-1))
    return np.array(out)


def rate_rows(arrays, cfg):
    """Rows of the rate table: φ, (σ_W, σ_b), χ₁, K_∞, the deepest layer, the slopes of L·(K^L/α_L − K_∞) against
    ln L in the last two decades, their ratio with its range over windows, the rate it indicates, and the paper's."""
    rows = []
    for act, (w, b) in edge_points().items():
        v, (lo, hi), (before, last) = measure_exact_rate(arrays, act)
        k = list(edge_points()).index(act)
        rows.append([act, f"({w:.3f}, {b:.4f})", f"{arrays['exact_chi1'][k]:.6f}", f"{meanfield.EDGE_LIMIT[act]:.4f}",
                     f"{int(arrays[f'exact_depths_{act}'][-1]):,}", f"{before:.3g}", f"{last:.3g}",
                     f"{v:.3g} [{lo:.3g}, {hi:.3g}]" if np.isfinite([lo, hi]).all() else
                     f"{v:.3g} (no range: the slope changes sign in a shifted window)",
                     RATE_READING.get(rate_reading((lo, hi)), "not settled"),
                     RATE_FORMS[act]])
    return rows


def edge_points():
    """The paper's Edge-of-Chaos points, activation -> (W_std, b_std)."""
    return {a: wb for (a, p), wb in paper_points().items() if p == "edge"}


def measure_exact_rate(arrays, activation):
    """:func:`slope_ratio` of the exact recursion's ratios at ``activation``'s Edge point."""
    return slope_ratio(arrays[f"exact_depths_{activation}"], arrays[f"exact_ratios_{activation}"],
                       meanfield.EDGE_LIMIT[activation])


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

HDR = "Hayou, Doucet, Rousseau 2019"
GROWTH_RULE = (3.0, 5.0)
"""Growth per decade of the local log-log slope: at most 3 reads as a power law, at least 5 as an exponential."""
GROWTH_WHY = ("a power law's log-log slope is constant (growth 1 a decade; log L / L's and a power whose exponent is "
              "still settling drift, by less than 3 here); an exponential's is −γL, tenfold a decade (a prefactor L^k "
              "shifts it by k, pulling the growth down at shallow depths); 3 and 5 lie either side of √10, the "
              "geometric middle, and between them neither form is read")
GROWTH_STAT = ("growth per decade of the local log-log slope d log y / d log L of the distance y to the limit, read "
               "above the float64 floor over the last two adjacent windows of depth (each up to a decade); a "
               "deterministic curve: the range is over windows shifted down by up to half a window, not a 95% interval")
CLAIMS = [
    Claim("eoc-ordered-exponential", f"{HDR}, Prop. 1 (ordered phase)",
          "In the ordered phase the normalized NTK becomes input-independent exponentially fast in depth.",
          f"{GROWTH_STAT}; the smallest over the ordered curves (spread of Θ̂^L, erf and ReLU; |K^L/α_L − 1|, ReLU, "
          "ELU and tanh)", Separated(*GROWTH_RULE, "above"), why=GROWTH_WHY,
          decide="more depths above the float64 floor"),
    Claim("eoc-chaotic-exponential", f"{HDR}, Prop. 1 (chaotic phase)",
          "In the chaotic phase too the normalized NTK becomes trivial exponentially fast (Θ̂(x, x') → 0).",
          f"{GROWTH_STAT}; the smaller over the chaotic curves (spread of Θ̂^L, erf; |K^L/α_L|, tanh)",
          Separated(*GROWTH_RULE, "above"), why=GROWTH_WHY, decide="more depths"),
    Claim("eoc-rate-theory", f"{HDR}; Schoenholz et al. 2017",
          "The exponential rate is the mean-field one: −log χ_1 (ordered, smooth φ), −½ log χ_1 (ordered ReLU), "
          "log(χ_1/χ_c*) (chaotic).",
          "local rate −d log(spread)/dL over the last window read above the float64 floor, over the theoretical rate: "
          "the ratio farthest from 1 over the three off-critical points (deterministic curves: the range is over "
          "windows shifted down by up to half a window, not a 95% interval)",
          Between(0.8, 1.1), why="a prefactor L^k in the decay moves the local rate by k/L, about 0.05 of γ per unit "
          "of k at the windows read here", decide="a longer range of depths above the floor"),
    Claim("eoc-critical-polynomial", f"{HDR}, Prop. 2 (Edge of Chaos)",
          "On the Edge of Chaos the normalized NTK approaches its limit only polynomially in depth.",
          f"{GROWTH_STAT}; the largest over the exact recursion's curves |K^L/α_L − K_∞| (ReLU, ELU, tanh; depths to "
          "exact_max_depth, ReLU ten times deeper)", Separated(*GROWTH_RULE, "below"), why=GROWTH_WHY,
          decide="deeper exact recursions"),
    Claim("eoc-orthogonal-follows", "Huang, Du, Xu 2021 (this book's link to the main paper)",
          "At the smallest measured depth, far below the width, an orthogonal finite-width network's "
          "normalized NTK follows the analytic curve; deeper, finite-width corrections take it away (the page reads "
          "the deepest depth too).",
          "|spread_orth − spread_∞| / spread_∞ at the smallest measured depth, largest over the three erf points "
          "(95% bootstrap interval over seeds)",
          AtMost(0.2), why="finite-width corrections of order depth/width, plus seed noise",
          decide="more seeds, or a wider network"),
    *[Claim(f"eoc-rate-form-{act}", f"{HDR}, Thm. 2 (Edge of Chaos, {act})",
            f"On the Edge of Chaos the normalized NTK of a {act} network approaches its limit at rate {form}.",
            "exact float64 recursion in 1 − c: the slope of L·(K^L/α_L − K_∞) against ln L over the last decade of "
            "depths over that over the decade before (a deterministic curve: the range is over windows shifted by "
            "up to half a decade, not a 95% interval)",
            AtMost(0.5) if form == "1/L" else Between(0.5, 2.0),
            why="a 1/L rate's slope falls about tenfold a decade, log L / L's stays (ratio 1), a slower power L^-p's "
                "grows by 10^(1-p); 0.5 and 2 lie between, a factor of 2 from 1",
            decide="deeper exact recursions (the ratio must settle)", robustness="eoc-robustness")
      for act, form in RATE_FORMS.items()],
    Claim("eoc-trainability", f"{HDR}, Sec. 4 (trainability)",
          "A deep tanh network initialized on the Edge of Chaos trains better under SGD than one initialized in "
          "the ordered or the chaotic phase.",
          "test accuracy averaged over training (area under the learning curve) at the deepest trained depth, Edge "
          "of Chaos minus the better off-Edge initialization (95% Welch interval over networks)", AtLeast(0.0),
          why="better means a positive difference; no size is given by the paper", decide="more networks"),
]


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval."""
    return {
        "eoc-ordered-exponential": Measurement(*phase_growth(arrays, "ordered")),
        "eoc-chaotic-exponential": Measurement(*phase_growth(arrays, "chaotic")),
        "eoc-rate-theory": Measurement(*rate_ratio_windows(arrays)),
        "eoc-critical-polynomial": Measurement(*phase_growth(arrays, "edge")),
        "eoc-orthogonal-follows": Measurement(*deviation_ci(arrays),
                                              {"gaussian": deviation_ci(arrays, key="emp_spread_gaussian")[0]}),
        **{f"eoc-rate-form-{act}": Measurement(*m) for act, m in measure_rates(arrays, cfg).items()},
        "eoc-trainability": Measurement(*trainability_gap(arrays)),
    }


def numbers(arrays, cfg):
    """The numbers and phrases of the chapter's prose."""
    pts = list(points())
    acc = arrays["accuracy"][:, -1]
    dev, last = empirical_deviation(arrays), empirical_deviation(arrays, -1)
    gdev, glast = (empirical_deviation(arrays, i, "emp_spread_gaussian") for i in (0, -1))
    low = empirical_at_floor(arrays, -1)
    above = [i for i in range(len(PHASES)) if not low[i]]
    closer = sum(last[i] < glast[i] for i in above)
    closer0 = sum(dev[i] < gdev[i] for i in range(len(PHASES)))
    follows = next(c for c in CLAIMS if c.id == "eoc-orthogonal-follows")
    deep = deviation_ci(arrays, -1)
    return {
        "eoc-max-depth": int(arrays["depths"][-1]),
        "eoc-points": "; ".join(f"{act} {ph}: σ_W = {w:.3g}, σ_b = {b:.3g}, χ₁ = {c:.3g}"
                                for (act, ph), (w, b), c in zip(pts, arrays["points"], arrays["chi1"])),
        **growth_numbers(arrays),
        "eoc-acc-edge": ", ".join(f"{acc[i]:.2f} ({act})" for i, (act, ph) in enumerate(pts) if ph == "edge"),
        "eoc-acc-other": ", ".join(f"{acc[i]:.2f} ({act} {ph})" for i, (act, ph) in enumerate(pts) if ph != "edge"),
        "eoc-acc-other-words": other_accuracy_words(acc, [ph for _, ph in pts]),
        "eoc-train-test": f"{cfg.n_train} training and {cfg.n_test} test digits",
        "eoc-emp-depth0": int(cfg.emp_depths[0]), "eoc-emp-depth1": int(cfg.emp_depths[-1]),
        "eoc-emp-dev": ", ".join(f"{d:.3f} ({ph})" for d, ph in zip(dev, PHASES)),
        "eoc-emp-dev-gauss": ", ".join(f"{d:.3f} ({ph})" for d, ph in zip(gdev, PHASES)),
        "eoc-emp-dev-deep": ", ".join(f"{d:.2g} ({ph})" for d, ph in zip(last, PHASES)),
        "eoc-emp-dev-deep-gauss": ", ".join(f"{d:.2g} ({ph})" for d, ph in zip(glast, PHASES)),
        "eoc-emp-floor": empirical_floor_words(arrays, -1),
        "eoc-emp-compare": (f"There, above that resolution, the orthogonal networks stay closer to the analytic curve "
                            f"than Gaussian ones at {closer} of {len(above)} points" if closer else
                            "There, above that resolution, the orthogonal networks stay no closer to the analytic "
                            "curve than Gaussian ones") if above else "No point lies above that resolution to compare",
        "eoc-emp-compare0": f"{closer0} of {len(PHASES)}",
        "eoc-emp-depth-words": depth_read_words(follows, deviation_ci(arrays, 0), deep, cfg.emp_depths,
                                                deep_phase_words(arrays)),
        "eoc-emp-setup": f"{cfg.emp_seeds} orthogonal and {cfg.emp_seeds} Gaussian erf networks of width "
                         f"{cfg.emp_width} on {cfg.emp_inputs} digits",
        **rate_numbers(arrays, cfg), "eoc-rate-differs": RATE_FIGURE.caption(cfg),
        "eoc-tested-depth": tested_depth_words(arrays),
        **train_numbers(arrays, cfg),
    }


def growth_numbers(arrays):
    """The decay section's numbers: floors, where each curve reaches its floor, the slope growth per phase and what
    it reads as, the fitted over theoretical rates."""
    claims = {c.id: c for c in CLAIMS}
    words = []
    for phase, cid in (("ordered", "eoc-ordered-exponential"), ("chaotic", "eoc-chaotic-exponential"),
                       ("edge", "eoc-critical-polynomial")):
        v, (lo, hi), detail = phase_growth(arrays, phase)
        curves = ", ".join(f"{g:.3g} ({k})" for k, g in detail.items())
        reading = growth_reading((lo, hi))
        words.append(f"{phase}: {curves}; over the windows {lo:.3g} to {hi:.3g}, "
                     f"{GROWTH_READING[reading]} ({claims[cid].verdict(v, (lo, hi))})" if np.isfinite(lo) else
                     f"{phase}: {curves}; the windows cannot be formed on every curve (inconclusive)")
    ratios = rate_ratios(arrays)
    return {
        "eoc-floor64": f"{floor_of('erf'):.0e}", "eoc-floor-relu": f"{floor_of('relu'):.1e}",
        "eoc-read-above": f"{READ_ABOVE:.0e}",
        "eoc-at-floor": floor_words(arrays),
        "eoc-growth-words": "; ".join(words),
        "eoc-ratios": ", ".join(f"{r[0]:.2f} ({k}; {r.min():.2f} to {r.max():.2f} over the windows)"
                                for k, r in ratios.items()),
    }


GROWTH_READING = {"power": "a power law", "exp": "an exponential", None: "neither form"}


def growth_reading(ci):
    """What a slope-growth range reads as: ``"power"`` (all of it at most 3), ``"exp"`` (all at least 5), else None."""
    lo, hi = ci
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return None
    return "power" if hi <= GROWTH_RULE[0] else "exp" if lo >= GROWTH_RULE[1] else None


def floor_state(end, floor):
    """Where a curve that crossed below :data:`READ_ABOVE` times its floor ends: ``"still falling, read no further"``
    (more than ten times above the floor), ``"at its floor"`` (down to a thousandth of float64's ε: rounding of
    order-one numbers lands there), or ``"far below the floor"``: lower than any rounding of order-one numbers can
    reach, so the quantity goes to zero itself (the chaotic phase's off-diagonal correlations), carried by float64 to
    relative precision, and the cut at :data:`READ_ABOVE` times the floor is conservative, not needed."""
    if end > 10 * floor:
        return "still falling, read no further"
    if end >= np.finfo(np.float64).eps / 1000:
        return "at its floor"
    return "far below the floor: it goes to zero itself, which float64 carries to relative precision, so the cut is " \
           "conservative there"


def floor_words(arrays):
    """For each curve that falls below :data:`READ_ABOVE` times its floor within its depths: the depth from which it
    is not read, and where it ends (:func:`floor_state`)."""
    out = []
    for label, act, ph, depths, y, floor in decay_curves(arrays):
        below = np.flatnonzero(~(np.asarray(y) >= READ_ABOVE * floor))
        if len(below):
            end = np.nanmin(y)
            out.append(f"{label}, from depth {int(depths[below[0]])} (down to {end:.1e}: {floor_state(end, floor)})")
    return "; ".join(out) if out else "no curve comes near its floor at these depths"


def empirical_at_floor(arrays, depth_index=-1):
    """Per phase: whether the finite-width spread (seed mean, orthogonal or Gaussian) lies within a factor 10 of
    float32's resolution :data:`EPS32`, where rounding of the float32 kernel, not the network, sets it: (phases,)."""
    emp = np.stack([arrays[k][:, depth_index].mean(-1) for k in ("emp_spread", "emp_spread_gaussian")])
    return (emp < 10 * EPS32).any(0)


def empirical_floor_words(arrays, depth_index=-1):
    """Which finite-width spreads at ``depth_index`` are at float32's resolution (:func:`empirical_at_floor`)."""
    low = empirical_at_floor(arrays, depth_index)
    if not low.any():
        return f"every spread lies more than ten times above float32's resolution ({EPS32:.1e})"
    vals = ", ".join(f"{ph} {arrays['emp_spread'][i, depth_index].mean():.1e} (orthogonal), "
                     f"{arrays['emp_spread_gaussian'][i, depth_index].mean():.1e} (Gaussian) against "
                     f"{arrays['emp_analytic'][i, depth_index]:.1e} (analytic)" for i, ph in enumerate(PHASES) if low[i])
    return (f"the {', '.join(ph for ph, l in zip(PHASES, low) if l)} spread lies within a factor 10 of float32's "
            f"resolution ({EPS32:.1e}): {vals}; its distance from the analytic value is rounding, not a signal")


def rate_numbers(arrays, cfg):
    """The rate section's numbers: the points, the exact limits, and which rate the exact recursion follows."""
    m = measure_rates(arrays, cfg)
    reading = {act: rate_reading(ci) for act, (v, ci, _) in m.items()}
    agree = [a for a, r in reading.items() if r == RATE_FORMS[a]]
    differ = [f"{a} ({RATE_READING[r]})" for a, r in reading.items() if r is not None and r != RATE_FORMS[a]]
    open_ = [a for a, r in reading.items() if r is None]
    words = []
    if agree:
        words.append(f"the exact recursion follows the paper's rate for {', '.join(agree)}")
    if differ:
        words.append(f"it follows another rate for {', '.join(differ)}, against the paper's statement")
    if open_:
        words.append(f"for {', '.join(open_)} the ratio has not settled by these depths")
    pts = paper_points()
    relu = arrays["exact_ratios_relu"]
    return {
        "eoc-rate-points": "; ".join(
            f"{a} {p}: σ_W = {w:.4f}, σ_b = {b:.4f}{' (paper: 0.2)' if p == 'edge' and b > 0 else ''}, χ₁ = {c:.4f}"
            for (a, p), (w, b), c in zip(pts, arrays["rate_points"], arrays["rate_chi1"])),
        "eoc-rate-pairs": int(arrays["rate_entries"].shape[-1]),
        "eoc-rate-words": "; ".join(words),
        "eoc-exact-depth": f"{int(cfg.exact_max_depth):,}",
        "eoc-exact-depth-relu": f"{int(arrays['exact_depths_relu'][-1]):,}",
        "eoc-relu-limit-gap": f"{np.abs(relu[-1] - meanfield.EDGE_LIMIT['relu']).max():.1e}",
        "eoc-exact-vs-direct": f"{float(arrays['exact_check']):.0e}",
        "eoc-rate-robust": rate_robustness_words(arrays, cfg),
    }


def pair_slope_ratios(arrays, activation):
    """:func:`slope_ratio`'s value for each pair alone (smallest, median, largest cosine), at shift 0: (3,)."""
    depths, ratios = arrays[f"exact_depths_{activation}"], arrays[f"exact_ratios_{activation}"]
    limit = meanfield.EDGE_LIMIT[activation]
    return np.array([slope_ratio(depths, ratios[:, [j]], limit, shifts=(0.0,))[0] for j in range(ratios.shape[1])])


def rate_robustness_words(arrays, cfg):
    """For each rate claim that does not hold: whether its reading survives taking each pair alone and each window."""
    m, claims = measure_rates(arrays, cfg), {c.id: c for c in CLAIMS}
    out = []
    for act, (v, ci, _) in m.items():
        if claims[f"eoc-rate-form-{act}"].verdict(v, ci) != "does not hold":
            continue
        per_pair = pair_slope_ratios(arrays, act)
        readings = {rate_reading((r, r)) for r in per_pair} | {rate_reading(ci)}
        pairs = ", ".join(f"{r:.2f} (cos {c:.2f})" for r, c in zip(per_pair, arrays[f"exact_rho_{act}"]))
        verdict = (f"the reading, {RATE_READING[rate_reading(ci)]}, is the same for each pair alone and in every window"
                   if len(readings) == 1 else "the reading changes with the pair or the window")
        out.append(f"{act}: the slope ratio is {pairs} for the three pairs taken alone and {ci[0]:.2f} to {ci[1]:.2f} "
                   f"over the windows, with the recursion run to depth {int(arrays[f'exact_depths_{act}'][-1]):,}: "
                   f"{verdict}")
    return "; ".join(out) if out else "no rate claim fails at this profile"


def measure_rates(arrays, cfg):
    """The slope ratio (value, range, slopes) per Edge-of-Chaos activation (:func:`measure_exact_rate`)."""
    out = {}
    for act in RATE_FORMS:
        v, ci, (before, last) = measure_exact_rate(arrays, act)
        out[act] = (v, ci, {"slope_before": before, "slope_last": last,
                            "max_depth": int(arrays[f"exact_depths_{act}"][-1])})
    return out


def train_numbers(arrays, cfg):
    """The trainability section's numbers."""
    acc = arrays["train_accuracy"][:, :, :, -1].mean(-1)  # (depth, phase)
    d, (lo, hi) = trainability_gap(arrays)
    verdict = CLAIMS[[c.id for c in CLAIMS].index("eoc-trainability")].verdict(d, (lo, hi))
    return {
        "eoc-train-setup": f"{cfg.train_seeds} tanh networks of width {cfg.train_width} per depth and initialization",
        "eoc-train-depths": ", ".join(f"{L} (lr {lr:g})" for L, lr in zip(cfg.train_depths, cfg.train_lrs)),
        "eoc-train-steps": int(arrays["train_steps"][-1]),
        "eoc-train-acc": "; ".join(f"depth {L}: " + ", ".join(f"{acc[i, j]:.2f} ({p})" for j, p in enumerate(TRAIN_POINTS))
                                   for i, L in enumerate(cfg.train_depths)),
        "eoc-train-gap": f"{d:.2f} [{lo:.2f}, {hi:.2f}]",
        "eoc-train-words": {"holds": "the Edge of Chaos trains better, as the paper found",
                            "does not hold": "an off-Edge initialization trains better, against the paper",
                            "inconclusive": "the networks do not decide which initialization trains better"}[verdict],
        "eoc-train-differs": TRAIN_FIGURE.caption(cfg),
    }


# FIGURES

TRAIN_FIGURE = PaperFigure(
    "Hayou, Doucet, Rousseau (2019), Sec. 4: test accuracy against training steps at and off the Edge of Chaos",
    settings=dict(train_depths=(100, 200, 300), train_width=300, train_lrs=(1e-3, 1e-4, 1e-4)),
    labels=dict(train_depths="depths", train_width="width", train_lrs="learning rates"),
    always=("scikit-learn's digits instead of MNIST and CIFAR-10", "tanh only (the paper also trains ReLU and ELU)",
            "the number of steps is this book's (the paper does not state it)"))
RATE_FIGURE = PaperFigure(
    "Hayou, Doucet, Rousseau (2019), Sec. 3: |K^L/α_L − K_∞| against depth on and off the Edge of Chaos",
    settings={}, always=("digits on the sphere instead of the paper's inputs", "α_L = Θ^L(x, x), the kernel's diagonal",
                         "K_∞ exact: 1/4 (ReLU) or 1/3 on the Edge, 1 (ordered) and 0 (chaotic) off it",
                         "the Edge and the off-Edge curves in two panels"))


GUIDES = {"1/L": (":", "0.45", r"$\propto 1/L$"), "log L / L": ((0, (7, 3)), "olive", r"$\propto \log L / L$")}
"""Line style and colour of each rate guide: dotted grey, long-dashed olive."""


FLOOR_STYLE = {"relu": (0, (1, 2)), "erf": (0, (4, 1, 1, 1))}
"""Line style of each float64 floor: ReLU's √ε dotted, the smooth activations' 10ε dash-dotted."""


def shade_floor(ax, activation, label, color="0.85"):
    """A band from the axis' bottom to ``READ_ABOVE`` times the floor of ``activation`` (values not read), and a
    labelled line at the floor."""
    floor = floor_of(activation)
    ax.axhspan(ax.get_ylim()[0], READ_ABOVE * floor, color=color, alpha=0.5, lw=0, zorder=0)
    ax.axhline(floor, color="0.3", lw=0.9, ls=FLOOR_STYLE["relu" if activation == "relu" else "erf"], label=label,
               zorder=1)


def fig_rate(cfg, arrays):
    """max over pairs |K^L/α_L − K_∞| against depth at the paper's points: on the Edge (left, log-log, to the decade
    the curves span) with 1/L and log L/L guides; off it (right, log-linear, where an exponential is straight) with
    the float64 floors (lines) and the values left unread above them (shaded)."""
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False)
    dist = distance_to_limit(arrays)
    L = arrays["depths"].astype(float)
    styles = {"relu": "-", "elu": "--", "tanh": "-."}
    edge = [i for i, (_, p) in enumerate(paper_points()) if p == "edge"]
    for i, (act, phase) in enumerate(paper_points()):
        ax = axes[0, 0] if phase == "edge" else axes[0, 1]
        ax.plot(L, dist[i], styles[act], color=PHASE_COLOUR[phase], label=f"{act}, {phase}")
    anchor = min(10, len(L)) - 1
    ref = dist[edge, anchor].max()
    g = np.log(L) / L
    for name, y in (("1/L", ref * L[anchor] / L), ("log L / L", ref * g / g[anchor])):
        ls, c, label = GUIDES[name]
        axes[0, 0].plot(L[1:], y[1:], ls=ls, color=c, lw=1.2, label=label)
    lo = dist[edge].min() / 2
    axes[0, 0].set(xscale="log", yscale="log", xlabel="depth L", ylabel=r"$\max |K^L/\alpha_L - K_\infty|$",
                   ylim=(lo, 1), title="Edge of Chaos")
    ax = axes[0, 1]
    ax.set(yscale="log", xlabel="depth L", ylim=(1e-17, 2), title="ordered and chaotic")
    shade_floor(ax, "relu", r"float64 floor, ReLU ($\sqrt{\varepsilon}$)")
    shade_floor(ax, "tanh", r"float64 floor ($10\varepsilon$)", color="0.7")
    for ax in axes[0]:
        ax.title.set_fontsize(8)
    fig.legend(*_legend_entries(axes[0]), loc="outside right center", fontsize=6)
    return fig


def _legend_entries(axes):
    """Handles and labels of ``axes`` together, each label once."""
    seen = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab, h)
    return list(seen.values()), list(seen)


QUADRATURE_TESTED_DEPTH = 1000
"""The depth to which the tests hold the exact recursion of the quadrature activations (ELU, tanh) to an independent
quadrature rule (``tests/test_meanfield.py``, in CI). Deeper, :func:`quadrature_checked_depth` reads the one-off
check of ``bench/quadrature_depth.py``. ReLU's recursion is a closed form, checked to 100,000 layers."""

QUADRATURE_CHECK = pathlib.Path(__file__).resolve().parents[2] / "bench" / "results.json"
"""Where ``bench/quadrature_depth.py`` records its check (key ``quadrature_depth``)."""

CHECK_TOLERANCE = 1e-3
r"""Largest difference of :math:`L\,(K^L/\alpha_L - K_\infty)` between the library's recursion and the independent
rule at which a depth counts as checked: a thousandth of the unit-sized values the rate statistic fits."""


def quadrature_checked_depth(path=QUADRATURE_CHECK):
    r"""``(depth, difference, date)``: the deepest layer at which the recorded check found both quadrature
    activations (ELU, tanh) within :data:`CHECK_TOLERANCE` of the independent rule, with every shallower recorded
    depth within it too, and the largest difference of :math:`L\,(K^L/lpha_L - K_\infty)` up to there;
    ``(QUADRATURE_TESTED_DEPTH, None, None)`` where no check is recorded or it does not reach deeper."""
    import json

    try:
        entry = json.loads(pathlib.Path(path).read_text())["quadrature_depth"]
        diffs = [{int(k): float(v) for k, v in entry[a]["max_abs_diff_L_ratio"].items()} for a in ("elu", "tanh")]
    except (OSError, ValueError, KeyError, TypeError):
        return QUADRATURE_TESTED_DEPTH, None, None
    depth, worst = QUADRATURE_TESTED_DEPTH, None
    for L in sorted(set(diffs[0]) & set(diffs[1])):
        d = max(diffs[0][L], diffs[1][L])
        if not d <= CHECK_TOLERANCE:
            break
        if L >= depth:
            depth, worst = L, max(d, worst or 0.0)
    return (depth, worst, entry.get("date")) if worst is not None else (QUADRATURE_TESTED_DEPTH, None, None)


def fig_exact_rate(arrays):
    r""":math:`L\,(K^L/\alpha_L - K_\infty)` against depth (log axis) by the exact recursion, one panel per Edge-of-
    Chaos activation, the three pairs (smallest, median, largest cosine) as dotted, dashed and solid lines; the last
    two decades shaded, where :func:`slope_ratio` reads the slopes; a red dotted line where the quadrature
    activations' curves run deeper than they are checked (:func:`quadrature_checked_depth`)."""
    checked = quadrature_checked_depth()[0]
    fig, axes = plots.figure(ncols=len(RATE_FORMS), width=2.5, height=2.4, squeeze=False)
    for ax, act in zip(axes[0], RATE_FORMS):
        L = arrays[f"exact_depths_{act}"].astype(float)
        y = L[:, None] * (arrays[f"exact_ratios_{act}"] - meanfield.EDGE_LIMIT[act])
        for j, ls in enumerate((":", "--", "-")):
            ax.plot(L, y[:, j], ls, color="k", lw=1, label=f"cos = {arrays[f'exact_rho_{act}'][j]:.2f}")
        ax.axvspan(L[-1] / 100, L[-1] / 10, color="0.93", lw=0)
        ax.axvspan(L[-1] / 10, L[-1], color="0.86", lw=0)
        if act != "relu" and L[-1] > checked:
            ax.axvline(checked, color="C3", lw=0.8, ls=(0, (1, 1)),
                       label="tested to here" if act == list(RATE_FORMS)[1] else None)
        ax.set(xscale="log", xlabel="depth L", title=f"{act} (paper: {RATE_FORMS[act]})")
        ax.title.set_fontsize(8)
        ax.tick_params(labelsize=7)
    axes[0, 0].set_ylabel(r"$L\,(K^L/\alpha_L - K_\infty)$")
    axes[0, 0].legend(fontsize=6)
    tested = [h for h, lab in zip(*axes[0, 1].get_legend_handles_labels()) if lab == "tested to here"]
    if tested:
        axes[0, 1].legend(handles=tested, fontsize=6)
    return fig


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


PHASE_COLOUR = {"ordered": "C0", "edge": "k", "chaotic": "C3"}


def fig_phase(arrays):
    """log χ_1 over (σ_W², σ_b²) for erf and tanh, the Edge-of-Chaos line and the measured erf points."""
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False)
    for ax, act in zip(axes[0], ("erf", "tanh")):
        im = ax.pcolormesh(arrays["w"] ** 2, arrays["b"] ** 2, arrays[f"log_chi_{act}"], cmap="RdBu_r", vmin=-1.5,
                           vmax=1.5, shading="auto")
        ax.plot(arrays["w_line"] ** 2, arrays[f"b_line_{act}"] ** 2, "k-", lw=1.5, label="edge of chaos")
        ax.set(xlabel=r"$\sigma_W^2$", ylabel=r"$\sigma_b^2$", title=act, ylim=(0, arrays["b"][-1] ** 2))
    for (act, ph), (w, b) in zip(points(), arrays["points"]):
        if act == "erf":
            axes[0, 0].plot(w ** 2, b ** 2, "o", color="k", mfc={"ordered": "C0", "edge": "w", "chaotic": "C3"}[ph],
                            ms=6)
    axes[0, 0].legend(fontsize=7, loc="upper left")
    fig.colorbar(im, ax=axes[0, 1], label=r"$\log \chi_1$")
    return fig


def fig_spread(arrays):
    """The spread of Θ̂^L against depth, log-linear (with the float64 floors: lines, and the values left unread
    above them: shaded) and log-log (to the decades of the Edge curves)."""
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False)
    for i, (act, ph) in enumerate(points()):
        style = "-" if act == "erf" else "--"
        axes[0, 0].semilogy(arrays["depths"], arrays["spread"][i], style, color=PHASE_COLOUR[ph], label=f"{act}, {ph}")
        axes[0, 1].loglog(arrays["depths"], arrays["spread"][i], style, color=PHASE_COLOUR[ph])
    axes[0, 0].set(xlabel="depth L", ylabel=r"spread of $\hat\Theta^L$", ylim=(1e-17, 1))
    shade_floor(axes[0, 0], "relu", r"float64 floor, ReLU ($\sqrt{\varepsilon}$)")
    shade_floor(axes[0, 0], "erf", r"float64 floor ($10\varepsilon$)", color="0.7")
    axes[0, 1].set(xlabel="depth L", ylim=(1e-3, 1))
    fig.legend(*_legend_entries(axes[0]), loc="outside right center", fontsize=6)
    return fig


def growth_rows(arrays):
    """Rows of the decay table, one per curve of :func:`decay_curves`: curve, floor, depths read, window factor, the
    log-log slopes over the two windows, the growth per decade with its range over windows, what it reads as, and
    whether the curve decides its phase's claim."""
    rows = []
    for label, act, ph, depths, y, floor in decay_curves(arrays):
        v, (lo, hi), d = slope_growth(depths, y, floor)
        read = f"{d['depths'][0]:.0f}–{d['depths'][1]:.0f}" if d["depths"] else "none"
        window = f"{d['window']:.2g}" if d["window"] else "—"
        rows.append([label, f"{floor:.0e}", read, window, f"{d['slopes'][0]:.3g}", f"{d['slopes'][1]:.3g}",
                     f"{v:.3g} [{lo:.3g}, {hi:.3g}]", GROWTH_READING[growth_reading((lo, hi))],
                     "yes" if DECIDING[ph] == "all" or "exact" in label else "no"])
    return rows


def fig_accuracy(arrays):
    """Kernel-regression test accuracy against depth."""
    fig, ax = plots.figure()
    for i, (act, ph) in enumerate(points()):
        ax.semilogx(arrays["depths"], arrays["accuracy"][i], "-" if act == "erf" else "--", color=PHASE_COLOUR[ph],
                    label=f"{act}, {ph}")
    ax.axhline(CHANCE, color="grey", lw=0.8, ls=":", label=CHANCE_LABEL)
    ax.set(xlabel="depth L", ylabel="test accuracy")
    ax.legend(fontsize=6)
    return fig


def fig_empirical(cfg, arrays):
    """Finite-width orthogonal (dots) and Gaussian (squares) spreads against the analytic values and curves; the
    float32 resolution of the finite-width kernels (line; shaded up to ten times it, where they are rounding)."""
    fig, ax = plots.figure(width=4.4)
    for p, ph in enumerate(PHASES):
        c = PHASE_COLOUR[ph]
        ax.semilogy(arrays["depths"], arrays["spread"][p], color=c, lw=1, label=f"erf {ph}, analytic (all digits)")
        for key, marker, init in (("emp_spread", "o", "orthogonal"), ("emp_spread_gaussian", "s", "Gaussian")):
            ax.errorbar(cfg.emp_depths, arrays[key][p].mean(-1), yerr=arrays[key][p].std(-1), fmt=marker, color=c,
                        mfc="none" if init == "Gaussian" else c, capsize=2, label=f"erf {ph}, {init} n = {cfg.emp_width}")
        ax.plot(cfg.emp_depths, arrays["emp_analytic"][p], "x", color=c, label=f"erf {ph}, analytic (same inputs)")
    ax.set(xlabel="depth L", ylabel=r"spread of $\hat\Theta^L$", xlim=(0, 2 * max(cfg.emp_depths)), ylim=(1e-10, 1))
    ax.axhspan(1e-10, 10 * EPS32, color="0.85", alpha=0.5, lw=0, zorder=0)
    ax.axhline(EPS32, color="0.3", lw=0.8, ls=(0, (1, 2)), label="float32 resolution (finite width)")
    fig.legend(loc="outside right center", fontsize=6)
    return fig
