r"""One module per chapter: its ``Config`` (knobs and profiles) and its experiment.

A notebook ``book/NN-<slug>.ipynb`` is driven by ``orthontk_lib.chapters.<slug>``
(dashes become underscores). :func:`summary` is how every chapter obtains what it
shows: a committed paper-profile result if the repository has one, otherwise the
run of the requested profile (computed now, or loaded if already saved).
"""

import importlib
import json
import os
import pathlib
import re

from orthontk_lib import results

OWN_PROFILE_ENV = "ORTHONTK_OWN_PROFILE"
SAVED_ONLY_ENV = "ORTHONTK_SAVED_ONLY"
"""Set by the runner's ``--saved-only``: :func:`summary` loads saved results and computes nothing."""


class NotSaved(RuntimeError):
    """A run asked for with ``--saved-only`` has no saved result."""
"""Set (by the runner) to run the requested profile even where a committed paper result exists."""

__all__ = ["slug_of", "module_of", "summary", "paper_run", "matmul_precision", "shown", "compute_seconds", "devices",
           "precisions", "overrides", "provenance_line", "run_config"]


def slug_of(notebook):
    """``book/01-setting.ipynb`` -> ``setting``."""
    stem = pathlib.Path(notebook).stem
    return re.sub(r"^\d+-", "", stem)


def module_of(notebook):
    """The chapter module of a notebook; ``ValueError`` naming the notebook if it has none."""
    slug = slug_of(notebook)
    try:
        return importlib.import_module(f"orthontk_lib.chapters.{slug.replace('-', '_')}")
    except ModuleNotFoundError as err:
        raise ValueError(f"notebook: {notebook} is not an experiment chapter (no orthontk_lib.chapters.{slug})") from err


def summary(slug, cfg, compute):
    """The result a chapter shows: a saved paper run when ``cfg`` is not paper and one exists, else ``cfg``'s.

    The runner sets ``$ORTHONTK_OWN_PROFILE``: a profile asked for by name is run, not replaced by the paper run; with
    ``--saved-only`` it sets ``$ORTHONTK_SAVED_ONLY``, and a result that is not saved raises :class:`NotSaved`.

    Args:
      slug: the chapter's slug.
      cfg: its ``Config``.
      compute: ``cfg -> dict of arrays``, run only when no saved result of ``cfg`` exists.

    ``compute`` runs, and its points and summary are saved, under the chapter's matmul precision
    (:func:`matmul_precision`), which every saved result records.

    Returns:
      A :class:`~orthontk_lib.results.Result`; ``result.meta["profile"]`` says which profile it is.
    """
    if cfg.profile != "paper" and not os.environ.get(OWN_PROFILE_ENV):
        paper = paper_run(slug)
        if paper is not None:
            return paper
    if os.environ.get(SAVED_ONLY_ENV):
        def compute(cfg):
            raise NotSaved(f"{slug}: no saved {cfg.profile} result for these knobs; the command redraws saved "
                           "results only (drop --saved-only to compute it)")
    with matmul_precision(cfg):
        return results.cached(
            f"{slug}/{cfg.profile}/summary", cfg.asdict(), lambda: compute(cfg), profile=cfg.profile,
            seeds=getattr(cfg, "seeds", None),
        )


def paper_run(slug, root=None):
    """The committed paper-profile run a chapter shows in place of the build's own (the newest), or ``None``.

    Args:
      slug: the chapter's slug, e.g. ``"condensation"``.
      root: the data folder holding committed runs (default: the repository's ``data/``).
    """
    found = results.find(f"{slug}/paper/summary", root=root or results.REPO_DATA, profile="paper")
    return found[0] if found else None


def matmul_precision(cfg):
    """The context a chapter's compute runs in: ``jax.default_matmul_precision(cfg.PRECISION)``.

    ``cfg.PRECISION`` is the chapter's declared precision (``ChapterConfig.PRECISION``, one of
    :data:`~orthontk_lib.book.profiles.MATMUL_PRECISIONS`); any other value is a ``ValueError`` naming it.
    """
    import jax

    from orthontk_lib.book.profiles import MATMUL_PRECISIONS

    if cfg.PRECISION not in MATMUL_PRECISIONS:
        raise ValueError(f"PRECISION: must be one of {', '.join(MATMUL_PRECISIONS)}; got {cfg.PRECISION!r}")
    return jax.default_matmul_precision(cfg.PRECISION)


def drawn(result):
    """The provenance a figure of ``result`` records and its caption names (a dict like ``result.meta``): the run's
    commit and date, with ``device`` and ``matmul_precision`` those its points were computed on and at (joined with
    " and ", most compute first; :func:`devices`, :func:`precisions`), so that they agree with the page's provenance
    line. A run with no saved points keeps its own metadata's."""
    meta = dict(result.meta)
    slug = str(meta.get("name", "")).split("/")[0]
    points = _points(slug, result) if slug else None
    if points:
        meta["device"] = " and ".join(devices(slug, result, points))
        meta["matmul_precision"] = " and ".join(precisions(slug, result, points)) or meta.get("matmul_precision")
    return meta


