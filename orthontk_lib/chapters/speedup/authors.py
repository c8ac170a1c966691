r"""The authors' numbers behind the paper's Fig. 4, read as this chapter reads its own grid.

Huang, Du and Xu published τ, the steps until each seed first reached 25% accuracy, for every learning rate
η = 10^(−1−k/10) it reached it at (20 seeds; depths 50, 100, 200 at width 400 and widths 400, 800, 1600 at depth 50;
:mod:`orthontk_lib.original`). :func:`arrays` puts them in this chapter's array names and shapes, so that its claims'
own statistics (:func:`~orthontk_lib.chapters.speedup.fcn_grid.measure_grid`,
:func:`~orthontk_lib.chapters.speedup.width_family.measure_family`,
:func:`~orthontk_lib.chapters.speedup.statistics.failure_edges`) read both the same way.

Two readings differ from the book's own runs, and :func:`arrays` states them in its arrays: the authors recorded
first hits only, so a run "trains" where it reached the target (the paper's reading; the book also asks that a run be
above the target at the end), and a rate a seed's file lacks is a run that did not reach it within the budget of
20 epochs of batch 1000 on CIFAR-10's 50,000 images (1,000 steps). Their width family ran every width on one η grid;
the book's scales η ∝ 1/n.
"""

import numpy as np

from orthontk_lib import original

from .experiment import INITS  # the authors' files name the two inits as the book does
from .fcn_grid import GRID_CLAIMS, measure_grid
from .statistics import failure_edges, measurement_text, region_speedup
from .width_family import FAMILY_CLAIMS, measure_family

__all__ = ["BUDGET", "TARGET", "arrays", "agreement", "differing", "edges", "measurements", "per_depth", "per_depth_runs",
           "COLUMNS", "EDGE_COLUMNS", "DEPTH_COLUMNS", "RUNS_COLUMNS"]

BUDGET = 1000
"""The authors' step budget: 20 epochs of batch 1000 over CIFAR-10's 50,000 training images."""
TARGET = 0.25
"""The authors' target accuracy."""


def _family(a, split, members):
    """One family's arrays (this chapter's names, no prefix) from the saved ``speed/<split>/<init>/L<d>_N<n>``, on
    the learning rates either split reached the target at: ``tau`` from ``split``, ``test_tau`` from the test set."""
    names = [f"L{d}_N{n}" for d, n in members]
    key = lambda s, i, m, what: f"speed/{s}/{i}/{m}/{what}"
    ks = np.unique(np.concatenate([a[key(s, i, m, "k")] for s in ("train", "test") for i in INITS for m in names]))
    ks = ks[::-1]  # η rising

    def grid(s):
        n_seeds = a[key(s, INITS[0], names[0], "tau")].shape[0]
        tau = np.full((len(names), len(INITS), len(ks), n_seeds), np.nan)
        for m, name in enumerate(names):
            for i, init in enumerate(INITS):
                tau[m, i, np.searchsorted(-ks, -a[key(s, init, name, "k")])] = a[key(s, init, name, "tau")].T
        return tau

    tau = grid(split)
    reached = np.isfinite(tau)
    return {"tau": tau, "test_tau": grid("test"), "lrs": original.eta_of(ks), "inits": np.array(INITS),
            "steps": BUDGET, "target": TARGET, "record_steps": np.array([0, 1]),
            "train_accuracy": np.where(reached, 1.0, 0.0)[..., None]}  # first hits only: trained = reached


def arrays(split="train", saved=None):
    """The authors' Fig. 4 data as this chapter's arrays: the depth family (``tau`` (depth, init, lr, seed) with NaN
    where a seed did not reach the target at that rate, ``test_tau`` the same on the test set, ``lrs`` ascending,
    ``depths``, ``steps``, ``target``, ``train_accuracy``) and the width family under ``family_`` (``family_widths``,
    ``family_depths``). ``split``: which τ the claims read, ``"train"`` (on the training mini-batch, as the book's)
    or ``"test"`` (on the test set). ``record_steps`` is one step apart: their τ are exact steps.

    Raises:
      orthontk_lib.original.OriginalError: the committed summaries are missing or corrupt.
    """
    a, _ = original.load(*(() if saved is None else (saved,)))
    depths, widths = (50, 100, 200), (400, 800, 1600)
    out = {**_family(a, split, [(d, 400) for d in depths]), "depths": np.array(depths)}
    family = _family(a, split, [(50, n) for n in widths])
    out.update({f"family_{k}": v for k, v in family.items()})
    out.update({"family_widths": np.array(widths), "family_depths": np.array([50]),
                "family_lr_label": "η (one grid, every width)"})
    return out


