r"""Chapter "Transition to linearity and its failure" (Liu, Zhu, Belkin 2020).

Two networks that differ only in their last step: :math:`f = \tilde f` (a linear
readout) and :math:`f = \psi(\tilde f)` with a non-linear :math:`\psi`. Their
Hessians with respect to the parameters are

.. math::

   H_f = H_{\tilde f}, \qquad
   H_{\psi(\tilde f)} = \psi'(\tilde f)\, H_{\tilde f} + \psi''(\tilde f)\, \nabla\tilde f\, \nabla\tilde f^{\top},

and since :math:`\lVert H_{\tilde f} \rVert = \tilde O(1/\sqrt{n})` while
:math:`\lVert \nabla \tilde f \rVert = \Theta(1)`, the second network's Hessian
keeps a rank-one part of order one at every width. Measured: the spectral norm
(power iteration on Hessian-vector products) and the gradient norm at
initialization against width, and the relative change of the NTK over
full-batch gradient descent, for both outputs.
"""

import dataclasses

import jax
import numpy as np

from orthontk_lib import hessian, kernels, plots, results, stats
from orthontk_lib.book.profiles import ChapterConfig, Cost
from orthontk_lib.claims import AtLeast, Claim, Measurement, Within
from orthontk_lib.data import load
from orthontk_lib.models import ACTIVATIONS, FCN

SLUG = "linearity"


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    """Knobs of the Hessian and training sweeps."""

    widths: tuple[int, ...] = dataclasses.field(default=(64,), metadata={"min": 1})  # hidden widths n
    depth: int = dataclasses.field(default=2, metadata={"min": 1})  # hidden layers
    activation: str = dataclasses.field(default="tanh", metadata={"choices": ACTIVATIONS})  # hidden phi
    output: str = dataclasses.field(default="softplus", metadata={"choices": ACTIVATIONS})  # the non-linear psi
    n_seeds: int = dataclasses.field(default=3, metadata={"min": 2})  # networks per width and output
    n_inputs: int = dataclasses.field(default=2, metadata={"min": 1})  # inputs at which H is measured
    n_iter: int = dataclasses.field(default=30, metadata={"min": 2})  # power-iteration steps
    train_widths: tuple[int, ...] = dataclasses.field(default=(64,), metadata={"min": 1})  # training widths
    train_steps: int = dataclasses.field(default=100, metadata={"min": 10})  # full-batch GD steps
    n_train: int = dataclasses.field(default=32, metadata={"min": 2})  # digits images for training
    seed: int = dataclasses.field(default=0, metadata={"min": 0})  # root seed

    PROFILES = {
        "smoke": dict(widths=(16, 64), n_seeds=2, n_inputs=1, n_iter=5, train_widths=(16, 64), train_steps=20,
                      n_train=8),
        "quick": dict(widths=(64, 128, 256, 512, 1024, 2048), n_seeds=3, n_inputs=2, n_iter=20,
                      train_widths=(64, 256, 1024), train_steps=100, n_train=32),
        "paper": dict(widths=(64, 128, 256, 512, 1024, 2048, 4096, 8192), n_seeds=10, n_inputs=8, n_iter=100,
                      train_widths=(64, 256, 1024, 4096), train_steps=2000, n_train=128),
    }
    COST = {"paper": Cost("GPU", 15, "estimate: Hessian power iterations at widths to 8192")}

    @property
    def seeds(self):
        return list(range(self.seed, self.seed + self.n_seeds))

    @property
    def outputs(self):
        """The two output layers compared: ``("linear", output)``."""
        return ("linear", self.output)

    def spec(self, width, output, init="gaussian"):
        return FCN(self.depth, width, self.activation, 1.5, 0.1, init, output_activation=output, out_dim=1)


def digits_on_sphere(cfg, n):
    """``n`` digit images scaled to norm sqrt(64), and scalar targets label / 9 + 1/2 in [0.5, 1.5].

    The targets are positive so that an output activation with range (0, inf), like softplus, can fit them.
    """
    d = load("digits", n_train=n, n_test=1, seed=cfg.seed)
    x = d.x_train * 8.0 / np.linalg.norm(d.x_train, axis=1, keepdims=True)
    y = d.y_train.argmax(1)[:, None] / 9.0 + 0.5
    return d._replace(x_train=x, y_train=y, x_test=x[:1], y_test=y[:1])


