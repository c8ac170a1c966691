r"""Chapter "Finite-width corrections": where orthogonal and Gaussian networks differ.

Three measurements at finite width:

* **spread vs width**: the seed-to-seed relative variance of the NTK entries,
  :math:`v(n) = \overline{\operatorname{Var}_s \hat\Theta_{ab}} / \overline{(\mathbb{E}_s \hat\Theta_{ab})^2}`,
  which theory puts at :math:`O(1/n)` for both initializations;
* **fluctuations vs depth** at fixed width: the normalized variance of the NTK diagonal,
  :math:`\operatorname{Var}_s \hat\Theta(x, x) / (\mathbb{E}_s \hat\Theta(x, x))^2`, for tanh at two
  critical points (:data:`CRITICAL_POINTS`). Day, Kahn, Roberts (2025) find it growing with depth/width for
  Gaussian weights and saturating for orthogonal ones at tanh's criticality :math:`\sigma_W = 1,
  \sigma_b = 0`, whose fixed point is :math:`q^* = 0` (the signal decays towards tanh's linear region).
  The second point, the Edge of Chaos of Hayou, Doucet, Rousseau (2019), :math:`\sigma_W = 1.302` with
  :math:`\sigma_b` from :math:`\chi = 1`, has :math:`q^* \approx 0.5`; neither paper compares the two
  initializations there: it is this book's test of whether the result depends on :math:`q^* = 0`;
* **dynamical isometry**: singular values of the input-output Jacobian
  :math:`\partial h^L / \partial x` of deep linear and tanh networks.

Statistics over seeds are computed in ``n_groups`` disjoint groups of seeds, whose
spread gives the error bars.
"""

import dataclasses
import functools

import jax
import numpy as np
from scipy import stats as sstats

from orthontk_lib import kernels, meanfield, plots, results, stats
from orthontk_lib.book.profiles import ChapterConfig, Cost
from orthontk_lib.claims import FAILS, HOLDS, INCONCLUSIVE, AtLeast, AtMost, Claim, Measurement, Within, by_verdict
from orthontk_lib.references import cite
from orthontk_lib.data import load
from orthontk_lib.models import FCN

