r"""Move saved points to the keys of their declared sweeps (``results.Sweep``), once; rerunning changes nothing.

.. code-block:: bash

   python -m orthontk_lib.book.migrate_keys [--root data] [--dry-run]

Points saved before the sweeps were declared are keyed by every knob of their chapter's base (a width's point held
``widths``, so a run over fewer widths never found it). For each saved point of a declared sweep, under
``<root>/<chapter>/<profile>/<sweep>/``, the new parameters are computed from the recorded ones:

* the sweep's ``knobs``, taken from the recorded parameters; a knob the point did not record takes the value the
  sweep declares for points saved before it existed (``Sweep.since``), and is otherwise an error: its value is
  unknown;
* the sweep's derived values, computed from the recorded parameters (e.g. ``lr_width``, the widest of the recorded
  ``widths``);
* the point's own coordinates (``width``), as recorded; a coordinate the point did not record is found by
  enumerating the sweep's points of the recorded lists;

every other recorded parameter is dropped. The metadata's ``params`` and ``key`` are rewritten (and
``migrated_from`` names the old key); the arrays' bytes, ``arrays_sha256``, ``git_commit`` and ``created`` stay.
Each move links the arrays to their new name, writes the new metadata atomically, then removes the old metadata and
the old arrays: a migration killed at any moment leaves every point loadable, and rerunning it completes it.

Everything is planned before anything moves: where two points map to one new key with different arrays, or a point
cannot be mapped, nothing moves and :class:`MigrationError` names the files. Two points with identical arrays that
map to one key are one point: the one already at the new key stays (else the first), the other is removed.
Summaries (``summary/``), executed notebooks (``runs/``) and anything outside a declared sweep's folder are left as
they are.
"""

import argparse
import dataclasses
import hashlib
import importlib
import json
import os
import pathlib
import sys

from orthontk_lib import results
from orthontk_lib.book.profiles import PROFILE_NAMES

__all__ = ["MigrationError", "plan", "migrate", "main", "CHAPTERS"]

CHAPTERS = ("setting", "kernel_equality", "finite_width", "constancy", "linearity", "training_curves", "speedup",
            "edge_of_chaos", "condensation")
"""The chapter modules whose ``SWEEPS`` are migrated."""


class MigrationError(RuntimeError):
    """A point cannot be moved to its sweep's key (or two would collide); nothing was moved."""


@dataclasses.dataclass(frozen=True)
class Move:
    """One point's move: old metadata path, new key and parameters (``None``: a duplicate to remove)."""

    old: pathlib.Path
    key: str
    params: dict
    duplicate: bool = False


def sweeps():
    """``[(Config class, Sweep), ...]`` of every chapter."""
    out = []
    for name in CHAPTERS:
        module = importlib.import_module(f"orthontk_lib.chapters.{name}")
        out += [(module.Config, s) for s in module.SWEEPS.values()]
    return out


def new_params(config_cls, sweep, profile, params):
    """The parameters of the point recorded as ``params`` under ``sweep``'s declaration.

    Raises:
      MigrationError: a declared knob (or a value its derived values need) is not recorded, or the point's
        coordinates cannot be found.
    """
    params = {**sweep.since, **params}  # a knob declared later: the value the older points were computed at
    missing = [k for k in sweep.knobs if k not in params]
    if missing:
        raise MigrationError(f"knob {missing[0]!r} of sweep {sweep.chapter}/{sweep.name} is not recorded")
    cfg = _partial_config(config_cls, profile, params)
    full = config_cls.for_profile(profile, use_env=False)
    recorded = tuple(k for k in sweep.knobs + sweep.over if k in params)
    try:
        derived = dict(sweep.derived(sweep.view(cfg, recorded))) if sweep.derived else {}
    except results.KnobError as err:
        names = list(sweep.derived_values(full))
        if not all(n in params for n in names):  # a point keyed the new way records its derived values
            raise MigrationError(f"a derived value of sweep {sweep.chapter}/{sweep.name} needs a knob that is not "
                                 f"recorded ({err})") from err
        derived = {n: params[n] for n in names}
    coords = list(sweep.point_list(full)[0])
    point = {c: params[c] for c in coords if c in params and c not in sweep.knobs + sweep.over}
    if len(point) < len(coords):
        if any(k not in params for k in sweep.over):
            raise MigrationError(f"the point's coordinates {coords} of sweep {sweep.chapter}/{sweep.name} are not "
                                 "all recorded")
        found = [p for p in sweep.points(sweep.view(cfg, sweep.knobs + sweep.over))
                 if all(p[c] == v for c, v in point.items())]
        if len(found) != 1:
            raise MigrationError(f"{len(found)} points of sweep {sweep.chapter}/{sweep.name} match the recorded "
                                 f"coordinates {point}")
        point = found[0]
    out = {k: params[k] for k in sweep.knobs}
    for part in (derived, point):
        if set(out) & set(part):
            raise MigrationError(f"sweep {sweep.chapter}/{sweep.name}: {sorted(set(out) & set(part))} named twice")
        out.update(part)
    return out


