r"""Constancy's claims: the relative NTK change and weight change shrink with width (FCNs and CNNs, both inits),
orthogonal against Gaussian, the network against its linearization, and the catapult above the stability limit;
:func:`measure` reads each from the saved arrays and :func:`numbers` writes the prose's numbers from them."""

from orthontk_lib import original, stats
from orthontk_lib.claims import AtLeast, AtMost, Between, Claim, Measurement, Within
from orthontk_lib.references import cite

from . import authors
from .devices import device_numbers
from .experiment import B_STD, INITS, W_STD, WEIGHT_FIGURE, weight_ntk_slopes, weight_slopes
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

__all__ = ["BOUND_WHY", "CLAIMS", "HDX", "NAME", "SPIKE", "WEIGHT_WHY", "_authors_numbers", "measure", "numbers",
           "same_slopes_words"]

# CLAIMS

HDX = cite("huang2021orthogonal")
NAME = {"gaussian": "Gaussian", "orthogonal": "orthogonal"}
"""An init's name inside a sentence."""
BOUND_WHY = ("the lazy picture bounds the change by O(n^(-1/2)) (Jacot et al. 2018, Lee et al. 2019). A slope at "
             "-1/2 or steeper is consistent with it, with 0.15 allowance for seed noise and subleading terms. "
             "Perturbation theory (Dyer & Gur-Ari 2020) expects -1.")
WEIGHT_WHY = ("one GD step moves each layer by O(η) in Frobenius norm (NTK parameterization), and ||W_0||_F grows as "
              "√n (first layer, readout) or n (width × width layers); 0.15 allows for seed noise and the finite "
              "widths")