def hessian_point(cfg, x, width):
    """||H||_2 and ||∇f|| per (output, seed, input): arrays (2, S, I); one jitted program for both outputs.
    The same for an orthogonal network with a linear output: ``hessian_orth``, ``gradient_orth`` (S, I).

    The two outputs differ only in ψ, which has no parameters: one draw of the parameters serves both.
    """
    seeds = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed), width), cfg.n_seeds)
    keys = jax.random.split(jax.random.key(cfg.seed + 1), cfg.n_seeds * cfg.n_inputs).reshape(cfg.n_seeds, cfg.n_inputs)
    xs = jax.numpy.asarray(x[: cfg.n_inputs])
    specs = [cfg.spec(width, output) for output in cfg.outputs]
    variables = jax.vmap(lambda k: specs[0].initialize(k, xs[:1]))(seeds)

    def per_input(v, k):
        one = lambda spec: jax.vmap(lambda xi, ki: (hessian.hessian_norm(spec, v, xi, ki, cfg.n_iter),
                                                    hessian.gradient_norm(spec, v, xi)))(xs, k)
        return [one(spec) for spec in specs]

    out = jax.jit(jax.vmap(per_input))(variables, keys)
    orth = cfg.spec(width, "linear", "orthogonal")
    v_orth = jax.vmap(lambda k: orth.initialize(k, xs[:1]))(seeds)
    h_orth, g_orth = jax.jit(jax.vmap(lambda v, k: jax.vmap(
        lambda xi, ki: (hessian.hessian_norm(orth, v, xi, ki, cfg.n_iter), hessian.gradient_norm(orth, v, xi)))(xs, k)))(
        v_orth, keys)
    return {"hessian": np.stack([np.asarray(h) for h, _ in out]), "gradient": np.stack([np.asarray(g) for _, g in out]),
            "hessian_orth": np.asarray(h_orth), "gradient_orth": np.asarray(g_orth)}


def learning_rate(cfg, data):
    r"""Half the GD stability limit of the narrowest linear-output network: :math:`N / \lambda_{\max}(\hat\Theta)`."""
    spec = cfg.spec(cfg.train_widths[0], "linear")
    theta = np.asarray(kernels.empirical_ntk(spec, spec.initialize(jax.random.key(cfg.seed), data.x_train[:1]),
                                             data.x_train))
    return float(len(theta) / np.linalg.eigvalsh(theta).max())


