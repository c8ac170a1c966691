r"""The training curves' claims: orthogonal and Gaussian networks give the same loss curves in the paper's four
settings, read as the largest mean log loss ratio over the losses and the halves of training, held to a margin;
:func:`measure` reads each from the saved arrays and :func:`numbers` writes the prose's numbers from them."""

import math

from orthontk_lib.claims import FAILS, HOLDS, INCONCLUSIVE, VERDICTS, AtMost, Claim, Measurement
from orthontk_lib.references import cite

from .experiment import GD, GD_FIGURE, SETTINGS, SGD, SGD_FIGURE, computed_differences
from orthontk_lib import original

from . import authors
from .authors import paper_gap
from .statistics import LEVEL, MARGIN, YLABELS, final, loss_gap, optimizer_name, setting_losses

__all__ = ["ACTIVATIONS", "CLAIMS", "EARLY", "MARGIN_WHY", "_flat", "decide_words", "measure", "numbers", "title"]

# CLAIMS

MARGIN_WHY = (f"'the same curves': over each half of training the orthogonal runs' loss is within a fifth of the "
              f"Gaussian runs' in log (|mean log ratio| <= {MARGIN:g}). That is no further apart than the paper's own "
              "overlaid full-batch curves. The chapter reads the authors' published runs with this statistic. The "
              "margin is fixed before the runs and the same at every profile and seed count. More seeds therefore "
              "narrow the intervals towards a verdict instead of moving the bar.")

ACTIVATIONS = {"tanh": "tanh", "relu": "ReLU"}
"""The activations as the page writes them."""

CLAIMS = [
    Claim(f"curves-{name}", f"{cite('huang2021orthogonal')}, Sec. 4 ({s.figure})",
          f"{'Full-batch GD' if s.batch_size is None else optimizer_name(s)}, {ACTIVATIONS[s.activation]}, depth "
          f"{s.depth}: orthogonal and Gaussian inits give the same loss curves.",
          "largest |mean log loss ratio| (orthogonal over Gaussian, seed pairs sharing their data order) over the "
          "training and test loss and the two halves of the recorded steps. Its 95% interval covers all four at "
          "once (t-intervals over seeds, Bonferroni).",
          AtMost(MARGIN), why=MARGIN_WHY, decide="more seeds (the paper uses 30); the page computes how many",
          caveat="σ_W², σ_b² are the book's choice" if s.activation == "relu" else "")
    for name, s in SETTINGS.items()
]


def measure(arrays, cfg):
    """Each setting's loss gap with its interval; detail: where the gap is, the seed spread, the seed count and
    the seed count that would decide."""
    return {f"curves-{name}": Measurement(*loss_gap(setting_losses(arrays, name))) for name in SETTINGS}


EARLY = 0.3
"""A setting whose final test accuracy stays below this for both inits has barely begun to train at its run's step
count: its curves compare first steps, and more steps, not more seeds, are what would make the comparison the
paper's."""


def decide_words(verdict, detail, early=False, value=None):
    """How many seeds per init would decide a setting, in a few words: ``decided at n`` where the present ``n`` do,
    else the count :func:`seeds_to_decide` found (and which way it would decide if the gap stayed at ``value``), after
    ``more steps first`` where training has barely begun (``early``)."""
    if value is not None and not math.isfinite(value):
        return "not measured: a run diverged"
    if verdict != INCONCLUSIVE:
        return f"decided at {detail['n_seeds']}"
    need = detail["seeds_to_decide"]
    words = "more than 10,000" if need is None else f"about {need}"
    if value is not None and need is not None:
        words += ", toward different" if value > MARGIN else ", toward alike"
    return f"more steps first, then {words}" if early else words