CLAIMS = GRID_CLAIMS + FAMILY_CLAIMS
COLUMNS = ("claim", "authors' data", "verdict on theirs", "this book", "verdict on the book's")
"""The columns of :func:`agreement`'s rows."""


def agreement(book, cfg, authors=None):
    """Each FCN claim of the chapter measured by its own statistic on the authors' runs and on the book's: rows of
    :data:`COLUMNS` (value with its interval, :func:`measurement_text`, and the claim's verdict on each).

    Args:
      book: the chapter's arrays; cfg: its config (as the chapter's ``measure`` takes it).
      authors: :func:`arrays` (default: the training split, from the committed summaries).
    """
    authors = arrays() if authors is None else authors
    theirs = {**measure_grid(authors, cfg), **measure_family(authors, cfg)}
    ours = {**measure_grid(book, cfg), **measure_family(book, cfg)}
    return [(c.id, measurement_text(theirs[c.id]), c.verdict(*theirs[c.id][:2]), measurement_text(ours[c.id]),
             c.verdict(*ours[c.id][:2])) for c in CLAIMS]


def differing(rows):
    """The claims of :func:`agreement`'s rows whose verdict on the authors' runs differs from the one on the book's,
    joined by ", " ("none" where every verdict agrees)."""
    return ", ".join(r[0].removeprefix("speedup-") for r in rows if r[2] != r[4]) or "none"


EDGE_COLUMNS = ("family", "member", "Gaussian edge [95%]", "orthogonal edge [95%]")
"""The columns of :func:`edges`' rows."""


def edges(data):
    """The failure edge per family member and init (:func:`failure_edges`: the largest η at which most seeds train,
    with its exact 95% interval), as rows of :data:`EDGE_COLUMNS`; "beyond the grid" where most seeds still train at
    its largest η, "below the grid" where they train at none."""
    rows = []
    for family, prefix, members, name in (("depth", "", data["depths"], "L"), ("width", "family_", data["family_widths"], "n")):
        view = {k[len(prefix):]: v for k, v in data.items() if k.startswith(prefix)} if prefix else data
        e = failure_edges(view)
        for m, member in enumerate(members):
            cells = []
            for i in range(2):
                if e["beyond"][m, i]:
                    cells.append(f"≥ {e['edge'][m, i]:.3g} (beyond the grid)")
                elif e["below"][m, i]:
                    cells.append("below the grid")
                else:
                    cells.append(f"{e['edge'][m, i]:.3g} [{e['lo'][m, i]:.3g}, {e['hi'][m, i]:.3g}]")
            rows.append((family, f"{name} = {int(member)}", *cells))
    return rows


def measurements(authors=None):
    """The chapter's FCN claims measured on the authors' Fig. 4 runs by the chapter's own statistics (the grid's and
    the width family's): ``{claim id: Measurement}``."""
    from .experiment import Config

    authors = arrays() if authors is None else authors
    cfg = Config.for_profile("paper", use_env=False)
    return {**measure_grid(authors, cfg), **measure_family(authors, cfg)}


DEPTH_COLUMNS = ("depth", "speed-up [95%]", "faster")
"""The columns of :func:`per_depth`'s rows."""
RUNS_COLUMNS = ("run",) + DEPTH_COLUMNS
"""The columns of :func:`per_depth_runs`' rows."""


def per_depth(data):
    """Per depth of the depth family, the speed-up τ_gauss/τ_orth over that depth's learning rates where most seeds
    of both inits train (:func:`region_speedup`, its 95% jackknife interval on the logarithm), and whether the
    orthogonal networks are faster there: "yes" (the interval above 1), "no" (below or at 1) or "undecided". The
    depth where they stop being faster is the first row that does not read "yes". Rows of :data:`DEPTH_COLUMNS`."""
    rows = []
    for d, depth in enumerate(data["depths"]):
        one = {k: (v[d:d + 1] if k in ("tau", "train_accuracy", "test_tau") else v) for k, v in data.items()
               if not k.startswith("family_")}
        one["depths"] = data["depths"][d:d + 1]
        value, ci, cells = region_speedup(one, "all")
        faster = "—" if not cells else "yes" if ci[0] > 1 else "no" if ci[1] <= 1 else "undecided"
        rows.append((int(depth), "—" if not cells else f"{value:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]", faster))
    return rows


def per_depth_runs(runs):
    """:func:`per_depth` of several runs, one table: ``runs`` is ``[(name, arrays or None)]`` (None: left out); rows
    of :data:`RUNS_COLUMNS`."""
    return [(name, *row) for name, data in runs if data is not None for row in per_depth(data)]
