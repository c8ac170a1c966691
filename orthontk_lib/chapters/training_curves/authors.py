r"""The authors' numbers behind the paper's Fig. 3 and its supplement's SGD figure, read as this chapter reads its own.

Huang, Du and Xu published their training curves (30 seeds per init; :mod:`orthontk_lib.original`). :func:`arrays`
puts them in this chapter's array names and shapes, so that its statistic
(:func:`~orthontk_lib.chapters.training_curves.statistics.loss_gap`) and figure
(:func:`~orthontk_lib.chapters.training_curves.figures.fig_curves`) read both the same way. The statistic reads the
evenly spaced records (step T/50, …, T, as the book's runs record from step 0); the figure also the early steps.
"""

import numpy as np

from orthontk_lib import original

from .experiment import INITS, SETTINGS
from .statistics import loss_gap, setting_losses

__all__ = ["FOLDERS", "arrays", "agreement", "differing", "measurements", "paper_gap", "COLUMNS"]

FOLDERS = {
    "gd-shallow": {"gaussian": "full_batch/tanh_gau_L3_N400", "orthogonal": "full_batch/tanh_orth_L3_N400"},
    "gd-deep": {"gaussian": "full_batch/tanh_gau_L7_N800", "orthogonal": "full_batch/tanh_orth_L7_N800"},
    "sgd-tanh": {"gaussian": "sgd/tanh_gau_L5_N800", "orthogonal": "sgd/tanh_ort_L5_N800"},
    "rmsprop-relu": {"gaussian": "sgd/relu2_gau_L9_mom_N1600", "orthogonal": "sgd/relu2_ort_L9_mom_N1600"},
}
"""Per setting of :data:`SETTINGS` and init, the authors' folder of its runs (their depth 7 / width 400 folders are
left out: the orthogonal one holds the Gaussian runs' files, byte for byte)."""

_FIELDS = {"train_loss": "train_loss", "test_loss": "test_loss", "train_accuracy": "train_acc",
           "test_accuracy": "test_acc"}


def arrays(saved=None, evenly_spaced=False):
    """The authors' curves as this chapter's arrays: ``<setting>_steps`` (record,) and ``<setting>_<metric>`` (init,
    seed, record) for each setting whose runs the committed summaries hold (the others are absent: their files were
    not in the repository's snapshot). ``evenly_spaced``: only the evenly spaced records, which the statistic reads.

    Raises:
      orthontk_lib.original.OriginalError: the committed summaries are missing or corrupt.
    """
    a, _ = original.load(*(() if saved is None else (saved,)))
    out = {}
    for name, folders in FOLDERS.items():
        if not all(f"{f}/steps" in a for f in folders.values()):
            continue
        first = folders[INITS[0]]
        keep = a[f"{first}/linear"] if evenly_spaced else np.ones(a[f"{first}/steps"].shape, bool)
        out[f"{name}_steps"] = a[f"{first}/steps"][keep]
        for metric, field in _FIELDS.items():
            out[f"{name}_{metric}"] = np.stack([a[f"{folders[i]}/{field}"][:, keep] for i in INITS]).astype(np.float64)
    return out


COLUMNS = ("setting", "authors' data", "authors' seed spread", "this book", "this book's seed spread",
           "verdict on theirs", "verdict on the book's")
"""The columns of :func:`agreement`'s rows."""


def agreement(book, authors=None):
    """Per setting of :data:`SETTINGS`, the loss gap between the inits (:func:`loss_gap`: the largest mean log loss
    ratio over the training and test loss and the two halves of training, with its 95% interval) and the seed spread
    it is read against, computed by the same function on the authors' runs and on the book's, with the chapter's
    claim's verdict on each: rows of :data:`COLUMNS`, "—" where the authors' runs are not in the summaries.

    Args:
      book: the chapter's arrays.
      authors: :func:`arrays` with ``evenly_spaced=True`` (default: from the committed summaries).
    """
    from .claims import CLAIMS

    claims = {c.id: c for c in CLAIMS}
    authors = arrays(evenly_spaced=True) if authors is None else authors
    fmt = lambda a, ci: f"{a:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"
    rows = []
    for name in SETTINGS:
        cells, verdicts = [], []
        for data in (authors, book):
            if f"{name}_train_loss" not in data:
                cells += ["—", "—"]
                verdicts.append("—")
                continue
            a, ci, detail = loss_gap(setting_losses(data, name))
            cells += [fmt(a, ci), f"{detail['seed_spread']:.3f}" if detail["seed_spread"] is not None else "—"]
            verdicts.append(claims[f"curves-{name}"].verdict(a, ci))
        rows.append((name, *cells, *verdicts))
    return rows


def differing(rows):
    """The settings of :func:`agreement`'s rows whose verdict on the authors' runs differs from the one on the
    book's (where both were run), joined by ", " ("none" where every verdict agrees)."""
    return ", ".join(r[0] for r in rows if "—" not in r[-2:] and r[-2] != r[-1]) or "none"


def paper_gap(setting="gd-shallow"):
    """:func:`loss_gap` of the authors' runs of ``setting`` (default: full-batch GD at depth 3, the curves the margin
    :data:`~.statistics.MARGIN` was read off): ``(value, (lo, hi), detail)``.

    Raises:
      KeyError: a setting whose runs the committed summaries do not hold.
    """
    return loss_gap(setting_losses(arrays(evenly_spaced=True), setting))


def measurements(authors=None):
    """The chapter's claims that the authors' runs can decide (the settings whose runs the summaries hold), measured
    on them by the chapter's statistic: ``{claim id: Measurement}``."""
    from orthontk_lib.claims import Measurement

    authors = arrays(evenly_spaced=True) if authors is None else authors
    return {f"curves-{name}": Measurement(*loss_gap(setting_losses(authors, name))) for name in SETTINGS
            if f"{name}_train_loss" in authors}
