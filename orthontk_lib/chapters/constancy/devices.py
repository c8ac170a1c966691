r"""The same points on two devices: constancy points computed on a CPU beside their twins from one H200 GPU.

Part of the chapter's paper-scale run was computed on one NVIDIA H200 from a tree with uncommitted changes. Every
such point that fits a 2-core CPU was computed again there, from a clean commit and on another JAX version; the
CPU point is the one the chapter reads, and the GPU point is kept under :data:`TWIN_FOLDER` with the same key.
The two runs draw the same networks (the same seeds give the same initial weights on both devices), so they
differ only by floating-point rounding, which the catapult's unstable steps amplify.

The statistic, per cell (a quantity the chapter's claims read, at one init, learning rate or layer): the difference
of the seed means, CPU minus GPU, in standard errors of a difference of two independent seed means,

.. math:: z = \frac{\bar x_{\mathrm{CPU}} - \bar x_{\mathrm{GPU}}}{\sqrt{(s^2_{\mathrm{CPU}} + s^2_{\mathrm{GPU}})/S}}

over :math:`S` seeds. A point agrees within seed noise when every one of its :math:`m` cells has
:math:`|z| \le z_{1 - 0.025/m}` (two-sided 95%, Bonferroni over the point's cells): a bar that two independent
runs of the same law would pass 95% of the time, so a device effect as large as the seed noise is flagged.
"""

import numpy as np
from scipy import stats as sps

from orthontk_lib import results

from .experiment import INITS, SLUG, SWEEPS

__all__ = ["LEVEL", "POINT_COLUMNS", "TWIN_FOLDER", "_LR", "_compared", "_dirty_numbers", "_minutes", "_row",
           "agreement", "bar", "compare", "device_numbers", "dirty_list", "dirty_points", "quantities", "twins"]

TWIN_FOLDER = f"{SLUG}/h200"
"""Where a recomputed point's GPU twin is kept: ``<TWIN_FOLDER>/<sweep>/<key>``, the key of the chapter's point."""

LEVEL = 0.95

_LR = ("small lr", "large lr")


def quantities(sweep, arrays):
    """The quantities of one point that the chapter's claims read, each ``(name, values (cell, seed))`` with cell
    names: the drift sweeps' kernel change at the run's end per (init, learning rate) and their linearization gap
    (largest over the run, small learning rate) per init; the weight sweep's relative change per (init, layer) and
    its kernel change per init."""
    if sweep == "weights":
        w, k = np.asarray(arrays["weights"], np.float64), np.asarray(arrays["ntk"], np.float64)  # (init, seed, layer)
        cells = [(f"weight change, {i}, layer {l + 1}", w[a, :, l]) for a, i in enumerate(INITS)
                 for l in range(w.shape[-1])]
        return cells + [(f"kernel change, {i}", k[a]) for a, i in enumerate(INITS)]
    change, gap = np.asarray(arrays["change"], np.float64), np.asarray(arrays["gap"], np.float64)
    cells = [(f"kernel change, {i}, {lr}", change[a, r, :, -1]) for a, i in enumerate(INITS)
             for r, lr in enumerate(_LR)]
    return cells + [(f"linearization gap, {i}", gap[a].max(-1)) for a, i in enumerate(INITS)]


def compare(cpu, gpu):
    """Cells of two runs of one point: ``[(cell, cpu mean, gpu mean, z, largest relative seed difference), ...]``.

    Args:
      cpu, gpu: ``[(cell, values (seed,)), ...]`` as :func:`quantities` gives, the same cells and seeds.

    Raises:
      ValueError: cells or seed counts that differ between the two runs, or a non-finite value.
    """
    if [c for c, _ in cpu] != [c for c, _ in gpu]:
        raise ValueError("the two runs hold different cells")
    out = []
    for (cell, x), (_, y) in zip(cpu, gpu):
        if x.shape != y.shape or x.size < 2:
            raise ValueError(f"{cell}: seeds {x.shape} against {y.shape}; need the same seeds, at least 2")
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
            raise ValueError(f"{cell}: a value is not finite")
        se = np.sqrt((x.var(ddof=1) + y.var(ddof=1)) / x.size)
        diff = x.mean() - y.mean()
        z = 0.0 if diff == 0 else float(diff / se) if se > 0 else float(np.copysign(np.inf, diff))
        rel = float(np.max(np.abs(x - y) / np.maximum(np.abs(y), np.finfo(np.float64).tiny)))
        out.append((cell, float(x.mean()), float(y.mean()), z, rel))
    return out


