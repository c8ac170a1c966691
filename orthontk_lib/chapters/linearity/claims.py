r"""The transition to linearity's claims: the Hessian's norm shrinks with width for a linear output and not for a
non-linear one or a bottleneck, and with it the NTK's change and the distance to the linearization;
:func:`measure` reads each from the saved arrays and :func:`numbers` writes the prose's numbers from them."""

import math

import numpy as np

from orthontk_lib import stats
from orthontk_lib.claims import FAILS, HOLDS, INCONCLUSIVE, AtLeast, AtMost, Claim, Measurement, Within, by_verdict
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
          "With orthogonal weights too, the Hessian spectral norm of a network with a linear output scales as "
          "Õ(1/√width).",
          "log-log slope of ||H||_2 of the orthogonal network (mean over seeds and inputs) against width (95% "
          "t-interval)", Within(-0.5, 0.15),
          why="as for Gaussian weights: Õ's log factor and seed noise", decide="more widths or seeds"),
    Claim("linearity-nonlinear-output", f"{LZB}, Sec. 4",
          "With a non-linear output layer the Hessian norm does not vanish with width.",
          LIMIT_STAT, AtLeast(0.5),
          why="the rank-one term ψ''·∇f̃∇f̃ᵀ is Θ(1) and keeps its share; a norm vanishing as n^(−1/2) keeps none, "
              "and Õ's log factor leaves the linear output a fifth or so; a half lies between", decide="more widths"),
    Claim("linearity-bottleneck-hessian", f"{LZB}, Sec. 5",
          "With a bottleneck (one hidden layer of fixed width) the Hessian norm does not vanish with width.",
          LIMIT_STAT, AtLeast(0.5),
          why="the Hessian block of the weights next to the narrow layer is Θ(1) and keeps its share; a norm "
              "vanishing as n^(−1/2) keeps none; a half lies between", decide="more widths"),
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
    limits = hessian_limits(arrays)
    final = arrays["change"][:, -1, :, -1]  # (case, seed) at the largest width
    fit = training_fit_detail(len(arrays["train_widths"]))  # the training slopes' caveat, if any
    return {
        "linearity-hessian-slope": Measurement(*hs[0][:2]),
        "linearity-hessian-slope-orthogonal": Measurement(*orthogonal_hessian_slope(arrays)[:2]),
        "linearity-nonlinear-output": Measurement(*limits[1][:2], {"slope": hs[1][0], "reading": form_words(arrays, 1)}),
        "linearity-bottleneck-hessian": Measurement(*limits[2][:2], {"slope": hs[2][0],
                                                                     "reading": form_words(arrays, 2)}),
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
    """The training slopes' measurement detail: the chapter's reading (:func:`train_fit_words`) where a slope is a
    line through fewer than three widths, which the ledger shows beside the verdict; None otherwise."""
    return {"reading": train_fit_words(n_widths).lower()} if n_widths < 3 else None


def train_fit_words(n_widths):
    """What the training slopes rest on: the number of training widths, and a warning when a slope is a line through
    two widths (its interval then holds the seeds' spread only, nothing of the curve's shape)."""
    if n_widths >= 3:
        return f"Each training slope is fitted over {n_widths} widths"
    return (f"Each training slope is a line through {n_widths} width{'s' if n_widths != 1 else ''} only: its interval "
            "holds the seeds' spread, and nothing tests whether the change follows a power law at all")


def slope_words(ci):
    """What a non-vanishing norm's log-log slope (its interval ``ci``) adds to its fitted limit: flat over the widths
    measured where the interval holds 0; still moving toward the limit where it excludes 0."""
    lo, hi = ci
    if lo <= 0 <= hi:
        return "its log-log slope holds 0 too: the norm is flat over these widths"
    way, side = ("shrinks", "above") if hi < 0 else ("grows", "below")
    return (f"its log-log slope excludes 0: over these widths the norm still {way} slowly, approaching its limit from "
            f"{side}, far slower than n^(−1/2)")


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


def linear_limit_words(ci):
    """What the limit fit's interval ``ci`` says of the linear output's norm, which the theory sends to 0."""
    lo, hi = ci
    if lo > 0:
        return "its interval lies above 0: Õ's log factor reads as a small positive limit over these widths"
    if hi < 0:
        return "its interval lies below 0, where no norm can end: c + a·n^(−1/2) is not the norm's form at these widths"
    return "its interval reaches 0, as a norm that vanishes gives"


def limit_contrast_words(linear, others):
    """Whether the limit fit tells the vanishing linear-output norm from the others: ``linear`` and ``others`` are
    (share, (lo, hi)) of :func:`hessian_limits`."""
    apart = all(linear[1][1] < o[1][0] for o in others)
    return ("the fit tells a norm that vanishes from one that stays: the linear output's interval lies below both "
            "others" if apart else
            "the fit does not separate the linear output's norm from the others': their intervals overlap")


def numbers(arrays, cfg, measured):
    """The numbers and phrases of the chapter's prose (``measured``: the claims measured on ``arrays``)."""
    fmt = lambda f: f"{f[0]:.2f} [{f[1][0]:.2f}, {f[1][1]:.2f}]"
    hs, cs, ls, m = hessian_slopes(arrays), change_slopes(arrays), linearization_slopes(arrays), measured
    by_width = arrays["change"][1, :, :, -1].mean(-1)
    claim, verdict = measured.claim, measured.verdicts()
    ratio = bound_ratio(arrays)
    err = linearization_error(arrays)
    names = ("linear output", f"{cfg.output} output", "bottleneck")
    grad = arrays["gradient"][0].mean((-1, -2))  # (width,) linear output
    reduction = loss_reduction(arrays)
    slope_band = claim("linearity-hessian-slope").rule.band
    err_bound = claim("linearity-linearization-slope").rule.x
    limits = hessian_limits(arrays)
    pct = lambda f: f"{f[0]:.0%} [{f[1][0]:.0%}, {f[1][1]:.0%}]"
    return {
        "lin-depth": int(cfg.depth), "lin-act": cfg.activation, "lin-output": cfg.output,
        "lin-data": f"{data_words(cfg)} scaled to the sphere of radius {math.sqrt(DIMENSION[cfg.dataset]):g}", "lin-iter": iteration_range(arrays, cfg),
        "lin-bottleneck": int(cfg.bottleneck), "lin-bottleneck-depth": int(cfg.depth + 1),
        "lin-samples": f"{arrays['hessian'].shape[2]} networks x {arrays['hessian'].shape[3]} inputs",
        "lin-slope-linear": fmt(hs[0]), "lin-slope-nonlinear": fmt(hs[1]), "lin-slope-bottleneck": fmt(hs[2]),
        "lin-slope-orth": fmt(orthogonal_hessian_slope(arrays)),
        "lin-linear-words": measured.words(
            "linearity-hessian-slope", holds=f"inside the ledger's {slope_band}, as the theory's Õ(n^(−1/2)) predicts",
            fails=f"outside the ledger's {slope_band}, against the theory's Õ(n^(−1/2))",
            inconclusive=f"an interval reaching beyond the ledger's {slope_band}: the data do not decide whether it "
                         "follows the theory's Õ(n^(−1/2))"),
        "lin-grad-orth": f"{arrays['gradient_orth'].mean():.2f}",
        "lin-orth-words": measured.words(
            "linearity-hessian-slope-orthogonal",
            holds="with orthogonal weights too the Hessian shrinks at the theory's rate",
            fails="with orthogonal weights the Hessian does not shrink at the theory's rate",
            inconclusive="the data do not decide whether it shrinks at the same rate"),
        "lin-limit-nonlinear": pct(limits[1]), "lin-limit-bottleneck": pct(limits[2]),
        "lin-limit-linear": pct(limits[0]), "lin-limit-orth": pct(hessian_limits(arrays, "hessian_orth")[0]),
        "lin-limit-contrast": limit_contrast_words(limits[0], limits[1:]),
        "lin-limit-linear-words": linear_limit_words(limits[0][1]),
        "lin-form-nonlinear": form_words(arrays, 1), "lin-form-bottleneck": form_words(arrays, 2),
        "lin-limit-rule": f"{claim('linearity-nonlinear-output').rule.x:.0%}",
        "lin-nonlinear-words": measured.words(
            "linearity-nonlinear-output",
            holds=f"the norm does not vanish, as a Θ(1) rank-one term predicts; {slope_words(hs[1][1])}",
            fails="less than half of the norm stays: it vanishes with width, against the paper",
            inconclusive="the interval reaches across a half, so the data do not decide whether a part of order one "
                         "stays"),
        "lin-bottleneck-words": measured.words(
            "linearity-bottleneck-hessian",
            holds=f"the narrow layer keeps it from vanishing; {slope_words(hs[2][1])}",
            fails="less than half of the norm stays: it vanishes with width after all, against the paper",
            inconclusive="the data do not decide whether a part of order one stays"),
        "lin-grad-range": f"[{grad.min():.2f}, {grad.max():.2f}]",
        "lin-change-linear": f"{arrays['change'][0, -1, :, -1].mean():.3f}",
        "lin-change-nonlinear": fmt(m["linearity-kernel-change-nonlinear"]),
        "lin-change-bottleneck": f"{arrays['change'][2, -1, :, -1].mean():.3f}",
        "lin-change-by-width": ", ".join(f"{c:.2f}" for c in by_width),
        "lin-change-order": measured.words(
            "linearity-kernel-change-nonlinear", holds="of order one", fails="well below order one",
            inconclusive="an interval too wide to say whether it is of order one"),
        "lin-change-slope-linear": fmt(cs[0]), "lin-change-slope-nonlinear": fmt(cs[1]),
        "lin-change-slope-bottleneck": fmt(cs[2]),
        "lin-change-slope-words": _slope_words(verdict["linearity-kernel-change-slope"],
                                               verdict["linearity-kernel-change-slope-nonlinear"],
                                               verdict["linearity-kernel-change-slope-bottleneck"],
                                               claim("linearity-kernel-change-slope").rule.x),
        "lin-err-slopes": "; ".join(f"{n} {fmt(f)}" for n, f in zip(names, ls)),
        "lin-err-largest": "; ".join(f"{n} {e[-1].mean():.2g}" for n, e in zip(names, err)),
        "lin-err-words": measured.words(
            "linearity-linearization-slope",
            holds="the linear-output network's distance to its linearization falls at least as fast as "
                  f"n^({err_bound:g}), the ledger's bound (the theory's n^(−1/2) less Õ's log factor)",
            fails="the linear-output network's distance to its linearization falls more slowly than "
                  f"n^({err_bound:g}), the ledger's bound",
            inconclusive="whether the linear-output network's distance to its linearization falls as fast as the "
                         f"ledger's bound n^({err_bound:g}) is not decided at these widths"),
        "lin-ratio": "; ".join(f"{n} {r.max():.2f}" for n, r in zip(names, ratio)),
        "lin-ratio-words": _ratio_words(ratio, names),
        "lin-train-width": int(arrays["train_widths"][-1]), "lin-train-widths": ", ".join(map(str, arrays["train_widths"])),
        "lin-train-fit-words": train_fit_words(len(arrays["train_widths"])),
        "lin-eta": ", ".join(f"{e:.3f} ({n})" for e, n in zip(np.atleast_1d(arrays["eta"]), names)),
        "lin-loss": ", ".join(f"{arrays['train_loss'][o, -1, :, -1].mean():.4f} ({n})" for o, n in enumerate(names)),
        "lin-loss-reduction": ", ".join(f"{r:.3g} ({n})" for r, n in zip(reduction, names)),
        "lin-train-words": _train_words(reduction, arrays["change"][:, -1, :, -1].mean(-1), names,
                                        claim("linearity-kernel-change-nonlinear").rule.x),
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


def _slope_words(linear, nonlinear, bottleneck, bound=-0.35):
    """One sentence on the three change slopes' verdicts (``bound``: the linear-output claim's largest slope)."""
    first = {"holds": f"falls at least as fast as n^({bound:g}), the ledger's bound (the theory's n^(−1/2) less Õ's log "
                      "factor)",
             "does not hold": f"falls more slowly than n^({bound:g}), the ledger's bound (the theory's n^(−1/2) less "
                              "Õ's log factor)",
             "inconclusive": f"falls at a rate these widths cannot compare with the ledger's bound n^({bound:g})"}[linear]
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


def iteration_range(arrays, cfg):
    """The power-iteration steps the shown Hessian norms took: ``"21 to 114"``, or one count where all took the same
    (a run saved before the tolerance, whose summary holds no counts, ran exactly ``n_iter``)."""
    steps = [np.ravel(arrays[k]) for k in ("iterations", "iterations_orth", "iterations0") if k in arrays]
    if not steps:
        return str(int(cfg.n_iter))
    lo, hi = (int(f(np.concatenate(steps))) for f in (np.min, np.max))
    return str(lo) if lo == hi else f"{lo} to {hi}"