def training_point(cfg, data, eta, width):
    """Relative NTK change ||Θ_t − Θ_0||/||Θ_0|| over GD per (output, seed, record), and the losses."""
    from orthontk_lib import train

    every = max(1, cfg.train_steps // 20)
    config = train.TrainConfig(steps=cfg.train_steps - cfg.train_steps % every, record_every=every, loss="mse")
    change, loss = [], []
    for output in cfg.outputs:
        keys = jax.random.split(jax.random.fold_in(jax.random.key(cfg.seed + 2), width), cfg.n_seeds)
        h = train.fit_grid(cfg.spec(width, output), config, keys, np.full(cfg.n_seeds, eta), data,
                           ntk_probe=data.x_train)
        ntk = h["ntk"]  # (S, R, N, N)
        change.append(np.linalg.norm(ntk - ntk[:, :1], axis=(2, 3)) / np.linalg.norm(ntk[:, :1], axis=(2, 3)))
        loss.append(h["train_loss"])
    return {"change": np.stack(change), "loss": np.stack(loss), "record_steps": h["record_steps"]}


def compute(cfg):
    """Both sweeps, every point saved as it finishes."""
    x = digits_on_sphere(cfg, max(cfg.n_inputs, 2)).x_train
    base = {k: v for k, v in cfg.asdict().items() if k != "profile"}
    sweep = lambda what, points, fn, desc: results.sweep(f"{SLUG}/{cfg.profile}/{what}", base, points, fn,
                                                         profile=cfg.profile, seeds=cfg.seeds, desc=desc)
    hess = sweep("hessian", [{"width": w} for w in cfg.widths], lambda p: hessian_point(cfg, x, p["width"]),
                 "Hessian norm by width")
    data = digits_on_sphere(cfg, cfg.n_train)
    eta = learning_rate(cfg, data)
    runs = sweep("training", [{"width": w} for w in cfg.train_widths],
                 lambda p: training_point(cfg, data, eta, p["width"]), "GD with NTK by width")
    return {
        "widths": np.asarray(cfg.widths),
        "hessian": np.stack([p.arrays["hessian"] for p in hess], axis=1),  # (output, width, seed, input)
        "gradient": np.stack([p.arrays["gradient"] for p in hess], axis=1),
        "hessian_orth": np.stack([p.arrays["hessian_orth"] for p in hess]),  # (width, seed, input)
        "gradient_orth": np.stack([p.arrays["gradient_orth"] for p in hess]),
        "train_widths": np.asarray(cfg.train_widths),
        "change": np.stack([p.arrays["change"] for p in runs], axis=1),  # (output, width, seed, record)
        "train_loss": np.stack([p.arrays["loss"] for p in runs], axis=1),
        "record_steps": runs[0].arrays["record_steps"],
        "eta": np.asarray(eta),
    }


def hessian_slopes(arrays):
    """Per output: (slope, 95% CI, intercept) of log ||H|| (mean over seeds and inputs) against log width."""
    return [stats.loglog_fit(arrays["widths"], arrays["hessian"][o].mean((-1, -2))) for o in range(2)]


def orthogonal_hessian_slope(arrays):
    """(slope, 95% CI, intercept) of log ||H|| of the orthogonal linear-output network against log width."""
    return stats.loglog_fit(arrays["widths"], arrays["hessian_orth"].mean((-1, -2)))


def change_slopes(arrays):
    """Per output: (slope, 95% CI, intercept) of the final relative NTK change (seed mean) against width."""
    return [stats.loglog_fit(arrays["train_widths"], arrays["change"][o, :, :, -1].mean(-1)) for o in range(2)]


# CLAIMS

LZB = "Liu, Zhu, Belkin 2020"
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
    Claim("linearity-kernel-change-nonlinear", f"{LZB}, Sec. 4",
          "With a non-linear output layer the NTK changes by O(1) during training, even for a wide network.",
          "||Θ_T − Θ_0||_F/||Θ_0||_F after GD, largest width trained (seed mean, 95% t-interval)",
          AtLeast(0.2), why="order one; the linear-output network of the same width moves by a few percent",
          decide="more seeds"),
]


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval."""
    hs = hessian_slopes(arrays)
    final = arrays["change"][:, -1, :, -1]  # (output, seed) at the largest width
    return {
        "linearity-hessian-slope": Measurement(*hs[0][:2]),
        "linearity-hessian-slope-orthogonal": Measurement(*orthogonal_hessian_slope(arrays)[:2]),
        "linearity-nonlinear-output": Measurement(*hs[1][:2]),
        "linearity-kernel-change-nonlinear": Measurement(*stats.mean_ci(final[1]),
                                                         {"linear_output": float(final[0].mean())}),
    }


def numbers(arrays, cfg):
    """The numbers and phrases of the chapter's prose."""
    fmt = lambda f: f"{f[0]:.2f} [{f[1][0]:.2f}, {f[1][1]:.2f}]"
    hs, cs, m = hessian_slopes(arrays), change_slopes(arrays), measure(arrays, cfg)
    by_width = arrays["change"][1, :, :, -1].mean(-1)
    grows = by_width[-1] > 1.5 * by_width[0]
    return {
        "lin-depth": int(cfg.depth), "lin-act": cfg.activation, "lin-output": cfg.output, "lin-iter": int(cfg.n_iter),
        "lin-samples": f"{arrays['hessian'].shape[2]} networks x {arrays['hessian'].shape[3]} inputs",
        "lin-slope-linear": fmt(hs[0]), "lin-slope-nonlinear": fmt(hs[1]),
        "lin-slope-orth": fmt(orthogonal_hessian_slope(arrays)),
        "lin-grad-orth": f"{arrays['gradient_orth'].mean():.2f}",
        "lin-orth-words": {"holds": "the transition to linearity does not depend on the weights' distribution",
                           "does not hold": "with orthogonal weights the Hessian does not shrink at the Gaussian rate",
                           "inconclusive": "whether it shrinks at the same rate is not decided at these widths"}[
            CLAIMS[1].verdict(*m["linearity-hessian-slope-orthogonal"][:2])],
        "lin-grad": f"{arrays['gradient'][0].mean():.2f}",
        "lin-change-linear": f"{arrays['change'][0, -1, :, -1].mean():.3f}",
        "lin-change-nonlinear": fmt(m["linearity-kernel-change-nonlinear"]),
        "lin-change-by-width": ", ".join(f"{c:.2f}" for c in by_width),
        "lin-change-order": {"holds": "of order one", "does not hold": "well below order one",
                             "inconclusive": "an interval too wide to say whether it is of order one"}[
            {c.id: c for c in CLAIMS}["linearity-kernel-change-nonlinear"].verdict(
                *m["linearity-kernel-change-nonlinear"][:2])],
        "lin-change-trend": ("and it grows with width over the widths trained, which the O(1) statement neither "
                             "predicts nor excludes" if grows else "of the same order at every width trained"),
        "lin-change-slope-linear": fmt(cs[0]),
        "lin-train-width": int(arrays["train_widths"][-1]), "lin-train-widths": ", ".join(map(str, arrays["train_widths"])),
        "lin-eta": f"{float(arrays['eta']):.3f}",
        "lin-loss": ", ".join(f"{arrays['train_loss'][o, -1, :, -1].mean():.4f} ({cfg.outputs[o]})" for o in range(2)),
    }