SLUG = "finite-width"
INITS = ("gaussian", "orthogonal")
CRITICAL_POINTS = {"q0": (1.0, 0.0), "eoc": (1.302, meanfield.critical_b_std("tanh", 1.302))}
"""The fluctuation measurement's critical tanh points (sigma_W, sigma_b): q* = 0, the criticality at which Day et al.
make their claim, and Hayou et al.'s Edge-of-Chaos point (their (sigma_b, sigma_W) = (0.2, 1.302); sigma_b from
chi = 1 here), where q* is about 0.5 and neither paper compares the initializations."""


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the three finite-width measurements."""

    widths: tuple[int, ...] = dataclasses.field(default=(64,), metadata={"min": 1})  # spread: widths n
    n_seeds: int = dataclasses.field(default=16, metadata={"min": 4})  # spread: networks per width and init
    depth: int = dataclasses.field(default=3, metadata={"min": 1})  # spread: hidden layers
    fluct_width: int = dataclasses.field(default=64, metadata={"min": 1})  # fluctuations: the fixed width
    fluct_depths: tuple[int, ...] = dataclasses.field(default=(1,), metadata={"min": 1})  # fluctuations: depths L
    fluct_seeds: int = dataclasses.field(default=48, metadata={"min": 4})  # fluctuations: networks per depth
    iso_width: int = dataclasses.field(default=128, metadata={"min": 1})  # isometry: width, also the input dimension
    iso_depths: tuple[int, ...] = dataclasses.field(default=(1,), metadata={"min": 1})  # isometry: depths L
    train_widths: tuple[int, ...] = dataclasses.field(default=(64,), metadata={"min": 1})  # training: widths
    train_seeds: int = dataclasses.field(default=4, metadata={"min": 2})  # training: networks per width and init
    train_steps: int = dataclasses.field(default=400, metadata={"min": 10})  # training: full-batch GD steps
    n_train: int = dataclasses.field(default=64, metadata={"min": 2})  # training: digits images
    n_inputs: int = dataclasses.field(default=8, metadata={"min": 1})  # inputs on the sphere
    n_groups: int = dataclasses.field(default=4, metadata={"min": 2})  # disjoint seed groups for error bars
    seed: int = dataclasses.field(default=0, metadata={"min": 0})  # root seed

    PROFILES = {
        "smoke": dict(widths=(16, 32, 64), n_seeds=8, fluct_width=16, fluct_depths=(1, 2, 4, 8), fluct_seeds=8,
                      iso_width=16, iso_depths=(1, 4), n_inputs=4, train_widths=(16, 64), train_seeds=2,
                      train_steps=50, n_train=16),
        "quick": dict(widths=(64, 128, 256, 512, 1024), n_seeds=16, fluct_width=64,
                      fluct_depths=(1, 2, 4, 8, 16, 32, 64), fluct_seeds=48, iso_width=128, iso_depths=(1, 4, 16, 64),
                      train_widths=(64, 128, 256, 512), train_seeds=4, train_steps=200, n_train=64),
        "paper": dict(widths=(64, 128, 256, 512, 1024, 2048, 4096), n_seeds=64, fluct_width=256,
                      fluct_depths=(1, 2, 4, 8, 16, 32, 64, 128), fluct_seeds=256, iso_width=512,
                      iso_depths=(1, 4, 16, 64, 256), train_widths=(64, 256, 1024, 4096), train_seeds=20,
                      train_steps=2000, n_train=256),
    }
    COST = {"paper": Cost("GPU", 20, "estimate: the training sweep at widths to 4096, 20 seeds, 2,000 steps")}

    @property
    def seeds(self):
        return list(range(self.seed, self.seed + max(self.n_seeds, self.fluct_seeds)))


def grouped_relative_variance(samples, n_groups):
    """Relative variance Var/mean² of each entry, averaged over entries, in ``n_groups`` disjoint seed groups.

    Args:
      samples: (S, ...) one kernel (or kernel diagonal) per seed.

    Returns:
      (n_groups,) values of the statistic.
    """
    out = []
    for g in np.array_split(np.asarray(samples), n_groups):
        out.append(float(g.var(0, ddof=1).mean() / (g.mean(0) ** 2).mean()))
    return np.array(out)


def _keys(cfg, tag, count):
    return jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), tag), count)


def spread_point(cfg, x, width):
    """Spread statistic per init at one width: (2, n_groups)."""
    return np.stack([
        grouped_relative_variance(
            kernels.empirical_ntk_seeds(FCN(cfg.depth, width, "erf", 1.5, 0.1, init), _keys(cfg, width, cfg.n_seeds), x),
            cfg.n_groups)
        for init in INITS
    ])


def fluctuation_point(cfg, x, depth, point="q0"):
    """Normalized variance of the NTK diagonal per init at one depth (tanh at a critical point): (2, n_groups)."""
    out = []
    for init in INITS:
        spec = FCN(depth, cfg.fluct_width, "tanh", *CRITICAL_POINTS[point], init)
        ntks = kernels.empirical_ntk_seeds(spec, _keys(cfg, 10_000 + depth, cfg.fluct_seeds), x)
        out.append(grouped_relative_variance(np.diagonal(np.asarray(ntks), axis1=1, axis2=2), cfg.n_groups))
    return np.stack(out)


def tanh_linear_words(arrays):
    """How far the tanh networks' Jacobian singular values are from the linear networks' (same draws), per depth: the
    largest relative difference over both inits and the values above 1e-6 (sorted, so value for value)."""
    sv = np.sort(np.asarray(arrays["iso"], float), axis=-1)  # (depth, activation, init, n)
    rel = []
    for d in range(sv.shape[0]):
        lin, tanh = sv[d, 0], sv[d, 1]
        keep = lin > 1e-6
        rel.append(float(np.max(np.abs(tanh - lin)[keep] / lin[keep])) if keep.any() else float("nan"))
    per = ", ".join(f"{r:.1%}" for r in rel)
    depths = ", ".join(str(int(L)) for L in arrays["iso_depths"])
    return (f"the tanh networks' singular values differ from the linear ones' by at most {per} of their value at "
            f"L = {depths}")


def isometry_point(cfg, depth):
    """Singular values of ∂h^L/∂x for (linear, tanh) x (gaussian, orthogonal): (2, 2, width)."""
    n = cfg.iso_width
    x = load("sphere", n_train=1, d=n, seed=cfg.seed).x_train[0] / np.sqrt(n)  # a unit-norm input
    out = np.zeros((2, 2, n))
    for a, activation in enumerate(("linear", "tanh")):
        for i, init in enumerate(INITS):
            spec = FCN(depth, n, activation, 1.0, 0.0, init)
            variables = spec.initialize(_keys(cfg, 20_000 + depth, 1)[0], x[None])
            out[a, i] = np.linalg.svd(np.asarray(kernels.input_output_jacobian(spec, variables, x)), compute_uv=False)
    return out


TRAIN_SPEC = dict(depth=2, activation="erf", W_std=1.5, b_std=0.1)
"""The trained network: two erf layers, NTK parameterization, 10 outputs."""


def training_data(cfg):
    """``n_train`` digits on the sphere of radius sqrt(64), one-hot targets; test set unused (1 image)."""
    d = load("digits", n_train=cfg.n_train, n_test=1, seed=cfg.seed)
    scale = lambda x: x * 8.0 / np.linalg.norm(x, axis=1, keepdims=True)
    return d._replace(x_train=scale(d.x_train), x_test=scale(d.x_test))


def record_every(cfg):
    """Steps between recorded losses: about 40 records per run."""
    return max(1, cfg.train_steps // 40)


def record_steps(cfg):
    """The steps at which losses are recorded (0 included)."""
    return np.arange(0, cfg.train_steps - cfg.train_steps % record_every(cfg) + 1, record_every(cfg))


def linearized_losses(cfg, data, width=None):
    r"""The infinite-width (linearized) GD loss curve of each network, given its own initial outputs.

    With :math:`A = I - \eta \Theta_\infty / N` and the network's outputs :math:`f_0` at initialization,
    :math:`L_t = \frac{1}{2N} \lVert A^t (f_0 - y) \rVert_F^2` (Lee et al. 2019). The learning rate is
    :math:`\eta = N / \lambda_{\max}(\Theta_\infty)`, half the stability limit of GD.

    Returns:
      ``(eta, loss_fn)`` where ``loss_fn(f0)`` maps (..., N, K) initial outputs to (..., records) losses,
      at the steps of :func:`record_steps`.
    """
    spec = FCN(width=width or cfg.train_widths[0], out_dim=10, **TRAIN_SPEC)  # the width is immaterial (NTK param.)
    x, y = data.x_train, data.y_train
    n = x.shape[0]
    lam, vec = np.linalg.eigh(np.asarray(kernels.analytic_ntk(spec, x), np.float64))
    eta = n / lam.max()
    decay = (1 - eta * lam / n)[None] ** record_steps(cfg)[:, None]  # (records, N)

    def loss_fn(f0):
        r = np.einsum("ia,...ik->...ak", vec, np.asarray(f0, np.float64) - y)  # residual in the eigenbasis
        return np.einsum("ta,...ak->...t", decay**2, r**2) / (2 * n)

    return float(eta), loss_fn


def training_point(cfg, data, eta, width):
    """Loss curves (2 inits, seeds, records) of full-batch GD at ``eta``, and initial outputs (2, seeds, N, K)."""
    from orthontk_lib import train

    every = record_every(cfg)
    config = train.TrainConfig(steps=cfg.train_steps - cfg.train_steps % every, record_every=every, loss="mse")
    loss, f0 = [], []
    for init in INITS:
        spec = FCN(width=width, out_dim=10, init=init, **TRAIN_SPEC)
        keys = _keys(cfg, 30_000 + width, cfg.train_seeds)
        hist = train.fit_grid(spec, config, keys, np.full(cfg.train_seeds, eta), data)
        loss.append(hist["train_loss"])
        f0.append(hist["initial_output"])
    return {"loss": np.stack(loss), "f0": np.stack(f0)}


@functools.lru_cache(maxsize=4)
def _sphere(cfg):
    """The ``n_inputs`` inputs on the sphere of a sweep's view."""
    return load("sphere", n_train=cfg.n_inputs, d=64, seed=cfg.seed).x_train


