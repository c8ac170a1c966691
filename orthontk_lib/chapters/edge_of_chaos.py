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
(one layer's map applied layer after layer, so all depths cost one pass), with exponential and power-law fits;
kernel regression with :math:`\Theta^L` against depth; and an orthogonal network's empirical kernel
at a few depths.
"""

import dataclasses
import functools
import math

import jax
import numpy as np

from orthontk_lib import kernels, meanfield, plots, results, stats
from orthontk_lib.book.profiles import ChapterConfig, ConfigError, Cost
from orthontk_lib.claims import AtLeast, AtMost, Between, Claim, Measurement
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


def rate_fits(depths, values, floor=1e-9, min_depth=5):
    """Exponential and power-law fits of ``values`` against depth over ``min_depth <= L`` and values > ``floor``.

    Returns:
      ``{"gamma": rate of e^(-γL), "power": exponent p of L^(-p), "r2_exp", "r2_power", "depth_range"}``.
    """
    depths, values = np.asarray(depths, float), np.asarray(values, float)
    keep = (depths >= min_depth) & (values > floor)
    L, y = depths[keep], np.log(values[keep])

    def r2(x):
        coef = np.polyfit(x, y, 1)
        res = y - np.polyval(coef, x)
        return coef[0], 1.0 - res.var() / y.var()

    slope_exp, r2_exp = r2(L)
    slope_pow, r2_pow = r2(np.log(L))
    return {"gamma": float(-slope_exp), "power": float(-slope_pow), "r2_exp": float(r2_exp),
            "r2_power": float(r2_pow), "depth_range": (int(L.min()), int(L.max()))}


def point_fits(arrays):
    """Per point (in the order of :func:`points`): the rate fits of the spread and the theoretical rate."""
    out = []
    for i, (activation, phase) in enumerate(points()):
        fit = rate_fits(arrays["depths"], arrays["spread"][i])
        fit["theory"] = theory_rate(activation, phase, arrays["chi1"][i], arrays["chi_c"][i])
        fit["activation"], fit["phase"] = activation, phase
        out.append(fit)
    return out


def exponential_advantage(arrays, phase):
    """R²(exponential) − R²(power law) of the spread's decay, smallest over the points of ``phase``."""
    return min(f["r2_exp"] - f["r2_power"] for f in point_fits(arrays) if f["phase"] == phase)


def rate_ratio(arrays):
    """Fitted over theoretical rate, off the Edge of Chaos: the ratio farthest from 1, and all of them."""
    ratios = [f["gamma"] / f["theory"] for f in point_fits(arrays) if f["phase"] != "edge"]
    return max(ratios, key=lambda r: abs(r - 1)), ratios


def other_accuracy_words(acc, phases, chance=0.1, margin=0.1):
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


def power_advantage(arrays, phase="edge"):
    """R²(power law) − R²(exponential) of the spread's decay, smallest over the points of ``phase``."""
    return min(f["r2_power"] - f["r2_exp"] for f in point_fits(arrays) if f["phase"] == phase)


def fit_advantage(depths, values, which="exp", floor=1e-9, min_depth=5, n_boot=1000):
    """R²(exponential) − R²(power law) (``which="exp"``) or the reverse, with a 95% bootstrap interval over the
    fitted depths."""
    depths, values = np.asarray(depths, float), np.asarray(values, float)
    keep = (depths >= min_depth) & (values > floor)
    pts = np.stack([depths[keep], np.log(values[keep])])  # (2, depths)

    def stat(p):
        L, y = p
        if np.ptp(L) == 0 or y.var() == 0:
            return float("nan")
        r2 = [1.0 - (y - np.polyval(np.polyfit(x, y, 1), x)).var() / y.var() for x in (L, np.log(L))]
        return float(r2[0] - r2[1]) if which == "exp" else float(r2[1] - r2[0])

    return stats.bootstrap_ci(pts, stat, n_boot=n_boot)


def phase_advantage(arrays, phase, which="exp"):
    """:func:`fit_advantage` of the point of ``phase`` with the smallest value (the weakest evidence)."""
    idx = [i for i, (_, p) in enumerate(points()) if p == phase]
    fits = [fit_advantage(arrays["depths"], arrays["spread"][i], which) for i in idx]
    return min(fits, key=lambda f: f[0])


def rate_ratio_ci(arrays, n_boot=1000, seed=0):
    """:func:`rate_ratio`'s farthest ratio, with a 95% bootstrap interval (each point's fitted depths resampled)."""
    depths = np.asarray(arrays["depths"], float)
    series = []
    for i, f in enumerate(point_fits(arrays)):
        if f["phase"] != "edge":
            keep = (depths >= 5) & (arrays["spread"][i] > 1e-9)
            series.append((depths[keep], np.log(arrays["spread"][i][keep]), f["theory"]))

    def stat(draw):
        ratios = [-np.polyfit(L[j], y[j], 1)[0] / t for (L, y, t), j in zip(series, draw)]
        return float(max(ratios, key=lambda r: abs(r - 1)))

    rng = np.random.default_rng(seed)
    value = stat([np.arange(len(L)) for L, _, _ in series])
    boots = [stat([rng.integers(0, len(L), len(L)) for L, _, _ in series]) for _ in range(n_boot)]
    lo, hi = np.nanpercentile(boots, [2.5, 97.5])
    return value, (float(min(lo, value)), float(max(hi, value)))


def deviation_ci(arrays, depth_index=0, key="emp_spread"):
    """:func:`empirical_deviation`'s largest value over phases, with a 95% bootstrap interval over seeds."""
    ana = arrays["emp_analytic"][:, depth_index][:, None]
    samples = arrays[key][:, depth_index]  # (phase, seed)
    return stats.bootstrap_ci(samples, lambda s: float((np.abs(s.mean(-1, keepdims=True) - ana) / ana).max()))


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


def distance_to_limit(arrays, cfg):
    r"""Per paper point: :math:`\max_{x \ne x'} |\hat\Theta^L(x, x') - K_\infty(x, x')|` against depth (point, L).

    On the Edge the limit is the exact one, :data:`meanfield.EDGE_LIMIT`; off it the kernel at the largest depth,
    which the exponential approach has brought to within float64's precision of the limit."""
    out = []
    for i, (act, phase) in enumerate(paper_points()):
        entries = arrays["rate_entries"][i]
        if phase == "edge":
            limit = meanfield.EDGE_LIMIT[act]
        else:
            limit = entries[-1]
        out.append(np.abs(entries - limit).max(-1))
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
                     f"{v:.3g} [{lo:.3g}, {hi:.3g}]", RATE_READING.get(rate_reading((lo, hi)), "not settled"),
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
FIT_WHY = "the claimed form must fit better: the difference of R² lies above 0 (bootstrap over the fitted depths)"
CLAIMS = [
    Claim("eoc-ordered-exponential", f"{HDR}, Prop. 1 (ordered phase)",
          "In the ordered phase the normalized NTK becomes input-independent exponentially fast in depth.",
          "R² of an exponential fit minus R² of a power-law fit to the spread of Θ̂^L against depth, the smaller "
          "over erf and ReLU (analytic kernels; 95% bootstrap interval over the fitted depths)",
          AtLeast(0.0), why=FIT_WHY, decide="more depths before the spread reaches float64's floor"),
    Claim("eoc-chaotic-exponential", f"{HDR}, Prop. 1 (chaotic phase)",
          "In the chaotic phase too the normalized NTK becomes trivial exponentially fast (Θ̂(x, x') → 0).",
          "R² of an exponential fit minus R² of a power-law fit to the spread of Θ̂^L against depth (erf; 95% "
          "bootstrap interval over the fitted depths)", AtLeast(0.0), why=FIT_WHY, decide="more depths"),
    Claim("eoc-rate-theory", f"{HDR}; Schoenholz et al. 2017",
          "The exponential rate is the mean-field one: −log χ_1 (ordered, smooth φ), −½ log χ_1 (ordered ReLU), "
          "log(χ_1/χ_c*) (chaotic).",
          "fitted rate / theoretical rate, the ratio farthest from 1 over the three off-critical points (95% "
          "bootstrap interval over the fitted depths)",
          Between(0.8, 1.1), why="a prefactor L^k in the decay lowers a fit over [L1, L2] by k·log(L2/L1)/(L2 − L1), "
          "about 0.06 per unit of k here", decide="a longer range of depths"),
    Claim("eoc-critical-polynomial", f"{HDR}, Prop. 2 (Edge of Chaos)",
          "On the Edge of Chaos the normalized NTK approaches its limit only polynomially in depth.",
          "R² of a power-law fit minus R² of an exponential fit to the spread of Θ̂^L, the smaller over erf and ReLU "
          "(95% bootstrap interval over the fitted depths)", AtLeast(0.0), why=FIT_WHY, decide="more depths"),
    Claim("eoc-orthogonal-follows", "Huang, Du, Xu 2021 (this book's link to the main paper)",
          "At moderate depth (well below the width) an orthogonal finite-width network's normalized NTK follows "
          "the analytic curve.",
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
        "eoc-ordered-exponential": Measurement(*phase_advantage(arrays, "ordered")),
        "eoc-chaotic-exponential": Measurement(*phase_advantage(arrays, "chaotic")),
        "eoc-rate-theory": Measurement(*rate_ratio_ci(arrays), {"ratios": rate_ratio(arrays)[1]}),
        "eoc-critical-polynomial": Measurement(*phase_advantage(arrays, "edge", "power")),
        "eoc-orthogonal-follows": Measurement(*deviation_ci(arrays),
                                              {"gaussian": deviation_ci(arrays, key="emp_spread_gaussian")[0]}),
        **{f"eoc-rate-form-{act}": Measurement(*m) for act, m in measure_rates(arrays, cfg).items()},
        "eoc-trainability": Measurement(*trainability_gap(arrays)),
    }


THEORY_P = {"relu": "1 (rate 1/L)", "erf": "just below 1 (rate log L / L)"}


def numbers(arrays, cfg):
    """The numbers and phrases of the chapter's prose."""
    pts, fits = list(points()), point_fits(arrays)
    acc = arrays["accuracy"][:, -1]
    dev, last = empirical_deviation(arrays), empirical_deviation(arrays, -1)
    gdev, glast = (empirical_deviation(arrays, i, "emp_spread_gaussian") for i in (0, -1))
    closer = (last < glast).sum()
    return {
        "eoc-max-depth": int(arrays["depths"][-1]),
        "eoc-points": "; ".join(f"{act} {ph}: σ_W = {w:.3g}, σ_b = {b:.3g}, χ₁ = {c:.3g}"
                                for (act, ph), (w, b), c in zip(pts, arrays["points"], arrays["chi1"])),
        "eoc-ratios": ", ".join(f"{r:.2f}" for r in rate_ratio(arrays)[1]),
        "eoc-edge-power": ", ".join(f"p = {f['power']:.2f} for {f['activation']} (theory: {THEORY_P[f['activation']]})"
                                    for f in fits if f["phase"] == "edge"),
        "eoc-acc-edge": ", ".join(f"{acc[i]:.2f} ({act})" for i, (act, ph) in enumerate(pts) if ph == "edge"),
        "eoc-acc-other": ", ".join(f"{acc[i]:.2f} ({act} {ph})" for i, (act, ph) in enumerate(pts) if ph != "edge"),
        "eoc-acc-other-words": other_accuracy_words(acc, [ph for _, ph in pts]),
        "eoc-train-test": f"{cfg.n_train} training and {cfg.n_test} test digits",
        "eoc-emp-depth0": int(cfg.emp_depths[0]), "eoc-emp-depth1": int(cfg.emp_depths[-1]),
        "eoc-emp-dev": ", ".join(f"{d:.3f} ({ph})" for d, ph in zip(dev, PHASES)),
        "eoc-emp-dev-gauss": ", ".join(f"{d:.3f} ({ph})" for d, ph in zip(gdev, PHASES)),
        "eoc-emp-dev-deep": ", ".join(f"{d:.2g} ({ph})" for d, ph in zip(last, PHASES)),
        "eoc-emp-dev-deep-gauss": ", ".join(f"{d:.2g} ({ph})" for d, ph in zip(glast, PHASES)),
        "eoc-emp-compare": (f"the orthogonal networks stay closer to the analytic curve than Gaussian ones at "
                            f"{closer} of {len(PHASES)} points" if closer else
                            "the orthogonal networks stay no closer to the analytic curve than Gaussian ones"),
        "eoc-emp-setup": f"{cfg.emp_seeds} orthogonal and {cfg.emp_seeds} Gaussian erf networks of width "
                         f"{cfg.emp_width} on {cfg.emp_inputs} digits",
        **rate_numbers(arrays, cfg), "eoc-rate-differs": RATE_FIGURE.caption(cfg),
        **train_numbers(arrays, cfg),
    }


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
                         "K_∞ fitted on the Edge (the intercept of the chosen rate form) and taken at the largest "
                         "depth off it"))


