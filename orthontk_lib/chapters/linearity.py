r"""Chapter "Transition to linearity and its failure" (Liu, Zhu, Belkin 2020).

Three networks against width, the paper's three cases: a linear readout
:math:`f = \tilde f`; a non-linear output :math:`f = \psi(\tilde f)`; and a
**bottleneck**, one hidden layer of fixed width inside an otherwise wide network. The
Hessians of the first two with respect to the parameters are

.. math::

   H_f = H_{\tilde f}, \qquad
   H_{\psi(\tilde f)} = \psi'(\tilde f)\, H_{\tilde f} + \psi''(\tilde f)\, \nabla\tilde f\, \nabla\tilde f^{\top},

and since :math:`\lVert H_{\tilde f} \rVert = \tilde O(1/\sqrt{n})` while
:math:`\lVert \nabla \tilde f \rVert = \Theta(1)`, the second network's Hessian
keeps a rank-one part of order one at every width; the bottleneck's Hessian block
of the weights next to the narrow layer does not shrink either. Measured: the
spectral norm (power iteration on Hessian-vector products) and the gradient norm
at initialization against width; over full-batch gradient descent, the relative
change of the NTK and the linearization error :math:`|f(\theta_t) - f_{\rm lin}(\theta_t)|`
beside the bound :math:`\tfrac12 \lVert H \rVert R_t^2`,
:math:`R_t = \lVert \theta_t - \theta_0 \rVert`, drawn from the measured norm at
initialization.
"""

import dataclasses
import functools

import jax
import numpy as np

from orthontk_lib import hessian, kernels, plots, results, stats
from orthontk_lib.book.profiles import ChapterConfig, Cost
from orthontk_lib.claims import FAILS, HOLDS, INCONCLUSIVE, AtLeast, AtMost, Claim, Measurement, Within, by_verdict
from orthontk_lib.references import cite
from orthontk_lib.data import load
from orthontk_lib.models import ACTIVATIONS, FCN, canonical
from orthontk_lib.reproduction import PaperFigure

SLUG = "linearity"


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the Hessian and training sweeps."""

    widths: tuple[int, ...] = dataclasses.field(default=(64,), metadata={"min": 1})  # hidden widths n
    depth: int = dataclasses.field(default=2, metadata={"min": 1})  # hidden layers
    activation: str = dataclasses.field(default="tanh", metadata={"choices": ACTIVATIONS})  # hidden phi
    output: str = dataclasses.field(default="softplus", metadata={"choices": ACTIVATIONS})  # the non-linear psi
    bottleneck: int = dataclasses.field(default=4, metadata={"min": 1})  # units of the narrow layer
    n_seeds: int = dataclasses.field(default=3, metadata={"min": 2})  # networks per width and case
    n_inputs: int = dataclasses.field(default=2, metadata={"min": 1})  # inputs at which H is measured
    n_iter: int = dataclasses.field(default=30, metadata={"min": 2})  # power-iteration steps
    train_widths: tuple[int, ...] = dataclasses.field(default=(64,), metadata={"min": 1})  # training widths
    train_steps: int = dataclasses.field(default=100, metadata={"min": 10})  # full-batch GD steps
    n_train: int = dataclasses.field(default=32, metadata={"min": 2})  # digits images for training
    seed: int = dataclasses.field(default=0, metadata={"min": 0})  # root seed

    PROFILES = {
        "smoke": dict(widths=(16, 64), n_seeds=2, n_inputs=1, n_iter=5, train_widths=(16, 64), train_steps=20,
                      n_train=8),
        "quick": dict(widths=(64, 128, 256, 512, 1024), n_seeds=3, n_inputs=2, n_iter=20,
                      train_widths=(64, 256, 1024), train_steps=100, n_train=32),
        "paper": dict(widths=(64, 128, 256, 512, 1024, 2048, 4096, 8192), n_seeds=10, n_inputs=8, n_iter=100,
                      train_widths=(64, 256, 1024, 4096), train_steps=2000, n_train=128),
    }
    COST = {"paper": Cost("GPU", 20, "estimate: Hessian power iterations at widths to 8192, three cases")}

    @property
    def seeds(self):
        return list(range(self.seed, self.seed + self.n_seeds))

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
    always=("the paper publishes neither experiment code nor the settings of its figures; the architecture (tanh, "
            "NTK parameterization, σ_W 1.5, σ_b 0.1), the data (digit images on a sphere), the bottleneck's place "
            "(the middle one of three hidden layers) and the widths are this book's",))


def digits_on_sphere(cfg, n):
    """``n`` digit images scaled to norm sqrt(64), and scalar targets label / 9 + 1/2 in [0.5, 1.5].

    The targets are positive so that an output activation with range (0, inf), like softplus, can fit them.
    """
    d = load("digits", n_train=n, n_test=1, seed=cfg.seed)
    x = d.x_train * 8.0 / np.linalg.norm(d.x_train, axis=1, keepdims=True)
    y = d.y_train.argmax(1)[:, None] / 9.0 + 0.5
    return d._replace(x_train=x, y_train=y, x_test=x[:1], y_test=y[:1])


def _norms(spec, cfg, variables, xs, keys):
    """(||H||_2, ||∇f||) of every network (leading axis of ``variables``) at every input: two (S, I) arrays."""
    return tuple(np.asarray(a) for a in _norms_program(canonical(spec), cfg.n_iter)(variables, xs, keys))


@functools.lru_cache(maxsize=16)
def _norms_program(spec, n_iter):
    """One compiled program per network function (``canonical`` spec) and iteration count, reused across calls."""
    one = lambda v, xs, k: jax.vmap(lambda xi, ki: (hessian.hessian_norm(spec, v, xi, ki, n_iter),
                                                    hessian.gradient_norm(spec, v, xi)))(xs, k)
    return jax.jit(jax.vmap(one, in_axes=(0, None, 0)))


def _networks(spec, cfg, width, salt, x):
    """``n_seeds`` independent draws of ``spec``'s variables (leading axis S); the same keys for every case."""
    seeds = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed + salt), width), cfg.n_seeds)
    return jax.vmap(lambda k: spec.initialize(k, x[:1]))(seeds)


