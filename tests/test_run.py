"""The papermill runner: parameters validated before any compute; an interrupted run resumes."""

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
SETTING = "book/01-setting.ipynb"


def run(args, data_dir, **kw):
    env = {**os.environ, "ORTHONTK_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "orthontk_lib.book.run", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, **kw)


@pytest.mark.parametrize(
    "args, message",
    [
        (["book/nope.ipynb"], "orthontk run: notebook: book/nope.ipynb does not exist"),
        (["book/95-reproducing.md"], "is not an experiment chapter"),
        ([SETTING, "-p", "widths", "[0, 8]"], "orthontk run: widths: expected integers >= 1, got [0, 8]"),
        ([SETTING, "-p", "width", "8"], "orthontk run: width: unknown parameter"),
        ([SETTING, "-p", "n_seeds", "two"], "orthontk run: n_seeds: expected an integer, got 'two'"),
        ([SETTING, "-p", "n_seeds", "1"], "orthontk run: n_seeds: must be >= 2, got 1"),
        ([SETTING, "--profile", "huge"], "orthontk run: profile: must be one of smoke, quick, paper"),
        ([SETTING, "-p", "widths", "[8,"], "orthontk run: widths: cannot read '[8,' as a value"),
    ],
)
def test_bad_parameters_stop_with_one_line_before_any_compute(tmp_path, args, message):
    out = run(args, tmp_path, timeout=120)
    assert out.returncode == 1
    lines = [l for l in out.stderr.strip().splitlines() if l.startswith("orthontk run:")]
    assert len(lines) == 1 and message in lines[0], out.stderr[-1500:]
    assert not (tmp_path / "setting").exists(), "nothing may be computed or written for a bad run"


SPEEDUP = "book/07-speedup.ipynb"


@pytest.mark.parametrize(
    "text, expected",
    [  # what JSON and the YAML 1.2 core schema read (PyYAML's YAML 1.1 reads the floats without a dot as strings)
        ("1e-3", 0.001), ("1E3", 1000.0), ("-2.5e-4", -0.00025), (".5", 0.5), ("5.", 5.0), ("+1.5", 1.5),
        ("0.1e-3", 0.0001), ("1.0e+3", 1000.0), ("10", 10), ("-3", -3), ("010", 10), ("0o17", 15), ("0x1F", 31),
        ("[1e-3, 2e-3]", [0.001, 0.002]), ("[1e-3,2e-3]", [0.001, 0.002]), ("[.5, 1E-2]", [0.5, 0.01]),
        ("true", True), ("False", False), ("null", None), ("~", None),
        # not numbers in YAML 1.2 (YAML 1.1 reads 1_000 as 1000, 1:30 as 90, yes as True): strings, refused by number knobs
        ("1_000", "1_000"), ("1:30", "1:30"), ("yes", "yes"), ("nan", "nan"), ("digits", "digits"),
    ],
)
def test_values_are_read_as_json_and_yaml_1_2_read_them(text, expected):
    from orthontk_lib.book.run import read_value

    value = read_value(text)
    assert value == expected and type(value) is type(expected), (text, value)


@pytest.mark.parametrize("text", [".inf", "-.inf", "+.inf", ".Inf", "1e999", "-1e999", "Infinity"])
def test_infinities_are_read_as_infinities(text):
    import math

    from orthontk_lib.book.run import read_value

    value = read_value(text)
    assert isinstance(value, float) and math.isinf(value) and (value < 0) == text.startswith("-")


@pytest.mark.parametrize("text", [".nan", ".NaN", "NaN"])
def test_nans_are_read_as_nans(text):
    from orthontk_lib.book.run import read_value

    value = read_value(text)
    assert isinstance(value, float) and value != value


def test_number_knobs_take_exponent_spellings():
    from orthontk_lib.book.run import prepare

    _, cfg, parameters = prepare(SPEEDUP, "smoke", [("lr_min", "1e-3"), ("lr_max", "2.5E-1"), ("target", ".5")])
    assert (cfg.lr_min, cfg.lr_max, cfg.target) == (0.001, 0.25, 0.5)
    assert parameters["lr_min"] == 0.001
    _, cfg, _ = prepare("book/09-condensation.ipynb", "smoke", [("scales", "[1e-3, 2e-3]")])
    assert cfg.scales == (0.001, 0.002)


@pytest.mark.parametrize(
    "notebook, name, text, message",
    [
        (SPEEDUP, "lr_min", ".nan", "lr_min: expected a finite number, got nan"),
        (SPEEDUP, "lr_min", "NaN", "lr_min: expected a finite number, got nan"),
        (SPEEDUP, "lr_min", ".inf", "lr_min: expected a finite number, got inf"),
        (SPEEDUP, "lr_max", "1e999", "lr_max: expected a finite number, got inf"),
        (SPEEDUP, "lr_min", "-.inf", "lr_min: expected a finite number, got -inf"),
        (SPEEDUP, "lr_min", "nan", "lr_min: expected a finite number, got 'nan'"),
        (SPEEDUP, "lr_min", "-1e-3", "lr_min: must be >= 0.0, got -0.001"),
        (SPEEDUP, "W_var", ".5", "W_var: must be >= 1.0, got 0.5"),
        (SPEEDUP, "steps", "1_000", "steps: expected an integer, got '1_000'"),
        (SPEEDUP, "target", "1.5", "target: must be <= 1.0, got 1.5"),  # an accuracy
        # scales declares no bounds: a float knob still takes finite numbers only
        ("book/09-condensation.ipynb", "scales", "[1.0, .inf]", "scales: expected a non-empty list of finite numbers"),
        ("book/09-condensation.ipynb", "scales", "[1.0, .nan]", "scales: expected a non-empty list of finite numbers"),
        ("book/09-condensation.ipynb", "scales", "[1e999]", "scales: expected a non-empty list of finite numbers"),
    ],
)
def test_values_outside_a_knobs_range_are_refused_naming_it(notebook, name, text, message):
    from orthontk_lib.book.run import RunError, prepare

    with pytest.raises(RunError) as err:
        prepare(notebook, "smoke", [(name, text)])
    assert str(err.value).startswith(message) and "\n" not in str(err.value), str(err.value)


def test_a_declared_maximum_is_a_bound_too():
    import dataclasses

    from orthontk_lib.book.profiles import ChapterConfig, ConfigError

    @dataclasses.dataclass(frozen=True)
    class Demo(ChapterConfig):
        target: float = dataclasses.field(default=0.5, metadata={"min": 0.0, "max": 1.0})
        accs: tuple[float, ...] = dataclasses.field(default=(0.5,), metadata={"max": 1.0})
        PROFILES = {"smoke": {}}

    assert Demo.for_profile("smoke", use_env=False, target=1.0, accs=[0.0, 1.0]).target == 1.0
    with pytest.raises(ConfigError, match=r"^target: must be <= 1.0, got 1.5$"):
        Demo.for_profile("smoke", use_env=False, target=1.5)
    with pytest.raises(ConfigError, match=r"^accs: expected finite numbers <= 1.0, got \[0.5, 2.0\]$"):
        Demo.for_profile("smoke", use_env=False, accs=[0.5, 2.0])


@pytest.mark.parametrize("args, message", [
    ([SPEEDUP, "-p", "lr_min", "1e999"], "orthontk run: lr_min: expected a finite number, got inf"),
    ([SPEEDUP, "-p", "lr_min", "-1e-3"], "orthontk run: lr_min: must be >= 0.0, got -0.001"),
    ([SPEEDUP, "-p", "lr_max", "-.inf"], "orthontk run: lr_max: expected a finite number, got -inf"),
])
def test_the_runner_refuses_a_value_out_of_range_before_any_compute(tmp_path, args, message):
    out = run(args, tmp_path, timeout=120)
    assert out.returncode == 1
    lines = [l for l in out.stderr.strip().splitlines() if l.startswith("orthontk run:")]
    assert lines == [message], out.stderr[-1500:]
    assert not any(tmp_path.iterdir()), "nothing may be computed or written for a bad run"


def test_the_runner_hands_exponent_spellings_to_the_notebook_as_numbers(tmp_path, monkeypatch):
    """``-p lr_min 1e-3`` (refused as the string '1e-3' under YAML 1.1) reaches papermill as 0.001."""
    from orthontk_lib.book import build, registry
    from orthontk_lib.book import run as runner

    seen = {}
    monkeypatch.setenv("ORTHONTK_DATA_DIR", str(tmp_path))
    for name in [registry.OWN_PROFILE_ENV, "ORTHONTK_FIGURE_DIR", "ORTHONTK_PROFILE", "PYTHONPATH",
                 *build.jax_cache_env()]:
        monkeypatch.setenv(name, "")  # the runner sets these for its kernel: restored after the test
    monkeypatch.setattr(runner, "_execute", lambda nb, target, params: seen.update(params))
    runner.main([SPEEDUP, "--profile", "smoke", "-p", "lr_min", "1e-3", "-p", "lr_max", "2.5E-1", "-p", "target", ".5"])
    assert seen == {"profile": "smoke", "lr_min": 0.001, "lr_max": 0.25, "target": 0.5}


def point_files(data_dir):
    return {p.name: json.loads(p.read_text())["created"] for p in (data_dir / "setting/smoke/points").glob("*.json")}


def test_interrupted_run_resumes_from_finished_points(tmp_path):
    widths = "[8, 12, 16, 24, 32, 48, 64, 96]"
    args = [SETTING, "--profile", "smoke", "-p", "widths", widths]
    env = {**os.environ, "ORTHONTK_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "orthontk_lib.book.run", *args], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline and len(point_files(tmp_path) if (tmp_path / "setting/smoke/points").is_dir() else {}) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the runner and its kernel, mid-sweep
    proc.wait()
    before = point_files(tmp_path)
    assert 2 <= len(before) < 8, f"the kill must land mid-sweep, found {len(before)} finished points"
    assert not (tmp_path / "setting/smoke/summary").exists()
    assert not list((tmp_path / "setting/smoke/points").glob("*.tmp"))

    out = run(args, tmp_path, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    after = point_files(tmp_path)
    assert len(after) == 8
    assert {k: after[k] for k in before} == before, "finished points were recomputed"
    assert len(list((tmp_path / "setting/smoke/runs").glob("setting-*.ipynb"))) == 1


def test_speedup_paper_profile_runs_through_the_runner_at_a_tiny_size(tmp_path):
    # The paper profile's structure (standard parameterization, critical line, per-(depth, init) saved points)
    # at a size CI can afford; digits instead of CIFAR-10, which CI does not have.
    args = ["book/07-speedup.ipynb", "--profile", "paper", "-p", "dataset", "digits", "-p", "depths", "[2, 3]",
            "-p", "width", "8", "-p", "n_lrs", "2", "-p", "n_seeds", "2", "-p", "steps", "20",
            "-p", "n_train", "64", "-p", "n_test", "32", "-p", "batch_size", "16", "-p", "cnn_depths", "[2]",
            "-p", "channels", "4", "-p", "cnn_n_lrs", "2", "-p", "cnn_steps", "10", "-p", "cnn_batch_size", "8",
            "-p", "family_widths", "[8, 16]", "-p", "family_depth", "2"]
    out = run(args, tmp_path, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert len(list((tmp_path / "speedup/paper/fcn-grid").glob("*.npz"))) == 2 * 2  # one saved point per (depth, init)
    assert len(list((tmp_path / "speedup/paper/cnn-grid").glob("*.npz"))) == 1 * 3
    assert len(list((tmp_path / "speedup/paper/family-grid").glob("*.npz"))) == 2 * 2  # one per (width, init)
    from orthontk_lib.chapters import speedup

    assert len(list((tmp_path / "ledger/paper").glob("speedup-*.json"))) == len(speedup.CLAIMS)


TINY_PAPER = {
    "book/01-setting.ipynb": ["-p", "widths", "[8, 16]", "-p", "n_seeds", "2", "-p", "n_inputs", "4", "-p", "d", "8"],
    "book/02-kernel-equality.ipynb": [
        "-p", "widths", "[8, 16]", "-p", "depths", "[1]", "-p", "activations", '["relu"]', "-p", "datasets",
        '["sphere"]', "-p", "n_seeds", "2", "-p", "n_inputs", "4", "-p", "cnn_channels", "[4, 8]", "-p",
        "cnn_depths", "[1]", "-p", "cnn_seeds", "2", "-p", "cnn_inputs", "3"],
    "book/03-finite-width.ipynb": [
        "-p", "widths", "[8, 16]", "-p", "n_seeds", "8", "-p", "fluct_width", "8", "-p", "fluct_depths", "[1, 2]",
        "-p", "fluct_seeds", "8", "-p", "iso_width", "8", "-p", "iso_depths", "[1, 2]", "-p", "train_widths",
        "[8, 16]", "-p", "train_steps", "20"],
    "book/04-constancy.ipynb": [
        "-p", "widths", "[8, 16, 32]", "-p", "cnn_channels", "[4, 8, 16]", "-p", "n_seeds", "2", "-p", "steps", "20",
        "-p", "dataset", "digits", "-p", "n_train", "16", "-p", "cnn_train", "8", "-p", "weight_widths", "[8, 16, 32]",
        "-p", "weight_seeds", "2"],
    "book/06-training-curves.ipynb": [
        "-p", "widths", "[8, 8, 8, 8]", "-p", "steps", "[10, 10, 10, 10]", "-p", "n_seeds", "2", "-p", "records", "2",
        "-p", "dataset", "digits", "-p", "n_train_gd", "16", "-p", "n_train_sgd", "32", "-p", "n_test", "16"],
    "book/08-edge-of-chaos.ipynb": [
        "-p", "max_depth", "12", "-p", "n_train", "8", "-p", "n_test", "8", "-p", "emp_depths", "[2, 3]", "-p",
        "emp_width", "16", "-p", "train_depths", "[4]", "-p", "train_lrs", "[0.01]", "-p",
        "train_width", "8", "-p", "train_steps", "20", "-p", "train_seeds", "2", "-p", "grid", "4", "-p",
        "exact_max_depth", "100", "-p", "emp_seeds", "2", "-p", "emp_inputs", "4"],
    "book/09-condensation.ipynb": [
        "-p", "activations", '["tanh", "relu"]', "-p", "scales", "[1.0, 0.03, 0.01]", "-p", "width", "8", "-p", "steps",
        "200", "-p", "records", "20", "-p", "n_seeds", "2", "-p", "steps_1d", "40", "-p", "adam_activations",
        '["tanh"]', "-p", "adam_steps", "20"],
    "book/05-linearity.ipynb": [
        "-p", "widths", "[8, 16]", "-p", "n_seeds", "2", "-p", "n_inputs", "1", "-p", "n_iter", "3", "-p",
        "train_widths", "[8, 16]", "-p", "train_steps", "20"],
}


@pytest.mark.parametrize("notebook", sorted(TINY_PAPER))
def test_paper_profile_runs_through_the_runner_at_a_tiny_size(tmp_path, notebook):
    out = run([notebook, "--profile", "paper", *TINY_PAPER[notebook]], tmp_path, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "orthontk run: expected cost: " in out.stdout and "minutes" in out.stdout, out.stdout[-2000:]
    slug = notebook.split("/")[-1].split("-", 1)[1].removesuffix(".ipynb")
    assert list((tmp_path / slug / "paper" / "runs").glob("*.ipynb")), "the executed notebook is kept"
    assert list((tmp_path / "ledger" / "paper").glob("*.json")), "the chapter records its claims"


@pytest.mark.parametrize("notebook", sorted(TINY_PAPER) + ["book/07-speedup.ipynb"])
def test_every_chapter_states_its_paper_profile_cost(notebook):
    from orthontk_lib.book import registry
    from orthontk_lib.book.profiles import Cost

    cost = registry.module_of(notebook).Config.COST.get("paper")
    assert isinstance(cost, Cost) and cost.device in ("CPU", "GPU") and cost.minutes > 0, notebook
    assert cost.basis.startswith(("measured", "estimate")), cost.basis


def test_the_runner_adds_the_measured_paper_cost_from_bench(tmp_path):
    from orthontk_lib.book import registry
    from orthontk_lib.book.run import expected_cost

    module = registry.module_of("book/01-setting.ipynb")
    bench = tmp_path / "results.json"
    bench.write_text(json.dumps({"paper_cost": {"setting": {"minutes": 7.5, "device": "TFRT_CPU_0",
                                                            "date": "2026-11-28"}}}))
    text = expected_cost(module, "setting", "paper", bench)
    assert text.startswith(("CPU, about", "GPU, about")) and "measured: 7.5 minutes on TFRT_CPU_0" in text
    assert "measured:" not in expected_cost(module, "linearity", "paper", bench)
    assert expected_cost(module, "setting", "smoke", bench) == "not stated for this profile"


def test_the_notebook_kernel_imports_this_checkout(tmp_path, monkeypatch):
    """A second checkout's runner must not execute the installed (other) checkout's library in its kernel."""
    from orthontk_lib.book import run as runner

    seen = {}
    monkeypatch.setenv("ORTHONTK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    from orthontk_lib.book import build, registry

    for name in [registry.OWN_PROFILE_ENV, "ORTHONTK_FIGURE_DIR", "ORTHONTK_PROFILE", *build.jax_cache_env()]:
        monkeypatch.setenv(name, "")  # the runner sets these for its kernel: recorded here, restored after the test
        monkeypatch.delenv(name)
    monkeypatch.setattr(runner, "_execute", lambda nb, target, params: seen.update(path=os.environ["PYTHONPATH"]))
    runner.main(["book/01-setting.ipynb", "--profile", "smoke"])
    root = str(pathlib.Path(runner.__file__).resolve().parents[2])
    assert seen["path"].split(os.pathsep) == [root, "/elsewhere"]


def test_the_runner_runs_the_profile_it_is_asked_for_even_beside_a_paper_run(tmp_path, monkeypatch):
    from orthontk_lib import results
    from orthontk_lib.book import registry
    from orthontk_lib.chapters import setting

    monkeypatch.setattr(results, "REPO_DATA", tmp_path / "repo-data")
    paper_cfg = setting.Config.for_profile("paper", use_env=False)
    results.save("setting/paper/summary", paper_cfg.asdict(), {"widths": [1, 2]}, profile="paper",
                 root=results.REPO_DATA)
    smoke = setting.Config.for_profile("smoke", use_env=False)
    monkeypatch.setenv("ORTHONTK_DATA_DIR", str(tmp_path / "data"))
    assert registry.summary("setting", smoke, lambda c: {"x": [0]}).meta["profile"] == "paper"  # the book's view
    monkeypatch.setenv(registry.OWN_PROFILE_ENV, "1")
    assert registry.summary("setting", smoke, lambda c: {"x": [0]}).meta["profile"] == "smoke"  # the runner's


def test_without_a_notebook_the_runner_leaves_what_the_notebook_run_reuses(tmp_path):
    """The GPU host's path: no papermill, no neural-tangents; the chapter's results and ledger record land where the
    notebook run puts them, and the notebook run then computes nothing."""
    notebook = "book/09-condensation.ipynb"
    args = [notebook, "--profile", "paper", *TINY_PAPER[notebook]]
    blocked = ("import sys; sys.modules['papermill'] = None; sys.modules['neural_tangents'] = None; "
               "from orthontk_lib.book.run import main; main(sys.argv[1:])")
    env = {**os.environ, "ORTHONTK_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", blocked, *args, "--no-notebook"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "orthontk run: condensation-adam-p1: " in out.stdout, out.stdout[-2000:]
    folder = tmp_path / "condensation" / "paper"
    summaries = list((folder / "summary").glob("*.json"))
    ledger = list((tmp_path / "ledger" / "paper").glob("*.json"))
    assert len(summaries) == 1 and ledger and not (folder / "runs").exists()
    saved = {p: p.stat().st_mtime_ns for p in folder.rglob("*.json")}
    out = run(args, tmp_path, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    assert list((folder / "runs").glob("*.ipynb")), "the notebook run ran"
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*.json")} == saved, "and reused every saved result"


def test_two_processes_compute_what_one_does_and_one_of_them_writes(tmp_path):
    """JAX's multi-process runtime (two local CPU processes, gloo collectives): the speed-up grid's pair axis is
    laid out over both processes' devices; the numbers equal a single process's, and process 0 writes them."""
    import socket

    import numpy as np

    from orthontk_lib import results

    args = ["book/07-speedup.ipynb", "--profile", "smoke", "--no-notebook", "-p", "depths", "[2]", "-p", "cnn_depths",
            "[2]"]
    single = run(args, tmp_path / "one", timeout=600)
    assert single.returncode == 0, single.stderr[-2000:]
    with socket.socket() as s:
        s.bind(("localhost", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ORTHONTK_DATA_DIR": str(tmp_path / "two")}
    procs = [subprocess.Popen([sys.executable, "-m", "orthontk_lib.book.run", *args, "--distributed", "--coordinator",
                               f"localhost:{port}", "--num-processes", "2", "--process-id", str(i)], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-1500:] for _, err in outs]
    one = results.find("speedup/smoke/summary", root=tmp_path / "one")[0]
    two = results.find("speedup/smoke/summary", root=tmp_path / "two")
    assert len(two) == 1 and two[0].meta["device"].startswith("2 x "), two[0].meta["device"] if two else "no summary"
    for key, value in one.arrays.items():
        if value.dtype.kind in "fc":
            np.testing.assert_allclose(two[0].arrays[key], value, rtol=1e-4, atol=1e-6, err_msg=key)
        else:
            np.testing.assert_array_equal(two[0].arrays[key], value, err_msg=key)
    assert {p.name for p in (tmp_path / "two" / "ledger" / "smoke").glob("*.json")} == {
        p.name for p in (tmp_path / "one" / "ledger" / "smoke").glob("*.json")}


def test_a_paper_run_into_the_repository_from_a_dirty_tree_is_refused(tmp_path, monkeypatch):
    from orthontk_lib import results
    from orthontk_lib.book import run as runner

    monkeypatch.setattr(results, "_git_commit", lambda: "1a2b3c4d5e-dirty")
    monkeypatch.setattr(results, "REPO_DATA", tmp_path / "repo-data")
    monkeypatch.setenv("ORTHONTK_DATA_DIR", str(tmp_path / "repo-data"))
    with pytest.raises(runner.RunError, match=r"^the working tree has uncommitted changes \(commit 1a2b3c4\)"):
        runner.check_clean_tree("paper")
    runner.check_clean_tree("paper", allow_dirty=True)  # asked for explicitly
    runner.check_clean_tree("quick")  # only paper results are committed
    monkeypatch.setenv("ORTHONTK_DATA_DIR", str(tmp_path / "scratch"))
    runner.check_clean_tree("paper")  # a trial elsewhere writes nothing that is committed
    monkeypatch.setattr(results, "_git_commit", lambda: "1a2b3c4d5e")
    monkeypatch.setenv("ORTHONTK_DATA_DIR", str(tmp_path / "repo-data"))
    runner.check_clean_tree("paper")


def test_the_runner_stops_with_one_line_before_a_dirty_paper_run(tmp_path, monkeypatch):
    from orthontk_lib import results
    from orthontk_lib.book import run as runner

    monkeypatch.setattr(results, "_git_commit", lambda: "1a2b3c4d5e-dirty")
    monkeypatch.setattr(results, "REPO_DATA", tmp_path)
    monkeypatch.setenv("ORTHONTK_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(runner, "_execute", lambda *a: pytest.fail("ran from a dirty tree"))
    with pytest.raises(SystemExit, match="^orthontk run: the working tree has uncommitted changes"):
        runner.main(["book/01-setting.ipynb", "--profile", "paper"])
    assert not any(tmp_path.iterdir()), "nothing written"


def test_a_run_from_a_dirty_tree_says_so_on_the_page():
    from orthontk_lib.book import registry
    from orthontk_lib.results import Result

    meta = {"profile": "paper", "created": "2026-11-30T10:00:00", "git_commit": "1a2b3c4d5e6f-dirty"}
    shown = registry.shown(Result({}, meta))
    assert shown == "paper profile, run of 2026-11-30 (commit 1a2b3c4, with uncommitted changes)"
    meta["git_commit"] = "1a2b3c4d5e6f"
    assert registry.shown(Result({}, meta)) == "paper profile, run of 2026-11-30 (commit 1a2b3c4)"
    meta["matmul_precision"] = "highest"  # the precision the figure's files record
    assert registry.shown(Result({}, meta)) == "paper profile, run of 2026-11-30 (commit 1a2b3c4, matmul precision highest)"


def test_saved_only_loads_a_saved_result_and_refuses_to_compute(tmp_path, monkeypatch):
    import numpy as np

    from orthontk_lib import results
    from orthontk_lib.book import registry
    from orthontk_lib.chapters import setting

    monkeypatch.setattr(results, "REPO_DATA", tmp_path / "repo")
    monkeypatch.setenv(results.DATA_DIR_ENV, str(tmp_path / "repo"))
    monkeypatch.setenv(registry.SAVED_ONLY_ENV, "1")
    cfg = setting.Config.for_profile("smoke", use_env=False)
    with pytest.raises(registry.NotSaved, match="setting: no saved smoke result"):
        registry.summary("setting", cfg, lambda c: pytest.fail("computed"))
    results.save("setting/smoke/summary", cfg.asdict(), {"x": np.zeros(1)}, profile="smoke", seeds=cfg.seeds)
    assert registry.summary("setting", cfg, lambda c: pytest.fail("computed")).arrays["x"].shape == (1,)


def test_a_figure_gives_the_commands_that_redraw_it_and_compute_it(tmp_path):
    from orthontk_lib import plots, results
    from orthontk_lib.book import publish, registry

    meta = {"profile": "paper", "params": {}, "name": "setting/paper/summary"}
    run = results.Result({}, meta)
    redraw = registry.reproduce_command(run, "book/01-setting.ipynb", saved_only=True)
    assert redraw == "python -m orthontk_lib.book.run book/01-setting.ipynb --profile paper --saved-only"
    fig, _ = plots.figure()
    files = publish.savefig(fig, "demo", folder=tmp_path, commands=(redraw, redraw.removesuffix(" --saved-only")))
    shown = files._repr_html_()
    assert "Redraw this figure" in shown and "--saved-only</code>" in shown and shown.count("book/01-setting") == 2
