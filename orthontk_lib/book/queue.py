r"""The paper runs as a queue: every paper point not yet saved, most valuable first, run one by one in a deadline.

.. code-block:: bash

   python -m orthontk_lib.book.queue --plan                       # what is left, where, how long, in GPU windows
   python -m orthontk_lib.book.queue --deadline 540 --out /tmp/out  # run what fits (this machine's device's points)

A point is *done* when its result is saved under the repository's ``data/`` or under ``$ORTHONTK_DATA_DIR`` (where
the queue saves), or when its chapter has a committed paper summary of the queue's config (a run whose points were
not committed). A point whose only record is the repository's and names a tree with uncommitted changes (its
``git_commit`` ends in ``-dirty``) is planned again, marked ``redo``: run from a clean commit into
``$ORTHONTK_DATA_DIR``, its record replaces the dirty one in ``data/`` (same key) when the results are committed.
The queue's config of a chapter is ``Config.for_profile("paper")`` with :data:`QUEUE`'s overrides:
reduced settings that fit the machines the queue runs on (digits in place of CIFAR-10, which those machines lack; the
NTK-regime SGD figure at 10 seeds and 10^4 steps; the learning-speed figure at 1,000 steps and 8 seeds).

``--plan`` prints one line per point left (chapter, sweep, point, device, estimated minutes, how estimated), sorted
by value (:data:`PRIORITY`: the learning-speed figure first), and the totals per device, the GPU's in windows
(:data:`WINDOW_MINUTES` of compute after start-up, in commands of at most :data:`COMMAND_MINUTES`). An estimate is
the sweep's own (``flops``: a count of FLOPs, or of bytes or sequential steps where those bind, at
:data:`orthontk_lib.book.cost.THROUGHPUT`, ``BANDWIDTH`` and ``STEP_SECONDS``) where it declares one, else the chapter's
stated paper cost shared over its points (``~ ... share``). A sweep's device is, where it declares its estimate,
the CPU for points of at most :data:`orthontk_lib.book.cost.CPU_POINT_LIMIT` CPU minutes and the GPU otherwise.

``--deadline S --out OUT`` (its log also in ``OUT/log``) runs, most valuable first, each point of this machine's device (``--device`` to choose)
whose estimate fits in what is left of ``S`` seconds; each is saved to ``$ORTHONTK_DATA_DIR`` as it finishes and the
folder is packed into ``OUT/data.tgz`` (atomically) after each, so a run cut short loses at most the point it was
in, and a later run (with ``OUT/data.tgz`` unpacked into ``$ORTHONTK_DATA_DIR`` first, which the queue does itself)
continues where it stopped. It needs JAX, Flax and Optax only (no papermill, no neural-tangents). Once a chapter's
points are all saved, ``python -m orthontk_lib.book.run book/<chapter>.ipynb --profile paper --no-notebook`` with
the overrides printed assembles its summary and ledger from them without computing.
"""

import argparse
import dataclasses
import importlib
import io
import json
import pathlib
import sys
import tarfile
import time

from orthontk_lib import results
from orthontk_lib.book import registry

__all__ = ["QUEUE", "PRIORITY", "Item", "config", "plan", "run", "main", "windows"]

QUEUE = {
    "constancy": dict(dataset="digits"),
    "kernel-equality": dict(datasets=("sphere", "digits")),
}
"""The overrides of each chapter's paper profile that the queue runs: digits in place of CIFAR-10 (which a host
without network access cannot fetch), for the chapters whose committed paper runs were made so. The learning-speed
and training-curves chapters' paper profiles are themselves the honest reduced settings (digits; 8 seeds and 1,000
steps; 10 seeds and 10^4 steps), so they run as they stand, as does every other chapter. Each page's "differs from
the paper" lists them."""

PRIORITY = ("speedup", "training-curves", "constancy", "linearity", "finite-width", "edge-of-chaos",
            "kernel-equality", "setting", "condensation")
"""Chapters by value: the main paper's key result (the learning-speed figure) first, then its other figures."""

SWEEP_PRIORITY = {"speedup": ("fcn-grid", "family-grid", "cnn-grid")}
"""Sweeps by value within a chapter, where not in declaration order."""

WINDOW_MINUTES = 13.0
"""Compute minutes in one GPU window: 15 minutes of device time less about 2 of start-up."""

COMMAND_MINUTES = 10.0
"""The longest command a GPU window runs."""


@dataclasses.dataclass(frozen=True)
class Item:
    """One point of the queue."""

    chapter: str  # slug
    sweep: results.Sweep
    cfg: object  # the chapter's queue config
    point: dict
    device: str  # "GPU" or "CPU"
    minutes: float
    estimated: bool  # False: a share of the chapter's stated cost
    redo: bool = False  # saved in the repository from a tree with uncommitted changes: recomputed from a clean one

    def line(self):
        """``chapter  sweep  point  device  minutes`` for the plan (``redo`` appended for a dirty record's point)."""
        mark, how = ("", "flops") if self.estimated else ("~", "share")
        return (f"{self.chapter:<16} {self.sweep.name:<18} {json.dumps(self.point):<52} {self.device}  "
                f"{mark}{self.minutes:.1f} min  {how}" + ("  redo (dirty record)" if self.redo else ""))


