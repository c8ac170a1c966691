"""The authors' published numbers read by the chapters' own statistics: shapes, the same function on both, and a
comparison that can fail."""

import numpy as np

from orthontk_lib.chapters.constancy import authors as fig2
from orthontk_lib.chapters.constancy import experiment as constancy
from orthontk_lib.chapters.training_curves import authors as fig3
from orthontk_lib.chapters.training_curves import statistics as curves


def test_fig2_arrays_take_the_chapters_shapes_and_its_slopes():
    a = fig2.arrays()
    assert a["weight_change"].shape == (9, 2, 15, 4) and a["weight_ntk_change"].shape == (9, 2, 15)
    small = fig2.at_widths(a, [16, 32, 64, 128])
    assert list(small["weight_widths"]) == [16, 32, 64, 128] and small["weight_change"].shape[0] == 4
    rows = fig2.agreement(small, a)
    (inner_gauss,) = [r for r in rows if r[:2] == ("inner layers' weights", "gaussian")]
    s, ci = constancy.weight_slopes(a, "inner")[0]
    assert inner_gauss[2] == f"{s:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"
    assert inner_gauss[3] == inner_gauss[4]  # the book's widths of the authors' runs, twice
    elsewhere = {**small, "weight_widths": np.array([8, 9, 10, 11])}  # a run at widths the authors did not run
    assert all(r[3] == "—" and r[4] != "—" for r in fig2.agreement(elsewhere, a))


def test_fig2_agreement_moves_when_one_side_scales_differently():
    a = fig2.arrays()
    steeper = {**a, "weight_ntk_change": a["weight_ntk_change"] / a["weight_widths"][:, None, None] ** 0.5}
    (ntk_gauss,) = [r for r in fig2.agreement(steeper, a) if r[:2] == ("NTK", "gaussian")]
    assert float(ntk_gauss[4].split()[0]) < float(ntk_gauss[2].split()[0]) - 0.4


def test_fig3_arrays_and_gap_read_as_the_chapter_reads_its_own():
    even = fig3.arrays(evenly_spaced=True)
    assert even["gd-shallow_train_loss"].shape == (2, 30, 50) and even["gd-shallow_steps"][-1] == 10_000
    assert "sgd-tanh_train_loss" not in even  # not in the repository's snapshot
    rows = {r[0]: r for r in fig3.agreement(even, even)}
    a, ci, _ = curves.loss_gap(curves.setting_losses(even, "gd-shallow"))
    assert rows["gd-shallow"][1] == rows["gd-shallow"][3] == f"{a:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"
    assert rows["sgd-tanh"][1] == "—"
    worse = {k: v.copy() for k, v in even.items()}
    worse["gd-deep_test_loss"][1] *= 1.5  # the orthogonal test loss half as large again
    assert float(fig3.agreement(worse, even)[1][3].split()[0]) > 0.4
    assert fig3.arrays()["gd-shallow_steps"][0] == 1  # the drawn curves keep the first steps
    assert np.all(np.diff(fig3.arrays()["gd-deep_steps"]) > 0)


def test_fig4_arrays_group_by_learning_rate_and_read_first_hits_as_trained():
    from orthontk_lib import original
    from orthontk_lib.chapters.speedup import authors as fig4
    from orthontk_lib.chapters.speedup import statistics as speed

    a = fig4.arrays()
    assert a["tau"].shape[:2] == (3, 2) and a["tau"].shape[-1] == 20 and np.all(np.diff(a["lrs"]) > 0)
    saved, _ = original.load()
    k, tau = saved["speed/train/gaussian/L100_N400/k"], saved["speed/train/gaussian/L100_N400/tau"]
    at = [int(np.argmin(abs(a["lrs"] - original.eta_of(kk)))) for kk in k]
    np.testing.assert_array_equal(a["tau"][1, 0][at].T, tau)  # each row where its η is, whatever its position
    assert np.array_equal(speed.trained(a), np.isfinite(a["tau"]))
    edges = {r[1]: r for r in fig4.edges(a) if r[0] == "depth"}
    assert edges["L = 200"][2].startswith("0.00794") and "beyond the grid" in edges["L = 50"][3]


def test_fig4_agreement_is_the_chapters_claims_on_both_and_can_disagree():
    from orthontk_lib.chapters.speedup import authors as fig4
    from orthontk_lib.chapters.speedup import experiment

    cfg = experiment.Config.for_profile("paper", use_env=False)
    a = fig4.arrays()
    rows = {r[0]: r for r in fig4.agreement(a, cfg, a)}
    assert all(r[1] == r[3] and r[2] == r[4] for r in rows.values())  # the same data read twice agree
    assert rows["speedup-deep"][2] == "holds"
    slower = {**a, "tau": a["tau"].copy()}
    slower["tau"][:, 1] *= 4.0  # orthogonal runs four times slower everywhere
    assert {r[0]: r for r in fig4.agreement(slower, cfg, a)}["speedup-deep"][4] == "does not hold"


def test_the_speed_up_per_depth_says_where_orthogonal_stops_being_faster():
    from orthontk_lib.chapters.speedup import authors as fig4

    a = fig4.arrays()
    rows = fig4.per_depth(a)
    assert [r[0] for r in rows] == [50, 100, 200] and all(r[2] == "yes" for r in rows)  # faster at every depth
    slower = {**a, "tau": a["tau"].copy()}
    slower["tau"][2, 1] *= 10.0  # the orthogonal runs at depth 200 ten times slower
    assert fig4.per_depth(slower)[2][2] == "no"
    assert fig4.per_depth_runs([("theirs", a), ("none", None)])[0][:2] == ("theirs", 50)
