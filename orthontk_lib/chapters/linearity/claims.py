r"""The transition to linearity's claims: the Hessian's norm shrinks with width for a linear output and not for a
non-linear one or a bottleneck, and with it the NTK's change and the distance to the linearization;
:func:`measure` reads each from the saved arrays and :func:`numbers` writes the prose's numbers from them."""

import math

import numpy as np

from orthontk_lib import stats
from orthontk_lib.claims import AtLeast, AtMost, Claim, Measurement, Within
from orthontk_lib.data import DIMENSION
from orthontk_lib.references import cite

from .experiment import (
    form_comparison,
    FIGURE,
    data_words,
    bound_ratio,
    change_slopes,
    hessian_limits,
    hessian_slopes,
    linearization_error,
    linearization_slopes,
    orthogonal_hessian_slope,
)

__all__ = ["ABOUT_AS_WELL", "CLAIMS", "LIMIT_STAT", "LZB", "NO_DECAY", "TRAINS", "form_detail", "form_fit",
           "form_words", "iteration_range", "limit_contrast_words", "linear_limit_words", "loss_reduction", "measure",
           "numbers", "slope_words", "train_fit_words", "trained_cases", "training_fit_detail"]

# CLAIMS

LZB = cite("liu2020linearity")
NO_DECAY = ("no decay: the theory's Θ(1) part does not shrink; a slope of −0.15 or more over these widths is "
            "what a non-vanishing quantity with seed noise gives")
LIMIT_STAT = ("the limit c of ||H||_2 = c + a·n^(−1/2) fitted over every network (norm averaged over inputs), as a "
              "share of the mean norm at the widest network (95% t-interval)")
