r"""The training curves' claims: orthogonal and Gaussian networks give the same loss curves in the paper's four
settings, read as the largest mean log loss ratio over the losses and the halves of training, held to a margin;
:func:`measure` reads each from the saved arrays and :func:`numbers` writes the prose's numbers from them."""

import math

from orthontk_lib.claims import FAILS, HOLDS, INCONCLUSIVE, VERDICTS, AtMost, Claim, Measurement

from .experiment import FIGURE, SETTINGS, Config, computed_differences
from .statistics import MARGIN, PAPER_GAP, YLABELS, final, loss_gap, optimizer_name, setting_losses

# CLAIMS

MARGIN_WHY = (f"'the same curves': over each half of training the orthogonal runs' loss is within a fifth of the "
              f"Gaussian runs' in log (|mean log ratio| <= {MARGIN:g}), no further apart than the paper's own overlaid "
              f"full-batch curves (the authors' published runs give {PAPER_GAP[0]:.3f} [{PAPER_GAP[1][0]:.3f}, "
              f"{PAPER_GAP[1][1]:.3f}] on this statistic); fixed before the runs and the same at every profile and seed "
              "count, so more seeds narrow the intervals towards a verdict instead of moving the bar")
CLAIMS = [
    Claim(f"curves-{name}", f"Huang, Du, Xu 2021, Sec. 4 ({s.figure})",
          f"{'Full-batch GD' if s.batch_size is None else 'RMSProp' if s.optimizer == 'rmsprop' else 'SGD'} "
          f"of {s.activation} networks of depth {s.depth}: orthogonal and Gaussian initializations give the same "
          "training and test loss curves.",
          "largest |mean log loss ratio| (orthogonal over Gaussian, seed pairs sharing their data order) over the "
          "training and test loss and the two halves of the recorded steps; its 95% interval covers all four at "
          "once (t-intervals over seeds, Bonferroni)",
          AtMost(MARGIN), why=MARGIN_WHY, decide="more seeds (the paper uses 30); the page computes how many")
    for name, s in SETTINGS.items()
]


def measure(arrays, cfg):
    """Each setting's loss gap with its interval; detail: where the gap is, the seed spread, the seed count and
    the seed count that would decide."""
    return {f"curves-{name}": Measurement(*loss_gap(setting_losses(arrays, name))) for name in SETTINGS}


EARLY = 0.3
"""A setting whose final test accuracy stays below this for both inits has barely begun to train at its profile's step
count: its curves compare first steps, and more steps, not more seeds, are what would make the comparison the
paper's."""


def _decide_words(detail, early=False, value=None):
    """What would decide an undecided setting: more steps first where training has barely begun (``early``), else
    the seed count, and which way it would decide if the gap stays at ``value`` (above the margin: differently)."""
    need = detail["seeds_to_decide"]
    way = "" if value is None else (" as training differently" if value > MARGIN else " as training alike")
    if early:
        many = "more than 10,000" if need is None else f"about {need}"
        return (f"more steps first: training has barely begun at this profile's step count, and more seeds ({many} "
                "per init) would decide only how alike the first steps are")
    if need is None:
        return "no seed count up to 10,000 would, as long as the gap sits on the margin"
    return f"about {need} seeds per init would decide it{way}, if the gap and the seed spread stay as measured"


def margin_words(ci):
    """Where the verdict of an interval ``ci`` would flip if the margin were another: the margin is a declared choice."""
    lo, hi = ci
    if lo > MARGIN:
        return f"only a margin of {lo:.3f} or more would not read it as failing"
    if hi <= MARGIN:
        return f"a margin below {hi:.3f} would no longer read it as holding"
    return f"a margin of {hi:.3f} or more would read it as holding" + (
        f", one below {lo:.3f} as failing" if lo > 0 else "")


VERDICT_WORDS = {
    HOLDS: "the whole interval lies below the margin: the two inits train alike",
    FAILS: "the whole interval lies above the margin: the two inits train differently",
    INCONCLUSIVE: "inconclusive at this profile: the interval straddles the margin",
}


def title(verdicts):
    """The chapter's title after "Training curves: ", from the settings' verdicts."""
    n = {v: verdicts.count(v) for v in VERDICTS}
    total = len(verdicts)
    if n[HOLDS] == total:
        return "orthogonal and Gaussian networks train alike"
    if n[FAILS] == total:
        return "orthogonal and Gaussian networks train differently"
    if n[INCONCLUSIVE] == total:
        return "whether orthogonal and Gaussian networks train alike is undecided at this profile"
    parts = [f"alike in {n[HOLDS]}", f"differently in {n[FAILS]}", f"undecided in {n[INCONCLUSIVE]}"]
    return "orthogonal and Gaussian networks train " + ", ".join(
        p for p, v in zip(parts, VERDICTS) if n[v]) + f" of {total} settings"