def plan(root=None):
    """Every move under ``root`` (default: the results folder), checked for collisions; nothing is moved.

    Returns:
      A list of :class:`Move`, in a stable order.

    Raises:
      MigrationError: naming every point that cannot be moved and every pair that would collide with different arrays.
    """
    root = results.data_dir(root)
    moves, errors = [], []
    for config_cls, sweep in sweeps():
        for profile in PROFILE_NAMES:
            folder = root / sweep.folder(profile)
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.json")):
                meta = _meta(path)
                try:
                    params = new_params(config_cls, sweep, profile, meta["params"])
                except (MigrationError, ValueError) as err:
                    errors.append(f"{path}: {err}")
                    continue
                moves.append(Move(path, results.key_of(params), json.loads(results._canonical(params))))
    moves = _deduplicate(moves, errors)
    if errors:
        raise MigrationError("nothing was moved:\n  " + "\n  ".join(errors))
    return moves


def migrate(root=None, dry_run=False, log=print):
    """Carry out :func:`plan`'s moves (none with ``dry_run``); returns them. Rerunning finds nothing to move."""
    moves = [m for m in plan(root) if m.duplicate or m.old.stem != m.key or _meta(m.old)["params"] != m.params]
    for m in moves:
        target = m.old.with_name(f"{m.key}.json")
        log(f"{'would ' if dry_run else ''}{'remove duplicate' if m.duplicate else 'move'} {m.old} -> {target.name}")
        if not dry_run:
            _remove(m.old) if m.duplicate else _move(m.old, m.key, m.params)
    return moves


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m orthontk_lib.book.migrate_keys", description=__doc__.split("\n")[0])
    parser.add_argument("--root", help="the results folder (default: $ORTHONTK_DATA_DIR, else the repository's data/)")
    parser.add_argument("--dry-run", action="store_true", help="print the moves, move nothing")
    args = parser.parse_args(argv)
    try:
        moves = migrate(args.root, args.dry_run)
    except (MigrationError, results.ResultError) as err:
        sys.exit(f"migrate_keys: {err}")
    print(f"migrate_keys: {len(moves)} point(s) {'to move' if args.dry_run else 'moved'} under {results.data_dir(args.root)}")


# INTERNAL UTILITIES


def _partial_config(config_cls, profile, params):
    """The profile's config with the recorded knobs in place (lists as tuples); the view built on it answers only the
    recorded names."""
    base = config_cls.for_profile(profile, use_env=False)
    recorded = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items() if k in config_cls.knobs()}
    try:
        return dataclasses.replace(base, **recorded)
    except ValueError as err:  # ConfigError: the recorded knobs contradict each other
        raise MigrationError(f"the recorded parameters are not a valid config ({err})") from err


def _meta(path):
    try:
        meta = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as err:
        raise MigrationError(f"{path}: metadata is corrupt ({err}); nothing was moved") from err
    if not isinstance(meta, dict) or "params" not in meta or "arrays_sha256" not in meta:
        raise MigrationError(f"{path}: not a result's metadata; nothing was moved")
    return meta


def _deduplicate(moves, errors):
    """Mark as duplicates the moves that land on a key another move (or a point already there) holds with identical
    arrays; report those with different arrays in ``errors``."""
    by_target, out = {}, []
    for m in sorted(moves, key=lambda m: (m.old.parent, m.old.stem != m.key, m.old.name)):  # one already there first
        target = (m.old.parent, m.key)
        if target not in by_target:
            by_target[target] = m
            out.append(m)
            continue
        kept = by_target[target]
        if _meta(kept.old)["arrays_sha256"] != _meta(m.old)["arrays_sha256"] or not _same_bytes(kept.old, m.old):
            errors.append(f"{m.old.name} and {kept.old.name} in {m.old.parent} both map to key {m.key} with different "
                          "arrays: move one of them away, or decide which is right")
            continue
        out.append(dataclasses.replace(m, duplicate=True))
    return out


def _same_bytes(a, b):
    digest = lambda p: hashlib.sha256(p.with_suffix(".npz").read_bytes()).hexdigest()
    return digest(a) == digest(b)


def _move(old, key, params):
    """Link the arrays to ``<key>.npz``, write ``<key>.json``, then remove the old metadata and arrays."""
    meta = _meta(old)
    npz_old, npz_new, new = old.with_suffix(".npz"), old.with_name(f"{key}.npz"), old.with_name(f"{key}.json")
    if old == new:  # same key, other recorded parameters (cannot happen for a key of the params; kept for safety)
        results.atomic_write(new, _dump({**meta, "params": params}))
        return
    if not npz_new.exists():
        try:
            os.link(npz_old, npz_new)
        except OSError:
            results.atomic_write(npz_new, npz_old.read_bytes())
    if hashlib.sha256(npz_new.read_bytes()).hexdigest() != meta["arrays_sha256"]:
        raise MigrationError(f"{npz_new}: its arrays are not those of {old.name}; nothing more was moved")
    results.atomic_write(new, _dump({**meta, "params": params, "key": key, "migrated_from": meta.get("key", old.stem)}))
    _remove(old)


def _remove(old):
    """The old metadata first, then its arrays: no metadata is ever left without its arrays."""
    old.unlink()
    npz = old.with_suffix(".npz")
    if npz.exists():
        npz.unlink()


def _dump(meta):
    return json.dumps(meta, indent=1, sort_keys=True).encode()


if __name__ == "__main__":
    main()