@functools.lru_cache(maxsize=2)
def _training_setup(cfg):
    """The training set and the learning rate of a training sweep's view (eta of the analytic kernel: any width)."""
    data = training_data(cfg)
    return data, linearized_losses(cfg, data, width=1)[0]


def _by_estimate(minutes):
    from orthontk_lib import train

    return train.by_estimate(minutes)


def _ntk_seeds_minutes(layers, seeds, n_inputs, device):
    """Minutes of :func:`kernels.empirical_ntk_seeds` of ``seeds`` networks of ``layers`` for both inits on
    ``n_inputs`` inputs: the draws (normal draws; a QR of each orthogonal layer, which dominates at large width or
    depth) and the kernels (:func:`orthontk_lib.train.ntk_flops`). Not counted: the eager dispatch of the draws."""
    from orthontk_lib import train

    flops = sum(train.init_flops(layers, init, seeds) for init in INITS)
    return train.estimated_minutes(flops + 2 * seeds * train.ntk_flops(layers, n_inputs), device)


def spread_minutes(cfg, p, device):
    """Minutes of one :func:`spread_point` (:func:`_ntk_seeds_minutes`: ``n_seeds`` erf networks of ``depth``)."""
    from orthontk_lib import train

    return _ntk_seeds_minutes(train.dense_layers(64, [p["width"]] * cfg.depth, 1), cfg.n_seeds, cfg.n_inputs, device)


def fluctuation_minutes(cfg, p, device):
    """Minutes of one :func:`fluctuation_point` (:func:`_ntk_seeds_minutes`: ``fluct_seeds`` tanh networks)."""
    from orthontk_lib import train

    layers = train.dense_layers(64, [cfg.fluct_width] * p["depth"], 1)
    return _ntk_seeds_minutes(layers, cfg.fluct_seeds, cfg.n_inputs, device)