def config(slug, profile="paper"):
    """The chapter's config the queue runs: ``profile`` with :data:`QUEUE`'s overrides (paper only)."""
    module = _module(slug)
    return module.Config.for_profile(profile, use_env=False, **(QUEUE.get(slug, {}) if profile == "paper" else {}))


def plan(profile="paper", root=None, only=None, chapters=PRIORITY):
    """The points not yet done, most valuable first (list of :class:`Item`).

    Args:
      profile: the profile whose points are planned (``"paper"``; the tests use ``"smoke"``).
      root: the folder the queue saves to (default ``$ORTHONTK_DATA_DIR``, else the repository's ``data/``); the
        repository's ``data/`` is always looked in too.
      only: ``{"chapter/sweep", ...}`` to plan those sweeps alone (``None``: all).
      chapters: the chapters, in order of value.
    """
    items = []
    for slug in chapters:
        module, cfg = _module(slug), config(slug, profile)
        if _summary_committed(slug, cfg):
            continue
        sweeps = sorted(module.SWEEPS.values(), key=lambda s: _rank(slug, s))
        all_points = sum(len(s.point_list(cfg)) for s in sweeps)
        stated = module.Config.COST.get(profile)
        for sweep in sweeps:
            if only is not None and f"{slug}/{sweep.name}" not in only:
                continue
            for point in sweep.point_list(cfg):
                status = _status(sweep, cfg, point, root)
                if status == "done":
                    continue
                device = sweep.where(cfg, point)
                minutes = sweep.estimate(cfg, point, device)
                estimated = minutes is not None
                if not estimated:
                    minutes = stated.minutes / all_points if stated else 0.0
                items.append(Item(slug, sweep, cfg, point, device, minutes, estimated, redo=status == "redo"))
    return items


def windows(items):
    """GPU windows the GPU items need: first fit, in order of value, into windows of :data:`WINDOW_MINUTES`."""
    left = []
    for item in (i for i in items if i.device == "GPU"):
        need = min(item.minutes, WINDOW_MINUTES)
        for w, free in enumerate(left):
            if free >= need:
                left[w] -= need
                break
        else:
            left.append(WINDOW_MINUTES - need)
    return len(left)


def run(deadline_s, out, profile="paper", device=None, only=None, chapters=PRIORITY, log=print):
    """Run the most valuable points of ``device`` (default: this machine's) that fit in ``deadline_s`` seconds.

    Each point is saved to ``$ORTHONTK_DATA_DIR`` when it finishes, and that folder is packed into ``out/data.tgz``
    (atomically) after each point. ``out/data.tgz`` from an earlier run is unpacked first (points already saved are
    not overwritten), so a run continues where the last one stopped.

    Returns:
      The :class:`Item` s run, in order.
    """
    start = time.monotonic()
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    root = results.data_dir()
    root.mkdir(parents=True, exist_ok=True)
    _unpack(out / "data.tgz", root)
    device = device or _this_device()
    done = []
    for item in plan(profile, root, only, chapters):
        left = deadline_s - (time.monotonic() - start)
        if item.device != device:
            continue
        if item.redo and _is_repository_data(root):
            log(f"queue: skip {item.line()} (a redo is saved apart from data/: set ${results.DATA_DIR_ENV})")
            continue
        if item.minutes * 60 > left:
            log(f"queue: skip {item.line()} ({left / 60:.1f} min left)")
            continue
        log(f"queue: run  {item.line()} ({left / 60:.1f} min left)")
        t = time.monotonic()
        with registry.matmul_precision(item.cfg):  # the chapter's declared precision, as a notebook run has it
            item.sweep.result(item.cfg, item.point, announce=False)
        log(f"queue: done {item.chapter}/{item.sweep.name} {json.dumps(item.point)} in {(time.monotonic() - t) / 60:.1f} min")
        _pack(root, out / "data.tgz")
        done.append(item)
    if not done:
        log("queue: nothing to run that fits")
    for slug in dict.fromkeys(i.chapter for i in done):
        if not [i for i in plan(profile, root, None, (slug,))]:
            overrides = "".join(f" -p {k} '{json.dumps(list(v) if isinstance(v, tuple) else v)}'"
                                for k, v in QUEUE.get(slug, {}).items()) if profile == "paper" else ""
            log(f"queue: {slug} complete: python -m orthontk_lib.book.run book/<NN>-{slug}.ipynb --profile {profile} "
                f"--no-notebook{overrides}")
    return done


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m orthontk_lib.book.queue", description=__doc__.split("\n")[0])
    parser.add_argument("--plan", action="store_true", help="print the points left and their estimated cost")
    parser.add_argument("--deadline", type=float, help="seconds: run the most valuable points that fit")
    parser.add_argument("--out", help="with --deadline: folder for data.tgz (the saved results, packed after each point)")
    parser.add_argument("--device", choices=("GPU", "CPU"), help="run this device's points (default: this machine's)")
    parser.add_argument("--profile", default="paper", help="the profile planned (default paper; tests use smoke)")
    parser.add_argument("--only", action="append", metavar="CHAPTER/SWEEP", help="plan or run these sweeps alone")
    args = parser.parse_args(argv)
    if args.plan == (args.deadline is not None):
        sys.exit("queue: give either --plan or --deadline S --out OUT")
    only = set(args.only) if args.only else None
    if args.plan:
        print_plan(plan(args.profile, only=only))
        return
    if not args.out:
        sys.exit("queue: --deadline needs --out OUT (where data.tgz goes)")
    pathlib.Path(args.out).mkdir(parents=True, exist_ok=True)
    with open(pathlib.Path(args.out) / "log", "a") as log_file:
        def log(line):
            print(line, flush=True)
            print(line, file=log_file, flush=True)

        run(args.deadline, args.out, args.profile, args.device, only, log=log)


