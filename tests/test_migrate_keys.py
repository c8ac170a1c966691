"""Migrating saved points to their declared sweeps' keys: once, idempotent, refusing collisions, destroying nothing."""

import dataclasses
import json

import numpy as np
import pytest

from orthontk_lib import results
from orthontk_lib.book import migrate_keys
from orthontk_lib.chapters import constancy, training_curves

SWEEP = constancy.SWEEPS["fcn"]


def old_style(root, width, value=1.0, **changes):
    """A constancy FCN point saved the old way: every knob but the weight figure's, plus its width."""
    cfg = constancy.Config.for_profile("smoke", use_env=False, **changes)
    base = {k: v for k, v in cfg.asdict().items() if k != "profile" and not k.startswith("weight_")}
    path = results.save(SWEEP.folder("smoke"), {**base, "width": width}, {"v": np.full(3, value)}, profile="smoke",
                        root=root)
    return cfg, path


def test_old_points_move_to_their_sweeps_keys_and_a_rerun_moves_nothing(tmp_path):
    cfg, path = old_style(tmp_path, 16)
    before = json.loads(path.read_text())
    npz = path.with_suffix(".npz").read_bytes()
    moved = migrate_keys.migrate(tmp_path, log=lambda *a: None)
    assert len(moved) == 1
    params = SWEEP.key(cfg, {"width": 16})
    assert "widths" not in params and params["lr_width"] == cfg.widths[-1]
    new = results.load(SWEEP.folder("smoke"), params, root=tmp_path)  # found where the sweep looks
    assert new.meta["migrated_from"] == before["key"] and new.arrays["v"].tolist() == [1.0] * 3
    for field in ("arrays_sha256", "git_commit", "created"):
        assert new.meta[field] == before[field]
    assert (tmp_path / SWEEP.folder("smoke") / f"{new.meta['key']}.npz").read_bytes() == npz
    assert not path.exists() and not path.with_suffix(".npz").exists()
    assert migrate_keys.migrate(tmp_path, log=lambda *a: None) == []


def test_two_old_points_with_one_new_key_and_different_arrays_are_refused_and_kept(tmp_path):
    _, a = old_style(tmp_path, 16, value=1.0)
    _, b = old_style(tmp_path, 16, value=2.0, cnn_depth=2)  # a knob the FCN point never read: one new key
    files = sorted(p.name for p in a.parent.iterdir())
    with pytest.raises(migrate_keys.MigrationError, match="different arrays"):
        migrate_keys.migrate(tmp_path, log=lambda *a: None)
    assert sorted(p.name for p in a.parent.iterdir()) == files  # nothing moved, nothing removed


def test_two_old_points_with_identical_arrays_become_one(tmp_path):
    old_style(tmp_path, 16)
    _, b = old_style(tmp_path, 16, cnn_depth=2)
    migrate_keys.migrate(tmp_path, log=lambda *a: None)
    assert len(list(b.parent.glob("*.json"))) == len(list(b.parent.glob("*.npz"))) == 1
    assert migrate_keys.migrate(tmp_path, log=lambda *a: None) == []


def test_a_point_without_a_declared_knob_is_refused_naming_it(tmp_path):
    cfg, path = old_style(tmp_path, 16)
    meta = json.loads(path.read_text())
    del meta["params"]["lr_small"]
    path.write_text(json.dumps(meta))
    with pytest.raises(migrate_keys.MigrationError, match="(?s)nothing was moved.*knob 'lr_small' of sweep constancy/fcn is not recorded"):
        migrate_keys.migrate(tmp_path, log=lambda *a: None)
    assert path.exists()


def test_coordinates_the_old_key_lacked_are_found_from_the_recorded_lists(tmp_path):
    cfg = training_curves.Config.for_profile("smoke", use_env=False)
    sweep = training_curves.SWEEPS["runs"]
    base = {k: v for k, v in cfg.asdict().items() if k != "profile"}
    results.save(sweep.folder("smoke"), {**base, "setting": "sgd-tanh"}, {"v": np.ones(1)}, profile="smoke",
                 root=tmp_path)
    migrate_keys.migrate(tmp_path, log=lambda *a: None)
    point = [p for p in sweep.point_list(cfg) if p["setting"] == "sgd-tanh"][0]
    assert results.load(sweep.folder("smoke"), sweep.key(cfg, point), root=tmp_path) is not None


def test_a_migration_cut_short_leaves_every_point_loadable_and_a_rerun_completes_it(tmp_path, monkeypatch):
    cfg, path = old_style(tmp_path, 16)
    real_unlink = type(path).unlink
    monkeypatch.setattr(type(path), "unlink", lambda self, *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        migrate_keys.migrate(tmp_path, log=lambda *a: None)  # killed after the new files, before the old go
    monkeypatch.setattr(type(path), "unlink", real_unlink)
    for meta in path.parent.glob("*.json"):
        results._read(meta)  # both old and new load
    migrate_keys.migrate(tmp_path, log=lambda *a: None)
    assert [p.stem for p in path.parent.glob("*.json")] == [results.key_of(SWEEP.key(cfg, {"width": 16}))]


def test_a_knob_declared_later_takes_the_value_the_sweep_gives_older_points(tmp_path):
    """The finite-width training sweep declared ``dataset`` after its points were saved on digits (``since``)."""
    from orthontk_lib.chapters import finite_width

    sweep = finite_width.SWEEPS["training"]
    assert sweep.since == {"dataset": "digits"} and "dataset" in sweep.knobs
    cfg = finite_width.Config.for_profile("smoke", use_env=False)
    params = {k: v for k, v in sweep.key(cfg, {"width": 16}).items() if k != "dataset"}  # saved before the knob
    results.save(sweep.folder("smoke"), params, {"v": np.ones(2)}, profile="smoke", root=tmp_path)
    assert results.load(sweep.folder("smoke"), sweep.key(cfg, {"width": 16}), root=tmp_path) is None
    migrate_keys.migrate(tmp_path, log=lambda *a: None)
    assert results.load(sweep.folder("smoke"), sweep.key(cfg, {"width": 16}), root=tmp_path).arrays["v"].tolist() == [1, 1]
    cifar = dataclasses.replace(cfg, dataset="cifar10")  # another data set: another key, nothing found
    assert results.load(sweep.folder("smoke"), sweep.key(cifar, {"width": 16}), root=tmp_path) is None
