r"""The experiment of the transition to linearity: the chapter's knobs (:class:`Config`), its measurement points, the sweeps that save
them and :func:`compute`."""

import dataclasses
import functools

import jax
import numpy as np

from orthontk_lib import hessian, kernels, results, stats
from orthontk_lib.book.profiles import ChapterConfig, Cost
from orthontk_lib.book.prose import IMAGES
from orthontk_lib.data import DATASETS, DIMENSION, load
from orthontk_lib.models import ACTIVATIONS, FCN, canonical
from orthontk_lib.reproduction import PaperFigure

__all__ = ["Config", "FIGURE", "SLUG", "SWEEPS", "_DIGITS", "_NETWORK", "_by_estimate", "_hessian_inputs", "_layers",
           "_networks", "_norms", "_norms_cost", "_norms_program", "_per_network_fit", "_training_setup",
           "bound_ratio", "change_slopes", "compute", "data_words", "form_comparison", "hessian_limits",
           "hessian_memory", "hessian_minutes", "hessian_point", "hessian_slopes", "images_on_sphere",
           "learning_rate", "linearization_error", "linearization_slopes", "orthogonal_hessian_slope",
           "training_minutes", "training_point"]

SLUG = "linearity"


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the Hessian and training sweeps."""

    widths: tuple[int, ...] = dataclasses.field(default=(64,), metadata={"help": "hidden widths n", "min": 1})
    depth: int = dataclasses.field(default=2, metadata={"help": "hidden layers", "min": 1})
    activation: str = dataclasses.field(default="tanh", metadata={"help": "hidden phi", "choices": ACTIVATIONS})
    output: str = dataclasses.field(default="softplus", metadata={"help": "the non-linear psi", "choices": ACTIVATIONS})
    bottleneck: int = dataclasses.field(default=4, metadata={"help": "units of the narrow layer", "min": 1})
    n_seeds: int = dataclasses.field(default=3, metadata={"help": "networks per width and case", "min": 2})
    n_inputs: int = dataclasses.field(default=2, metadata={"help": "inputs at which H is measured", "min": 1})
    n_iter: int = dataclasses.field(default=30, metadata={
                                    "help": "most power-iteration steps (to hessian.TOLERANCE)", "min": 2})
    train_widths: tuple[int, ...] = dataclasses.field(default=(64,), metadata={"help": "training widths", "min": 1})
    train_steps: int = dataclasses.field(default=100, metadata={"help": "full-batch GD steps", "min": 10})
    dataset: str = dataclasses.field(default="digits", metadata={
                                     "help": "inputs of every network", "choices": DATASETS})
    n_train: int = dataclasses.field(default=32, metadata={"help": "images for training", "min": 2})
    seed: int = dataclasses.field(default=0, metadata={"help": "root seed", "min": 0})

    PROFILES = {
        "smoke": dict(widths=(16, 64), n_seeds=2, n_inputs=1, n_iter=5, train_widths=(16, 64), train_steps=20,
                      n_train=8),
        "quick": dict(widths=(64, 128, 256, 512, 1024), n_seeds=3, n_inputs=2, n_iter=200,
                      train_widths=(64, 256, 1024), train_steps=100, n_train=32),
        "paper": dict(widths=(64, 128, 256, 512, 1024, 2048, 4096, 8192), n_seeds=10, n_inputs=8, n_iter=100,
                      train_widths=(64, 256, 1024, 4096), train_steps=2000, n_train=128),
    }
    COST = {"paper": Cost("GPU", 20, "estimate: Hessian power iterations at widths to 8192, three cases")}

    @property
    def cases(self):
        """The three networks compared: ``("linear", output, "bottleneck")``."""
        return ("linear", self.output, "bottleneck")

    def spec(self, width, case, init="gaussian"):
        """The network of one case: ``depth`` hidden layers with the ψ output, or, for ``"bottleneck"``, a linear
        output and ``depth + 1`` hidden layers whose middle one has ``bottleneck`` units."""
        if case == "bottleneck":
            return FCN(self.depth + 1, width, self.activation, 1.5, 0.1, init, out_dim=1, bottleneck=self.bottleneck)
        return FCN(self.depth, width, self.activation, 1.5, 0.1, init, output_activation=case, out_dim=1)


FIGURE = PaperFigure(
    "Liu, Zhu, Belkin (2020), Sec. 4–5: the Hessian norm and the tangent kernel's change against width for a linear "
    "output, a non-linear output and a bottleneck", settings={},
    always=(lambda cfg: (lambda net: f"the paper gives no code or settings; the book chose {net.activation}, σ_W "
                                     f"{net.W_std:g}, σ_b {net.b_std:g}, the data, the bottleneck's place and the "
                                     "widths")(cfg.spec(1, "linear")),))


def data_words(cfg):
    """The prose's name for the chapter's images: "digit images" or "CIFAR-10 images"."""
    return "digit images" if cfg.dataset == "digits" else IMAGES[cfg.dataset]


def images_on_sphere(cfg, n):
    """``n`` images of ``dataset`` scaled to norm sqrt(d), and scalar targets label / 9 + 1/2 in [0.5, 1.5].

    The targets are positive so that an output activation with range (0, inf), like softplus, can fit them.
    """
    d = load(cfg.dataset, n_train=n, n_test=1, seed=cfg.seed, sphere=True)
    x = d.x_train
    y = d.y_train.argmax(1)[:, None] / 9.0 + 0.5
    return d._replace(x_train=x, y_train=y, x_test=x[:1], y_test=y[:1])


def _norms(spec, cfg, variables, xs, keys):
    """(||H||_2, ||∇f||, power-iteration steps) of every network (leading axis of ``variables``) at every input:
    three (S, I) arrays. ||H||_2 by :func:`~orthontk_lib.hessian.hessian_norm` to its tolerance
    (:data:`~orthontk_lib.hessian.TOLERANCE`), at most ``n_iter`` steps."""
    return tuple(np.asarray(a) for a in _norms_program(canonical(spec), cfg.n_iter)(variables, xs, keys))


@functools.lru_cache(maxsize=16)
def _norms_program(spec, n_iter, tol=hessian.TOLERANCE):
    """One compiled program per network function (``canonical`` spec), step cap and tolerance, reused across calls."""
    def at(v, xi, ki):
        h, steps = hessian.hessian_norm(spec, v, xi, ki, n_iter, tol, with_iterations=True)
        return h, hessian.gradient_norm(spec, v, xi), steps

    one = lambda v, xs, k: jax.vmap(lambda xi, ki: at(v, xi, ki))(xs, k)
    return jax.jit(jax.vmap(one, in_axes=(0, None, 0)))


def _networks(spec, cfg, width, salt, x):
    """``n_seeds`` independent draws of ``spec``'s variables (leading axis S); the same keys for every case."""
    seeds = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed + salt), width), cfg.n_seeds)
    return jax.vmap(lambda k: spec.initialize(k, x[:1]))(seeds)