CLAIMS = [
    *(Claim(f"constancy-weights-{group}-{init}", f"{HDX}, Sec. 4 (weight-change figure)",
            f"Small-step GD moves {'a' if init == 'gaussian' else 'an'} {NAME[init]} network's {what} by a "
            f"relative n^({rate}).",
            f"common log-log slope over the {what} of the seed-mean ||W_T − W_0||_F/||W_0||_F against width, under GD "
            "at half the stability limit (95% t-interval)", Within(slope, 0.15), why=WEIGHT_WHY,
            decide="more widths or runs (paper scale)")
      for group, what, rate, slope in (("outer", "first and last layers", "-1/2", -0.5),
                                        ("inner", "width × width layers", "-1", -1.0))
      for init in INITS),
    *(Claim(f"constancy-weights-ntk-{init}", f"{HDX}, Thm. 2 and Sec. 4 (weight-change figure)",
            f"In the same runs {'a' if init == 'gaussian' else 'an'} {NAME[init]} network's NTK moves by "
            "O(1/√width) at most.",
            "log-log slope of the seed-mean ||Θ_T − Θ_0||_F/||Θ_0||_F against width, 3-hidden-layer erf network "
            "(95% t-interval)", AtMost(-0.35), why=BOUND_WHY, decide="more widths")
      for init in INITS),
    *(Claim(f"constancy-slope-{init}", f"{HDX}, Thm. 2 and Sec. 4 (empirical rate)",
            f"Small-step GD moves {'a' if init == 'gaussian' else 'an'} {NAME[init]} FCN's NTK by "
            "O(1/√width) at most.",
            "log-log slope of the seed-mean ||Θ_T − Θ_0||_F/||Θ_0||_F against width at η = N/λ_max (95% "
            "t-interval); a change that vanishes with width is a kernel constant at infinite width",
            AtMost(-0.35), why=BOUND_WHY, decide="more widths")
      for init in INITS),
    Claim("constancy-orth-over-gauss", f"{HDX}, abstract and Sec. 4",
          "An orthogonal network's NTK drifts at the same order as a Gaussian network's.",
          "orthogonal / Gaussian kernel change, geometric mean over widths (95% t-interval over widths)",
          Between(0.5, 2.0), why="'the same order': within a factor of two either way; then orthogonality brings no "
                                 "speed-up in the lazy regime", decide="more seeds per width"),
    Claim("constancy-linearization", "Lee et al. 2019",
          "A wide network's gap to its linearization vanishes as O(1/√width) or faster.",
          "common log-log slope (both inits) of max_t ||f_t − f_t^lin||/||f_0 − y|| against width (95% t-interval)",
          AtMost(-0.35), why=BOUND_WHY, decide="more widths"),
    Claim("constancy-cnn-slope", f"{HDX}, Sec. 3 (CNNs)",
          "For CNNs too, the NTK's change under small-step GD vanishes with the channels.",
          "common log-log slope (both inits) of the kernel change against channels (95% t-interval)",
          AtMost(-0.35), why=BOUND_WHY, decide="more channel counts (paper scale)"),
    Claim("constancy-large-lr", "Lewkowycz et al. 2020",
          "Above the stability limit 2N/λ_max, GD converges only by moving the NTK by O(1).",
          "seed-mean ||Θ_T − Θ_0||_F/||Θ_0||_F at η = 3N/λ_max, largest width, for the init that moves less "
          "(95% t-interval over seeds)",
          AtLeast(0.2), why="order one, at every width (the catapult phase), which the lazy picture does not "
                            "predict; at small η the change at that width is a few percent",
          decide="more seeds", caveat="largest width only"),
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


SPIKE = 1.05
"""The catapult's spike is seen when the largest training loss is at least this many times the initial one."""


def _authors_numbers():
    """The authors' Fig. 2 runs in a few numbers: runs per width, their widths, and where they come from."""
    theirs = authors.arrays()
    w = theirs["weight_widths"]
    return {"con-authors-runs": int(theirs["weight_change"].shape[2]), "con-authors-widths": f"{w[0]} to {w[-1]}",
            "con-authors-source": original.source()}


def numbers(arrays, cfg, measured):
    """The numbers, intervals and verdict words of the chapter's prose (``measured``: the claims measured on
    ``arrays``)."""
    fmt = lambda m: f"{m[0]:.2f} [{m[1][0]:.2f}, {m[1][1]:.2f}]"
    m = measured
    short = {"gaussian": "gauss", "orthogonal": "orth"}
    rs = arrays["record_steps"]
    sharp = final_sharpness(arrays)
    peak = catapult_peak(arrays)
    div = arrays["fcn_diverged"][:, :, 1]
    weights = {f"con-w-{key}-{short[init]}": fmt(m[f"constancy-weights-{key}-{init}"])
               for key in ("outer", "inner", "ntk") for init in INITS}
    w_verdicts = list(measured.verdicts("constancy-weights-").values())
    return {
        **weights,
        **{f"con-w-{v.replace('does not hold', 'fails')}": sum(x == v for x in w_verdicts)
           for v in ("holds", "does not hold", "inconclusive")},
        "con-w-seeds": int(arrays["weight_change"].shape[2]),
        **_authors_numbers(),
        **device_numbers(cfg),
        "con-authors-differ": authors.differing(authors.agreement(arrays)),
        "con-authors-apart": "{} of {}".format(*authors.apart_on_book_widths(arrays)),
        "con-w-lr": f"{cfg.lr_small:g} N/λ = {float(arrays['weight_eta']):.3f}",
        "con-w-same": same_slopes_words({key: [m[f"constancy-weights-{key}-{init}"][1] for init in INITS]
                                         for key in ("outer", "inner", "ntk")}),
        "con-w-differs": WEIGHT_FIGURE.caption(cfg),
        "con-w-depth": int(cfg.weight_depth), "con-w-act": cfg.weight_activation,
        "con-depth": int(cfg.depth), "con-cnn-depth": int(cfg.cnn_depth), "con-filter": int(cfg.cnn(1).kernel_size),
        "con-sw2": f"{W_STD**2:g}", "con-sb": f"{B_STD:g}",
        "con-data": f"{cfg.n_train} {cfg.dataset} images (CNN: {cfg.cnn_train})",
        "con-steps": int(rs[-1]), "con-every": int(rs[1]), "con-seeds": int(arrays["fcn_change"].shape[3]),
        "con-lr-small": f"{cfg.lr_small:g} N/λ = {arrays['fcn_eta'][0]:.3f}",
        "con-lr-large": f"{cfg.lr_large:g} N/λ = {arrays['fcn_eta'][1]:.3f}",
        "con-small-share": f"{cfg.lr_small / 2:g}", "con-large-share": f"{cfg.lr_large / 2:g}",  # of the limit 2N/λ
        "con-slope-gauss": fmt(m["constancy-slope-gaussian"]), "con-slope-orth": fmt(m["constancy-slope-orthogonal"]),
        "con-ratio": fmt(m["constancy-orth-over-gauss"]),
        "con-same-verdict": measured.verdict("constancy-orth-over-gauss"),
        **{f"con-change-widest-{short[i]}": f"{c:.3f}" for c, i in zip(final_change(arrays)[-1], INITS)},
        "con-widest": int(arrays["fcn_widths"][-1]),
        "con-gap-slope": fmt(m["constancy-linearization"]),
        "con-gap-verdict": measured.verdict("constancy-linearization"),
        "con-gap-widest": f"{linearization_gap(arrays)[-1].mean():.3f}",
        "con-early": f"{100 * (arrays['fcn_change'][-1, :, 0, :, len(rs) // 4] / arrays['fcn_change'][-1, :, 0, :, -1]).mean():.0f}%",
        "con-large": fmt(m["constancy-large-lr"]),
        "con-large-init": INITS[int(large_lr_samples(arrays).mean(-1).argmin())],  # the init measure() reads
        "con-lazy-verdict": measured.verdict("constancy-large-lr"),
        "con-large-loss": f"{arrays['fcn_loss'][-1, :, 1, :, -1].mean():.1e}",
        "con-sharp-start": f"{sharp[0]:.2f}", "con-sharp-end": f"{sharp[1]:.2f}",
        "con-diverged": f"{int(div.sum())} of {div.size}",
        "con-peak": f"{peak:.2g}",
        "con-spike": "a spike" if peak > SPIKE else "no spike",
        "con-cnn-slope": fmt(m["constancy-cnn-slope"]),
        "con-cnn-verdict": measured.verdict("constancy-cnn-slope"),
        "con-cnn-ratio": fmt(init_ratio(arrays, "cnn")),
        "con-cnn-large": f"{large_lr_change(arrays, 'cnn'):.2f}",
    }


def same_slopes_words(intervals):
    """Whether the Gaussian and orthogonal slopes' intervals overlap, per group (``{group: [ci_gauss, ci_orth]}``):
    ``"overlap in all three groups"``, else ``"are disjoint for the <groups>"``."""
    names = {"outer": "outer layers", "inner": "inner layers", "ntk": "kernel"}
    apart = [names[k] for k, (g, o) in intervals.items() if g[1] < o[0] or o[1] < g[0]]
    return f"are disjoint for the {' and the '.join(apart)}" if apart else "overlap in all three groups"
