"""Results: atomic writes, cache hits, corruption detected and never overwritten."""

import json
import os

import numpy as np
import pytest

from orthontk_lib import results


def test_cache_hit_does_not_recompute(tmp_path):
    calls = []
    compute = lambda: calls.append(1) or {"a": np.arange(4)}
    r1 = results.cached("x", {"w": 2, "ws": (1, 2)}, compute, profile="quick", root=tmp_path)
    r2 = results.cached("x", {"ws": [1, 2], "w": 2}, compute, profile="quick", root=tmp_path)
    assert len(calls) == 1
    np.testing.assert_array_equal(r2.arrays["a"], np.arange(4))
    meta = r1.meta
    assert meta["profile"] == "quick" and meta["versions"]["jax"] and meta["device"] and meta["wall_time_s"] >= 0
    assert "git_commit" in meta and meta["created"]


def test_killed_write_leaves_no_result(tmp_path, monkeypatch):
    real_replace = os.replace

    def crash_on_metadata(src, dst):
        if str(dst).endswith(".json"):
            raise KeyboardInterrupt  # the run is killed between the arrays and the metadata
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_metadata)
    with pytest.raises(KeyboardInterrupt):
        results.save("x", {"w": 1}, {"a": np.ones(3)}, profile="quick", root=tmp_path)
    monkeypatch.setattr(os, "replace", real_replace)
    assert results.load("x", {"w": 1}, root=tmp_path) is None
    assert not [p for p in (tmp_path / "x").iterdir() if p.name.endswith(".tmp")]


def test_corrupt_metadata_is_detected_not_trusted_nor_overwritten(tmp_path):
    path = results.save("x", {"w": 1}, {"a": np.ones(3)}, profile="quick", root=tmp_path)
    path.write_text(path.read_text()[:40])
    with pytest.raises(results.ResultError, match=r"metadata is corrupt"):
        results.cached("x", {"w": 1}, lambda: {"a": np.zeros(3)}, profile="quick", root=tmp_path)
    assert len(path.read_text()) == 40  # left as it was, for the user to inspect


def test_tampered_arrays_are_detected(tmp_path):
    path = results.save("x", {"w": 1}, {"a": np.ones(3)}, profile="quick", root=tmp_path)
    npz = path.with_suffix(".npz")
    npz.write_bytes(npz.read_bytes()[:-5] + b"00000")
    with pytest.raises(results.ResultError, match="do not match the SHA-256"):
        results.load("x", {"w": 1}, root=tmp_path)


def test_metadata_of_other_parameters_is_refused(tmp_path):
    path = results.save("x", {"w": 1}, {"a": np.ones(3)}, profile="quick", root=tmp_path)
    other = path.with_name(results.key_of({"w": 2}) + ".json")
    meta = json.loads(path.read_text())
    other.write_text(json.dumps(meta))
    other.with_suffix(".npz").write_bytes(path.with_suffix(".npz").read_bytes())
    with pytest.raises(results.ResultError, match="not the ones asked for"):
        results.load("x", {"w": 2}, root=tmp_path)


def test_sweep_resumes_from_finished_points(tmp_path):
    done = []

    def point(p):
        if p["i"] == 2 and not done:
            done.append("interrupted")
            raise KeyboardInterrupt
        return {"v": np.array(p["i"] ** 2)}

    pts = [{"i": i} for i in range(4)]
    with pytest.raises(KeyboardInterrupt):
        results.sweep("s", {"base": 1}, pts, point, profile="quick", root=tmp_path)
    computed = []
    out = results.sweep("s", {"base": 1}, pts, lambda p: computed.append(p["i"]) or point(p), profile="quick", root=tmp_path)
    assert computed == [2, 3]
    assert [int(r.arrays["v"]) for r in out] == [0, 1, 4, 9]
    assert [r.meta["params"]["i"] for r in results.find("s", root=tmp_path, profile="quick")].__len__() == 4


