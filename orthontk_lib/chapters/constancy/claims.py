r"""Constancy's claims: the relative NTK change and weight change shrink with width (FCNs and CNNs, both inits),
orthogonal against Gaussian, the network against its linearization, and the catapult above the stability limit;
:func:`measure` reads each from the saved arrays and :func:`numbers` writes the prose's numbers from them."""

from orthontk_lib import stats
from orthontk_lib.claims import AtLeast, AtMost, Between, Claim, Measurement, Within

from .experiment import INITS, WEIGHT_FIGURE, weight_ntk_slopes, weight_slopes
from .statistics import (
    catapult_peak,
    change_slopes,
    common_slope,
    final_change,
    final_sharpness,
    init_ratio,
    large_lr_change,
    large_lr_samples,
    linearization_gap,
)

# CLAIMS

HDX = "Huang, Du, Xu 2021"
BOUND_WHY = ("the lazy picture bounds the change by O(n^(-1/2)) (Jacot et al. 2018, Lee et al. 2019); a slope at "
             "-1/2 or steeper is consistent with it, with 0.15 allowance for seed noise and subleading terms; "
             "perturbation theory (Dyer & Gur-Ari 2020) expects -1")
WEIGHT_WHY = ("one GD step moves each layer by O(η) in Frobenius norm (NTK parameterization), and ||W_0||_F grows as "
              "√n (first layer, readout) or n (width × width layers); 0.15 allows for seed noise and the finite "
              "widths")