CLAIMS = [
    Claim("linearity-hessian-slope", f"{LZB}, Thm. 3.2",
          "The Hessian spectral norm of a network with a linear output scales as Õ(1/√width).",
          "log-log slope of ||H||_2 (mean over seeds and inputs) against width (95% t-interval)",
          Within(-0.5, 0.15),
          why="Õ allows a factor (log n)^k, which raises a slope fitted over these widths by about k/log n, "
              "0.1 to 0.15 for k = 1; seed noise adds a few hundredths",
          decide="more widths, or wider networks (the paper profile)"),
    Claim("linearity-hessian-slope-orthogonal", f"{LZB}, Thm. 3.2, with orthogonal weights (this book)",
          "With orthogonal weights too, a linear-output network's Hessian norm scales as Õ(1/√width).",
          "log-log slope of ||H||_2 of the orthogonal network (mean over seeds and inputs) against width (95% "
          "t-interval)", Within(-0.5, 0.15),
          why="as for Gaussian weights: Õ's log factor and seed noise", decide="more widths or seeds"),
    Claim("linearity-nonlinear-output", f"{LZB}, Sec. 4",
          "With a non-linear output layer the Hessian norm does not vanish with width.",
          LIMIT_STAT, AtLeast(0.5),
          why="the rank-one term ψ''·∇f̃∇f̃ᵀ is Θ(1) and keeps its share; a norm vanishing as n^(−1/2) keeps none, "
              "and Õ's log factor leaves the linear output a fifth or so; a half lies between", decide="more widths"),
    Claim("linearity-bottleneck-hessian", f"{LZB}, Sec. 5",
          "With a fixed-width bottleneck layer the Hessian norm does not vanish with width.",
          LIMIT_STAT, AtLeast(0.5),
          why="the Hessian block of the weights next to the narrow layer is Θ(1) and keeps its share; a norm "
              "vanishing as n^(−1/2) keeps none; a half lies between", decide="more widths"),
    Claim("linearity-kernel-change-nonlinear", f"{LZB}, Sec. 4",
          "With a non-linear output the NTK changes by O(1) in training, even when wide.",
          "||Θ_T − Θ_0||_F/||Θ_0||_F after GD, largest width trained (seed mean, 95% t-interval)",
          AtLeast(0.2), why="order one; the linear-output network of the same width moves by a few percent",
          decide="more seeds"),
    Claim("linearity-kernel-change-slope", f"{LZB}, Thm. 3.2 and Sec. 3",
          "With a linear output the NTK's change over training shrinks as Õ(1/√width).",
          "log-log slope of ||Θ_T − Θ_0||_F/||Θ_0||_F against width, every network a point (95% t-interval); "
          "at most −0.35: at least as fast as width^(−1/2) less Õ's log factor",
          AtMost(-0.35), why="the theorem bounds the change from above; Õ's log factor raises a fitted slope by up to "
          "0.15", decide="more training widths or seeds"),
    *(Claim(f"linearity-kernel-change-slope-{case}", f"{LZB}, Sec. {section}",
            f"With a {name} the NTK's change over training does not decay with width.",
            "log-log slope of ||Θ_T − Θ_0||_F/||Θ_0||_F against width, every network a point (95% t-interval)",
            AtLeast(-0.15), why=NO_DECAY, decide="more training widths or seeds")
      for case, name, section in (("nonlinear", "non-linear output", 4), ("bottleneck", "bottleneck", 5))),
    Claim("linearity-linearization-slope", f"{LZB}, Sec. 3 (|f − f_lin| ≤ ½ sup‖H‖ R²)",
          "With a linear output the gap to the linearization shrinks as Õ(1/√width) in training.",
          "log-log slope of max_t |f(θ_t) − f_lin(θ_t)| against width, every network a point (95% t-interval); "
          "at most −0.35: at least as fast as width^(−1/2) less Õ's log factor",
          AtMost(-0.35), why="R stays O(1) and ||H|| is Õ(1/√n), an upper bound; Õ's log factor raises a fitted slope "
          "by up to 0.15", decide="more training widths or seeds"),
]


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval."""
    hs, cs, ls = hessian_slopes(arrays), change_slopes(arrays), linearization_slopes(arrays)
    limits = hessian_limits(arrays)
    final = arrays["change"][:, -1, :, -1]  # (case, seed) at the largest width
    fit = training_fit_detail(len(arrays["train_widths"]))  # the training slopes' caveat, if any
    return {
        "linearity-hessian-slope": Measurement(*hs[0][:2]),
        "linearity-hessian-slope-orthogonal": Measurement(*orthogonal_hessian_slope(arrays)[:2]),
        "linearity-nonlinear-output": Measurement(*limits[1][:2], {"slope": hs[1][0], **form_detail(arrays, 1)}),
        "linearity-bottleneck-hessian": Measurement(*limits[2][:2], {"slope": hs[2][0], **form_detail(arrays, 2)}),
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


def training_fit_detail(n_widths):
    """The training slopes' measurement detail: the chapter's reading (:func:`train_fit_words`) and a short caveat
    where a slope is a line through fewer than three widths, which the ledger shows beside the verdict; None
    otherwise."""
    if n_widths >= 3:
        return None
    return {"reading": train_fit_words(n_widths).lower(), "caveat": f"a line through {n_widths} widths"}


def train_fit_words(n_widths):
    """What the training slopes rest on: the number of training widths, and a warning when a slope is a line through
    two widths (its interval then holds the seeds' spread only, nothing of the curve's shape)."""
    if n_widths >= 3:
        return f"Each training slope is fitted over {n_widths} widths"
    return (f"Each training slope is a line through {n_widths} width{'s' if n_widths != 1 else ''} only: its interval "
            "holds the seeds' spread, and nothing tests whether the change follows a power law at all")


def slope_words(ci):
    """What a non-vanishing norm's log-log slope (its interval ``ci``) adds to its fitted limit, in a few words: flat
    over the widths measured where the interval holds 0; still moving toward the limit where it excludes 0."""
    lo, hi = ci
    if lo <= 0 <= hi:
        return "holds 0: flat over these widths"
    return f"excludes 0: still {'shrinking' if hi < 0 else 'growing'} slowly"


ABOUT_AS_WELL = 1.25
"""A power law fits "about as well" as the limit form when its residual sum of squares is at most this many times the
limit form's."""


def form_words(arrays, case):
    """What a limit verdict rests on: whether a power law, under which the norm vanishes, fits the widths about as well
    as c + a·n^(−1/2) (:func:`form_comparison`)."""
    rss_limit, rss_power, s, s_ci = form_comparison(arrays, case)
    if rss_power <= ABOUT_AS_WELL * rss_limit and s_ci[1] >= 0:  # a power law whose exponent may be 0 or above
        return (f"a power law n^({s:.2f}), which does not vanish either, fits these widths about as well (residual "
                f"sums of squares {rss_power:.3g} against {rss_limit:.3g}): the reading does not rest on the form")
    if rss_power <= ABOUT_AS_WELL * rss_limit:
        return (f"the verdict rests on the theory's form c + a·n^(−1/2): a power law n^({s:.2f}), under which the "
                f"norm vanishes, fits these widths about as well (residual sums of squares {rss_power:.3g} against "
                f"{rss_limit:.3g})")
    return (f"c + a·n^(−1/2) fits these widths better than a power law n^({s:.2f}) does (residual sums of squares "
            f"{rss_limit:.3g} against {rss_power:.3g})")