def test_a_chapter_page_opens_with_the_run_it_shows_and_the_command(tmp_path, monkeypatch):
    from orthontk_lib.book import registry

    monkeypatch.setenv("ORTHONTK_DATA_DIR", str(tmp_path))
    results.save("demo/paper/points", {"width": 8, "seed": 0}, {"x": [1]}, profile="paper", seeds=[0, 1],
                 wall_time=120.0)
    results.save("demo/paper/points", {"width": 16, "seed": 0}, {"x": [2]}, profile="paper", seeds=[0, 1],
                 wall_time=180.0)
    results.save("demo/paper/points", {"width": 16, "seed": 5}, {"x": [3]}, profile="paper", wall_time=999.0)
    results.save("demo/paper/summary", {"seed": 0, "profile": "paper"}, {"x": [1, 2]}, profile="paper",
                 seeds=[0, 1], wall_time=30.0)
    shown = results.find("demo/paper/summary", profile="paper")[0]
    assert registry.compute_seconds("demo", shown) == 300.0  # the points of this run, not the summary's 30 s
    line = registry.provenance_line("demo", shown, "book/03-demo.ipynb")
    assert "`paper` profile" in line and "5.0 minutes of compute" in line and "2 seeds" in line
    assert "Reproduce it with `python -m orthontk_lib.book.run book/03-demo.ipynb --profile paper`." in line
    assert line.endswith(f"This page was rendered at commit `{results.provenance()['git_commit'][:7]}`.") or (
        "with uncommitted changes" in line)


def test_a_saved_figure_carries_a_bibtex_entry_with_label_and_commit(tmp_path):
    from orthontk_lib import plots
    from orthontk_lib.book import publish

    fig, ax = plots.figure()
    files = publish.savefig(fig, "demo-figure", folder=tmp_path, profile="quick", label="fig-demo")
    assert files.bibtex.startswith("@misc{orthontk-demo-figure,") and "figure fig-demo (demo-figure)" in files.bibtex
    assert "quick profile" in files.bibtex and "commit " in files.bibtex
    assert "Cite this figure (BibTeX)" in files._repr_html_()
    same = publish.bibtex("demo-figure", "fig-demo-figure", {"created": "2026-12-06"})
    assert "title = {{orthontk}: figure fig-demo-figure}," in same  # the label alone where it names the file


def test_a_table_is_shown_and_written_as_csv_with_its_provenance(tmp_path):
    import csv
    import json

    from orthontk_lib.book import publish

    files = publish.savetable(["φ", "slope"], [["tanh", -0.512], ["relu, x", 1]], "demo-table", folder=tmp_path,
                              profile="quick", seeds=[0, 1])
    lines = (tmp_path / "demo-table.csv").read_text().splitlines()
    made = json.loads(lines[0].removeprefix("# "))
    assert made["profile"] == "quick" and made["seeds"] == [0, 1]
    assert list(csv.reader(lines[1:])) == [["φ", "slope"], ["tanh", "-0.512"], ["relu, x", "1"]]
    shown = files._repr_html_()
    assert "<td>-0.512</td>" in shown and 'href="../figures/demo-table.csv" download' in shown
    with pytest.raises(ValueError, match="^rows: table demo-table has 2 columns"):
        publish.savetable(["a", "b"], [[1]], "demo-table", folder=tmp_path)
    with pytest.raises(ValueError, match="^name: table names are lowercase words"):
        publish.savetable(["a"], [[1]], "Demo table", folder=tmp_path)


def test_the_reproduce_command_names_the_knobs_a_run_changed_and_every_device_it_ran_on(tmp_path, monkeypatch):
    from orthontk_lib.book import registry
    from orthontk_lib.chapters import constancy

    params = {**constancy.Config.for_profile("paper").asdict(), "dataset": "digits", "weight_widths": [16, 32]}
    meta = {"profile": "paper", "params": params}
    assert registry.overrides("book/04-constancy.ipynb", meta) == " -p dataset digits -p weight_widths '[16, 32]'"
    assert registry.overrides("book/04-constancy.ipynb", {**meta, "params": constancy.Config.for_profile(
        "paper").asdict()}) == ""
    assert registry.overrides("book/03-demo.ipynb", meta) == ""  # no chapter module: nothing to compare with

    monkeypatch.setenv("ORTHONTK_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(results, "_device", lambda: "1 x gpu:H200")
    results.save("demo/paper/points", {"width": 8}, {"x": [1]}, profile="paper", wall_time=100.0)
    monkeypatch.setattr(results, "_device", lambda: "1 x cpu:cpu")
    results.save("demo/paper/points", {"width": 16}, {"x": [2]}, profile="paper", wall_time=30.0)
    results.save("demo/paper/summary", {"profile": "paper"}, {"x": [1, 2]}, profile="paper", wall_time=1.0)
    shown = results.find("demo/paper/summary", profile="paper")[0]
    assert registry.devices("demo", shown) == ["1 x gpu:H200", "1 x cpu:cpu"]
    assert "on 1 x gpu:H200 and 1 x cpu:cpu at commit" in registry.provenance_line("demo", shown, "book/03-demo.ipynb")


@pytest.mark.parametrize("device, params, scale, cpu", [
    ("1 x cpu:cpu", {"width": 128}, "a reduced-scale run (width changed from paper scale)", True),
    ("1 x gpu:NVIDIA H200", {"width": 128}, "a reduced-scale run (width changed from paper scale)", False),
    ("1 x cpu:cpu", {}, "a paper-scale run", False),  # the paper profile as it stands
])
def test_a_reduced_paper_run_is_named_by_its_scale_never_the_paper_profile(device, params, scale, cpu):
    from orthontk_lib.book import registry
    from orthontk_lib.chapters import speedup

    meta = {"profile": "paper", "params": {**speedup.Config.for_profile("paper").asdict(), **params},
            "created": "2026-11-30T00:00:00+00:00", "git_commit": "abc1234", "device": device, "key": "none"}
    line = registry.provenance_line("speedup", results.Result({}, meta), "book/07-speedup.ipynb")
    assert line.startswith(f"*This page shows* {scale}. It ran on 2026-11-30") and "paper profile" not in line
    assert ("It ran on a CPU" in line) == cpu, line


def test_rewritten_results_under_data_do_not_make_the_commit_dirty(tmp_path):
    import subprocess

    git = lambda *a: subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *a], cwd=tmp_path,
                                    check=True, capture_output=True)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "record.json").write_text("{}")
    (tmp_path / "code.py").write_text("x = 1\n")
    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "c")
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout.strip()
    (tmp_path / "data" / "record.json").write_text('{"rewritten": true}')  # a run rewrote a committed record
    assert results._git_commit(tmp_path) == sha
    (tmp_path / "code.py").write_text("x = 2\n")  # the code itself changed
    assert results._git_commit(tmp_path) == sha + "-dirty"



