"""Chapter 06 (training curves): its claims can hold and fail, and the loss-gap statistic decides synthetic curves."""

import numpy as np
import pytest

from tests.claim_tests import chapter_tests, prose
from orthontk_lib.claims import Measured
from orthontk_lib.book.profiles import ConfigError
from orthontk_lib.chapters import training_curves as tc

CASES = {f"curves-{name}": ((0.03, (0.01, 0.06)), (0.5, (0.35, 0.6))) for name in tc.SETTINGS}
ASSERTED = {}
"""None is asserted at quick, whose 6 seeds per init and short runs test the code, not the claims: the claims are
decided on the committed reduced-scale run (10 seeds), and each one's check is shown able to fail on synthetic curves
below."""

UNREAD = dict(steps=(1000, 100, 300, 30))
"""The deep GD and the RMSProp settings cut to a tenth of their steps: no claim is asserted here, and the file's test
of the quick runs reads the shallow GD and the SGD settings, whose points these steps leave alone."""
SHRUNK = ("runs",)

(quick, test_each_claim_can_hold_and_fail, test_quick_profile_decides_with_a_clear_margin,
 test_the_shrunk_parts_are_the_declared_sweeps) = chapter_tests(tc, CASES, ASSERTED, UNREAD, SHRUNK)

SEEDS = {p: tc.Config.for_profile(p, use_env=False).n_seeds for p in ("quick", "paper")}


def losses(ratio, seeds, seed_sd=0.03, step_sd=0.01, records=20, seed=0):
    """(curve, init, seed, record) loss curves: a shared decaying trend, each run moved by a log-normal seed factor
    (``seed_sd``) and per-step noise (``step_sd``); the orthogonal runs multiplied by ``ratio``."""
    rng = np.random.default_rng(seed)
    log_trend = np.log(np.linspace(1.0, 0.05, records))
    log = log_trend + seed_sd * rng.standard_normal((2, 2, seeds, 1)) + step_sd * rng.standard_normal(
        (2, 2, seeds, records))
    log[:, 1] += np.log(ratio)
    return np.exp(log)


@pytest.mark.parametrize("profile", sorted(SEEDS))
@pytest.mark.parametrize("seed", range(5))
def test_curves_from_one_distribution_train_alike_at_the_profiles_seed_count(profile, seed):
    # a run's seed spread a tenth of the margin: well inside, every interval ends far below it
    value, ci, _ = tc.loss_gap(losses(1.0, SEEDS[profile], seed_sd=0.01, seed=seed))
    assert tc.CLAIMS[0].verdict(value, ci) == "holds", (value, ci)
    assert ci[1] < 0.6 * tc.MARGIN


@pytest.mark.parametrize("profile", sorted(SEEDS))
def test_curves_with_a_clear_gap_do_not_train_alike(profile):
    value, ci, _ = tc.loss_gap(losses(np.exp(4 * tc.MARGIN), SEEDS[profile]))  # orthogonal above by four margins
    assert tc.CLAIMS[0].verdict(value, ci) == "does not hold", (value, ci)
    assert ci[0] > 2 * tc.MARGIN


@pytest.mark.parametrize("seeds, seed_sd", [(6, 0.5), (10, 0.5), (2, 0.03)])
def test_too_few_or_too_noisy_seeds_are_inconclusive(seeds, seed_sd):
    # a gap on the margin with a run's seed spread five margins wide, or two seeds: the interval straddles it widely
    value, ci, _ = tc.loss_gap(losses(np.exp(tc.MARGIN), seeds, seed_sd=seed_sd))
    assert tc.CLAIMS[0].verdict(value, ci) == "inconclusive", (value, ci)
    assert ci[0] < 0.5 * tc.MARGIN and ci[1] > 3 * tc.MARGIN


def test_a_gap_of_one_sign_early_and_the_other_late_does_not_cancel():
    c = losses(1.0, 6, seed_sd=0.0, step_sd=0.001)
    c[0, 1, :, :10] *= np.exp(3 * tc.MARGIN)  # the orthogonal training loss three margins above in the first half,
    c[0, 1, :, 10:] /= np.exp(3 * tc.MARGIN)  # as far below in the second
    value, ci, detail = tc.loss_gap(c)
    assert value == pytest.approx(3 * tc.MARGIN, abs=1e-3) and ci[0] > 2 * tc.MARGIN
    assert detail["curve"] == "train_loss"