def hessian_point(cfg, x, width):
    """||H||_2 and ||∇f|| per (case, seed, input): arrays (3, S, I). The same for an orthogonal network with a
    linear output: ``hessian_orth``, ``gradient_orth`` (S, I).

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
    h_orth, g_orth = _norms(orth, cfg, _networks(orth, cfg, width, 0, xs), xs, keys)
    return {"hessian": np.stack([out[c][0] for c in cfg.cases]), "gradient": np.stack([out[c][1] for c in cfg.cases]),
            "hessian_orth": h_orth, "gradient_orth": g_orth}


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
    :math:`|f(\theta_t; x) - f_{\rm lin}(\theta_t; x)|` and the Hessian norm at initialization (case, seed, input).
    """
    from orthontk_lib import train

    every = max(1, cfg.train_steps // 20)
    config = train.TrainConfig(steps=cfg.train_steps - cfg.train_steps % every, record_every=every, loss="mse")
    xs = jax.numpy.asarray(data.x_train[: cfg.n_inputs])
    hkeys = jax.random.split(jax.random.key(cfg.seed + 3), cfg.n_seeds * cfg.n_inputs).reshape(cfg.n_seeds, -1)
    out = {k: [] for k in ("change", "loss", "distance", "lin_error", "hessian0")}
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
        out["hessian0"].append(_norms(spec, cfg, variables, xs, hkeys)[0])
    return {**{k: np.stack(v) for k, v in out.items()}, "record_steps": h["record_steps"]}


@functools.lru_cache(maxsize=2)
def _hessian_inputs(cfg):
    """The inputs at which the Hessian is measured, of a sweep's view."""
    return digits_on_sphere(cfg, max(cfg.n_inputs, 2)).x_train


@functools.lru_cache(maxsize=2)
def _training_setup(cfg):
    """The training set and each case's learning rate (set at ``lr_width``, the narrowest width) of a sweep's view."""
    data = digits_on_sphere(cfg, max(cfg.n_train, cfg.n_inputs))
    return data, [learning_rate(cfg, data, case, cfg.lr_width) for case in cfg.cases]


def _norms_cost(cfg, layers, networks=1):
    """(FLOPs, bytes) of :func:`_norms` of ``networks`` x ``n_seeds`` networks of ``layers`` at ``n_inputs`` inputs:
    ``n_iter + 1`` Hessian-vector products (:data:`~orthontk_lib.train.HVP_FLOPS`, bound by their memory traffic,
    :data:`~orthontk_lib.train.HVP_BYTES`) and one gradient (6 per multiply-add) per network and input."""
    from orthontk_lib import train

    weights = sum(a * b for a, b in layers)
    products = networks * cfg.n_seeds * cfg.n_inputs
    return (products * ((cfg.n_iter + 1) * train.HVP_FLOPS + 6.0) * weights,
            products * (cfg.n_iter + 1) * train.HVP_BYTES * weights)


def _by_estimate(minutes, memory=None):
    from orthontk_lib import train

    return train.by_estimate(minutes, memory)


def _layers(cfg, width, case):
    from orthontk_lib import train

    return train.dense_layers(64, cfg.spec(width, case).widths, 1)  # digits: 64 features


def hessian_minutes(cfg, p, device):
    """Minutes of one :func:`hessian_point`: the norms of the three cases and of the orthogonal network
    (:func:`_norms_cost`; the bottleneck's network is a few multiply-adds per width unit) and their draws (normal
    draws; a QR of each orthogonal layer). Counted: matrix products, draws and factorizations; not counted: the
    eager dispatch of the draws. Bound by memory traffic at every width (a batch of one input per product)."""
    from orthontk_lib import train

    wide, narrow = _layers(cfg, p["width"], "linear"), _layers(cfg, p["width"], "bottleneck")
    flops, nbytes = (sum(c) for c in zip(_norms_cost(cfg, wide, 3), _norms_cost(cfg, narrow)))
    flops += (train.init_flops(wide, "gaussian", 2 * cfg.n_seeds) + train.init_flops(narrow, "gaussian", cfg.n_seeds)
              + train.init_flops(wide, "orthogonal", cfg.n_seeds))
    return train.estimated_minutes(flops, device, nbytes, programs=3)  # linear, psi, bottleneck (orth shares one)


def hessian_memory(cfg, p):
    """Bytes :func:`hessian_point` holds at once: about four float32 parameter trees per (seed, input)."""
    return 4 * 4.0 * cfg.n_seeds * cfg.n_inputs * sum(a * b for a, b in _layers(cfg, p["width"], "linear"))


def training_minutes(cfg, p, device):
    """Minutes of one :func:`training_point`, per case: full-batch GD of ``n_seeds`` networks
    (:func:`orthontk_lib.train.training_flops`) with, at each of its records, the evaluation, the empirical NTK of
    the training set (:func:`orthontk_lib.train.ntk_flops`) and the linearization's JVP (4 per multiply-add and
    input); the networks' draws; the Hessian norms at initialization (:func:`_norms_cost`). Not counted: the
    learning rates' NTK at the narrowest width (once per sweep) and elementwise work."""
    from orthontk_lib import train

    n = max(cfg.n_train, cfg.n_inputs)
    every = max(1, cfg.train_steps // 20)
    steps = cfg.train_steps - cfg.train_steps % every
    records = steps // every + 1
    flops = nbytes = 0.0
    for case in cfg.cases:
        layers = _layers(cfg, p["width"], case)
        weights = sum(a * b for a, b in layers)
        hess_flops, hess_bytes = _norms_cost(cfg, layers)
        flops += (train.training_flops(weights, n, steps, cfg.n_seeds, records, n + 1) + hess_flops
                  + cfg.n_seeds * records * (train.ntk_flops(layers, n) + 4.0 * n * weights)
                  + train.init_flops(layers, "gaussian", cfg.n_seeds))
        nbytes += hess_bytes
    return train.estimated_minutes(flops, device, nbytes, steps=3 * steps, programs=6)  # GD and norms, per case


_NETWORK = ("depth", "activation", "output", "bottleneck", "n_seeds", "n_inputs", "n_iter", "seed")
SWEEPS = {
    "hessian": results.Sweep(
        SLUG, "hessian", knobs=_NETWORK, over=("widths",), points=lambda cfg: [{"width": w} for w in cfg.widths],
        run=lambda cfg, p: hessian_point(cfg, _hessian_inputs(cfg), p["width"]), minutes=hessian_minutes,
        device=lambda cfg, p: _by_estimate(hessian_minutes, hessian_memory)(cfg, p), desc="Hessian norm by width"),
    "training": results.Sweep(
        SLUG, "training", knobs=_NETWORK + ("train_steps", "n_train"), over=("train_widths",),
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
    return {
        "widths": np.asarray(cfg.widths),
        "hessian": np.stack([p.arrays["hessian"] for p in hess], axis=1),  # (case, width, seed, input)
        "gradient": np.stack([p.arrays["gradient"] for p in hess], axis=1),
        "hessian_orth": np.stack([p.arrays["hessian_orth"] for p in hess]),  # (width, seed, input)
        "gradient_orth": np.stack([p.arrays["gradient_orth"] for p in hess]),
        "train_widths": np.asarray(cfg.train_widths),
        "change": stack("change"),  # (case, width, seed, record)
        "train_loss": stack("loss"),
        "distance": stack("distance"),  # (case, width, seed, record)
        "lin_error": stack("lin_error"),  # (case, width, seed, record, input)
        "hessian0": stack("hessian0"),  # (case, width, seed, input)
        "record_steps": runs[0].arrays["record_steps"],
        "eta": np.asarray(etas),
    }


def hessian_slopes(arrays):
    """Per case: (slope, 95% CI, intercept) of log ||H|| (mean over seeds and inputs) against log width."""
    return [stats.loglog_fit(arrays["widths"], h.mean((-1, -2))) for h in arrays["hessian"]]


def orthogonal_hessian_slope(arrays):
    """(slope, 95% CI, intercept) of log ||H|| of the orthogonal linear-output network against log width."""
    return stats.loglog_fit(arrays["widths"], arrays["hessian_orth"].mean((-1, -2)))


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


# CLAIMS

LZB = cite("liu2020linearity")
NO_DECAY = ("no decay: the theory's Θ(1) part does not shrink; a slope of −0.15 or more over these widths is "
            "what a non-vanishing quantity with seed noise gives")
CLAIMS = [
    Claim("linearity-hessian-slope", f"{LZB}, Thm. 3.2",
          "The Hessian spectral norm of a network with a linear output scales as Õ(1/√width).",
          "log-log slope of ||H||_2 (mean over seeds and inputs) against width (95% t-interval)",
          Within(-0.5, 0.15),
          why="Õ allows a factor (log n)^k, which raises a slope fitted over these widths by about k/log n, "
              "0.1 to 0.15 for k = 1; seed noise adds a few hundredths",
          decide="more widths, or wider networks (the paper profile)"),
    Claim("linearity-hessian-slope-orthogonal", f"{LZB}, Thm. 3.2, with orthogonal weights (this book)",
          "With orthogonal weights too, the Hessian spectral norm of a network with a linear output scales as "
          "Õ(1/√width).",
          "log-log slope of ||H||_2 of the orthogonal network (mean over seeds and inputs) against width (95% "
          "t-interval)", Within(-0.5, 0.15),
          why="as for Gaussian weights: Õ's log factor and seed noise", decide="more widths or seeds"),
    Claim("linearity-nonlinear-output", f"{LZB}, Sec. 4",
          "With a non-linear output layer the Hessian norm does not vanish with width.",
          "log-log slope of ||H||_2 against width (95% t-interval)", Within(0.0, 0.15),
          why="the rank-one term ψ''·∇f̃∇f̃ᵀ is Θ(1): slope 0, with the linear-output allowance",
          decide="more widths"),
    Claim("linearity-bottleneck-hessian", f"{LZB}, Sec. 5",
          "With a bottleneck (one hidden layer of fixed width) the Hessian norm does not vanish with width.",
          "log-log slope of ||H||_2 against width (95% t-interval)", Within(0.0, 0.15),
          why="the Hessian block of the weights next to the narrow layer is Θ(1): slope 0, with the linear-output "
              "allowance", decide="more widths"),
    Claim("linearity-kernel-change-nonlinear", f"{LZB}, Sec. 4",
          "With a non-linear output layer the NTK changes by O(1) during training, even for a wide network.",
          "||Θ_T − Θ_0||_F/||Θ_0||_F after GD, largest width trained (seed mean, 95% t-interval)",
          AtLeast(0.2), why="order one; the linear-output network of the same width moves by a few percent",
          decide="more seeds"),
    Claim("linearity-kernel-change-slope", f"{LZB}, Thm. 3.2 and Sec. 3",
          "With a linear output the NTK's change over training is Õ(1/√width): it shrinks at least as fast as "
          "width^(−1/2).",
          "log-log slope of ||Θ_T − Θ_0||_F/||Θ_0||_F against width, every network a point (95% t-interval)",
          AtMost(-0.35), why="the theorem bounds the change from above; Õ's log factor raises a fitted slope by up to "
          "0.15", decide="more training widths or seeds"),
    *(Claim(f"linearity-kernel-change-slope-{case}", f"{LZB}, Sec. {section}",
            f"With a {name} the NTK's change over training does not decay with width.",
            "log-log slope of ||Θ_T − Θ_0||_F/||Θ_0||_F against width, every network a point (95% t-interval)",
            AtLeast(-0.15), why=NO_DECAY, decide="more training widths or seeds")
      for case, name, section in (("nonlinear", "non-linear output", 4), ("bottleneck", "bottleneck", 5))),
    Claim("linearity-linearization-slope", f"{LZB}, Sec. 3 (|f − f_lin| ≤ ½ sup‖H‖ R²)",
          "With a linear output the network stays within Õ(1/√width) of its linearization along training: the "
          "distance shrinks at least as fast as width^(−1/2).",
          "log-log slope of max_t |f(θ_t) − f_lin(θ_t)| against width, every network a point (95% t-interval)",
          AtMost(-0.35), why="R stays O(1) and ||H|| is Õ(1/√n), an upper bound; Õ's log factor raises a fitted slope "
          "by up to 0.15", decide="more training widths or seeds"),
]


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval."""
    hs, cs, ls = hessian_slopes(arrays), change_slopes(arrays), linearization_slopes(arrays)
    final = arrays["change"][:, -1, :, -1]  # (case, seed) at the largest width
    n_train = len(arrays["train_widths"])
    fit = {"reading": train_fit_words(n_train).lower()} if n_train < 3 else None  # the training slopes' caveat
    return {
        "linearity-hessian-slope": Measurement(*hs[0][:2]),
        "linearity-hessian-slope-orthogonal": Measurement(*orthogonal_hessian_slope(arrays)[:2]),
        "linearity-nonlinear-output": Measurement(*hs[1][:2]),
        "linearity-bottleneck-hessian": Measurement(*hs[2][:2]),
        "linearity-kernel-change-nonlinear": Measurement(*stats.mean_ci(final[1]),
                                                         {"linear_output": float(final[0].mean())}),
        "linearity-kernel-change-slope": Measurement(*cs[0][:2], fit),
        "linearity-kernel-change-slope-nonlinear": Measurement(*cs[1][:2], fit),
        "linearity-kernel-change-slope-bottleneck": Measurement(*cs[2][:2], fit),
        "linearity-linearization-slope": Measurement(*ls[0][:2], fit),
    }


def loss_reduction(arrays):
    """Per case: the seed-mean training loss at the start over the one at the end, at the largest width trained."""
    loss = arrays["train_loss"][:, -1].mean(1)  # (case, record)
    return loss[:, 0] / loss[:, -1]


TRAINS = 10.0
"""A case "trains" when gradient descent divides its loss by at least this factor (seed means, largest width)."""


def train_fit_words(n_widths):
    """What the training slopes rest on: the number of training widths, and a warning when a slope is a line through
    two widths (its interval then holds the seeds' spread only, nothing of the curve's shape)."""
    if n_widths >= 3:
        return f"Each training slope is fitted over {n_widths} widths"
    return (f"Each training slope is a line through {n_widths} width{'s' if n_widths != 1 else ''} only: its interval "
            "holds the seeds' spread, and nothing tests whether the change follows a power law at all")


def flat_words(ci, band):
    """A slope held to ``band`` around 0 (the non-vanishing claims), read from its interval ``ci``: flat where the
    interval holds 0; shrinking (or growing) slowly where it excludes 0, which is still far from n^(−1/2)."""
    lo, hi = ci
    allowance = ("the band's half-width is the linear-output claim's allowance for Õ's log factor and seed noise")
    if lo <= 0 <= hi:
        return f"the interval lies inside {band} and holds 0: the norm does not shrink, as a Θ(1) rank-one term predicts"
    way = "shrinks" if hi < 0 else "grows"
    flip = max(abs(lo), abs(hi))
    return (f"the interval lies inside {band} but excludes 0: the norm {way} slowly, far slower than n^(−1/2), as a "
            f"Θ(1) rank-one term approached from {'above' if hi < 0 else 'below'} does; {allowance}, and the verdict "
            f"rests on it: a band narrower than ±{flip:.2f} would not hold")


def numbers(arrays, cfg):
    """The numbers and phrases of the chapter's prose."""
    fmt = lambda f: f"{f[0]:.2f} [{f[1][0]:.2f}, {f[1][1]:.2f}]"
    hs, cs, ls, m = hessian_slopes(arrays), change_slopes(arrays), linearization_slopes(arrays), measure(arrays, cfg)
    by_width = arrays["change"][1, :, :, -1].mean(-1)
    claim = {c.id: c for c in CLAIMS}
    verdict = {c.id: c.verdict(*m[c.id][:2]) for c in CLAIMS}
    ratio = bound_ratio(arrays)
    err = linearization_error(arrays)
    names = ("linear output", f"{cfg.output} output", "bottleneck")
    grad = arrays["gradient"][0].mean((-1, -2))  # (width,) linear output
    reduction = loss_reduction(arrays)
    flat, slope_band = claim["linearity-nonlinear-output"].rule.band, claim["linearity-hessian-slope"].rule.band
    return {
        "lin-depth": int(cfg.depth), "lin-act": cfg.activation, "lin-output": cfg.output, "lin-iter": int(cfg.n_iter),
        "lin-bottleneck": int(cfg.bottleneck), "lin-bottleneck-depth": int(cfg.depth + 1),
        "lin-samples": f"{arrays['hessian'].shape[2]} networks x {arrays['hessian'].shape[3]} inputs",
        "lin-slope-linear": fmt(hs[0]), "lin-slope-nonlinear": fmt(hs[1]), "lin-slope-bottleneck": fmt(hs[2]),
        "lin-slope-orth": fmt(orthogonal_hessian_slope(arrays)),
        "lin-linear-words": {
            HOLDS: f"inside the ledger's {slope_band}, as the theory's Õ(n^(−1/2)) predicts",
            FAILS: f"outside the ledger's {slope_band}, against the theory's Õ(n^(−1/2))",
            INCONCLUSIVE: f"an interval reaching beyond the ledger's {slope_band}: the data do not decide whether it "
                          "follows the theory's Õ(n^(−1/2))"}[
            verdict["linearity-hessian-slope"]],
        "lin-grad-orth": f"{arrays['gradient_orth'].mean():.2f}",
        "lin-orth-words": {"holds": "with orthogonal weights too the Hessian shrinks at the theory's rate",
                           "does not hold": "with orthogonal weights the Hessian does not shrink at the theory's rate",
                           "inconclusive": "the data do not decide whether it shrinks at the same rate"}[
            verdict["linearity-hessian-slope-orthogonal"]],
        "lin-nonlinear-words": {
            HOLDS: flat_words(m["linearity-nonlinear-output"][1], flat),
            FAILS: f"the interval lies outside {flat}: the norm changes with width, against the paper",
            INCONCLUSIVE: f"the interval reaches beyond {flat}, so the data do not decide whether the norm stays flat "
                          "as the rank-one term predicts"}[verdict["linearity-nonlinear-output"]],
        "lin-bottleneck-words": {"holds": "the narrow layer keeps it from shrinking",
                                 "does not hold": "it shrinks with width after all, against the paper",
                                 "inconclusive": "the data do not decide whether it shrinks"}[
            verdict["linearity-bottleneck-hessian"]],
        "lin-grad-range": f"[{grad.min():.2f}, {grad.max():.2f}]",
        "lin-change-linear": f"{arrays['change'][0, -1, :, -1].mean():.3f}",
        "lin-change-nonlinear": fmt(m["linearity-kernel-change-nonlinear"]),
        "lin-change-bottleneck": f"{arrays['change'][2, -1, :, -1].mean():.3f}",
        "lin-change-by-width": ", ".join(f"{c:.2f}" for c in by_width),
        "lin-change-order": {"holds": "of order one", "does not hold": "well below order one",
                             "inconclusive": "an interval too wide to say whether it is of order one"}[
            verdict["linearity-kernel-change-nonlinear"]],
        "lin-change-slope-linear": fmt(cs[0]), "lin-change-slope-nonlinear": fmt(cs[1]),
        "lin-change-slope-bottleneck": fmt(cs[2]),
        "lin-change-slope-words": _slope_words(verdict["linearity-kernel-change-slope"],
                                               verdict["linearity-kernel-change-slope-nonlinear"],
                                               verdict["linearity-kernel-change-slope-bottleneck"]),
        "lin-err-slopes": "; ".join(f"{n} {fmt(f)}" for n, f in zip(names, ls)),
        "lin-err-largest": "; ".join(f"{n} {e[-1].mean():.2g}" for n, e in zip(names, err)),
        "lin-err-words": {"holds": "the linear-output network's distance to its linearization falls at least as "
                                   "fast as n^(−1/2)",
                          "does not hold": "the linear-output network's distance to its linearization falls more slowly "
                                           "than n^(−1/2)",
                          "inconclusive": "whether the linear-output network's distance to its linearization falls as "
                                          "fast as n^(−1/2) is not decided at these widths"}[verdict["linearity-linearization-slope"]],
        "lin-ratio": "; ".join(f"{n} {r.max():.2f}" for n, r in zip(names, ratio)),
        "lin-ratio-words": _ratio_words(ratio, names),
        "lin-train-width": int(arrays["train_widths"][-1]), "lin-train-widths": ", ".join(map(str, arrays["train_widths"])),
        "lin-train-fit-words": train_fit_words(len(arrays["train_widths"])),
        "lin-eta": ", ".join(f"{e:.3f} ({n})" for e, n in zip(np.atleast_1d(arrays["eta"]), names)),
        "lin-loss": ", ".join(f"{arrays['train_loss'][o, -1, :, -1].mean():.4f} ({n})" for o, n in enumerate(names)),
        "lin-loss-reduction": ", ".join(f"{r:.3g} ({n})" for r, n in zip(reduction, names)),
        "lin-train-words": _train_words(reduction, arrays["change"][:, -1, :, -1].mean(-1), names,
                                        claim["linearity-kernel-change-nonlinear"].rule.x),
        "lin-differs": FIGURE.caption(cfg),
    }


def _train_words(reduction, change, names, moves=0.2):
    """Whether gradient descent trains every case (divides its loss by :data:`TRAINS` or more), and whether a case
    whose kernel moves (final relative change ``change`` of at least ``moves``) is among those that train."""
    trained = [n for n, r in zip(names, reduction) if r >= TRAINS]
    moved = [n for n, r, c in zip(names, reduction, change) if r >= TRAINS and c >= moves]
    first = (f"gradient descent divides the loss by at least {TRAINS:g} in every case" if len(trained) == len(names)
             else f"gradient descent divides the loss by less than {TRAINS:g} for the "
                  + " and the ".join(n for n in names if n not in trained))
    if moved:
        return (f"{first}; the {' and the '.join(moved)} train{'s' if len(moved) == 1 else ''} although "
                f"{'its' if len(moved) == 1 else 'their'} kernel moves by {moves:.0%} or more, so constancy of the "
                "tangent kernel is not what makes a wide network trainable")
    return f"{first}; no network that trains has a kernel moving by {moves:.0%} or more, so these runs do not show " \
           "whether a network whose kernel moves trains as well"


def _slope_words(linear, nonlinear, bottleneck):
    """One sentence on the three change slopes' verdicts."""
    first = {"holds": "falls at least as fast as the theory's n^(−1/2)",
             "does not hold": "falls more slowly than the theory's n^(−1/2)",
             "inconclusive": "falls at a rate these widths cannot compare with n^(−1/2)"}[linear]
    others = (("non-linear output", nonlinear), ("bottleneck", bottleneck))
    tail = by_verdict(dict(others), {HOLDS: "for the {who} it does not decay",
                                     FAILS: "for the {who} it decays, against the paper",
                                     INCONCLUSIVE: "for the {who} the data do not decide whether it decays"})
    return f"with a linear output the change {first}; {tail}"


def _ratio_words(ratio, names):
    """Whether the measured errors stay under the bound drawn from the Hessian norm at initialization."""
    over = [n for n, r in zip(names, ratio) if r.max() > 1]
    if not over:
        return "every measured error stays under its bound"
    return (f"the error exceeds the bound drawn from the initial Hessian for the {' and the '.join(over)}: there the "
            f"Hessian along the path is larger than at initialization, so the sup in the bound is not the initial norm")


# FIGURES


COLORS = ("C0", "C3", "C1")


def fig_hessian(cfg, arrays):
    """Left: ||H||_2 against width for the three cases, n^(-1/2) guide. Right: the gradient norm. ±1 s.d. over
    networks and inputs (a bar reaching zero is cut, :func:`plots.errorbar`); one legend, outside the panels."""
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False)
    labels = ("output: linear", f"output: {cfg.output}", f"bottleneck ({cfg.bottleneck} units)")
    for o, label in enumerate(labels):
        for ax, key in zip(axes[0], ("hessian", "gradient")):
            plots.errorbar(ax, arrays["widths"], arrays[key][o].reshape(len(arrays["widths"]), -1), log=True,
                           marker="o", color=COLORS[o], label=label)
    for ax, key in zip(axes[0], ("hessian_orth", "gradient_orth")):
        plots.errorbar(ax, arrays["widths"], arrays[key].reshape(len(arrays["widths"]), -1), log=True, marker="s",
                       ls="--", color="C2", label="output: linear, orthogonal weights")
    h0 = arrays["hessian"][0, 0].mean()
    axes[0, 0].plot(arrays["widths"], h0 * (arrays["widths"] / arrays["widths"][0]) ** -0.5, "k:", lw=1,
                    label=r"$\propto n^{-1/2}$")
    axes[0, 0].set(xscale="log", yscale="log", xlabel="width n", ylabel=r"$\|H\|_2$ (spectral norm)")
    axes[0, 1].set(xscale="log", yscale="log", xlabel="width n", ylabel=r"$\|\nabla_\theta f\|$")
    _finish(fig, axes[0], arrays["widths"])
    return fig


def fig_change(cfg, arrays):
    """Left: the final relative NTK change against width, with fitted slopes. Right: its course over training."""
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False)
    widths = arrays["train_widths"]
    labels = ("linear", cfg.output, "bottleneck")
    for o, (label, fit) in enumerate(zip(labels, change_slopes(arrays))):
        plots.errorbar(axes[0, 0], widths, arrays["change"][o, :, :, -1], log=True, marker="o", color=COLORS[o],
                       label=f"{label}: slope {fit[0]:.2f}")
        for w, width in enumerate(widths):
            axes[0, 1].plot(arrays["record_steps"], arrays["change"][o, w].mean(0), color=COLORS[o],
                            alpha=0.4 + 0.6 * w / max(1, len(widths) - 1), label=f"{label}, n={width}")
    axes[0, 0].plot(widths, arrays["change"][0, 0, :, -1].mean() * (widths / widths[0]) ** -0.5, "k:", lw=1,
                    label=r"$\propto n^{-1/2}$")
    axes[0, 0].set(xscale="log", yscale="log", xlabel="width n", ylabel=r"$\|\Theta_T - \Theta_0\|_F / \|\Theta_0\|_F$")
    axes[0, 1].set(yscale="log", xlabel="GD step", ylabel=r"$\|\Theta_t - \Theta_0\|_F / \|\Theta_0\|_F$")
    _finish(fig, axes[0], widths, ncols=3)
    return fig


def fig_linearization(cfg, arrays):
    r"""Left: the largest |f − f_lin| over training against width per case, with the bound
    ½‖H(θ_0)‖R² at the end of training (dashed). Right: error and bound over training at the largest width."""
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False)
    widths, steps = arrays["train_widths"], arrays["record_steps"]
    err = linearization_error(arrays)
    bound = 0.5 * arrays["hessian0"].max(-1)[..., None] * arrays["distance"] ** 2  # (case, width, seed, record)
    labels = ("linear", cfg.output, "bottleneck")
    for o, label in enumerate(labels):
        plots.errorbar(axes[0, 0], widths, err[o], log=True, marker="o", color=COLORS[o], label=f"{label} output"
                       if o < 2 else label)
        axes[0, 0].plot(widths, bound[o, :, :, -1].mean(-1), "--", color=COLORS[o], lw=1)
        axes[0, 1].plot(steps[1:], arrays["lin_error"][o, -1, :, 1:].max(-1).mean(0), "-", color=COLORS[o])
        axes[0, 1].plot(steps[1:], bound[o, -1, :, 1:].mean(0), "--", color=COLORS[o], lw=1)
    axes[0, 0].plot(widths, err[0, 0].mean() * (widths / widths[0]) ** -0.5, "k:", lw=1, label=r"$\propto n^{-1/2}$")
    axes[0, 0].plot([], [], "k--", lw=1, label=r"bound $\frac{1}{2}\|H_0\|R^2$")
    axes[0, 0].set(xscale="log", yscale="log", xlabel="width n", ylabel=r"$\max_t |f - f_{\rm lin}|$")
    axes[0, 1].set(yscale="log", xlabel=f"GD step (n = {widths[-1]})",
                   ylabel=r"$|f - f_{\rm lin}|$;  dashed: $\frac{1}{2}\|H_0\|R_t^2$")
    _finish(fig, axes[0], widths)
    return fig


def _finish(fig, axes, widths, ncols=2):
    """Log-x panels labelled at the widths, y ticks labelled, and one legend below the panels."""
    for ax in axes:
        if ax.get_xscale() == "log":
            plots.label_ticks(ax, widths)
        plots.plain_log_ticks(ax.yaxis)
    plots.legend_outside(fig, below=True, ncols=ncols, fontsize=7)
