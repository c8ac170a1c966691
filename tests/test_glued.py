"""The glued-numbers tool that holds a restructuring to 'no number the book shows changes'."""

import json

import pytest

from orthontk_lib.book import glued
from orthontk_lib.chapters import setting


def test_compare_names_every_change_addition_and_removal():
    before = {"a": {"x": "0.5", "y": "holds", "gone": "1"}}
    after = {"a": {"x": "0.5", "y": "does not hold", "new": "2"}, "b": {"z": "3"}}
    lines = glued.compare(before, after)
    assert lines == ["a/gone: removed (was '1')", "a/new: added ('2')", "a/y: 'holds' -> 'does not hold'",
                     "b/z: added ('3')"]
    assert glued.compare(before, before) == []


def test_the_numbers_come_from_the_saved_run_and_a_missing_one_is_named(tmp_path, monkeypatch):
    from orthontk_lib import results

    monkeypatch.setattr(results, "REPO_DATA", tmp_path / "repo-data")  # no committed paper run
    monkeypatch.setenv("ORTHONTK_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(glued.NotSaved, match="setting: no saved smoke-profile run"):
        glued.glued("smoke", modules=[("01-setting", setting)])
    cfg = setting.Config.for_profile("smoke", use_env=False)
    seen = {}
    monkeypatch.setattr(setting, "measure", lambda arrays, c: {k.id: (-0.5, (-0.6, -0.4)) for k in setting.CLAIMS})
    monkeypatch.setattr(setting, "numbers", lambda arrays, c, m: seen.update(cfg=c, m=m) or {"n": 0.25, "w": "holds"})
    results.save("setting/smoke/summary", cfg.asdict(), {"widths": [1, 2]}, profile="smoke", seeds=cfg.seeds)
    assert glued.glued("smoke", modules=[("01-setting", setting)]) == {"setting": {"n": "0.25", "w": "holds"}}
    assert seen["cfg"] == cfg and set(seen["m"].verdicts().values()) == {"holds"}  # the claims measured, once


def test_the_command_exits_nonzero_on_a_difference(tmp_path, capsys):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps({"s": {"x": "1"}}))
    b.write_text(json.dumps({"s": {"x": "2"}}))
    assert glued.main(["--compare", str(a), str(a)]) == 0 and "no glued value differs (1 values compared)" in capsys.readouterr().out
    assert glued.main(["--compare", str(a), str(b)]) == 1 and "s/x: '1' -> '2'" in capsys.readouterr().out


def test_numbers_mode_follows_numbers_across_renamed_and_reworded_values(tmp_path, capsys):
    before = {"s": {"gap": "the gap is 0.031 [0, 0.106] at width 400", "n": "12"}}
    reworded = {"s": {"gap-value": "0.031 [0, 0.106]", "gap-width": "400", "count": "12 runs"}}
    moved = {"s": {"gap-value": "0.032 [0, 0.106]", "gap-width": "400", "count": "12"}}
    assert glued.compare_numbers(before, reworded) == []
    assert glued.compare_numbers(before, moved) == ["s: lost 0.031", "s: new 0.032"]
    assert glued.numbers_in("−0.87 [−1.72, −0.014], 95%, 1e-3, fig-2 x2") == ["-0.87", "-1.72", "-0.014", "95%", "1e-3",
                                                                              "2"]
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(before))
    b.write_text(json.dumps(moved))
    assert glued.main(["--compare", str(a), str(b), "--numbers"]) == 1 and "lost 0.031" in capsys.readouterr().out