CLAIMS = [
    *(Claim(f"constancy-weights-{group}-{init}", f"{HDX}, Sec. 4 (weight-change figure)",
            f"Under small-learning-rate GD the {what} of {'a' if init == 'gaussian' else 'an'} {init} network "
            f"move{'s' if group == 'outer' else ''} by a relative amount of order n^({rate}).",
            f"common log-log slope over {what} of the seed-mean ||W_T − W_0||_F/||W_0||_F against width (95% "
            "t-interval)", Within(slope, 0.15), why=WEIGHT_WHY, decide="more widths or runs (the paper profile)")
      for group, what, rate, slope in (("outer", "first and last layer", "-1/2", -0.5),
                                        ("inner", "width × width hidden layers", "-1", -1.0))
      for init in INITS),
    *(Claim(f"constancy-weights-ntk-{init}", f"{HDX}, Thm. 2 and Sec. 4 (weight-change figure)",
            f"In the same runs the NTK of {'a' if init == 'gaussian' else 'an'} {init} network moves by "
            "O(1/√width) at most.",
            "log-log slope of the seed-mean ||Θ_T − Θ_0||_F/||Θ_0||_F against width, 3-hidden-layer erf network "
            "(95% t-interval)", AtMost(-0.35), why=BOUND_WHY, decide="more widths")
      for init in INITS),
    *(Claim(f"constancy-slope-{init}", f"{HDX}, Thm. 2 and Sec. 4 (empirical rate)",
            f"Under small-learning-rate GD the NTK of {'a' if init == 'gaussian' else 'an'} {init} FCN moves by "
            "O(1/√width) at most: constant at infinite width.",
            "log-log slope of the seed-mean ||Θ_T − Θ_0||_F/||Θ_0||_F against width at η = N/λ_max (95% "
            "t-interval)", AtMost(-0.35), why=BOUND_WHY, decide="more widths")
      for init in INITS),
    Claim("constancy-orth-over-gauss", f"{HDX}, abstract and Sec. 4",
          "At finite width the NTK of an orthogonal network varies at a rate of the same order as a Gaussian "
          "network's: no speed-up from orthogonality in the lazy regime.",
          "orthogonal / Gaussian kernel change, geometric mean over widths (95% t-interval over widths)",
          Between(0.5, 2.0), why="'the same order': within a factor of two either way",
          decide="more seeds per width"),
    Claim("constancy-linearization", "Lee et al. 2019",
          "A wide network follows its linearization around initialization: the output gap vanishes at least as "
          "O(1/√width), for both inits.",
          "common log-log slope (both inits) of max_t ||f_t − f_t^lin||/||f_0 − y|| against width (95% t-interval)",
          AtMost(-0.35), why=BOUND_WHY, decide="more widths"),
    Claim("constancy-cnn-slope", f"{HDX}, Sec. 3 (CNNs)",
          "The same holds for CNNs: the NTK change under small-learning-rate GD vanishes with the channel count.",
          "common log-log slope (both inits) of the kernel change against channels (95% t-interval)",
          AtMost(-0.35), why=BOUND_WHY, decide="more channel counts (the paper profile)"),
    Claim("constancy-large-lr", "Lewkowycz et al. 2020",
          "Above the stability limit 2N/λ_max, GD converges only by moving the NTK by O(1), at every width (the "
          "catapult phase), which the lazy picture does not predict.",
          "seed-mean ||Θ_T − Θ_0||_F/||Θ_0||_F at η = 3N/λ_max, largest width, for the init that moves less "
          "(95% t-interval over seeds)",
          AtLeast(0.2), why="order one; at small η the change at that width is a few percent",
          decide="more seeds"),
]


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval."""
    out = {f"constancy-slope-{init}": Measurement(s, ci) for init, (s, ci, _) in zip(INITS, change_slopes(arrays))}
    for group in ("outer", "inner"):
        out.update({f"constancy-weights-{group}-{init}": Measurement(*fit)
                    for init, fit in zip(INITS, weight_slopes(arrays, group))})
    out.update({f"constancy-weights-ntk-{init}": Measurement(s, ci) for init, (s, ci, _) in
                zip(INITS, weight_ntk_slopes(arrays))})
    out["constancy-orth-over-gauss"] = Measurement(*init_ratio(arrays))
    out["constancy-linearization"] = Measurement(*common_slope(arrays, linearization_gap(arrays)))
    out["constancy-cnn-slope"] = Measurement(*common_slope(arrays, final_change(arrays, "cnn"), "cnn"))
    per_init = [stats.mean_ci(v) for v in large_lr_samples(arrays)]
    low = min(range(len(INITS)), key=lambda i: per_init[i][0])
    out["constancy-large-lr"] = Measurement(*per_init[low], {"init": INITS[low]})
    return out


def numbers(arrays, cfg, measured):
    """The numbers and phrases of the chapter's prose (``measured``: the claims measured on ``arrays``)."""
    fmt = lambda m: f"{m[0]:.2f} [{m[1][0]:.2f}, {m[1][1]:.2f}]"
    m = measured
    rs = arrays["record_steps"]
    sharp = final_sharpness(arrays)
    peak = catapult_peak(arrays)
    div = arrays["fcn_diverged"][:, :, 1]
    weights = {f"con-w-{key}": ", ".join(f"{fmt(m[f'constancy-weights-{key}-{init}'])} ({init})" for init in INITS)
               for key in ("outer", "inner", "ntk")}
    w_verdicts = list(measured.verdicts("constancy-weights-").values())
    return {
        **weights,
        "con-w-verdict": ("all six slopes are within their rules: the outer layers move as n^(-1/2), the inner ones as "
                          "n^(-1), and the kernel at least as fast as n^(-1/2), for both initializations"
                          if all(v == "holds" for v in w_verdicts) else
                          f"{sum(v == 'holds' for v in w_verdicts)} of the six slopes are within their rules "
                          f"({sum(v == 'does not hold' for v in w_verdicts)} outside, "
                          f"{sum(v == 'inconclusive' for v in w_verdicts)} inconclusive; the ledger says which)"),
        "con-w-seeds": int(arrays["weight_change"].shape[2]),
        "con-w-lr": f"{cfg.lr_small:g} N/λ = {float(arrays['weight_eta']):.3f}",
        "con-gap-words": measured.words(
            "constancy-linearization", holds="The network stays close to its linearization, and closer as it widens",
            fails="The gap to the linearization does not shrink with width as fast as n^(-1/2)",
            inconclusive="Whether the gap to the linearization shrinks with width is not decided at these widths"),
        "con-cnn-words": measured.words(
            "constancy-cnn-slope", holds="CNNs behave alike",
            fails="CNNs do not: their kernel's drift does not fall as fast as n^(-1/2)",
            inconclusive="For CNNs the decay is not decided at these channel counts"),
        "con-lazy-words": measured.words(
            "constancy-large-lr", holds="Width does not make this regime lazy, and it",
            fails="At the widest networks the kernel moves little even here, and yet it",
            inconclusive="Whether width makes this regime lazy is not decided here; it"),
        "con-w-same": same_slopes_sentence({key: [m[f"constancy-weights-{key}-{init}"][1] for init in INITS]
                                            for key in ("outer", "inner", "ntk")}),
        "con-w-differs": WEIGHT_FIGURE.caption(cfg),
        "con-depth": int(cfg.depth), "con-cnn-depth": int(cfg.cnn_depth),
        "con-data": f"{cfg.n_train} {cfg.dataset} images (CNN: {cfg.cnn_train})",
        "con-steps": int(rs[-1]), "con-every": int(rs[1]), "con-seeds": int(arrays["fcn_change"].shape[3]),
        "con-lr-small": f"{cfg.lr_small:g} N/λ = {arrays['fcn_eta'][0]:.3f}",
        "con-lr-large": f"{cfg.lr_large:g} N/λ = {arrays['fcn_eta'][1]:.3f}",
        "con-slope-gauss": fmt(m["constancy-slope-gaussian"]), "con-slope-orth": fmt(m["constancy-slope-orthogonal"]),
        "con-ratio": fmt(m["constancy-orth-over-gauss"]), "con-same-words": measured.words(
            "constancy-orth-over-gauss",
            holds="The two inits drift by the same order: in the lazy regime orthogonality changes nothing",
            fails="The two inits drift by different orders, against the paper's finding",
            inconclusive="Whether the two inits drift by the same order is not decided at these widths and seeds"),
        "con-change-widest": ", ".join(f"{c:.3f} ({i})" for c, i in zip(final_change(arrays)[-1], INITS)),
        "con-widest": int(arrays["fcn_widths"][-1]),
        "con-gap-slope": fmt(m["constancy-linearization"]),
        "con-gap-widest": f"{linearization_gap(arrays)[-1].mean():.3f}",
        "con-early": f"{100 * (arrays['fcn_change'][-1, :, 0, :, len(rs) // 4] / arrays['fcn_change'][-1, :, 0, :, -1]).mean():.0f}%",
        "con-large": fmt(m["constancy-large-lr"]),
        "con-large-loss": f"{arrays['fcn_loss'][-1, :, 1, :, -1].mean():.1e}",
        "con-sharp": f"{sharp[0]:.2f} at initialization to {sharp[1]:.2f}",
        "con-diverged": f"{int(div.sum())} of {div.size}",
        "con-peak": f"{peak:.2g}",
        "con-peak-words": ("the training loss first rises, to {:.2g} times its initial value, then comes down: the "
                           "catapult's signature".format(peak) if peak > 1.05 else
                           "the training loss does not rise above its initial value at the recorded steps, so the "
                           "catapult's signature, a spike in the loss, is not seen here"),
        "con-cnn-slope": fmt(m["constancy-cnn-slope"]),
        "con-cnn-ratio": fmt(init_ratio(arrays, "cnn")),
        "con-cnn-large": f"{large_lr_change(arrays, 'cnn'):.2f}",
    }


def same_slopes_sentence(intervals):
    """Whether the Gaussian and orthogonal slopes' intervals overlap, per group (``{group: [ci_gauss, ci_orth]}``)."""
    names = {"outer": "outer layers", "inner": "inner layers", "ntk": "kernel"}
    apart = [names[k] for k, (g, o) in intervals.items() if g[1] < o[0] or o[1] < g[0]]
    if not apart:
        return "The orthogonal and Gaussian intervals overlap for all three, as the paper finds: the same rates"
    return (f"The orthogonal and Gaussian intervals are disjoint for the {' and the '.join(apart)}: there the two "
            "initializations move at different rates, unlike the paper's figure")