def hessian_point(cfg, x, width):
    """||H||_2, ||∇f|| and the power-iteration steps ||H||_2 took (``iterations``) per (case, seed, input): arrays
    (3, S, I). The same for an orthogonal network with a linear output: ``hessian_orth``, ``gradient_orth``,
    ``iterations_orth`` (S, I).

    The linear and ψ outputs differ only in ψ, which has no parameters: they are measured on the same networks.
    """
    keys = jax.random.split(jax.random.key(cfg.seed + 1), cfg.n_seeds * cfg.n_inputs).reshape(cfg.n_seeds, cfg.n_inputs)
    xs = jax.numpy.asarray(x[: cfg.n_inputs])
    out = {}
    for case in cfg.cases:
        spec = cfg.spec(width, case)
        out[case] = _norms(spec, cfg, _networks(cfg.spec(width, "linear") if case != "bottleneck" else spec,
                                                cfg, width, 0, xs), xs, keys)
    orth = cfg.spec(width, "linear", "orthogonal")
    h_orth, g_orth, n_orth = _norms(orth, cfg, _networks(orth, cfg, width, 0, xs), xs, keys)
    return {"hessian": np.stack([out[c][0] for c in cfg.cases]), "gradient": np.stack([out[c][1] for c in cfg.cases]),
            "iterations": np.stack([out[c][2] for c in cfg.cases]),
            "hessian_orth": h_orth, "gradient_orth": g_orth, "iterations_orth": n_orth}


def learning_rate(cfg, data, case, width=None):
    r"""Half the GD stability limit of the case's network of ``width`` (default: the narrowest training width):
    :math:`N / \lambda_{\max}(\hat\Theta)`."""
    spec = cfg.spec(width or cfg.train_widths[0], case)
    theta = np.asarray(kernels.empirical_ntk(spec, spec.initialize(jax.random.key(cfg.seed), data.x_train[:1]),
                                             data.x_train))
    return float(len(theta) / np.linalg.eigvalsh(theta).max())