def title(verdicts):
    """The chapter's title after "Training curves: ", from the settings' verdicts (at most 8 words)."""
    n = {v: verdicts.count(v) for v in VERDICTS}
    total = len(verdicts)
    if n[HOLDS] == total:
        return "orthogonal and Gaussian train alike"
    if n[FAILS] == total:
        return "orthogonal and Gaussian train differently"
    if n[INCONCLUSIVE] == total:
        return "undecided on the run shown"
    parts = [f"{n[v]} {word}" for v, word in zip(VERDICTS, ("alike", "different", "undecided")) if n[v]]
    count, word = parts[0].split(" ")
    parts[0] = f"{count} setting{'' if count == '1' else 's'} {word}"
    return ", ".join(parts)


def _flat(measurement):
    """``(value, lo, hi)`` of a ``(value, (lo, hi), ...)``."""
    return measurement[0], *measurement[1]


def numbers(arrays, cfg, measured):
    """The numbers, verdict words and short labels of the chapter's page (``measured``: the claims measured on
    ``arrays``); per setting ``curves-<setting>-<what>``."""
    out = {"curves-seeds": int(arrays["gd-shallow_train_loss"].shape[1]),
           "curves-gd-differs": GD_FIGURE.caption(cfg, computed_differences(cfg, GD)),
           "curves-sgd-differs": SGD_FIGURE.caption(cfg, computed_differences(cfg, SGD)),
           "curves-margin": f"{MARGIN:g}",
           "curves-margin-ratio": f"{math.exp(-MARGIN):.2f} to {math.exp(MARGIN):.2f}",
           "curves-paper-gap": "{:.3f} [{:.3f}, {:.3f}]".format(*_flat(paper_gap())),
           "curves-authors-seeds": int(authors.arrays(evenly_spaced=True)["gd-shallow_train_loss"].shape[1]),
           "curves-authors-source": original.source(),
           "curves-authors-copies": ", ".join(f.split("/")[-1] for f in original.copies()) or "none",
           "curves-authors-differ": authors.differing(authors.agreement(arrays)),
           "curves-level": f"{LEVEL:.4f}",
           "curves-early": f"{EARLY:g}",
           "curves-dataset": cfg.dataset,
           "curves-n-train-gd": cfg.n_train_gd,
           "curves-n-train-sgd": cfg.n_train_sgd,
           "curves-n-test": cfg.n_test,
           "curves-n-settings": len(SETTINGS)}
    verdicts = []
    for name, s in SETTINGS.items():
        acc = final(arrays, name, "test_accuracy")
        value, ci, detail = measured[f"curves-{name}"]
        verdict = measured.verdict(f"curves-{name}")
        verdicts.append(verdict)
        early = bool(acc.max() < EARLY)
        out.update({
            f"curves-{name}-optimizer": optimizer_name(s),
            f"curves-{name}-loss": "squared" if s.loss == "mse" else "cross-entropy",
            f"curves-{name}-batch": "full" if s.batch_size is None else s.batch_size,
            f"curves-{name}-activation": ACTIVATIONS[s.activation],
            f"curves-{name}-depth": s.depth,
            f"curves-{name}-width": cfg.width(name),
            f"curves-{name}-wvar": f"{s.W_var:g}",
            f"curves-{name}-bvar": f"{s.b_var:g}",
            f"curves-{name}-lr": f"{cfg.lr(name):.3g}",
            f"curves-{name}-steps": int(arrays[f"{name}_steps"][-1]),
            f"curves-{name}-gap": f"{value:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]",
            f"curves-{name}-where": "not measured: a run diverged" if detail["curve"] is None else (
                f"{YLABELS[detail['curve']]}, {detail['window']}"),
            f"curves-{name}-spread": "not measured" if detail["seed_spread"] is None else f"{detail['seed_spread']:.3f}",
            f"curves-{name}-acc": f"{acc[0]:.3f} / {acc[1]:.3f}" + (" (barely trained)" if early else ""),
            f"curves-{name}-verdict": verdict,
            f"curves-{name}-decide": decide_words(verdict, detail, early, value),
        })
    out["curves-title"] = title(verdicts)
    for v, word in zip(VERDICTS, ("alike", "differently", "undecided")):
        out[f"curves-n-{word}"] = verdicts.count(v)
    return out