def form_detail(arrays, case):
    """A limit claim's measurement detail: :func:`form_words` as the ledger's reading, and a short caveat where the
    verdict rests on the form c + a·n^(−1/2) (a power law that vanishes fits about as well)."""
    rss_limit, rss_power, _, s_ci = form_comparison(arrays, case)
    rests = rss_power <= ABOUT_AS_WELL * rss_limit and s_ci[1] < 0
    return {"reading": form_words(arrays, case), **({"caveat": "rests on the limit form"} if rests else {})}


def form_fit(arrays, case):
    """How a power law fits the Hessian norms of ``case`` against c + a·n^(−1/2): ``"about as well as"`` (residual
    sum of squares at most :data:`ABOUT_AS_WELL` times the limit form's) or ``"worse than"``."""
    rss_limit, rss_power, _, _ = form_comparison(arrays, case)
    return "about as well as" if rss_power <= ABOUT_AS_WELL * rss_limit else "worse than"


def linear_limit_words(ci):
    """Where the limit fit's interval ``ci`` lies for the linear output's norm, which the theory sends to 0:
    ``"lies above 0"``, ``"lies below 0"`` or ``"reaches 0"``."""
    lo, hi = ci
    return "lies above 0" if lo > 0 else "lies below 0" if hi < 0 else "reaches 0"


def limit_contrast_words(linear, others):
    """Whether the limit fit tells the vanishing linear-output norm from the others: ``linear`` and ``others`` are
    (share, (lo, hi)) of :func:`hessian_limits`. ``"lies below both others"`` or ``"overlaps the others"``."""
    apart = all(linear[1][1] < o[1][0] for o in others)
    return "lies below both others" if apart else "overlaps the others"