_WRITER = """
import pathlib, sys
import numpy as np
from orthontk_lib import results
results.provenance = lambda **_: {}  # no git, no JAX: the writes are the whole loop
root, stop, rng = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), np.random.default_rng(int(sys.argv[3]))
while not stop.exists():
    results.save("race", {"k": 1}, {"x": rng.normal(size=50_000)}, profile="quick", root=root)
"""


def test_a_reader_never_meets_half_of_a_pair_while_processes_write_it(tmp_path):
    """Issue 37: two processes rewrite one key (other arrays each time) while this one loads it; every load is a
    whole pair. Before the folder lock, 593 of 1,645 loads failed the SHA-256 check (2,890 of 3,539 in another run)."""
    import subprocess
    import sys
    import time

    results.save("race", {"k": 1}, {"x": np.zeros(50_000)}, profile="quick", root=tmp_path)
    stop = tmp_path / "stop"
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), str(stop), str(s)],
                                stderr=subprocess.PIPE, text=True) for s in (1, 2)]
    loads, errors = 0, []
    try:
        time.sleep(0.5)  # both writers started (numpy imported, writing)
        end = time.monotonic() + 3.0
        while time.monotonic() < end or loads < 200:
            try:
                assert results.load("race", {"k": 1}, root=tmp_path).arrays["x"].shape == (50_000,)
            except results.ResultError as err:
                errors.append(str(err))
            loads += 1
    finally:
        stop.touch()
        codes = [w.wait(20) for w in writers]
    assert codes == [0, 0], [w.stderr.read()[-1000:] for w in writers]
    assert loads >= 200
    assert not errors, f"{len(errors)} of {loads} loads failed, e.g. {errors[0]}"
    assert results.load("race", {"k": 1}, root=tmp_path).arrays["x"].shape == (50_000,)  # the last pair is whole


def test_a_figure_carries_the_provenance_of_the_run_it_draws(tmp_path):
    """Caption, BibTeX and the files' metadata name one run: the drawn run's commit, device, precision and date, and
    its scale; the commit that rendered the figure is kept apart."""
    import json

    from PIL import Image

    from orthontk_lib import plots
    from orthontk_lib.book import publish

    run = {"git_commit": "0123456789abcdef", "device": "1 x gpu:NVIDIA H200", "matmul_precision": "tensorfloat32",
           "created": "2026-11-30T18:34:52+00:00"}
    fig, ax = plots.figure()
    files = publish.savefig(fig, "demo-figure", folder=tmp_path, profile="paper", label="fig-demo", run=run,
                            scale="reduced scale")
    assert "commit 0123456789ab, reduced scale, made 2026-11-30" in files.bibtex
    made = json.loads(Image.open(tmp_path / "demo-figure.png").info["Description"])
    assert {k: made[k] for k in run} == run and made["scale"] == "reduced scale"
    assert made["rendered_by"] == results.provenance()["git_commit"]
