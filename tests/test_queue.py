"""The paper-run queue at a tiny size: the plan lists what is missing, a run saves and packs, a second run resumes."""

import json
import subprocess
import sys
import tarfile

import pytest

from orthontk_lib import results
from orthontk_lib.book import queue

ONLY = {"edge-of-chaos/phase"}  # one cheap point (a 5 x 5 mean-field grid at the smoke profile)


@pytest.fixture
def data(tmp_path, monkeypatch):
    root = tmp_path / "data"
    monkeypatch.setenv(results.DATA_DIR_ENV, str(root))
    return root


def test_the_plan_lists_a_missing_point_and_not_a_present_one(data):
    items = queue.plan("smoke", only=ONLY | {"edge-of-chaos/analytic"})
    assert [(i.chapter, i.sweep.name) for i in items][:1] == [("edge-of-chaos", "analytic")]
    assert ("edge-of-chaos", "phase", {}) in [(i.chapter, i.sweep.name, i.point) for i in items]
    phase = queue.config("edge-of-chaos", "smoke")
    results.save("edge-of-chaos/smoke/phase", {"grid": phase.grid}, {"x": [1.0]}, profile="smoke")
    after = queue.plan("smoke", only=ONLY | {"edge-of-chaos/analytic"})
    assert [i.sweep.name for i in after] == [i.sweep.name for i in items if i.sweep.name != "phase"]


def test_a_run_saves_packs_and_a_second_run_does_nothing(data, tmp_path):
    out = tmp_path / "out"
    lines = []
    done = queue.run(600, out, "smoke", "CPU", ONLY, log=lines.append)
    assert [(i.sweep.name, i.point) for i in done] == [("phase", {})]
    with tarfile.open(out / "data.tgz") as tar:
        names = tar.getnames()
    assert any(n.startswith("./edge-of-chaos/smoke/phase/") and n.endswith(".json") for n in names)
    assert queue.run(600, out, "smoke", "CPU", ONLY, log=lines.append) == []
    assert lines[-1] == "queue: nothing to run that fits"
    assert queue.plan("smoke", only=ONLY) == []


def test_a_later_run_elsewhere_continues_from_the_packed_results(data, tmp_path, monkeypatch):
    out = tmp_path / "out"
    queue.run(600, out, "smoke", "CPU", ONLY, log=lambda *a: None)
    monkeypatch.setenv(results.DATA_DIR_ENV, str(tmp_path / "fresh"))  # another machine: an empty data folder
    assert queue.run(600, out, "smoke", "CPU", ONLY, log=lambda *a: None) == []  # unpacked from data.tgz


def test_points_that_do_not_fit_the_deadline_or_the_device_are_left(data, tmp_path):
    lines = []
    grid = {"speedup/fcn-grid"}  # GPU points, each estimated at 0.2 minutes or more (compilation)
    assert queue.run(5, tmp_path / "out", "smoke", "GPU", grid, log=lines.append) == []
    assert lines[0].startswith("queue: skip speedup") and lines[-1] == "queue: nothing to run that fits"
    assert queue.run(600, tmp_path / "out", "smoke", "GPU", ONLY, log=lines.append) == []  # phase is a CPU point


def test_windows_pack_gpu_minutes_first_fit():
    item = lambda minutes, device="GPU": queue.Item("c", None, None, {}, device, minutes, True)
    assert queue.windows([item(10), item(10), item(3), item(3, "CPU")]) == 2
    assert queue.windows([item(30)]) == 1  # a point longer than a window still takes one (the plan flags it)