def numbers(arrays, cfg, measured):
    """The numbers and phrases of the chapter's prose (``measured``: the claims measured on ``arrays``)."""
    out = {"curves-seeds": int(arrays["gd-shallow_train_loss"].shape[1]),
           "curves-differs": FIGURE.caption(cfg, computed_differences(cfg)),
           "curves-margin": f"{MARGIN:g}",
           "curves-margin-ratio": f"{math.exp(-MARGIN):.2f} to {math.exp(MARGIN):.2f}",
           "curves-paper-gap": f"{PAPER_GAP[0]:.3f} [{PAPER_GAP[1][0]:.3f}, {PAPER_GAP[1][1]:.3f}]"}
    verdicts, undecided = [], []
    for name, s in SETTINGS.items():
        acc = final(arrays, name, "test_accuracy")
        value, ci, detail = measured[f"curves-{name}"]
        verdict = measured.verdict(f"curves-{name}")
        verdicts.append(verdict)
        out[f"curves-{name}-setting"] = (f"depth {s.depth}, width {cfg.width(name)}, {s.activation}, "
                                         f"σ_W² = {s.W_var:g}, σ_b² = {s.b_var:g}, {optimizer_name(s)} "
                                         f"η = {cfg.lr(name):.3g}, {'full batch' if s.batch_size is None else f'batch {s.batch_size}'}, "
                                         f"{'squared loss' if s.loss == 'mse' else 'cross-entropy'}, "
                                         f"{int(arrays[f'{name}_steps'][-1])} steps")
        where = "" if detail["curve"] is None else f", on the {YLABELS[detail['curve']]} over the {detail['window']}"
        out[f"curves-{name}-gap"] = f"{value:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]{where}"
        out[f"curves-{name}-spread"] = "not measured" if detail["seed_spread"] is None else (
            f"{detail['seed_spread']:.3f}")
        early = bool(acc.max() < EARLY)
        out[f"curves-{name}-acc"] = f"{acc[0]:.3f} (Gaussian) and {acc[1]:.3f} (orthogonal)" + (
            "; training has barely begun at this profile's step count, so the comparison says little" if early else "")
        out[f"curves-{name}-verdict"] = VERDICT_WORDS[verdict] + (
            f"; {_decide_words(detail, early, value)}" if verdict == INCONCLUSIVE and math.isfinite(value) else
            "; a run diverged, so the gap is not measured" if verdict == INCONCLUSIVE else "") + (
            f" (the margin is a declared choice: {margin_words(ci)})" if math.isfinite(ci[1]) else "")
        if verdict == INCONCLUSIVE:
            undecided.append((name, dict(detail, early=early)))
    counts = {v: verdicts.count(v) for v in VERDICTS}
    out["curves-title"] = title(verdicts)
    out["curves-summary"] = (f"Of the four settings, the two inits train alike in {counts[HOLDS]}, differently in "
                             f"{counts[FAILS]}, and the data do not decide in {counts[INCONCLUSIVE]}")
    out["curves-decide"] = _decide_sentence(undecided, cfg)
    return out


def _decide_sentence(undecided, cfg):
    """What would decide the undecided settings, computed from their intervals."""
    if not undecided:
        return f"Every setting is decided at this profile's {cfg.n_seeds} seeds per init."
    join = lambda xs: xs[0] if len(xs) == 1 else ", ".join(xs[:-1]) + " and " + xs[-1]
    early = [name for name, d in undecided if d.get("early")]
    seeds = [(name, d) for name, d in undecided if not d.get("early")]
    paper = Config.PROFILES["paper"]["n_seeds"]
    out = (f"Inconclusive at this profile ({cfg.n_seeds} seeds per init): "
           f"{', '.join(name for name, _ in undecided)}.")
    if early:
        out += (f" For {join(early)} training has barely begun at this profile's step count: more steps, not more "
                "seeds, would make the comparison the paper's.")
    if seeds:
        needs = [f"{'more than 10,000' if d['seeds_to_decide'] is None else d['seeds_to_decide']} ({name})"
                 for name, d in seeds]
        out += (f" What would decide {'the others' if early else 'it' if len(seeds) == 1 else 'them'} is more "
                f"seeds: about {join(needs)} seeds per init, if the gaps and seed spreads stay as measured (the paper "
                f"profile runs {paper}, the paper 30).")
    return out