def training_point(cfg, data, etas, width):
    r"""Full-batch GD of every case at one width: per (case, seed, record) the relative NTK change
    :math:`\lVert\Theta_t - \Theta_0\rVert_F/\lVert\Theta_0\rVert_F`, the training loss, the distance travelled
    :math:`R_t`, and at the first ``n_inputs`` training inputs (last axis) the linearization error
    :math:`|f(\theta_t; x) - f_{\rm lin}(\theta_t; x)|` and the Hessian norm at initialization (case, seed, input)
    with its power-iteration steps (``iterations0``).
    """
    from orthontk_lib import train

    every = max(1, cfg.train_steps // 20)
    config = train.TrainConfig(steps=cfg.train_steps - cfg.train_steps % every, record_every=every, loss="mse")
    xs = jax.numpy.asarray(data.x_train[: cfg.n_inputs])
    hkeys = jax.random.split(jax.random.key(cfg.seed + 3), cfg.n_seeds * cfg.n_inputs).reshape(cfg.n_seeds, -1)
    out = {k: [] for k in ("change", "loss", "distance", "lin_error", "hessian0", "iterations0")}
    for case, eta in zip(cfg.cases, etas):
        spec = cfg.spec(width, case)
        variables = _networks(spec, cfg, width, 2, data.x_train)
        keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed + 2), width), cfg.n_seeds)
        h = train.fit_grid(spec, config, keys, np.full(cfg.n_seeds, eta), data, ntk_probe=data.x_train,
                           params=variables["params"], linearize=True)
        ntk = h["ntk"]  # (S, R, N, N)
        out["change"].append(np.linalg.norm(ntk - ntk[:, :1], axis=(2, 3)) / np.linalg.norm(ntk[:, :1], axis=(2, 3)))
        out["loss"].append(h["train_loss"])
        out["distance"].append(h["distance"])
        out["lin_error"].append(np.abs(h["probe_output"] - h["probe_linear"])[:, :, : cfg.n_inputs, 0])
        h0, _, steps0 = _norms(spec, cfg, variables, xs, hkeys)
        out["hessian0"].append(h0)
        out["iterations0"].append(steps0)
    return {**{k: np.stack(v) for k, v in out.items()}, "record_steps": h["record_steps"]}


@functools.lru_cache(maxsize=2)
def _hessian_inputs(cfg):
    """The inputs at which the Hessian is measured, of a sweep's view."""
    return images_on_sphere(cfg, max(cfg.n_inputs, 2)).x_train


@functools.lru_cache(maxsize=2)
def _training_setup(cfg):
    """The training set and each case's learning rate (set at ``lr_width``, the narrowest width) of a sweep's view."""
    data = images_on_sphere(cfg, max(cfg.n_train, cfg.n_inputs))
    return data, [learning_rate(cfg, data, case, cfg.lr_width) for case in cfg.cases]


def _norms_cost(cfg, layers, networks=1):
    """(FLOPs, bytes) of :func:`_norms` of ``networks`` x ``n_seeds`` networks of ``layers`` at ``n_inputs`` inputs:
    at most ``n_iter + 1`` Hessian-vector products (:data:`~orthontk_lib.book.cost.HVP_FLOPS`, bound by their memory
    traffic, :data:`~orthontk_lib.book.cost.HVP_BYTES`) and one gradient (6 per multiply-add) per network and input."""
    from orthontk_lib.book import cost

    weights = sum(a * b for a, b in layers)
    products = networks * cfg.n_seeds * cfg.n_inputs
    return (products * ((cfg.n_iter + 1) * cost.HVP_FLOPS + 6.0) * weights,
            products * (cfg.n_iter + 1) * cost.HVP_BYTES * weights)


def _by_estimate(minutes, memory=None):
    from orthontk_lib.book import cost

    return cost.by_estimate(minutes, memory)


def _layers(cfg, width, case):
    from orthontk_lib.book import cost

    return cost.dense_layers(DIMENSION[cfg.dataset], cfg.spec(width, case).widths, 1)


def hessian_minutes(cfg, p, device):
    """Minutes of one :func:`hessian_point`: the norms of the three cases and of the orthogonal network
    (:func:`_norms_cost`; the bottleneck's network is a few multiply-adds per width unit) and their draws (normal
    draws; a QR of each orthogonal layer). Counted: matrix products, draws and factorizations; not counted: the
    eager dispatch of the draws. Bound by memory traffic at every width (a batch of one input per product)."""
    from orthontk_lib.book import cost

    wide, narrow = _layers(cfg, p["width"], "linear"), _layers(cfg, p["width"], "bottleneck")
    flops, nbytes = (sum(c) for c in zip(_norms_cost(cfg, wide, 3), _norms_cost(cfg, narrow)))
    flops += (cost.init_flops(wide, "gaussian", 2 * cfg.n_seeds) + cost.init_flops(narrow, "gaussian", cfg.n_seeds)
              + cost.init_flops(wide, "orthogonal", cfg.n_seeds))
    return cost.estimated_minutes(flops, device, nbytes, programs=3)  # linear, psi, bottleneck (orth shares one)


