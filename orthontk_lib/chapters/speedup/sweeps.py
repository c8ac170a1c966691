r"""The sweeps that save the points (FCN grid, CNN grid, width family), their keys' knobs and GPU estimates, the
learning-rate blocks of points too long for one GPU command, and :func:`compute`."""

import functools
import math

import numpy as np

from orthontk_lib import results
from orthontk_lib.data import DIMENSION, IMAGE_SHAPE
from orthontk_lib.train import default_mesh

from .experiment import (
    ARCHS,
    CNN_INITS,
    INITS,
    SLUG,
    family_lr_scale,
    init_point,
    lr_block,
    training_data,
)

__all__ = ["POINT_MINUTES", "SWEEPS", "_DATA_KNOBS", "_KNOBS", "_data", "_points", "_run", "_whole_points", "compute",
           "lr_parts", "point_flops", "point_minutes", "view"]

# THE SWEEPS: one saved point per (architecture, depth or width, init)


_DATA_KNOBS = ("W_var", "dataset", "n_train", "n_test", "seed")
_KNOBS = {
    "fcn": ("width", "lr_min", "lr_max", "n_lrs", "n_seeds", "steps", "batch_size", "target", "target_alt"),
    "family": ("family_depth", "width", "lr_min", "lr_max", "n_lrs", "n_seeds", "steps", "batch_size", "target",
               "target_alt"),  # width: ηΘ's reference (family_lr_scale)
    "cnn": ("channels", "cnn_lr_min", "cnn_lr_max", "cnn_n_lrs", "n_seeds", "cnn_steps", "cnn_batch_size",
            "cnn_target"),
}
"""What a point of each architecture depends on, besides the data knobs and its own (depth or family_width, init)."""