def _all_cpu(devices):
    """Whether every device named is a CPU (``"1 x cpu:cpu"``; a name may join several with " and ")."""
    return all(str(d).split(":")[0].strip().endswith("cpu") for d in " and ".join(devices).split(" and ") if d)


def _on_cpu(devices, precisions):
    """", no effect on a CPU" where every device is a CPU and a precision is below full float32 (TF32 and bfloat16
    passes are GPU and TPU settings: a CPU multiplies in float32 whatever is asked), else ""."""
    below_float32 = any(p not in ("highest", "float32") for p in precisions)
    return ", no effect on a CPU" if _all_cpu(devices) and below_float32 else ""


def shown(result):
    """A caption phrase saying which run a figure shows, by its scale (:func:`scale_of`), e.g. ``reduced scale, run
    of 2026-11-22 on 1 x cpu:cpu (commit 1a2b3c4, matmul precision highest)``: the commit, device and precision the
    figure's files record (:func:`drawn`); a run made from a tree with uncommitted changes says so."""
    meta = drawn(result)
    commit = meta.get("git_commit") or "uncommitted"
    dirty = ", with uncommitted changes" if commit.endswith("-dirty") else ""
    on = f" on {meta['device']}" if meta.get("device") else ""
    name = scale_of(meta)
    name = name if name.endswith(("scale", "profile")) else f"{name} profile"  # "quick profile"
    p = meta.get("matmul_precision")
    precision = f", matmul precision {p}{_on_cpu([meta.get('device') or ''], [p])}" if p else ""
    return f"{name}, run of {meta['created'][:10]}{on} (commit {commit[:7]}{dirty}{precision})"


def scale_of(meta):
    """:func:`scale` of a saved run, its chapter read off its name (``"speedup/paper/summary"``); ``"<profile>
    profile"`` where no chapter module is found."""
    module, _ = run_config(str(meta.get("name", "")).split("/")[0], meta)
    return scale(module, meta) if module is not None else f"{meta.get('profile')} profile"


def run_config(slug, meta):
    """``(chapter module, Config)`` of the run whose summary metadata is ``meta`` (its recorded knobs on its profile);
    ``(None, None)`` where ``slug`` has no chapter module or the recorded knobs are not a valid config."""
    from orthontk_lib.book.profiles import ConfigError

    try:
        module = importlib.import_module(f"orthontk_lib.chapters.{slug.replace('-', '_')}")
        knobs = {k: v for k, v in meta.get("params", {}).items() if k in module.Config.knobs()}
        return module, module.Config.for_profile(meta.get("profile"), use_env=False, **knobs)
    except (ModuleNotFoundError, ConfigError, TypeError):
        return None, None


def _points(slug, result):
    """The metadata of the saved points of the run ``result`` shows (none if it is not saved where this checkout
    looks): for a chapter with declared sweeps, exactly the points of its config's sweeps that are saved; otherwise
    the saved points whose parameters agree with the run's where they share a name."""
    meta, params = result.meta, result.meta.get("params", {})
    module, cfg = run_config(slug, meta)
    for root in dict.fromkeys((results.data_dir(), results.REPO_DATA)):
        folder = pathlib.Path(root) / slug / str(meta.get("profile"))
        if not (folder / "summary" / f"{meta.get('key')}.json").is_file():
            continue
        if getattr(module, "SWEEPS", None) and cfg is not None:
            paths = [pathlib.Path(root) / s.folder(cfg.profile) / f"{results.key_of(s.key(cfg, p))}.json"
                     for s in module.SWEEPS.values() for p in s.point_list(cfg)]
            return [json.loads(p.read_text()) for p in paths if p.is_file()]
        found = []
        for path in sorted(folder.rglob("*.json")):
            if path.parent.name in ("summary", "runs"):
                continue
            point = json.loads(path.read_text())
            shared = set(point.get("params", {})) & set(params)
            if all(point["params"][k] == params[k] for k in shared):
                found.append(point)
        return found
    return []


def compute_seconds(slug, result, points=None):
    """Compute time of the run ``result`` shows: the larger of its summary's wall time and the summed wall times of
    the saved points that share its parameters (a resumed run's summary misses the points computed before).
    ``points``: :func:`_points` of the run, where the caller has read them already."""
    points = _points(slug, result) if points is None else points
    summary = float(result.meta.get("wall_time_s") or 0.0)
    return max(summary, sum(float(p.get("wall_time_s") or 0.0) for p in points))


def devices(slug, result, points=None):
    """The devices the run ``result`` shows was computed on, most compute first (a run resumed elsewhere has two).
    ``points`` as for :func:`compute_seconds`."""
    points = _points(slug, result) if points is None else points
    seconds = {}
    for point in points or [result.meta]:
        name = point.get("device", "an unknown device")
        seconds[name] = seconds.get(name, 0.0) + float(point.get("wall_time_s") or 0.0)
    return sorted(seconds, key=seconds.get, reverse=True)