def print_plan(items, write=print):
    """The plan as text: one line per point, then the totals per device and the GPU windows."""
    for item in items:
        write(item.line())
    for device in ("GPU", "CPU"):
        mine = [i for i in items if i.device == device]
        minutes = sum(i.minutes for i in mine)
        extra = ""
        if device == "GPU":
            long = sum(i.minutes > COMMAND_MINUTES for i in mine)
            extra = (f", {windows(items)} window(s) of {WINDOW_MINUTES:g} min (15 less start-up; commands "
                     f"<= {COMMAND_MINUTES:g} min" + (f"; {long} point(s) longer than a command" if long else "") + ")")
        write(f"total {device}: {len(mine)} points, {minutes:.0f} min{extra}")
    redo = sum(i.redo for i in items)
    if redo:
        write(f"redo: {redo} point(s) saved in data/ from a tree with uncommitted changes, to recompute from a clean "
              f"commit (their new records replace the dirty ones, same keys)")
    shared = sum(not i.estimated for i in items)
    write(f"flops: the sweep's own estimate (FLOPs, bytes or sequential steps counted, at cost.THROUGHPUT, BANDWIDTH, "
          f"STEP_SECONDS); ~ share: a share of the chapter's stated paper cost ({shared} point(s); the sweep declares "
          f"no estimate of its own)")
    write(f"GPU windows: {windows(items)} (points planned on the CPU: estimated <= {_cpu_limit():g} CPU minutes)")


# INTERNAL UTILITIES


def _cpu_limit():
    from orthontk_lib.book import cost

    return cost.CPU_POINT_LIMIT


def _module(slug):
    return importlib.import_module(f"orthontk_lib.chapters.{slug.replace('-', '_')}")


def _rank(slug, sweep):
    order = SWEEP_PRIORITY.get(slug, ())
    return order.index(sweep.name) if sweep.name in order else len(order)


def _status(sweep, cfg, point, root):
    """``"done"``, ``"missing"`` or ``"redo"`` (saved only in the repository's ``data/``, from a dirty tree)."""
    params, folder, here = sweep.key(cfg, point), sweep.folder(cfg.profile), results.data_dir(root)
    if not _is_repository_data(here) and results.load(folder, params, here) is not None:
        return "done"
    saved = results.load(folder, params, results.REPO_DATA)
    if saved is None:
        return "missing"
    return "redo" if str(saved.meta.get("git_commit", "")).endswith("-dirty") else "done"


def _is_repository_data(folder):
    return pathlib.Path(folder).resolve() == results.REPO_DATA.resolve()


def _summary_committed(slug, cfg):
    """Whether the repository holds a summary of ``cfg`` (a run whose points were not committed)."""
    return results.load(f"{slug}/{cfg.profile}/summary", cfg.asdict(), results.REPO_DATA) is not None


def _this_device():
    import jax

    return "GPU" if jax.default_backend() == "gpu" else "CPU"


def _pack(root, target):
    """``root`` as a gzipped tar at ``target``, written atomically."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(root, arcname=".")
    results.atomic_write(target, buf.getvalue())


def _unpack(archive, root):
    """Results in ``archive`` that ``root`` lacks, extracted into it (never overwriting a file)."""
    if not archive.is_file():
        return
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.isfile() and not (root / m.name).exists()]
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python >= 3.12 (and 3.11.4)
        tar.extractall(root, members=members, **safe)


if __name__ == "__main__":
    main()