# FIGURES


def fig_hessian(cfg, arrays):
    """Left: ||H||_2 against width for both outputs, n^(-1/2) guide. Right: the gradient norm. ±1 s.d. over
    networks and inputs."""
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False)
    for o, label in enumerate(f"output: {out}" for out in cfg.outputs):
        for ax, key in zip(axes[0], ("hessian", "gradient")):
            v = arrays[key][o].reshape(len(arrays["widths"]), -1)
            ax.errorbar(arrays["widths"], v.mean(-1), yerr=v.std(-1, ddof=1), fmt="o-", capsize=2,
                        color=("C0", "C3")[o], label=label)
    for ax, key in zip(axes[0], ("hessian_orth", "gradient_orth")):
        v = arrays[key].reshape(len(arrays["widths"]), -1)
        ax.errorbar(arrays["widths"], v.mean(-1), yerr=v.std(-1, ddof=1), fmt="s--", capsize=2, color="C2",
                    label="output: linear, orthogonal weights")
    h0 = arrays["hessian"][0, 0].mean()
    axes[0, 0].plot(arrays["widths"], h0 * (arrays["widths"] / arrays["widths"][0]) ** -0.5, "k:", lw=1,
                    label=r"$\propto n^{-1/2}$")
    axes[0, 0].set(xscale="log", yscale="log", xlabel="width n", ylabel=r"$\|H\|_2$")
    axes[0, 1].set(xscale="log", yscale="log", xlabel="width n", ylabel=r"$\|\nabla_\theta f\|$")
    axes[0, 0].legend(fontsize=7)
    return fig


def fig_change(cfg, arrays):
    """Left: the final relative NTK change against width. Right: its course over training."""
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.6, squeeze=False)
    widths = arrays["train_widths"]
    for o, out in enumerate(cfg.outputs):
        final = arrays["change"][o, :, :, -1]
        axes[0, 0].errorbar(widths, final.mean(-1), yerr=final.std(-1, ddof=1), fmt="o-", capsize=2,
                            color=("C0", "C3")[o], label=f"output: {out}")
        for w, width in enumerate(widths):
            axes[0, 1].plot(arrays["record_steps"], arrays["change"][o, w].mean(0), color=("C0", "C3")[o],
                            alpha=0.4 + 0.6 * w / max(1, len(widths) - 1), label=f"{out}, n={width}")
    axes[0, 0].set(xscale="log", yscale="log", xlabel="width n", ylabel=r"$\|\Theta_T - \Theta_0\|_F / \|\Theta_0\|_F$")
    axes[0, 1].set(xlabel="GD step", ylabel=r"$\|\Theta_t - \Theta_0\|_F / \|\Theta_0\|_F$")
    axes[0, 0].legend(fontsize=7)
    axes[0, 1].legend(fontsize=6)
    return fig