def fig_rate(cfg, arrays):
    """max over pairs |K^L/α_L − K_∞| against depth (log-log) at the paper's points, with 1/L and log L/L guides."""
    fig, ax = plots.figure(width=4.4)
    dist = distance_to_limit(arrays, cfg)
    L = arrays["depths"].astype(float)
    styles = {"relu": "-", "elu": "--", "tanh": "-."}
    for i, (act, phase) in enumerate(paper_points()):
        keep = dist[i] > 1e-14
        ax.loglog(L[keep], dist[i][keep], styles[act], color=PHASE_COLOUR[phase], label=f"{act}, {phase}")
    edge = [i for i, (_, p) in enumerate(paper_points()) if p == "edge"]
    anchor = min(10, len(L)) - 1
    ref = dist[edge, anchor].max()
    ax.loglog(L, ref * L[anchor] / L, ":", color="grey", lw=1, label=r"$\propto 1/L$")
    g = np.log(L) / L
    ax.loglog(L[1:], ref * g[1:] / g[anchor], ":", color="olive", lw=1, label=r"$\propto \log L / L$")
    ax.set(xlabel="depth L", ylabel=r"$\max |K^L/\alpha_L - K_\infty|$", ylim=(1e-12, 2))
    fig.legend(loc="outside right center", fontsize=6)
    return fig