def numbers(arrays, cfg, measured):
    """The numbers, intervals, verdict words and short labels of the chapter's prose (``measured``: the claims
    measured on ``arrays``)."""
    fmt = lambda f: f"{f[0]:.2f} [{f[1][0]:.2f}, {f[1][1]:.2f}]"
    hs, cs, ls, m = hessian_slopes(arrays), change_slopes(arrays), linearization_slopes(arrays), measured
    by_width = arrays["change"][1, :, :, -1].mean(-1)
    claim, verdict = measured.claim, measured.verdict
    ratio = bound_ratio(arrays)
    err = linearization_error(arrays)
    cases = ("linear", "nonlinear", "bottleneck")  # the glued names' suffixes, in the arrays' case order
    names = ("linear output", f"{cfg.output} output", "bottleneck")
    grad = arrays["gradient"][0].mean((-1, -2))  # (width,) linear output
    reduction = loss_reduction(arrays)
    moves = claim("linearity-kernel-change-nonlinear").rule.x
    trained, moved = trained_cases(reduction, arrays["change"][:, -1, :, -1].mean(-1), names, moves)
    over = [n for n, r in zip(names, ratio) if r.max() > 1]
    limits = hessian_limits(arrays)
    net = cfg.spec(1, "linear")  # its W_std and b_std are every case's
    pct = lambda f: f"{f[0]:.0%} [{f[1][0]:.0%}, {f[1][1]:.0%}]"
    per_case = lambda key, values: {f"lin-{key}-{c}": v for c, v in zip(cases, values)}
    forms = {c: form_comparison(arrays, i) for i, c in enumerate(cases) if i}
    return {
        "lin-depth": int(cfg.depth), "lin-act": cfg.activation, "lin-output": cfg.output,
        "lin-sw": f"{net.W_std:g}", "lin-sb": f"{net.b_std:g}",
        "lin-images": data_words(cfg), "lin-radius": f"{math.sqrt(DIMENSION[cfg.dataset]):g}",
        "lin-iter": iteration_range(arrays, cfg),
        "lin-bottleneck": int(cfg.bottleneck), "lin-bottleneck-depth": int(cfg.depth + 1),
        "lin-samples": f"{arrays['hessian'].shape[2]} networks x {arrays['hessian'].shape[3]} inputs",
        **per_case("slope", [fmt(h) for h in hs]),
        "lin-slope-orth": fmt(orthogonal_hessian_slope(arrays)),
        "lin-slope-band": claim("linearity-hessian-slope").rule.band,
        "lin-linear-verdict": verdict("linearity-hessian-slope"),
        "lin-grad-orth": f"{arrays['gradient_orth'].mean():.2f}",
        "lin-orth-verdict": verdict("linearity-hessian-slope-orthogonal"),
        **per_case("limit", [pct(f) for f in limits]),
        "lin-limit-orth": pct(hessian_limits(arrays, "hessian_orth")[0]),
        "lin-limit-apart": limit_contrast_words(limits[0], limits[1:]),
        "lin-limit-linear-place": linear_limit_words(limits[0][1]),
        **{f"lin-form-{c}-{k}": v for c, (rss_limit, rss_power, s, _) in forms.items()
           for k, v in (("exp", f"{s:.2f}"), ("rss-power", f"{rss_power:.3g}"), ("rss-limit", f"{rss_limit:.3g}"))},
        **{f"lin-form-{c}-fit": form_fit(arrays, i) for i, c in enumerate(cases) if i},
        "lin-limit-rule": f"{claim('linearity-nonlinear-output').rule.x:.0%}",
        "lin-nonlinear-verdict": verdict("linearity-nonlinear-output"),
        "lin-nonlinear-slope-reading": slope_words(hs[1][1]),
        "lin-bottleneck-verdict": verdict("linearity-bottleneck-hessian"),
        "lin-bottleneck-slope-reading": slope_words(hs[2][1]),
        "lin-grad-min": f"{grad.min():.2f}", "lin-grad-max": f"{grad.max():.2f}",
        "lin-change-linear": f"{arrays['change'][0, -1, :, -1].mean():.3f}",
        "lin-change-nonlinear": fmt(m["linearity-kernel-change-nonlinear"]),
        "lin-change-bottleneck": f"{arrays['change'][2, -1, :, -1].mean():.3f}",
        "lin-change-by-width": ", ".join(f"{c:.2f}" for c in by_width),
        "lin-change-nonlinear-verdict": verdict("linearity-kernel-change-nonlinear"),
        **per_case("change-slope", [fmt(c) for c in cs]),
        "lin-change-bound": f"{claim('linearity-kernel-change-slope').rule.x:g}",
        "lin-change-slope-linear-verdict": verdict("linearity-kernel-change-slope"),
        "lin-change-slope-nonlinear-verdict": verdict("linearity-kernel-change-slope-nonlinear"),
        "lin-change-slope-bottleneck-verdict": verdict("linearity-kernel-change-slope-bottleneck"),
        **per_case("err-slope", [fmt(f) for f in ls]),
        **per_case("err-largest", [f"{e[-1].mean():.2g}" for e in err]),
        "lin-err-bound": f"{claim('linearity-linearization-slope').rule.x:g}",
        "lin-err-verdict": verdict("linearity-linearization-slope"),
        **per_case("ratio", [f"{r.max():.2f}" for r in ratio]),
        "lin-ratio-over": " and ".join(over) if over else "none",
        "lin-train-width": int(arrays["train_widths"][-1]), "lin-train-widths": ", ".join(map(str, arrays["train_widths"])),
        "lin-train-n": len(arrays["train_widths"]),
        **per_case("eta", [f"{e:.3f}" for e in np.atleast_1d(arrays["eta"])]),
        **per_case("loss", [f"{arrays['train_loss'][o, -1, :, -1].mean():.4f}" for o in range(len(cases))]),
        **per_case("loss-reduction", [f"{r:.3g}" for r in reduction]),
        "lin-trains-factor": f"{TRAINS:g}", "lin-trained": f"{len(trained)} of {len(names)}",
        "lin-moves": f"{moves:.0%}", "lin-moved": " and ".join(moved) if moved else "none",
        "lin-differs": FIGURE.caption(cfg),
    }


def trained_cases(reduction, change, names, moves=0.2):
    """The cases gradient descent trains (divides their loss by :data:`TRAINS` or more), and those of them whose
    kernel moves (final relative change ``change`` of at least ``moves``): two lists of names."""
    trained = [n for n, r in zip(names, reduction) if r >= TRAINS]
    return trained, [n for n, r, c in zip(names, reduction, change) if r >= TRAINS and c >= moves]


def iteration_range(arrays, cfg):
    """The power-iteration steps the shown Hessian norms took: ``"21 to 114"``, or one count where all took the same
    (a run saved before the tolerance, whose summary holds no counts, ran exactly ``n_iter``)."""
    steps = [np.ravel(arrays[k]) for k in ("iterations", "iterations_orth", "iterations0") if k in arrays]
    if not steps:
        return str(int(cfg.n_iter))
    lo, hi = (int(f(np.concatenate(steps))) for f in (np.min, np.max))
    return str(lo) if lo == hi else f"{lo} to {hi}"