def precisions(slug, result, points=None):
    """The matmul precisions the run ``result`` shows was computed at, most compute first; empty for runs saved before
    precision was recorded. ``points`` as for :func:`compute_seconds`."""
    points = _points(slug, result) if points is None else points
    seconds = {}
    for point in points or [result.meta]:
        if point.get("matmul_precision"):
            name = point["matmul_precision"]
            seconds[name] = seconds.get(name, 0.0) + float(point.get("wall_time_s") or 0.0)
    return sorted(seconds, key=seconds.get, reverse=True)


def changed_knobs(module, meta):
    """The knobs where the run ``meta`` describes differs from its profile's defaults, in the Config's order
    (empty where the profile or config cannot be read)."""
    try:
        default = module.Config.for_profile(meta["profile"], use_env=False).asdict()
    except (KeyError, TypeError, ValueError):
        return []
    params = meta.get("params", {})
    return [k for k in module.Config.knobs() if k in params and json.loads(json.dumps(default.get(k))) != params[k]]


def overrides(notebook, meta):
    """``-p NAME VALUE`` for each knob where the run ``meta`` describes differs from its profile's defaults."""
    try:
        module = module_of(notebook)
    except ValueError:
        return ""
    params = meta.get("params", {})
    word = lambda v: v if isinstance(v, str) and re.fullmatch(r"[A-Za-z_][\w.-]*", v) else f"'{json.dumps(v)}'"
    return "".join(f" -p {k} {word(params[k])}" for k in changed_knobs(module, meta))


SCALES = ("paper scale", "reduced scale", "quick", "smoke")
"""The names of a shown run's scale, used wherever a run is named: the chapter's paper profile as it stands, that
profile with knobs overridden (smaller, or digits in place of CIFAR-10), or a smaller profile by its name."""


def scale(module, meta):
    """The scale of the run ``meta`` describes (:data:`SCALES`): ``"paper scale"``, ``"reduced scale"`` (the paper
    profile with the knobs :func:`changed_knobs` names), or the profile's name."""
    if meta.get("profile") != "paper":
        return meta.get("profile")
    return "reduced scale" if changed_knobs(module, meta) else "paper scale"


def provenance_line(slug, result, notebook):
    """The line a chapter page opens with: which run it shows, made where and when, and how to reproduce it."""
    meta = result.meta
    commit = meta.get("git_commit") or "uncommitted"
    commit = commit[:7] + ("-dirty" if commit.endswith("-dirty") else "")
    seeds = meta.get("seeds")
    points = _points(slug, result)  # read once, for the minutes and the devices
    minutes = compute_seconds(slug, result, points) / 60
    precision = precisions(slug, result, points)
    where = devices(slug, result, points)
    changed = overrides(notebook, meta)
    rendered = results.provenance()["git_commit"] or "uncommitted"
    rendered = rendered[:7] + (" with uncommitted changes" if rendered.endswith("-dirty") else "")
    return (f"*This page shows* {_scale_words(notebook, meta)}. It ran on {meta['created'][:10]} on "
            f"{' and '.join(where)} at commit `{commit}`: {minutes:.1f} minutes of compute"
            + (f", {len(seeds)} seeds" if seeds else "")
            + (f", matmul precision {' and '.join(precision)}{_on_cpu(where, precision)}" if precision else "")
            + f". Reproduce it with `{reproduce_command(result, notebook)}`."
            + _reduced_run_words(notebook, meta, changed, where)
            + f" This page was rendered at commit `{rendered}`.")


def reproduce_command(result, notebook, saved_only=False):
    """The runner's command that reproduces the run ``result`` shows (its profile and overridden knobs); with
    ``saved_only``, the one that redraws its figures from its saved results and computes nothing."""
    meta = result.meta
    return (f"python -m orthontk_lib.book.run book/{pathlib.Path(notebook).name} --profile {meta['profile']}"
            f"{overrides(notebook, meta)}" + (" --saved-only" if saved_only else ""))


def _scale_words(notebook, meta):
    """The shown run named by its scale (:func:`scale`): "a paper-scale run", "a reduced-scale run (width, steps
    changed from paper scale)", or "the `quick` profile's run"."""
    try:
        module = module_of(notebook)
    except ValueError:
        return f"the `{meta.get('profile')}` profile's run"
    name = scale(module, meta)
    if name == "paper scale":
        return "a paper-scale run"
    if name == "reduced scale":
        return f"a reduced-scale run ({', '.join(changed_knobs(module, meta))} changed from paper scale)"
    return f"the `{name}` profile's run"


def _reduced_run_words(notebook, meta, changed, where):
    """A sentence for a paper-profile run made smaller on a CPU (its knobs overridden) where the chapter states a GPU
    cost: what it is, and what replaces it. Empty otherwise."""
    try:
        cost = module_of(notebook).Config.COST.get("paper")
    except ValueError:
        return ""
    if meta.get("profile") != "paper" or not changed or not _all_cpu(where) or cost is None or cost.device != "GPU":
        return ""
    return (" It ran on a CPU, smaller in the knobs that command sets. It is shown until the paper-scale GPU run "
            "replaces it (its points are listed by `scripts/paper-runs --plan`).")