def hessian_memory(cfg, p):
    """Bytes :func:`hessian_point` holds at once: about four float32 parameter trees per (seed, input)."""
    return 4 * 4.0 * cfg.n_seeds * cfg.n_inputs * sum(a * b for a, b in _layers(cfg, p["width"], "linear"))


def training_minutes(cfg, p, device):
    """Minutes of one :func:`training_point`, per case: full-batch GD of ``n_seeds`` networks
    (:func:`orthontk_lib.book.cost.training_flops`) with, at each of its records, the evaluation, the empirical NTK of
    the training set (:func:`orthontk_lib.book.cost.ntk_flops`) and the linearization's JVP (4 per multiply-add and
    input); the networks' draws; the Hessian norms at initialization (:func:`_norms_cost`). Not counted: the
    learning rates' NTK at the narrowest width (once per sweep) and elementwise work."""
    from orthontk_lib.book import cost

    n = max(cfg.n_train, cfg.n_inputs)
    every = max(1, cfg.train_steps // 20)
    steps = cfg.train_steps - cfg.train_steps % every
    records = steps // every + 1
    flops = nbytes = 0.0
    for case in cfg.cases:
        layers = _layers(cfg, p["width"], case)
        weights = sum(a * b for a, b in layers)
        hess_flops, hess_bytes = _norms_cost(cfg, layers)
        flops += (cost.training_flops(weights, n, steps, cfg.n_seeds, records, n + 1) + hess_flops
                  + cfg.n_seeds * records * (cost.ntk_flops(layers, n) + 4.0 * n * weights)
                  + cost.init_flops(layers, "gaussian", cfg.n_seeds))
        nbytes += hess_bytes
    return cost.estimated_minutes(flops, device, nbytes, steps=3 * steps, programs=6)  # GD and norms, per case


_NETWORK = ("dataset", "depth", "activation", "output", "bottleneck", "n_seeds", "n_inputs", "n_iter", "seed")
_DIGITS = {"dataset": "digits"}
"""Every point saved before the data set was a knob ran on digits."""
SWEEPS = {
    "hessian": results.Sweep(
        SLUG, "hessian", knobs=_NETWORK, over=("widths",), since=_DIGITS, points=lambda cfg: [{"width": w} for w in cfg.widths],
        run=lambda cfg, p: hessian_point(cfg, _hessian_inputs(cfg), p["width"]), minutes=hessian_minutes,
        device=lambda cfg, p: _by_estimate(hessian_minutes, hessian_memory)(cfg, p), desc="Hessian norm by width"),
    "training": results.Sweep(
        SLUG, "training", knobs=_NETWORK + ("train_steps", "n_train"), over=("train_widths",), since=_DIGITS,
        points=lambda cfg: [{"width": w} for w in cfg.train_widths],
        derived=lambda cfg: {"lr_width": cfg.train_widths[0]},
        run=lambda cfg, p: training_point(cfg, *_training_setup(cfg), p["width"]), minutes=training_minutes,
        device=lambda cfg, p: _by_estimate(training_minutes)(cfg, p), desc="GD with NTK by width"),
}
"""The chapter's sweeps, one point per width; the training sweep's learning rates come from its narrowest network
(``lr_width``, a derived value in every key)."""


def compute(cfg):
    """Both sweeps, every point saved as it finishes."""
    hess = SWEEPS["hessian"].results(cfg)
    runs = SWEEPS["training"].results(cfg)
    _, etas = _training_setup(SWEEPS["training"].run_view(cfg))
    stack = lambda key: np.stack([p.arrays[key] for p in runs], axis=1)  # (case, width, seed, ...)
    # points saved before the tolerance (the committed paper run) ran exactly n_iter steps and hold no count
    steps = lambda p, key, like: p.arrays[key] if key in p.arrays else np.full(p.arrays[like].shape, cfg.n_iter)
    return {
        "widths": np.asarray(cfg.widths),
        "hessian": np.stack([p.arrays["hessian"] for p in hess], axis=1),  # (case, width, seed, input)
        "gradient": np.stack([p.arrays["gradient"] for p in hess], axis=1),
        "iterations": np.stack([steps(p, "iterations", "hessian") for p in hess], axis=1),
        "hessian_orth": np.stack([p.arrays["hessian_orth"] for p in hess]),  # (width, seed, input)
        "iterations_orth": np.stack([steps(p, "iterations_orth", "hessian_orth") for p in hess]),
        "gradient_orth": np.stack([p.arrays["gradient_orth"] for p in hess]),
        "train_widths": np.asarray(cfg.train_widths),
        "change": stack("change"),  # (case, width, seed, record)
        "train_loss": stack("loss"),
        "distance": stack("distance"),  # (case, width, seed, record)
        "lin_error": stack("lin_error"),  # (case, width, seed, record, input)
        "hessian0": stack("hessian0"),  # (case, width, seed, input)
        "iterations0": np.stack([steps(p, "iterations0", "hessian0") for p in runs], axis=1),
        "record_steps": runs[0].arrays["record_steps"],
        "eta": np.asarray(etas),
    }


def hessian_slopes(arrays):
    """Per case: (slope, 95% CI, intercept) of log ||H|| (mean over seeds and inputs) against log width."""
    return [stats.loglog_fit(arrays["widths"], h.mean((-1, -2))) for h in arrays["hessian"]]


def orthogonal_hessian_slope(arrays):
    """(slope, 95% CI, intercept) of log ||H|| of the orthogonal linear-output network against log width."""
    return stats.loglog_fit(arrays["widths"], arrays["hessian_orth"].mean((-1, -2)))


def hessian_limits(arrays, key="hessian"):
    r"""Per case: (share, 95% CI, detail) of the Hessian norm's limit at infinite width (Liu, Zhu, Belkin 2020, Sec. 4-5).

    Fits :math:`\lVert H \rVert_2 = c + a\, n^{-1/2}` over every network (its norm averaged over the inputs) with
    :func:`~orthontk_lib.stats.limit_fit`, and reports the limit :math:`c` as a share of the mean norm at the widest
    network: about 0 for a norm that vanishes as :math:`n^{-1/2}`, about 1 for a :math:`\Theta(1)` norm. ``detail``
    holds the limit and the widest mean. ``key``: ``"hessian"`` (case, width, seed, input) or ``"hessian_orth"``.
    """
    widths, hs = arrays["widths"], arrays[key]
    out = []
    for h in (hs if key == "hessian" else hs[None]):
        per_net = h.mean(-1)  # (width, seed)
        c, (lo, hi), _ = stats.limit_fit(np.repeat(widths, per_net.shape[-1]), per_net.reshape(-1), -0.5)
        top = float(per_net[-1].mean())
        out.append((c / top, (lo / top, hi / top), {"limit": c, "widest": top}))
    return out


def form_comparison(arrays, case):
    r"""How much the Hessian limit's reading rests on its form: residual sums of squares (in the norm itself, every
    network a point) of :math:`c + a\,n^{-1/2}` and of a power law :math:`b\,n^{s}`, which vanishes for any
    :math:`s < 0`, fitted to case ``case``: ``(rss of the limit form, rss of the power law, s, s's 95% interval)``."""
    h = arrays["hessian"][case].mean(-1)  # (width, seed)
    return stats.limit_or_power(np.repeat(np.asarray(arrays["widths"], float), h.shape[-1]), h.reshape(-1), -0.5)


def _per_network_fit(widths, values):
    """Log-log fit of (width, seed) values against width, every network a point: more points than widths."""
    return stats.loglog_fit(np.repeat(widths, values.shape[-1]), values.reshape(-1))


def change_slopes(arrays):
    """Per case: (slope, 95% CI, intercept) of the final relative NTK change against width, every network a point."""
    return [_per_network_fit(arrays["train_widths"], c[:, :, -1]) for c in arrays["change"]]


def linearization_error(arrays):
    """Per (case, width, seed): the largest |f − f_lin| over training and over the measured inputs."""
    return arrays["lin_error"].max((-1, -2))


def linearization_slopes(arrays):
    """Per case: (slope, 95% CI, intercept) of the largest linearization error against width, every network a point."""
    return [_per_network_fit(arrays["train_widths"], e) for e in linearization_error(arrays)]


def bound_ratio(arrays):
    r"""Per (case, width, seed): the largest ratio of the error to :math:`\tfrac12 \lVert H(\theta_0)\rVert R_t^2`
    over records (after step 0) and inputs; above 1 where the Hessian grew along the path beyond its initial norm."""
    bound = 0.5 * arrays["hessian0"][:, :, :, None, :] * arrays["distance"][..., None] ** 2
    return (arrays["lin_error"][:, :, :, 1:] / bound[:, :, :, 1:]).max((-1, -2))
