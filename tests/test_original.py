"""The reader of the authors' published numbers, on small fixtures written in their format."""

import json

import numpy as np
import pytest

from orthontk_lib import original


def _speed_file(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{k} {float(original.eta_of(k))!r} {tau} {acc}\n" for k, tau, acc in rows))


def _clone(tmp_path, curves_copy=False):
    """A small clone: one learning-speed setting per init (seeds whose rows differ), the weight-change files, two
    full-batch settings and one SGD setting."""
    root = tmp_path / "clone"
    for init, short in (("gaussian", "gau"), ("orthogonal", "orth")):
        folder = root / "data" / "learning_train" / f"tanh2_{short}_L50_N400"
        _speed_file(folder / f"tanh2_{init}_L50_N400_lr_0.csv", [(2, 40, 0.26), (3, 30, 0.27), (4, 35, 0.25)])
        _speed_file(folder / f"tanh2_{init}_L50_N400_lr_1.csv", [(3, 32, 0.25), (4, 36, 0.26), (5, 50, 0.3)])
        test = root / "data" / "learning_test" / f"tanh2_{short}_L50_N400"
        _speed_file(test / f"tanh2_{init}_L50_N400_lr_0.csv", [(3, 31, 25.1)])
        change = root / "data" / "ntk_change"
        change.mkdir(parents=True, exist_ok=True)
        for f in (1, 2, 3):
            for name in [f"wch{layer}" for layer in (1, 2, 3, 4)] + ["ntkc"]:
                values = [100 * f + 10 * w + r for w in range(9) for r in range(5)]
                (change / f"{init}_{name}_{f}.csv").write_text("".join(f"{v}\n" for v in values))
    for folder, seeds in (("tanh_gau_L3_N400", 2), ("tanh_orth_L3_N400", 2)):
        for s in range(seeds):
            path = root / "data" / "full_batch" / folder / f"tanh_x_L3_N400_lr_{s}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            shift = 0 if curves_copy else (folder.count("orth") + s)
            path.write_text("".join(f"0.001 {t} 0.{t} {3.0 / t + shift} 0.1 2.0\n" for t in range(1, 6)))
    sgd = root / "data" / "sgd" / "relu2_gau_L9_mom_N1600"
    sgd.mkdir(parents=True)
    (sgd / "r_0.csv").write_text("1e-05 1 0.06 0.96 0.07 0.95\n1e-05 2 0.07 0.95 0.08 0.94\n")
    (root / "data" / "sgd" / "tanh_gau_L5_N800").mkdir()  # listed, its files absent from the clone
    return root


def test_learning_speed_groups_rows_by_learning_rate_not_by_position(tmp_path):
    root = _clone(tmp_path)
    s = original.learning_speed(root, "train")[("orthogonal", 50, 400)]
    assert list(s.k) == [2, 3, 4, 5] and np.allclose(s.eta, 10.0 ** (-1 - np.array([2, 3, 4, 5]) / 10))
    np.testing.assert_array_equal(s.tau, [[40, 30, 35, np.nan], [np.nan, 32, 36, 50]])
    assert np.isnan(s.accuracy[0, 3]) and s.accuracy[1, 3] == 0.3
    assert original.learning_speed(root, "test")[("gaussian", 50, 400)].tau.shape == (1, 1)


def test_a_wrong_learning_rate_or_a_repeated_row_is_named(tmp_path):
    root = _clone(tmp_path)
    bad = root / "data" / "learning_train" / "tanh2_gau_L50_N400" / "tanh2_gaussian_L50_N400_lr_1.csv"
    bad.write_text("3 0.5 32 0.25\n")
    with pytest.raises(original.OriginalError, match=r"lr_1\.csv: η is not 10\^"):
        original.learning_speed(root)
    bad.write_text(f"3 {float(original.eta_of(3))!r} 32 0.25\n3 {float(original.eta_of(3))!r} 33 0.25\n")
    with pytest.raises(original.OriginalError, match="lr_1.csv: learning-rate indices must be distinct"):
        original.learning_speed(root)
    bad.write_text(f"3 {float(original.eta_of(3))!r} 32\n")
    with pytest.raises(original.OriginalError, match="lr_1.csv, line 1: 3 columns where 4 are expected"):
        original.learning_speed(root)
    bad.unlink()
    (bad.parent / "tanh2_gaussian_L50_N400_lr_2.csv").write_text(f"3 {float(original.eta_of(3))!r} 32 0.25\n")
    with pytest.raises(original.OriginalError, match=r"seeds \[0, 2\] are not 0 … 1"):
        original.learning_speed(root)


def test_weight_change_reshapes_width_major_as_the_authors_notebook_does(tmp_path):
    root = _clone(tmp_path)
    c = original.weight_change(root)
    assert list(c.widths) == [16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
    assert c.layers["gaussian"].shape == (4, 9, 15) and c.ntk["orthogonal"].shape == (9, 15)
    # width 2 (third), run 7: file 2's run 2 -> 100 * 2 + 10 * 2 + 2
    assert c.ntk["gaussian"][2, 7] == 222
    (root / "data" / "ntk_change" / "gaussian_wch3_2.csv").write_text("1\n2\n")
    with pytest.raises(original.OriginalError, match="gaussian_wch3_2.csv: 2 values where 9 widths"):
        original.weight_change(root)


def test_curves_read_every_seed_and_flag_byte_identical_settings(tmp_path):
    root = _clone(tmp_path, curves_copy=True)
    found = original.curves(root, "full_batch")
    gd = found["tanh_orth_L3_N400"]
    assert gd.init == "orthogonal" and gd.lr == 0.001 and gd.train_loss.shape == (2, 5) and list(gd.steps) == [1, 2, 3,
                                                                                                                 4, 5]
    assert gd.digest == found["tanh_gau_L3_N400"].digest
    at, linear = original._kept_steps(10_000)
    assert at[0] == 0 and list(at[linear][:2]) == [199, 399] and linear.sum() == 50 and at[-1] == 9_999
    assert list(original._kept_steps(5)[0]) == [0, 1, 2, 3, 4]
    arrays, sources, absent = original.derive(root)
    assert int(arrays["full_batch/tanh_orth_L3_N400/copy_of"]) == 0
    assert int(arrays["full_batch/tanh_gau_L3_N400/copy_of"]) == -1
    assert absent == ["data/sgd/tanh_gau_L5_N800"] and "data/ntk_change/gaussian_ntkc_1.csv" in sources
    assert "tanh_relu" not in found and set(original.curves(root, "sgd")) == {"relu2_gau_L9_mom_N1600"}
    assert int(original.derive(_clone(tmp_path / "b"))[0]["full_batch/tanh_orth_L3_N400/copy_of"]) == -1


def test_seeds_with_different_steps_are_refused(tmp_path):
    root = _clone(tmp_path)
    (root / "data" / "full_batch" / "tanh_gau_L3_N400" / "tanh_x_L3_N400_lr_1.csv").write_text(
        "0.001 1 0.1 3.0 0.1 2.0\n")
    with pytest.raises(original.OriginalError, match="lr_1.csv: its learning rate or steps differ"):
        original.curves(root, "full_batch")


def test_saved_summaries_load_back_and_a_corrupt_one_is_named(tmp_path):
    root = _clone(tmp_path)
    with pytest.raises(original.OriginalError, match="not a git clone; pass commit="):
        original.save(root, tmp_path / "out")
    npz, meta = original.save(root, tmp_path / "out", commit="f" * 40)
    arrays, record = original.load(tmp_path / "out")
    assert record["commit"] == "f" * 40 and record["absent"] == ["data/sgd/tanh_gau_L5_N800"]
    np.testing.assert_array_equal(arrays["speed/train/orthogonal/L50_N400/k"], [2, 3, 4, 5])
    data = bytearray(npz.read_bytes())
    data[-10] ^= 1
    npz.write_bytes(bytes(data))
    with pytest.raises(original.OriginalError, match="huang2021.npz: its SHA-256 differs"):
        original.load(tmp_path / "out")
    with pytest.raises(original.OriginalError, match="cannot be read"):
        original.load(tmp_path / "nothing")
    assert json.loads(meta.read_text())["repository"].endswith(original.REPOSITORY)


def test_without_a_clone_the_error_names_the_repository(tmp_path, monkeypatch):
    monkeypatch.delenv(original.ROOT_ENV, raising=False)
    with pytest.raises(original.OriginalError, match=f"no clone of {original.REPOSITORY}"):
        original.weight_change()
    with pytest.raises(original.OriginalError, match="no data/ folder"):
        original.weight_change(tmp_path)
    assert original.main(["--root", str(tmp_path)]) == 2


def test_the_committed_summaries_load_and_cover_every_figure():
    arrays, record = original.load()
    assert record["commit"] == original.COMMIT
    settings = {k.rsplit("/", 1)[0] for k in arrays if k.startswith("speed/train/")}
    assert len(settings) == 10  # depths 50/100/200 at width 400, widths 400/800/1600 at depth 50, both inits
    assert arrays["change/gaussian/layers"].shape == (4, 9, 15)
    assert {k.split("/")[1] for k in arrays if k.startswith("full_batch/")} >= {"tanh_gau_L3_N400", "tanh_orth_L3_N400"}


def test_the_summaries_are_rebuilt_bit_for_bit(tmp_path):
    root = _clone(tmp_path)
    first, _ = original.save(root, tmp_path / "a", commit="f" * 40)
    second, _ = original.save(root, tmp_path / "b", commit="f" * 40)
    assert first.read_bytes() == second.read_bytes()
    assert (tmp_path / "a" / "huang2021.json").read_text() == (tmp_path / "b" / "huang2021.json").read_text()
