"""Chapter 01 (setting): its claims can hold and fail, and its quick run decides them with a clear margin."""

import numpy as np
import pytest

from tests.claim_tests import chapter_tests, prose
from orthontk_lib.chapters import setting

CASES = {  # claim id: (a measurement that satisfies the claim, one that violates it)
    f"setting-{kernel}-slope-{init}": ((-0.5, (-0.56, -0.44)), (-0.1, (-0.2, 0.0)))
    for kernel in setting.KERNELS for init in setting.INITS
}
ASSERTED = {c.id: "holds" for c in setting.CLAIMS}
"""Claims whose quick-profile verdict is decided with a margin of at least a quarter of its interval on three runs:
the quick profile, the quick profile with seed 1 (other inputs and other networks), and the quick profile with
XLA forced to one thread on one core. All four slopes are."""

quick, test_each_claim_can_hold_and_fail, test_quick_profile_decides_with_a_clear_margin = chapter_tests(
    setting, CASES, ASSERTED)


def synthetic(slope, noise=0.02, networks=8):
    """Errors C (n M)^slope with multiplicative noise, NaN past the n_seeds // M groups: what ``measure`` reads."""
    widths, ms = np.array([64, 128, 256, 512, 1024, 2048]), np.array([1, 2, 4, 8])
    rng = np.random.default_rng(0)
    err = 3.0 * (widths[None, :, None, None] * ms[None, None, :, None]) ** slope * np.exp(
        noise * rng.standard_normal((2, len(widths), len(ms), networks)))
    for i, m in enumerate(ms):
        err[:, :, i, networks // m:] = np.nan
    theta = np.eye(4) + 0.5
    return {"widths": widths, "group_sizes": ms, "err_ntk": err, "err_nngp": err.copy(), "theta_inf": theta,
            "first_small": np.stack([theta * 1.3, theta * 0.8]), "first_large": np.stack([theta * 1.01, theta * 0.99])}


@pytest.mark.parametrize("slope, verdict", [(-0.5, "holds"), (-0.25, "does not hold"), (-1.0, "does not hold")])
def test_measure_decides_synthetic_errors(slope, verdict):
    cfg = setting.Config.for_profile("smoke", use_env=False)
    measured = setting.measure(synthetic(slope), cfg)
    for c in setting.CLAIMS:
        assert c.verdict(*measured[c.id][:2]) == verdict, (c.id, measured[c.id])


def test_the_constant_comparative_follows_the_data_and_glued_values_are_short():
    from orthontk_lib.book.prose import GLUED_LIMIT, words

    cfg = setting.Config.for_profile("smoke", use_env=False)
    same = prose(setting, synthetic(-0.5), cfg)
    assert same["setting-constant"] == "not measurably different for both kernels"
    assert all(words(str(v)) <= GLUED_LIMIT for v in same.values()), same
    lower = synthetic(-0.5)
    lower["err_ntk"][1] *= 0.7  # orthogonal NTK errors smaller at every width
    assert prose(setting, lower, cfg)["setting-constant"] == "not measurably different (NNGP), smaller (NTK)"
    lower["err_nngp"][1] *= 0.7
    assert prose(setting, lower, cfg)["setting-constant"] == "smaller for both kernels"
    higher = synthetic(-0.5)
    higher["err_nngp"][1] *= 1.4
    assert prose(setting, higher, cfg)["setting-constant"] == "larger (NNGP), not measurably different (NTK)"
    assert prose(setting, synthetic(-0.5), cfg)["setting-nngp-ratio"].startswith("1.00 [")


def test_monte_carlo_errors_use_disjoint_groups_and_fall_with_their_size():
    rng = np.random.default_rng(0)
    k_inf = np.eye(3)
    noisy = k_inf + 0.1 * rng.standard_normal((16, 3, 3))
    err = setting.kernel_errors(noisy, k_inf, [1, 2, 4, 16])
    assert np.isfinite(err).sum(1).tolist() == [16, 8, 4, 1]
    mean = np.nanmean(err, 1)
    assert mean[0] > mean[1] > mean[2] > mean[3]
    assert 2.5 < mean[0] / mean[3] < 6.5  # sqrt(16) = 4 for independent noise


def test_the_settings_table_and_caption_say_how_a_run_differs_from_the_paper():
    quick_cfg = setting.Config.for_profile("quick", use_env=False)
    paper_cfg = setting.Config.for_profile("paper", use_env=False)
    assert setting.FIGURE.differences(quick_cfg)[0].startswith("widths 8 … 1024")
    assert "| widths | 8 … 4096 | 8 … 1024 (differs) |" in setting.FIGURE.table(quick_cfg)
    assert prose(setting, synthetic(-0.5), quick_cfg)["setting-differs-n"] == "2 settings"
    assert prose(setting, synthetic(-0.5), paper_cfg)["setting-differs-n"] == "1 setting"
    assert "widths" not in " ".join(setting.FIGURE.differences(paper_cfg))
    assert setting.FIGURE.differences(setting.Config.for_profile("paper", use_env=False, W_std=1.0))[0] == "σ_W 1 (paper: 1.5)"


def test_errors_shrink_from_smallest_to_largest_width(quick):
    for kernel in setting.KERNELS:
        mean = quick[1][f"err_{kernel}"][:, :, 0].mean(-1)  # (init, width), one network
        assert (mean[:, -1] < mean[:, 0] / 5).all()  # 128x the width: n^(-1/2) predicts a factor ~11


def test_a_committed_paper_result_is_shown_instead_of_recomputing(tmp_path, monkeypatch):
    from orthontk_lib import results
    from orthontk_lib.book import registry

    monkeypatch.setattr(results, "REPO_DATA", tmp_path / "repo-data")
    monkeypatch.setenv("ORTHONTK_DATA_DIR", str(tmp_path / "repo-data"))  # a paper run's store is the repo's data/
    paper_cfg = setting.Config.for_profile("paper", use_env=False)
    results.save("setting/paper/summary", paper_cfg.asdict(), {"widths": [1, 2]}, profile="paper",
                 seeds=paper_cfg.seeds, root=results.REPO_DATA)
    quick_cfg = setting.Config.for_profile("quick", use_env=False)
    shown = registry.summary("setting", quick_cfg, lambda cfg: pytest.fail("computed despite a paper result"))
    assert shown.meta["profile"] == "paper" and shown.arrays["widths"].tolist() == [1, 2]
    assert registry.shown(shown).startswith("paper scale, run of ")
    paper_run = registry.summary("setting", paper_cfg, lambda cfg: pytest.fail("recomputed a saved paper run"))
    assert paper_run.meta["profile"] == "paper"


def test_a_page_showing_the_paper_run_prints_that_runs_config(tmp_path, monkeypatch):
    from IPython import display as ipd

    from orthontk_lib import results
    from orthontk_lib.book import page

    monkeypatch.setattr(results, "REPO_DATA", tmp_path / "repo-data")
    paper_cfg = setting.Config.for_profile("paper", use_env=False, widths=(8, 16))
    results.save("setting/paper/summary", paper_cfg.asdict(), {"widths": [8, 16]}, profile="paper",
                 seeds=paper_cfg.seeds, root=results.REPO_DATA)
    shown_run = results.load("setting/paper/summary", paper_cfg.asdict(), root=results.REPO_DATA)
    displayed = []
    monkeypatch.setattr(ipd, "display", displayed.append)
    quick_cfg = setting.Config.for_profile("quick", use_env=False)
    shown = page.shown_config(setting, quick_cfg, shown_run)
    assert shown.profile == "paper" and tuple(shown.widths) == (8, 16)
    assert len(displayed) == 1 and "committed reduced scale run's" in displayed[0].data and "widths=(8, 16)" in displayed[0].data
    assert page.shown_config(setting, shown, shown_run) is shown and len(displayed) == 1  # same run: nothing printed
