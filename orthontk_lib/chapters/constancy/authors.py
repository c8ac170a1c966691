r"""The authors' numbers behind the paper's Fig. 2, read as this chapter reads its own run.

Huang, Du and Xu published the relative weight and NTK changes behind their Fig. 2 (15 runs per width, widths
16 … 4096; :mod:`orthontk_lib.original`). :func:`arrays` puts them in this chapter's array names and shapes, so that
the chapter's own statistics (:func:`~orthontk_lib.chapters.constancy.experiment.weight_slopes`,
:func:`~orthontk_lib.chapters.constancy.experiment.weight_ntk_slopes`) and figure
(:func:`~orthontk_lib.chapters.constancy.figures.fig_weights`) read both the same way.
"""

import numpy as np

from orthontk_lib import original

from .experiment import INITS, weight_ntk_slopes, weight_slopes

__all__ = ["arrays", "at_widths", "agreement", "apart_on_book_widths", "differing", "measurements", "COLUMNS"]


def arrays(saved=None):
    """The authors' Fig. 2 data as this chapter's arrays: ``weight_widths`` (W,), ``weight_change`` (W, init, run,
    layer) and ``weight_ntk_change`` (W, init, run), inits in :data:`INITS` order.

    Raises:
      orthontk_lib.original.OriginalError: the committed summaries are missing or corrupt.
    """
    a, _ = original.load(*(() if saved is None else (saved,)))
    return {"weight_widths": a["change/widths"].astype(int),
            "weight_change": np.stack([a[f"change/{i}/layers"].transpose(1, 2, 0) for i in INITS], axis=1),
            "weight_ntk_change": np.stack([a[f"change/{i}/ntk"] for i in INITS], axis=1)}


def at_widths(data, widths):
    """``data`` (this chapter's weight arrays) restricted to the widths in ``widths``.

    Raises:
      ValueError: a width of ``widths`` that ``data`` lacks.
    """
    have = [int(w) for w in data["weight_widths"]]
    missing = sorted(set(int(w) for w in widths) - set(have))
    if missing:
        raise ValueError(f"widths {missing} are not among {have}")
    at = [have.index(int(w)) for w in widths]
    return {"weight_widths": np.asarray(have)[at], "weight_change": data["weight_change"][at],
            "weight_ntk_change": data["weight_ntk_change"][at]}


COLUMNS = ("slope of", "init", "authors' data, their widths", "authors' data, the book's widths", "this book",
           "verdict on theirs", "verdict on the book's")
"""The columns of :func:`agreement`'s rows."""


def agreement(book, authors=None):
    """The log-log slopes against width of the relative weight change (outer and inner layers) and of the NTK
    change, per init, computed by the same functions on the authors' runs (all their widths, and only the widths the
    book ran, "—" where fewer than 3 of them are the authors') and on the book's, with the chapter's claim's verdict
    on each (``constancy-weights-<what>-<init>``): rows of :data:`COLUMNS`, each value ``"s [lo, hi]"`` with its 95%
    interval.

    Args:
      book: the chapter's arrays (``weight_widths``, ``weight_change``, ``weight_ntk_change``).
      authors: :func:`arrays` (default: the committed summaries).
    """
    fmt = lambda s, ci: f"{s:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"
    from .claims import CLAIMS

    claims = {c.id: c for c in CLAIMS}
    rows = []
    for (what, label), per_run in zip(_GROUPS, _slopes_by_run(book, authors)):
        for i, init in enumerate(INITS):
            claim = claims[f"constancy-weights-{what}-{init}"]
            verdicts = [claim.verdict(*per_run[k][i][:2]) for k in ("all", "book")]
            cells = ("—" if per_run[k] is None else fmt(*per_run[k][i][:2]) for k in per_run)
            rows.append((label, init, *cells, *verdicts))
    return rows


_GROUPS = (("outer", "outer layers' weights"), ("inner", "inner layers' weights"), ("ntk", "NTK"))


def _slopes_by_run(book, authors=None):
    """Per group of :data:`_GROUPS`: ``{run: per-init slope fits or None}`` for the authors' runs at all their widths
    ("all"), at the book's widths ("book widths", None where fewer than 3 are the authors') and the book's ("book")."""
    authors = arrays() if authors is None else authors
    common = [w for w in book["weight_widths"] if w in set(int(x) for x in authors["weight_widths"])]
    runs = {"all": authors, "book widths": at_widths(authors, common) if len(common) >= 3 else None, "book": book}
    slopes = lambda data, what: (None if data is None else weight_ntk_slopes(data) if what == "ntk"
                                 else weight_slopes(data, what))
    return [{k: slopes(v, what) for k, v in runs.items()} for what, _ in _GROUPS]


def apart_on_book_widths(book, authors=None):
    """How many of the six slopes (group × init) the authors' runs, read at the book's widths only, give with a 95%
    interval disjoint from the book's: ``(apart, compared)``; ``(0, 0)`` where fewer than 3 widths are shared."""
    apart = compared = 0
    for per_run in _slopes_by_run(book, authors):
        if per_run["book widths"] is None:
            continue
        for theirs, ours in zip(per_run["book widths"], per_run["book"]):
            (lo1, hi1), (lo2, hi2) = theirs[1], ours[1]
            compared += 1
            apart += hi1 < lo2 or hi2 < lo1
    return apart, compared


def differing(rows):
    """The rows of :func:`agreement` whose verdict on the authors' runs differs from the one on the book's, named
    ``"<slope of>, <init>"`` and joined by "; " ("none" where every verdict agrees)."""
    return "; ".join(f"{r[0]}, {r[1]}" for r in rows if r[-2] != r[-1]) or "none"


def measurements(authors=None):
    """The chapter's claims that the authors' Fig. 2 runs can decide, measured on them (all their widths) by the
    chapter's own statistics: ``{claim id: Measurement}``."""
    from orthontk_lib.claims import Measurement

    authors = arrays() if authors is None else authors
    out = {}
    for what in ("outer", "inner", "ntk"):
        fits = weight_ntk_slopes(authors) if what == "ntk" else weight_slopes(authors, what)
        out.update({f"constancy-weights-{what}-{init}": Measurement(*fit[:2]) for init, fit in zip(INITS, fits)})
    return out