def test_the_gap_is_the_largest_and_a_diverged_run_is_not_measured():
    c = losses(1.0, 6, seed_sd=0.0, step_sd=0.001)
    c[1, 1] *= 1.3  # the test loss of the orthogonal runs
    value, ci, detail = tc.loss_gap(c)
    assert detail["curve"] == "test_loss" and value == pytest.approx(np.log(1.3), abs=1e-3)
    assert ci[0] <= value <= ci[1]
    c[0, 0, 2, 5] = np.nan
    value, ci, _ = tc.loss_gap(c)
    assert np.isnan(value) and tc.CLAIMS[0].verdict(value, ci) == "inconclusive"


def test_seeds_to_decide_is_the_first_count_whose_intervals_close():
    rng = np.random.default_rng(0)
    r = tc.MARGIN * (0.2 + rng.standard_normal((2, 2, 6)))  # means near a fifth of the margin, spread one margin
    need = tc.seeds_to_decide(r)
    assert need is not None and need > 6
    big = np.concatenate([r] * (need // 6 + 1), axis=-1)[..., :need]
    big = (big - big.mean(-1, keepdims=True)) * (r.std(-1, ddof=1) / big.std(-1, ddof=1))[..., None] + r.mean(
        -1, keepdims=True)  # the same means and spreads at the count it names
    orth = np.exp(np.moveaxis(big, 1, -1))  # (curve, seed, record): one record per half
    value, ci, _ = tc.loss_gap(np.stack([np.ones_like(orth), orth], axis=1))
    assert tc.CLAIMS[0].verdict(value, ci) == "holds"
    noise = rng.standard_normal((2, 2, 6))
    assert tc.seeds_to_decide(tc.MARGIN + 1e-3 * (noise - noise.mean(-1, keepdims=True))) is None  # on the margin


def synthetic_arrays(ratios, seeds=10):
    arrays = {}
    for i, (name, ratio) in enumerate(zip(tc.SETTINGS, ratios)):
        for m in tc.METRICS:
            arrays[f"{name}_{m}"] = losses(ratio, seeds, seed=i)[0]
        arrays[f"{name}_steps"] = np.arange(20)
    return arrays


def test_the_title_and_counts_follow_the_verdicts():
    cfg = tc.Config.for_profile("smoke", use_env=False)
    n = prose(tc, synthetic_arrays([np.exp(3 * tc.MARGIN), 1.0, 1.0, 1.0]), cfg)
    assert n["curves-title"] == "3 settings alike, 1 different"
    assert (n["curves-n-alike"], n["curves-n-differently"], n["curves-n-undecided"]) == (3, 1, 0)
    assert n["curves-gd-shallow-verdict"] == "does not hold" and n["curves-gd-deep-verdict"] == "holds"
    assert n["curves-gd-shallow-decide"] == "decided at 10"
    assert prose(tc, synthetic_arrays([1.0] * 4), cfg)["curves-title"] == "orthogonal and Gaussian train alike"
    n = prose(tc, synthetic_arrays([1.0] * 4, seeds=2), cfg)
    assert n["curves-title"] == "undecided on the run shown"
    assert n["curves-n-undecided"] == 4 and all(n[f"curves-{name}-verdict"] == "inconclusive" for name in tc.SETTINGS)
    assert tc.title(["holds", "inconclusive", "inconclusive", "does not hold"]) == (
        "1 setting alike, 1 different, 2 undecided")


def test_the_glued_values_are_numbers_and_short_words():
    from orthontk_lib.book.prose import GLUED_LIMIT, words

    cfg = tc.Config.for_profile("smoke", use_env=False)
    arrays = synthetic_arrays([np.exp(3 * tc.MARGIN), 1.0, 1.0, 1.0], seeds=6)
    arrays["gd-deep_train_loss"] = losses(np.exp(tc.MARGIN), 6, seed_sd=0.5)[0]  # inconclusive
    arrays["sgd-tanh_train_loss"][0, 2, 5] = np.nan  # a diverged run
    for measurements in ({}, {"curves-rmsprop-relu": (0.5, (0.1, 0.9), {"curve": "test_loss", "window": "first half",
                                                                         "seed_spread": 0.4, "n_seeds": 6,
                                                                         "seeds_to_decide": None})}):
        n = prose(tc, arrays, cfg, measurements)
        long = {k: v for k, v in n.items() if not k.endswith("-differs") and words(str(v)) > GLUED_LIMIT}
        assert not long, long
    assert n["curves-sgd-tanh-where"] == n["curves-sgd-tanh-decide"] == "not measured: a run diverged"
    # the synthetic accuracies end near 0.05: every setting has barely begun to train
    assert n["curves-rmsprop-relu-decide"] == "more steps first, then more than 10,000"
    assert n["curves-gd-shallow-acc"].endswith(" (barely trained)")


def test_an_inconclusive_page_says_how_many_seeds_would_decide():
    cfg = tc.Config.for_profile("smoke", use_env=False)
    arrays = synthetic_arrays([1.0] * 4, seeds=6)
    arrays["gd-deep_train_loss"] = losses(np.exp(tc.MARGIN), 6, seed_sd=0.5)[0]
    for name in tc.SETTINGS:  # trained: a final test accuracy of 0.9
        arrays[f"{name}_test_accuracy"] = np.full_like(arrays[f"{name}_test_accuracy"], 0.9)
    n = prose(tc, arrays, cfg)
    assert n["curves-gd-deep-verdict"] == "inconclusive"
    value, _, detail = tc.loss_gap(tc.setting_losses(arrays, "gd-deep"))
    need = detail["seeds_to_decide"]
    assert need is not None and need > 6
    assert n["curves-gd-deep-decide"] == f"about {need}, toward {'different' if value > tc.MARGIN else 'alike'}"
    assert n["curves-gd-shallow-decide"] == "decided at 6" and n["curves-gd-shallow-acc"] == "0.900 / 0.900"


def test_the_figures_draw_every_setting_with_losses_on_log_axes():
    cfg = tc.Config.for_profile("smoke", use_env=False)
    arrays = synthetic_arrays([1.5, 1.0, 1.0, 1.0], seeds=2)
    assert len(tc.fig_gaps(Measured.of(tc, arrays, cfg)).axes[0].get_xticks()) == len(tc.SETTINGS)
    axes = tc.fig_gd(arrays).axes
    assert [ax.get_yscale() for ax in axes[:len(tc.METRICS)]] == ["log", "log", "linear", "linear"]


def test_narrower_profiles_scale_plain_gradient_descent_learning_rates_only():
    cfg = tc.Config.for_profile("quick", use_env=False)
    assert cfg.lr("gd-shallow") == pytest.approx(1e-3 * 400 / cfg.width("gd-shallow"))
    assert cfg.lr("rmsprop-relu") == pytest.approx(1e-5)
    paper = tc.Config.for_profile("paper", use_env=False)
    assert all(paper.lr(name) == pytest.approx(s.lr) for name, s in tc.SETTINGS.items())
    assert not any("learning rates" in d for d in tc.computed_differences(paper))


def test_config_needs_one_width_and_step_count_per_setting():
    with pytest.raises(ConfigError, match="^widths: one value per setting"):
        tc.Config.for_profile("quick", use_env=False, widths=[64, 64])
    with pytest.raises(ConfigError, match="^records: at most"):
        tc.Config.for_profile("smoke", use_env=False, records=50)


def test_quick_runs_train_and_do_not_diverge(quick):
    cfg, a = quick
    for name in ("gd-shallow", "sgd-tanh"):
        assert not a[f"{name}_diverged"].any()
        assert (tc.final(a, name, "test_accuracy") > 0.6).all()  # from chance (0.1)


def test_a_setting_that_has_barely_begun_to_train_asks_for_steps_before_seeds():
    detail = {"seeds_to_decide": 469, "n_seeds": 10}
    assert tc.decide_words("inconclusive", detail, early=True, value=0.1) == (
        "more steps first, then about 469, toward alike")
    assert tc.decide_words("inconclusive", detail, value=0.3) == "about 469, toward different"
    assert tc.decide_words("inconclusive", {"seeds_to_decide": None, "n_seeds": 10}, value=0.2) == "more than 10,000"
    assert tc.decide_words("holds", detail, early=True, value=0.1) == "decided at 10"
    assert tc.decide_words("inconclusive", detail, value=float("nan")) == "not measured: a run diverged"


def test_each_figure_caption_lists_only_its_own_differences():
    """The paper's Fig. 3 (full-batch GD) caption names none of the mini-batch runs' differences, and the SGD
    figure's caption names the RMSProp and ReLU ones; each counts its own settings' widths and steps, and both the
    seed count (the authors' published runs have 30 per init in both figures)."""
    cfg = tc.Config.for_profile("paper", use_env=False, widths=[400, 200, 200, 200], steps=[10_000, 10_000, 2000, 2000])
    gd = tc.GD_FIGURE.caption(cfg, tc.computed_differences(cfg, tc.GD))
    sgd = tc.SGD_FIGURE.caption(cfg, tc.computed_differences(cfg, tc.SGD))
    assert "RMSProp" not in gd and "ReLU" not in gd and "Widths 400, 200 (paper: 400, 800)" in gd
    assert "RMSProp" in sgd and "ReLU" in sgd and "Steps 2000, 2000 (paper: 100000, 100000)" in sgd
    assert "10 seeds per init (paper: 30)" in gd and "10 seeds per init (paper: 30)" in sgd  # the authors' runs: 30