def test_the_plan_command_prints_totals_in_windows(data):
    out = subprocess.run([sys.executable, "-m", "orthontk_lib.book.queue", "--plan", "--profile", "smoke",
                          "--only", "speedup/fcn-grid"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert '{"depth": 2, "init": "gaussian"}' in out.stdout
    assert "total GPU: 4 points" in out.stdout and "window(s) of 13 min" in out.stdout


def test_the_queue_command_needs_plan_or_a_deadline_with_out():
    for args in ([], ["--plan", "--deadline", "5"], ["--deadline", "5"]):
        out = subprocess.run([sys.executable, "-m", "orthontk_lib.book.queue", *args], capture_output=True, text=True,
                             timeout=300)
        assert out.returncode != 0 and out.stderr.startswith("queue:")


def _saved_in_repository(repo, commit):
    """Save the smoke phase point into ``repo`` (standing in for the repository's data/), recorded from ``commit``."""
    phase = queue.config("edge-of-chaos", "smoke")
    results.save("edge-of-chaos/smoke/phase", {"grid": phase.grid}, {"x": [1.0]}, profile="smoke", root=repo)
    (meta_path,) = (repo / "edge-of-chaos/smoke/phase").glob("*.json")
    meta = json.loads(meta_path.read_text())
    meta["git_commit"] = commit
    meta_path.write_text(json.dumps(meta))
    return meta_path


@pytest.mark.parametrize("commit, planned", [("0" * 40, []), ("0" * 40 + "-dirty", [True])])
def test_a_point_saved_from_a_dirty_tree_is_planned_again_as_a_redo(data, tmp_path, monkeypatch, commit, planned):
    repo = tmp_path / "repo-data"
    monkeypatch.setattr(results, "REPO_DATA", repo)
    _saved_in_repository(repo, commit)
    assert [i.redo for i in queue.plan("smoke", only=ONLY)] == planned
    if planned:
        assert queue.plan("smoke", only=ONLY)[0].line().endswith("redo (dirty record)")
        lines = []
        queue.print_plan(queue.plan("smoke", only=ONLY), write=lines.append)
        assert any(line.startswith("redo: 1 point(s)") for line in lines)


def test_a_redo_is_computed_into_the_data_folder_and_leaves_the_dirty_record(data, tmp_path, monkeypatch):
    repo = tmp_path / "repo-data"
    monkeypatch.setattr(results, "REPO_DATA", repo)
    dirty = _saved_in_repository(repo, "0" * 40 + "-dirty")
    before = dirty.read_bytes()
    done = queue.run(600, tmp_path / "out", "smoke", "CPU", ONLY, log=lambda *a: None)
    assert [(i.sweep.name, i.redo) for i in done] == [("phase", True)]
    (fresh,) = (data / "edge-of-chaos/smoke/phase").glob("*.json")
    assert fresh.name == dirty.name and dirty.read_bytes() == before  # the same key; the repository's untouched
    assert queue.plan("smoke", only=ONLY) == []


def test_a_redo_is_not_run_into_the_repositorys_own_data(tmp_path, monkeypatch):
    repo = tmp_path / "repo-data"
    monkeypatch.setattr(results, "REPO_DATA", repo)
    monkeypatch.setenv(results.DATA_DIR_ENV, str(repo))
    _saved_in_repository(repo, "0" * 40 + "-dirty")
    lines = []
    assert queue.run(600, tmp_path / "out", "smoke", "CPU", ONLY, log=lines.append) == []
    assert lines[0].startswith("queue: skip edge-of-chaos") and "ORTHONTK_DATA_DIR" in lines[0]


def test_a_queued_point_runs_at_its_chapters_declared_precision(data, tmp_path, monkeypatch):
    """A GPU window must train at the precision the chapter declares (TF32 for the learning-speed grid), as a notebook
    run would: the saved point records it."""
    from orthontk_lib.chapters import edge_of_chaos

    monkeypatch.setattr(edge_of_chaos.Config, "PRECISION", "high")
    queue.run(600, tmp_path / "out", "smoke", "CPU", ONLY, log=lambda *a: None)
    meta = [json.loads(p.read_text()) for p in (results.data_dir() / "edge-of-chaos/smoke/phase").glob("*.json")]
    assert [m["matmul_precision"] for m in meta] == ["high"]