def fig_exact_rate(arrays):
    r""":math:`L\,(K^L/\alpha_L - K_\infty)` against depth (log axis) by the exact recursion, one panel per Edge-of-
    Chaos activation, the three pairs (smallest, median, largest cosine) as dotted, dashed and solid lines; the last
    two decades shaded, where :func:`slope_ratio` reads the slopes."""
    fig, axes = plots.figure(ncols=len(RATE_FORMS), width=2.5, height=2.4, squeeze=False)
    for ax, act in zip(axes[0], RATE_FORMS):
        L = arrays[f"exact_depths_{act}"].astype(float)
        y = L[:, None] * (arrays[f"exact_ratios_{act}"] - meanfield.EDGE_LIMIT[act])
        for j, ls in enumerate((":", "--", "-")):
            ax.plot(L, y[:, j], ls, color="k", lw=1, label=f"cos = {arrays[f'exact_rho_{act}'][j]:.2f}")
        ax.axvspan(L[-1] / 100, L[-1] / 10, color="0.93", lw=0)
        ax.axvspan(L[-1] / 10, L[-1], color="0.86", lw=0)
        ax.set(xscale="log", xlabel="depth L", title=f"{act} (paper: {RATE_FORMS[act]})")
        ax.title.set_fontsize(8)
        ax.tick_params(labelsize=7)
    axes[0, 0].set_ylabel(r"$L\,(K^L/\alpha_L - K_\infty)$")
    axes[0, 0].legend(fontsize=6)
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
        ax.axhline(0.1, color="grey", lw=0.8, ls=":")
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
    """The spread of Θ̂^L against depth, log-linear and log-log."""
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False)
    for i, (act, ph) in enumerate(points()):
        style = "-" if act == "erf" else "--"
        axes[0, 0].semilogy(arrays["depths"], arrays["spread"][i], style, color=PHASE_COLOUR[ph], label=f"{act}, {ph}")
        axes[0, 1].loglog(arrays["depths"], arrays["spread"][i], style, color=PHASE_COLOUR[ph])
    axes[0, 0].set(xlabel="depth L", ylabel=r"spread of $\hat\Theta^L$", ylim=(1e-14, 1))
    axes[0, 1].set(xlabel="depth L", ylim=(1e-3, 1))
    axes[0, 0].legend(fontsize=6)
    return fig