def bar(cells):
    """The largest :math:`|z|` a point of ``cells`` cells may show: :math:`z_{1 - (1 - \text{LEVEL})/(2m)}`."""
    return float(sps.norm.ppf(1 - (1 - LEVEL) / (2 * cells)))


def twins(cfg, root=None):
    """The points of ``cfg`` saved both in the chapter's folder and under :data:`TWIN_FOLDER`:
    ``[(sweep, width, chapter's Result, twin Result), ...]``, in sweep and width order (``root``: the data folder,
    default the repository's)."""
    root = root or results.REPO_DATA
    out = []
    for name, sweep in SWEEPS.items():
        for point in sweep.point_list(cfg):
            key = sweep.key(cfg, point)
            twin = results.load(f"{TWIN_FOLDER}/{name}", key, root)
            mine = results.load(sweep.folder(cfg.profile), key, root)
            if twin is not None and mine is not None:
                out.append((name, int(point["width"]), mine, twin))
    return out


POINT_COLUMNS = ("sweep", "width", "cells", "largest |z|", "bar", "largest seed difference", "CPU minutes",
                 "H200 minutes", "agrees")


def agreement(cfg, root=None):
    """One row per twin point (:data:`POINT_COLUMNS`): its cells, the largest :math:`|z|` against the bar, the
    largest relative difference of one seed's value, each device's minutes and whether the point agrees."""
    return [_row(*compared) for compared in _compared(cfg, root)]


def _compared(cfg, root):
    """Each twin point with its cells compared: ``[(sweep, width, chapter's Result, twin Result, cells), ...]``."""
    return [(name, width, mine, twin, compare(quantities(name, mine.arrays), quantities(name, twin.arrays)))
            for name, width, mine, twin in twins(cfg, root)]


def _row(name, width, mine, twin, cells):
    z, b = max(abs(c[3]) for c in cells), bar(len(cells))
    return (name, width, len(cells), round(z, 3), round(b, 2), f"{max(c[4] for c in cells):.1e}", _minutes(mine),
            _minutes(twin), "yes" if z <= b else "no")


def _minutes(result):
    """A result's recorded wall time in minutes (2 decimals), or "—" where none was recorded."""
    seconds = result.meta.get("wall_time_s")
    return "—" if seconds is None else round(seconds / 60, 2)


def device_numbers(cfg, root=None):
    """The section's numbers: points compared and agreeing, the largest :math:`|z|` and the largest relative
    difference of one seed's value over every cell, and each run's device and JAX version."""
    compared = _compared(cfg, root)
    if not compared:
        return {"con-dev-points": 0, "con-dev-agree": 0, "con-dev-z": "none", "con-dev-rel": "none",
                "con-dev-twin": "none", "con-dev-mine": "none", **_dirty_numbers(cfg, root)}
    cells = [c for *_, point_cells in compared for c in point_cells]
    rows = [_row(*point) for point in compared]
    versions = lambda r: f"{r.meta['device'].removeprefix('1 x ')}, JAX {r.meta['versions']['jax']}"
    return {"con-dev-points": len(rows), "con-dev-agree": sum(r[-1] == "yes" for r in rows),
            "con-dev-z": f"{max(abs(c[3]) for c in cells):.3f}", "con-dev-rel": f"{max(c[4] for c in cells):.0e}",
            "con-dev-twin": versions(compared[0][3]), "con-dev-mine": versions(compared[0][2]),
            **_dirty_numbers(cfg, root)}


def _dirty_numbers(cfg, root):
    """The count of dirty points and their list (an IPython ``Markdown``, which a page glues for ``{glue:md}``)."""
    from IPython.display import Markdown

    dirty = dirty_points(cfg, root)
    return {"con-dev-dirty": sum(map(len, dirty.values())), "con-dev-dirty-list": Markdown(dirty_list(dirty))}


def dirty_points(cfg, root=None):
    """The points of ``cfg`` whose saved record names a tree with uncommitted changes: ``{sweep: [width, ...]}``."""
    root = root or results.REPO_DATA
    out = {}
    for name, sweep in SWEEPS.items():
        widths = [p["width"] for p in sweep.point_list(cfg)
                  if (r := results.load(sweep.folder(cfg.profile), sweep.key(cfg, p), root)) is not None
                  and r.meta["git_commit"].endswith("-dirty")]
        if widths:
            out[name] = widths
    return out


def dirty_list(dirty):
    """:func:`dirty_points` as a Markdown list, one sweep a line (``"none"`` if empty)."""
    return "\n".join(f"- {name}: width{'s' if len(w) > 1 else ''} {', '.join(map(str, w))}"
                     for name, w in dirty.items()) or "none"