def point_flops(cfg, arch, depth, width=None):
    """FLOPs of one point (one init, every (lr, seed) run): :func:`orthontk_lib.book.cost.training_flops` with the
    network's multiply-adds per example and the full-set evaluations."""
    from orthontk_lib.book import cost

    grid = cfg.grid(arch, depths=(depth,))
    d_in = DIMENSION[cfg.dataset]
    if arch == "cnn":
        height, width_px, c_in = IMAGE_SHAPE[cfg.dataset]
        pixels = height * width_px
        weights = pixels * 9 * (c_in * cfg.channels + (depth - 1) * cfg.channels**2) + pixels * cfg.channels * 10
    else:
        n = width or cfg.width
        weights = d_in * n + (depth - 1) * n * n + n * 10
    return cost.training_flops(weights, grid.batch_size, grid.steps, len(grid.lrs) * grid.n_seeds,
                               grid.steps // grid.record_every + 1, cfg.n_train + cfg.n_test)


POINT_MINUTES = 7.0
"""The longest a GPU point may be planned (minutes): one that would take longer runs as :func:`lr_parts` blocks of its
learning rates, each a point of its own, so that every point fits a GPU command with room to spare."""


def lr_parts(cfg, arch, depth, width=None):
    """Blocks of learning rates a point of ``arch`` at ``depth`` (and ``width``) runs in: its GPU estimate over
    :data:`POINT_MINUTES`, rounded up (1 for every point that fits; the keys of such points carry no part)."""
    from orthontk_lib.book import cost

    minutes = cost.estimated_minutes(point_flops(cfg, arch, depth, width), "GPU")
    return int(min(len(cfg.grid(arch, depths=(depth,)).lrs), max(1, math.ceil(minutes / POINT_MINUTES))))


def point_minutes(arch):
    """``minutes(cfg, point, device)`` of :class:`~orthontk_lib.results.Sweep` for ``arch``'s points:
    :func:`point_flops` at :data:`orthontk_lib.book.cost.THROUGHPUT`, the point's share where it is one block of
    learning rates."""
    from orthontk_lib.book import cost

    def minutes(cfg, point, device):
        depth = cfg.family_depth if arch == "family" else point["depth"]
        share = 1.0
        if "lr_parts" in point:
            n = len(cfg.grid(arch, depths=(depth,)).lrs)
            share = len(lr_block(n, point["lr_part"], point["lr_parts"])) / n
        return cost.estimated_minutes(share * point_flops(cfg, arch, depth, point.get("family_width")), device)
    return minutes


@functools.lru_cache(maxsize=2)
def _data(cfg, arch):
    """:func:`training_data` of a sweep's view ``cfg``, loaded once for all its points."""
    return training_data(cfg, arch)


def _run(arch):
    def run(cfg, point):
        depth = cfg.family_depth if arch == "family" else point["depth"]
        member = point.get("family_width")
        scale = family_lr_scale(cfg.width, member) if arch == "family" else 1.0
        part = (point["lr_part"], point["lr_parts"]) if "lr_parts" in point else (0, 1)
        return init_point(cfg, _data(cfg, arch), depth, point["init"], default_mesh(), arch, member, scale, part)
    return run


def _points(arch):
    def points(cfg):
        grid_inits = CNN_INITS if arch == "cnn" else INITS
        if arch == "family":
            members = [({"family_width": w}, cfg.family_depth, w) for w in cfg.family_widths]
        else:
            members = [({"depth": L}, L, None) for L in (cfg.cnn_depths if arch == "cnn" else cfg.depths)]
        out = []
        for coord, depth, width in members:
            parts = lr_parts(cfg, arch, depth, width)
            for i in grid_inits:
                out += [{**coord, "init": i}] if parts == 1 else [
                    {**coord, "init": i, "lr_part": k, "lr_parts": parts} for k in range(parts)]
        return out
    return points


def _whole_points(points, results_):
    """The saved points' arrays with each point's learning-rate blocks stacked back along the lr axis, in order."""
    out = []
    for point, res in zip(points, results_):
        arrays = dict(res.arrays)
        if point.get("lr_part", 0) > 0:
            prev = out[-1]
            out[-1] = {k: v if k == "record_steps" else np.concatenate([prev[k], arrays[k]]) for k, v in prev.items()}
        else:
            out.append(arrays)
    return out


SWEEPS = {
    arch: results.Sweep(
        SLUG, f"{arch}-grid", knobs=_KNOBS[arch] + _DATA_KNOBS, over=over, points=_points(arch), run=_run(arch),
        minutes=point_minutes(arch), device="GPU", desc=f"{arch} SGD grid")
    for arch, over in (("fcn", ("depths",)), ("cnn", ("cnn_depths",)), ("family", ("family_widths",)))
}
"""The chapter's sweeps by architecture: one point per (depth, init), or per (width, init) for the width family."""


def compute(cfg):
    """Both grids and the width family, one saved point per (architecture, depth or width, init); arrays indexed
    (depth or width, init, lr, seed, ...), the CNN grid's with the prefix ``cnn_`` and the width family's with
    ``family_`` (:func:`view` takes one grid's arrays)."""
    out = {}
    for arch in ARCHS + ("family",):
        grid = cfg.grid(arch)
        pts = _whole_points(SWEEPS[arch].point_list(cfg), SWEEPS[arch].results(cfg))
        rows = [pts[i:i + len(grid.inits)] for i in range(0, len(pts), len(grid.inits))]  # (depth or width, init)
        a = {k: np.stack([np.stack([p[k] for p in row]) for row in rows]) for k in grid.outputs}
        a.update(depths=np.asarray(grid.depths), lrs=grid.lrs, record_steps=pts[0]["record_steps"],
                 steps=np.asarray(grid.steps), target=np.asarray(grid.target), inits=np.asarray(grid.inits))
        if grid.target_alt is not None:
            a["target_alt"] = np.asarray(grid.target_alt)
        if arch == "family":
            a["widths"] = np.asarray(cfg.family_widths)
        out.update({{"fcn": "", "cnn": "cnn_", "family": "family_"}[arch] + k: v for k, v in a.items()})
    out["b_std"] = np.asarray(cfg.b_std)
    return out


def view(arrays, arch="fcn"):
    """One grid's arrays from :func:`compute`'s (``"fcn"``, ``"cnn"`` or ``"family"``), without the prefix."""
    if arch == "fcn":
        return {k: v for k, v in arrays.items() if not k.startswith(("cnn_", "family_"))}
    prefix = f"{arch}_"
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