def fit_rows(arrays):
    """Rows of the fit table: φ, phase, fitted and theoretical γ, p, both R², depth range."""
    return [[f["activation"], f["phase"], f"{f['gamma']:.3f}", f"{f['theory']:.3f}", f"{f['power']:.2f}",
             f"{f['r2_exp']:.4f}", f"{f['r2_power']:.4f}", f"{f['depth_range'][0]}–{f['depth_range'][1]}"]
            for f in point_fits(arrays)]


def fig_accuracy(arrays):
    """Kernel-regression test accuracy against depth."""
    fig, ax = plots.figure()
    for i, (act, ph) in enumerate(points()):
        ax.semilogx(arrays["depths"], arrays["accuracy"][i], "-" if act == "erf" else "--", color=PHASE_COLOUR[ph],
                    label=f"{act}, {ph}")
    ax.axhline(0.1, color="grey", lw=0.8, ls=":")
    ax.set(xlabel="depth L", ylabel="test accuracy")
    ax.legend(fontsize=6)
    return fig


def fig_empirical(cfg, arrays):
    """Finite-width orthogonal (dots) and Gaussian (squares) spreads against the analytic values and curves."""
    fig, ax = plots.figure(width=4.4)
    for p, ph in enumerate(PHASES):
        c = PHASE_COLOUR[ph]
        ax.semilogy(arrays["depths"], arrays["spread"][p], color=c, lw=1, label=f"erf {ph}, analytic (all digits)")
        for key, marker, init in (("emp_spread", "o", "orthogonal"), ("emp_spread_gaussian", "s", "Gaussian")):
            ax.errorbar(cfg.emp_depths, arrays[key][p].mean(-1), yerr=arrays[key][p].std(-1), fmt=marker, color=c,
                        mfc="none" if init == "Gaussian" else c, capsize=2, label=f"erf {ph}, {init} n = {cfg.emp_width}")
        ax.plot(cfg.emp_depths, arrays["emp_analytic"][p], "x", color=c)
    ax.set(xlabel="depth L", ylabel=r"spread of $\hat\Theta^L$", xlim=(0, 2 * max(cfg.emp_depths)), ylim=(1e-10, 1))
    fig.legend(loc="outside right center", fontsize=6)
    return fig
