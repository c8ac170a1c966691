r"""The paper-scale grid as far as its points are saved: width 400 and the paper's depths, drawn before the whole grid
has run.

The paper profile's FCN grid is computed point by point (one point per depth and init, mostly on a GPU), and its
points are committed as they finish. :func:`saved` reads the points that are saved, computing none, and assembles
the depths where both inits are saved into this chapter's arrays (:func:`~orthontk_lib.chapters.speedup.sweeps.compute`'s
names and shapes), so that the chapter's statistics and :func:`fig_partial` read them as they read a whole grid;
the points still missing are listed.
"""

import numpy as np

from orthontk_lib import plots, results

from .experiment import INITS, Config
from .statistics import failure_rate, mean_tau, test_tau, trained
from .sweeps import SWEEPS, _whole_points

__all__ = ["saved", "source", "fig_partial"]


def saved(cfg=None, root=None):
    """The saved points of the paper-scale FCN grid (``cfg``, default the paper profile; ``root``, default the
    repository's ``data/``) as ``(arrays, pending)``.

    Returns:
      ``arrays``: the FCN grid's arrays (``tau``, ``train_accuracy`` … indexed (depth, init, lr, seed, ...),
      ``depths``, ``lrs``, ``steps``, ``target``, ``record_steps``, ``inits``, ``width``) for the depths where every init's
      point is saved, or ``None`` where no depth is; ``pending``: ``[(depth, init)]`` of the points not saved.
    """
    cfg, root = cfg or Config.for_profile("paper", use_env=False), root or results.REPO_DATA
    sweep, grid = SWEEPS["fcn"], cfg.grid("fcn")
    found, pending = {}, []
    for point in sweep.point_list(cfg):
        res = results.load(sweep.folder(cfg.profile), sweep.key(cfg, point), root)
        key = (point["depth"], point["init"])
        if res is None:
            pending.append(key)
        else:
            found.setdefault(key, []).append((point, res))
    pending = sorted(set(pending), key=lambda k: (k[0], INITS.index(k[1])))
    depths = [d for d in grid.depths if all((d, i) in found and (d, i) not in pending for i in INITS)]
    if not depths:
        return None, pending
    rows = [[_whole_points(*zip(*found[(d, i)]))[0] for i in INITS] for d in depths]
    arrays = {k: np.stack([np.stack([p[k] for p in row]) for row in rows]) for k in grid.outputs}
    arrays.update(depths=np.asarray(depths), lrs=grid.lrs, record_steps=rows[0][0]["record_steps"],
                  steps=np.asarray(grid.steps), target=np.asarray(grid.target), inits=np.asarray(INITS),
                  width=np.asarray(cfg.width))
    return arrays, pending


def source(cfg=None, root=None):
    """Where the saved points (under ``data/speedup/paper/fcn-grid``) come from, in a few words: their devices and
    commits, e.g. ``"6 points, 1 x gpu:NVIDIA H200, commit f9decc3"`` (for a figure's files,
    :func:`orthontk_lib.book.page.source_figure`)."""
    cfg, root = cfg or Config.for_profile("paper", use_env=False), root or results.REPO_DATA
    sweep = SWEEPS["fcn"]
    metas = [r.meta for p in sweep.point_list(cfg)
             if (r := results.load(sweep.folder(cfg.profile), sweep.key(cfg, p), root)) is not None]
    devices = sorted({m.get("device", "an unknown device") for m in metas})
    commits = sorted({str(m.get("git_commit"))[:7] for m in metas})
    return f"{len(metas)} points, {' and '.join(devices)}, commit {', '.join(commits)}"


def fig_partial(arrays, pending=()):
    """τ against η (log-log) on the training mini-batch and the test set, and below the fraction of seeds that
    failed, for the saved depths of the paper-scale grid, both inits (Gaussian dashed, orthogonal solid); the title
    names the depths still to run (``pending``: ``[(depth, init)]``)."""
    fig, axes = plots.figure(ncols=2, nrows=2, width=2.9, height=2.1, squeeze=False,
                             gridspec_kw={"height_ratios": [2.2, 1]})
    ok, depths = trained(arrays), arrays["depths"]
    styles = {init: dict(ls="-" if init == "orthogonal" else "--", marker="so"[i == 0], ms=3)
              for i, init in enumerate(INITS)}
    for col, (which, tau) in enumerate((("mini-batch", np.asarray(arrays["tau"], float)), ("test set", test_tau(arrays)))):
        ax, low = axes[0, col], axes[1, col]
        for d, depth in enumerate(depths):
            colour = plots.sequential(d, len(depths))
            for i, init in enumerate(INITS):
                label = f"L={depth}, {init}" if col == 0 else None
                ax.plot(arrays["lrs"], np.maximum(mean_tau(tau[d, i], ok[d, i]), 1), color=colour, label=label,
                        **styles[init])
                low.plot(arrays["lrs"], failure_rate(arrays)[d, i], color=colour, **styles[init])
        ax.set(xscale="log", yscale="log", title=f"width {int(arrays['width'])}: τ ({which})")
        low.set(xscale="log", ylim=(-0.05, 1.05), xlabel="learning rate η")
        ax.title.set_fontsize(8)
    axes[0, 0].set_ylabel("τ (steps to target)")
    axes[1, 0].set_ylabel("fraction failed")
    todo = sorted({d for d, _ in pending})
    if todo:
        fig.suptitle(f"paper scale, partial: depths {', '.join(map(str, todo))} still to run", fontsize=8)
    fig.legend(loc="outside lower center", fontsize=6.5, ncol=len(depths), frameon=False)
    return fig
