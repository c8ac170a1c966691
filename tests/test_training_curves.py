"""Chapter 06 (training curves): its claims can hold and fail, and the gap statistic reads its interval."""

import numpy as np
import pytest

from orthontk_lib.book.claim_tests import chapter_tests
from orthontk_lib.book.profiles import ConfigError
from orthontk_lib.chapters import training_curves as tc

CASES = {f"curves-{name}": ((0.4, (0.0, 0.8)), (2.5, (1.6, 3.4))) for name in tc.SETTINGS}
ASSERTED = {}
"""None is asserted at quick: with 6 seeds per init a record's 95% interval for the gap is at least
t(0.975, 10) * sqrt(2/6) = 1.3 seed spreads wide, so no interval can end below 1 ("holds"); the verdicts are
inconclusive unless the curves are surely apart, and they are shown in the ledger. The paper profile's 30 seeds
can decide them."""

quick, test_each_claim_can_hold_and_fail, test_quick_profile_decides_with_a_clear_margin = chapter_tests(
    tc, CASES, ASSERTED)


def curves(shift, seeds, spread=0.1, records=10, seed=0):
    """(init, seed, record) curves: a shared trend, seed noise of ``spread``, orthogonal moved by ``shift`` spreads."""
    rng = np.random.default_rng(seed)
    trend = np.linspace(1.0, 0.2, records)
    c = trend + spread * rng.standard_normal((2, seeds, records))
    c[1] += shift * spread
    return c


@pytest.mark.parametrize("shift, seeds, verdict", [(0.0, 200, "holds"), (4.0, 30, "does not hold"),
                                                   (0.0, 4, "inconclusive")])
def test_the_gap_statistic_decides_synthetic_curves(shift, seeds, verdict):
    value, ci, _ = tc.gap_interval(curves(shift, seeds))
    claim = tc.CLAIMS[0]
    assert ci[0] <= value <= ci[1]
    assert claim.verdict(value, ci) == verdict, (value, ci)


def test_saturated_records_are_skipped_and_a_constant_gap_is_found():
    c = curves(0.0, 50)
    c[:, :, -1] = 1.0  # every seed of both inits at the same value
    value, ci, k = tc.gap_interval(c)
    assert np.isfinite(value) and k != c.shape[-1] - 1
    c[1, :, 3] += 1.0  # ten spreads apart at record 3
    value, ci, k = tc.gap_interval(c)
    assert k == 3 and ci[0] > 1


def test_the_summary_sentence_counts_the_verdicts(monkeypatch):
    cfg = tc.Config.for_profile("smoke", use_env=False)
    arrays = {}
    for i, name in enumerate(tc.SETTINGS):
        for m in tc.METRICS:
            arrays[f"{name}_{m}"] = curves(0.0 if i else 5.0, 200, seed=i)
        arrays[f"{name}_steps"] = np.arange(10)
    text = tc.numbers(arrays, cfg)["curves-summary"]
    assert "coincide within one seed spread in 3" in text and "surely apart in 1" in text


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