def isometry_minutes(cfg, p, device):
    """Minutes of one :func:`isometry_point`: four networks (linear and tanh, both inits) drawn (a QR of each
    orthogonal layer) and their input-output Jacobians by forward mode in float64 (``iso_width`` tangents through
    every hidden layer, 2 per multiply-add and tangent, doubled for float64), and four SVDs (4 n^3 each). Not
    counted: the eager dispatch of the float64 Jacobian, layer by layer."""
    from orthontk_lib import train

    n = cfg.iso_width
    layers = train.dense_layers(n, [n] * p["depth"], 1)
    hidden = sum(a * b for a, b in layers[:-1])
    flops = sum(train.init_flops(layers, init, 2) for init in INITS) + 4 * (2 * 2.0 * n * hidden + 4.0 * n**3)
    return train.estimated_minutes(flops, device)


def training_minutes(cfg, p, device):
    """Minutes of one :func:`training_point`, per init: full-batch GD of ``train_seeds`` networks with the loss
    evaluated at every record (:func:`orthontk_lib.train.training_flops`) and their draws (a QR of each orthogonal
    layer). Not counted: the linearized losses' analytic kernel (once per sweep) and elementwise work."""
    from orthontk_lib import train

    every = record_every(cfg)
    steps = cfg.train_steps - cfg.train_steps % every
    layers = train.dense_layers(64, [p["width"]] * TRAIN_SPEC["depth"], 10)
    weights = sum(a * b for a, b in layers)
    flops = sum(train.training_flops(weights, cfg.n_train, steps, cfg.train_seeds, steps // every + 1, cfg.n_train + 1)
                + train.init_flops(layers, init, cfg.train_seeds) for init in INITS)
    return train.estimated_minutes(flops, device, steps=2 * steps, programs=2)


def _fluctuation_sweep(point):
    return results.Sweep(
        SLUG, "fluctuations" if point == "q0" else f"fluctuations-{point}",
        knobs=("fluct_width", "fluct_seeds", "n_groups", "n_inputs", "seed"), over=("fluct_depths",),
        points=lambda cfg: [{"depth": L} for L in cfg.fluct_depths],
        run=lambda cfg, p: {"v": fluctuation_point(cfg, _sphere(cfg), p["depth"], point)},
        minutes=fluctuation_minutes, device=lambda cfg, p: _by_estimate(fluctuation_minutes)(cfg, p), desc=f"NTK fluctuations by depth ({point})")


SWEEPS = {
    "spread": results.Sweep(
        SLUG, "spread", knobs=("depth", "n_seeds", "n_groups", "n_inputs", "seed"), over=("widths",),
        points=lambda cfg: [{"width": w} for w in cfg.widths],
        run=lambda cfg, p: {"v": spread_point(cfg, _sphere(cfg), p["width"])}, minutes=spread_minutes,
        device=lambda cfg, p: _by_estimate(spread_minutes)(cfg, p), desc="NTK spread by width"),
    **{f"fluctuations-{point}": _fluctuation_sweep(point) for point in CRITICAL_POINTS},
    "isometry": results.Sweep(
        SLUG, "isometry", knobs=("iso_width", "seed"), over=("iso_depths",),
        points=lambda cfg: [{"depth": L} for L in cfg.iso_depths],
        run=lambda cfg, p: {"sv": isometry_point(cfg, p["depth"])}, minutes=isometry_minutes,
        device=lambda cfg, p: _by_estimate(isometry_minutes)(cfg, p), desc="Jacobian spectra by depth"),
    "training": results.Sweep(
        SLUG, "training", knobs=("train_seeds", "train_steps", "n_train", "seed"), over=("train_widths",),
        points=lambda cfg: [{"width": w} for w in cfg.train_widths],
        run=lambda cfg, p: training_point(cfg, *_training_setup(cfg), p["width"]),
        minutes=training_minutes, device=lambda cfg, p: _by_estimate(training_minutes)(cfg, p),
        desc="GD training by width"),
}
"""The chapter's sweeps: spread by width, fluctuations by depth at each critical point, Jacobian spectra by depth,
GD training by width."""


def compute(cfg):
    """The sweeps, each point saved as it finishes."""
    spread = SWEEPS["spread"].results(cfg)
    fluct = {point: SWEEPS[f"fluctuations-{point}"].results(cfg) for point in CRITICAL_POINTS}
    iso = SWEEPS["isometry"].results(cfg)
    curves = SWEEPS["training"].results(cfg)
    eta, linearized = linearized_losses(cfg, training_data(cfg))
    return {
        "train_widths": np.array(cfg.train_widths),
        "train_steps": record_steps(cfg),
        "train_loss": np.stack([p.arrays["loss"] for p in curves]),  # (width, init, seed, step)
        "linearized_loss": np.stack([linearized(p.arrays["f0"]) for p in curves]),  # same shape
        "eta": np.array(eta),
        "widths": np.array(cfg.widths),
        "spread": np.stack([p.arrays["v"] for p in spread], axis=1),  # (init, width, group)
        "fluct_depths": np.array(cfg.fluct_depths),
        **{"fluct" if point == "q0" else f"fluct_{point}": np.stack([p.arrays["v"] for p in pts], axis=1)
           for point, pts in fluct.items()},  # (init, depth, group)
        "iso_depths": np.array(cfg.iso_depths),
        "iso": np.stack([p.arrays["sv"] for p in iso]),  # (depth, activation, init, width)
    }


def spread_slopes(arrays):
    """Per init: (slope, 95% CI, intercept) of the log-log fit of the group-mean spread against width."""
    return {init: stats.loglog_fit(arrays["widths"], arrays["spread"][i].mean(-1)) for i, init in enumerate(INITS)}


def depth_growth(arrays, min_depth=8, key="fluct"):
    """Per init: least-squares growth per layer (95% CI) of the fluctuation statistic over depths >= ``min_depth``
    (``key``: ``"fluct"`` at q* = 0, ``"fluct_eoc"`` at the Edge-of-Chaos point).

    Profiles with fewer than two such depths fit the two deepest.
    """
    depths = arrays["fluct_depths"]
    keep = depths >= min_depth
    if keep.sum() < 2:
        keep = depths >= np.sort(depths)[-2]
    out = {}
    for i, init in enumerate(INITS):
        y = arrays[key][i][keep]  # (depths kept, groups)
        fit = sstats.linregress(np.repeat(depths[keep], y.shape[1]), y.reshape(-1))
        t = sstats.t.ppf(0.975, y.size - 2)
        out[init] = (float(fit.slope), (float(fit.slope - t * fit.stderr), float(fit.slope + t * fit.stderr)))
    return out


def growth_difference(growth):
    """Gaussian minus orthogonal growth rate, with a 95% interval from the two independent fits."""
    (g, gci), (o, oci) = growth["gaussian"], growth["orthogonal"]
    half = np.hypot((gci[1] - gci[0]) / 2, (oci[1] - oci[0]) / 2)
    return g - o, (g - o - half, g - o + half)


def depth_factor(arrays, key="fluct"):
    """Per init: the fluctuation statistic at the deepest depth over the one at the shallowest (group means)."""
    v = arrays[key].mean(-1)  # (init, depth)
    return {init: float(v[i, -1] / v[i, 0]) for i, init in enumerate(INITS)}


def last_step_ratio(arrays, key="fluct"):
    """Per init: the fluctuation statistic at the deepest depth over the one at the depth before, with a 95% interval.

    The ratio of the groups' geometric means; its interval is a Welch t-interval on the logs (the groups at two depths
    are different networks). Above 1: still rising over the last step; below 1: still falling; an interval around 1
    does not tell a curve that has levelled off from one that still moves.
    """
    out = {}
    for i, init in enumerate(INITS):
        y = np.log(arrays[key][i])  # (depths, groups)
        d, ci = stats.welch_ci(y[-1], y[-2])
        out[init] = (float(np.exp(d)), (float(np.exp(ci[0])), float(np.exp(ci[1]))))
    return out


def isometry_deviation(arrays):
    """max |σ − 1| of the deep linear orthogonal network's Jacobian at the largest depth."""
    return float(np.abs(arrays["iso"][-1, 0, 1] - 1).max())


SPECTRUM_FLOOR = 1e-12
"""The histograms of :func:`fig_spectra` count singular values below this in their leftmost bin."""


def spectrum_width(arrays):
    """log10(σ_max / σ_median) per (depth, activation, init), the width of each Jacobian spectrum; (D, 2, 2).

    Median-based: at large depth the smallest Gaussian singular values fall below σ_max times float64 resolution,
    where the SVD cannot resolve them.
    """
    sv = arrays["iso"]
    return np.log10(sv.max(-1) / np.median(sv, -1))


def width_words(arrays, activation, init):
    """:func:`spectrum_width` of one (activation, init) by depth, as prose: ``≥`` and a note where the median singular
    value lies below σ_max times :data:`SPECTRUM_FLOOR` (the SVD's float64 floor, not a measured width: a lower
    bound)."""
    sv = np.asarray(arrays["iso"])[:, activation, init]  # (D, n)
    widths = np.log10(sv.max(-1) / np.median(sv, -1))
    floored = np.median(sv, -1) < sv.max(-1) * SPECTRUM_FLOOR
    text = ", ".join(f"≥ {w:.2f}" if f else f"{w:.2f}" for w, f in zip(widths, floored))
    if floored.any():
        text += (" (≥: the median singular value lies below the float64 floor, so the width is a lower bound at "
                 "L = " + ", ".join(str(int(d)) for d, f in zip(arrays["iso_depths"], floored) if f) + ")")
    return text


def training_gaps(arrays):
    """Per width and init: max over steps of |L_t − L_t^lin| / L_0^lin, averaged over seeds; (W, 2).

    ``L^lin`` is each network's own infinite-width linearized curve (same initial outputs), so the
    statistic measures the finite-width deviation of the dynamics, not the randomness of f_0.
    """
    return training_gap_samples(arrays).mean(-1)


def training_gap_samples(arrays):
    """:func:`training_gaps` before the seed mean: (W, 2, seeds)."""
    return np.abs(arrays["train_loss"] - arrays["linearized_loss"]).max(-1) / arrays["linearized_loss"][..., 0]


def training_gap_slopes(arrays):
    """Per init: (slope, 95% CI, intercept) of the log-log fit of the training gap against width."""
    gaps = training_gaps(arrays)
    return {init: stats.loglog_fit(arrays["train_widths"], gaps[:, i]) for i, init in enumerate(INITS)}


# CLAIMS

HDX = cite("huang2021orthogonal")
DKR = cite("day2023orthogonal")
HDR = cite("hayou2019meanfield")
CLAIMS = [
    *(Claim(f"finite-width-spread-{init}", f"{HDX}, Sec. 4; {cite('hanin2020finite')}",
            f"The seed-to-seed variance of {'a' if init == 'gaussian' else 'an'} {init} network's empirical NTK "
            "shrinks as 1/width.",
            "log-log slope of the relative entrywise variance of Θ over seeds against width (95% t-interval)",
            Within(-1.0, 0.2), why="theory: variance C/n (1 + O(1/n)); subleading terms and group noise move the "
            "slope by about 0.1", decide="more widths, or more seeds per group")
      for init in INITS),
    *(Claim(f"finite-width-depth-growth{suffix}", source,
            f"{lead} at fixed width, NTK fluctuations grow faster with depth for Gaussian weights than for "
            "orthogonal weights.",
            "Gaussian minus orthogonal growth per layer of Var Θ(x,x)/E[Θ(x,x)]² over depths >= 8 (line fits; 95% "
            "interval from both fits' standard errors)",
            AtLeast(0.0), why="the claim is a sign: more growth for Gaussian weights",
            decide="more seeds per depth, or a wider network")
      for suffix, source, lead in (
          ("", f"{DKR} (tanh at σ_W = 1, σ_b = 0)", "For critical tanh (σ_W = 1, σ_b = 0, where q* = 0)"),
          ("-eoc", f"this book: {DKR}'s claim tested at the Edge-of-Chaos point of {HDR}",
           "For tanh at the Edge-of-Chaos point σ_W = 1.302, σ_b ≈ 0.2 (χ = 1, q* ≈ 0.5; not the point of "
           f"{DKR}, who make no claim there)"))),
    *(Claim(f"finite-width-training-gap-{init}", f"{HDX}, Sec. 4; {cite('lee2019wide')}",
            f"At small learning rate, {'a' if init == 'gaussian' else 'an'} {init} network's GD loss curve "
            "approaches its infinite-width linearization as width grows.",
            "log-log slope of max_t |L_t − L_t^lin| / L_0^lin (seed mean) against width (95% t-interval)",
            AtMost(0.0), why="the claim is that the deviation falls with width, at any rate",
            decide="more widths: the interval is a line through one seed mean a width, so more seeds do not narrow it")
      for init in INITS),
]


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval."""
    out = {}
    for init, (s, ci, _) in spread_slopes(arrays).items():
        out[f"finite-width-spread-{init}"] = Measurement(s, ci)
    for suffix, key in (("", "fluct"), ("-eoc", "fluct_eoc")):
        growth = depth_growth(arrays, key=key)
        out[f"finite-width-depth-growth{suffix}"] = Measurement(*growth_difference(growth),
                                                                {k: v[0] for k, v in growth.items()})
    for init, (s, ci, _) in training_gap_slopes(arrays).items():
        out[f"finite-width-training-gap-{init}"] = Measurement(s, ci)
    return out


def numbers(arrays, cfg):
    """The numbers and phrases of the chapter's prose."""
    fmt = lambda s, ci: f"{s:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"
    g2 = lambda v, ci: f"{v:.2g} [{ci[0]:.2g}, {ci[1]:.2g}]"
    m = measure(arrays, cfg)
    claim = {c.id: c for c in CLAIMS}
    verdict = {k: claim[k].verdict(*m[k][:2]) for k in claim}
    ratio = arrays["spread"][1].mean(-1) / arrays["spread"][0].mean(-1)
    spread_words = ("the orthogonal one fluctuates less at every width" if (ratio < 1).all() else
                    "the orthogonal one fluctuates more at every width" if (ratio > 1).all() else
                    "neither fluctuates less at every width")
    band = claim["finite-width-spread-gaussian"].rule.band
    growth, growth_eoc = depth_growth(arrays), depth_growth(arrays, key="fluct_eoc")
    first, last = arrays["fluct"][:, 0].mean(-1), arrays["fluct"][:, -1].mean(-1)
    trend = lambda a, b: "rises" if b > a else "falls"
    widths_ = spectrum_width(arrays)
    dev, depth_iso, eps32 = isometry_deviation(arrays), int(arrays["iso_depths"][-1]), float(np.finfo(np.float32).eps)
    orth_tanh_narrower = bool((widths_[:, 1, 1] < widths_[:, 1, 0]).all())
    return {
        "fw-groups": cfg.n_groups, "fw-seeds-spread": cfg.n_seeds,
        **{f"fw-spread-{i}": fmt(*m[f"finite-width-spread-{i}"][:2]) for i in INITS},
        "fw-spread-verdict": by_verdict(
            {"Gaussian": verdict["finite-width-spread-gaussian"], "orthogonal": verdict["finite-width-spread-orthogonal"]},
            {HOLDS: f"for {{who}} weights the interval lies inside {band}: the spread shrinks as 1/n",
             FAILS: f"for {{who}} weights it lies outside {band}: the spread does not shrink as 1/n",
             INCONCLUSIVE: f"for {{who}} weights it reaches beyond {band}, so the data do not decide whether the "
                           "spread shrinks as 1/n"}),
        "fw-spread-ratio": f"{ratio.min():.2f} to {ratio.max():.2f}", "fw-spread-words": spread_words,
        "fw-fluct-width": cfg.fluct_width, "fw-fluct-seeds": cfg.fluct_seeds,
        **{f"fw-growth-{i}": g2(*growth[i]) for i in INITS},
        "fw-growth-diff": g2(*m["finite-width-depth-growth"][:2]),
        **{f"fw-growth-eoc-{i}": g2(*growth_eoc[i]) for i in INITS},
        "fw-growth-eoc-diff": g2(*m["finite-width-depth-growth-eoc"][:2]),
        "fw-eoc-b": f"{CRITICAL_POINTS['eoc'][1]:.3f}",
        "fw-eoc-qstar": f"{meanfield.q_star('tanh', *CRITICAL_POINTS['eoc']):.2f}",
        "fw-growth-eoc-words": {
            HOLDS: "there too the Gaussian statistic grows faster per layer than the orthogonal one",
            FAILS: "there the orthogonal statistic grows faster per layer, so the ordering at q* = 0 does not carry over",
            INCONCLUSIVE: "there the interval does not decide which grows faster"}[verdict["finite-width-depth-growth-eoc"]],
        "fw-q0-orth-words": _curve_words(arrays, "fluct"),
        "fw-eoc-orth-words": _curve_words(arrays, "fluct_eoc"),
        "fw-fluct-gauss": f"{first[0]:.3g} to {last[0]:.3g}", "fw-fluct-orth": f"{first[1]:.3g} to {last[1]:.3g}",
        "fw-trend-gauss": trend(first[0], last[0]), "fw-trend-orth": trend(first[1], last[1]),
        "fw-depth-range": f"{arrays['fluct_depths'][0]} to {arrays['fluct_depths'][-1]}",
        "fw-growth-words": {
            HOLDS: "Gaussian fluctuations grow faster with depth than orthogonal ones; at depth "
                   f"{arrays['fluct_depths'][-1]} the Gaussian statistic is {last[0] / last[1]:.3g} times the orthogonal one",
            FAILS: "orthogonal fluctuations grow faster with depth than Gaussian ones, against the claim",
            INCONCLUSIVE: "the interval does not decide which grows faster"}[verdict["finite-width-depth-growth"]],
        "fw-iso-width": cfg.iso_width, "fw-iso-dev": f"{dev:.1e}", "fw-iso-q1": f"1/{cfg.iso_width}",
        "fw-iso-tanh-linear": tanh_linear_words(arrays),
        "fw-iso-dev-words": (f"{'within' if dev <= depth_iso * eps32 else 'beyond'} the {depth_iso * eps32:.1e} that "
                             f"{depth_iso} factors, each orthogonal only to float32 resolution ({eps32:.1e}), can "
                             "accumulate"),
        "fw-iso-gauss": width_words(arrays, 0, 0),
        "fw-iso-gauss-words": "it widens with depth" if widths_[-1, 0, 0] > widths_[0, 0, 0] else "it does not widen",
        "fw-iso-orth-tanh": width_words(arrays, 1, 1),
        "fw-iso-gauss-tanh": width_words(arrays, 1, 0),
        "fw-iso-tanh-words": ("narrower than the Gaussian one at every depth" if orth_tanh_narrower else
                              "not narrower than the Gaussian one at every depth"),
        "fw-iso-floor": _floor_words(arrays),
        "fw-iso-depths": ", ".join(str(d) for d in arrays["iso_depths"]),
        "fw-train-seeds": cfg.train_seeds, "fw-n-train": cfg.n_train, "fw-eta": f"{float(arrays['eta']):.3g}",
        **{f"fw-gap-{i}": fmt(*m[f"finite-width-training-gap-{i}"][:2]) for i in INITS},
        "fw-gap-last": ", ".join(f"{g:.4f}" for g in training_gaps(arrays)[-1]),
        "fw-gap-words": by_verdict(
            {"Gaussian": verdict["finite-width-training-gap-gaussian"],
             "orthogonal": verdict["finite-width-training-gap-orthogonal"]},
            {HOLDS: "for {who} weights the interval lies below 0: the loss curve approaches its linearization as the "
                    "width grows",
             FAILS: "for {who} weights it lies above 0: the deviation grows with width",
             INCONCLUSIVE: "for {who} weights it reaches above 0, so the data do not decide whether the deviation "
                           "falls with width"}),
    }


def _curve_words(arrays, key, init="orthogonal"):
    """How one init's fluctuation curve moves: the factor from the shallowest to the deepest depth, and whether the
    last step of depth still moves it (:func:`last_step_ratio`)."""
    depths = arrays["fluct_depths"]
    if len(depths) < 2:
        return f"the {init} statistic is measured at one depth only"
    f = depth_factor(arrays, key)[init]
    r, (lo, hi) = last_step_ratio(arrays, key)[init]
    step = f"depth {depths[-2]} to {depths[-1]}: ×{r:.2g} [{lo:.2g}, {hi:.2g}]"
    last = {"above": f"and still rises over the last step ({step}): it has not levelled off at these depths",
            "below": f"and still falls over the last step ({step})",
            "straddles": f"and over the last step ({step}) the interval does not decide whether it has levelled off"}
    move = f"rises {f:.3g}-fold" if f > 1 else f"falls {1 / f:.3g}-fold"
    return f"the {init} statistic {move} from depth {depths[0]} to {depths[-1]} {last[stats.side((lo, hi), 1.0)]}"


def _floor_words(arrays):
    """How many singular values the spectra's leftmost bin collects from below :data:`SPECTRUM_FLOOR`, at every depth
    where any does."""
    below = (np.asarray(arrays["iso"]) < SPECTRUM_FLOOR).sum(-1)  # (depth, activation, init)
    if not below.any():
        return f"no singular value falls below {SPECTRUM_FLOOR:.0e}"
    n = arrays["iso"].shape[-1]
    by_depth = []
    for d, L in enumerate(arrays["iso_depths"]):
        parts = [f"{below[d, a, i]} of {n} ({act}, {init})" for a, act in enumerate(("linear", "tanh"))
                 for i, init in enumerate(INITS) if below[d, a, i]]
        if parts:
            by_depth.append(f"at L = {L}, " + ", ".join(parts))
    return f"the leftmost bin also counts the singular values below {SPECTRUM_FLOOR:.0e}: " + "; ".join(by_depth)


# FIGURES


def fig_spread(arrays):
    """Relative seed-to-seed variance of the NTK against width, with fits and an n^(-1) guide."""
    return plots.width_scaling(arrays["widths"], dict(zip(INITS, arrays["spread"])), fits=spread_slopes(arrays),
                               guide_slope=-1, ylabel="relative variance of $\\hat\\Theta$ over seeds")


def fig_depth(arrays):
    """Normalized variance of the NTK diagonal against depth, at the two critical points (a panel each, both with
    labelled y ticks on one shared scale), one legend below the panels."""
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False, sharey=True)
    for ax, (key, title) in zip(axes[0], (("fluct", "σ_W = 1, σ_b = 0 (q* = 0)"),
                                          ("fluct_eoc", "Edge of Chaos: σ_W = 1.302 (q* ≈ 0.5)"))):
        plots.depth_curves(arrays["fluct_depths"], dict(zip(INITS, arrays[key])), ax=ax, legend=False,
                           ylabel="Var $\\hat\\Theta(x,x)$ / $(\\mathbb{E}\\,\\hat\\Theta(x,x))^2$" if key == "fluct" else None)
        ax.set_title(title, fontsize=8)
        ax.tick_params(axis="y", labelleft=True)
    plots.plain_log_ticks(axes[0, 0].yaxis)
    plots.legend_outside(fig, below=True, ncols=3, fontsize=8)
    return fig


def fig_spectra(arrays):
    """Jacobian singular-value histograms by depth (values below :data:`SPECTRUM_FLOOR` in the leftmost bin)."""
    return plots.spectra(arrays["iso"], arrays["iso_depths"], floor=SPECTRUM_FLOOR)


def fig_training(arrays):
    """The training gap against width (seed means ±1 s.d.), fits, and an n^(-1/2) guide."""
    samples = training_gap_samples(arrays)  # (W, init, seed)
    return plots.width_scaling(arrays["train_widths"], {init: samples[:, i] for i, init in enumerate(INITS)},
                               fits=training_gap_slopes(arrays), guide_slope=-0.5,
                               ylabel=r"$\Delta(n) = \max_t |L_t - L^{\rm lin}_t| \,/\, L^{\rm lin}_0$")
