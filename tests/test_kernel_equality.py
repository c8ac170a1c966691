"""Chapter 02 (kernel equality): its claims can hold and fail, and its quick run decides them with a clear margin."""

import numpy as np
import pytest

from tests.claim_tests import chapter_tests, prose
from orthontk_lib.book.profiles import ConfigError
from orthontk_lib.chapters import kernel_equality as keq

CASES = {  # claim id: (a measurement that satisfies the claim, one that violates it)
    "equality-fcn-slope-gaussian": ((-0.5, (-0.58, -0.42)), (-0.2, (-0.3, -0.1))),
    "equality-fcn-slope-orthogonal": ((-0.45, (-0.5, -0.4)), (-0.8, (-0.9, -0.7))),
    "equality-fcn-orth-minus-gauss": ((-0.5, (-0.6, -0.4)), (0.0, (-0.1, 0.1))),
    "equality-cnn-slope-gaussian": ((-0.5, (-0.6, -0.4)), (0.0, (-0.1, 0.1))),
    "equality-cnn-slope-orthogonal": ((-0.52, (-0.6, -0.44)), (-1.0, (-1.1, -0.9))),
    "equality-cnn-gap-full": ((-0.45, (-0.55, -0.35)), (0.05, (-0.05, 0.15))),
    "equality-cnn-gap-delta": ((-0.6, (-0.7, -0.5)), (-0.1, (-0.2, 0.0))),
    "equality-cnn-delta-limit": ((6.0, (4.0, 8.0)), (1.0, (0.8, 1.2))),
}
ASSERTED = {"equality-fcn-slope-gaussian": "holds", "equality-fcn-slope-orthogonal": "holds",
            "equality-fcn-orth-minus-gauss": "holds"}
"""Claims whose quick-profile verdict is decided with a margin of at least a quarter of its interval on three runs:
the quick profile, the quick profile with seed 1 (another data split and other networks), and the quick profile with
XLA forced to one thread on one core. The others are shown in the ledger, never asserted here: with three channel
counts the CNN intervals straddle their edges."""

quick, test_each_claim_can_hold_and_fail, test_quick_profile_decides_with_a_clear_margin = chapter_tests(
    keq, CASES, ASSERTED)


def synthetic(cfg, gap_slope, seeds=4):
    """Arrays as :func:`keq.compute` returns them: errors at slope -1/2, the orthogonal-Gaussian gap at
    ``gap_slope`` (0: the two limits differ), delta kernels 10 standard errors away from Θ_∞."""
    rng = np.random.default_rng(0)
    w, ch = np.asarray(cfg.widths, float), np.asarray(cfg.cnn_channels, float)
    noise = lambda *shape: np.exp(0.02 * rng.standard_normal(shape))
    n_c, n_d = len(cfg.configs()), len(cfg.cnn_depths)
    bias = np.stack([np.broadcast_to([0.1 if f == "delta" else 0.01, 0.01], (len(ch), 2)) for f, _ in keq.CNN_VARIANTS])
    return {"widths": w.astype(int), "cnn_channels": ch.astype(int),
            "err": w[None, None, :, None] ** -0.5 * noise(n_c, 2, len(w), seeds),
            "delta": 0.3 * w[None] ** gap_slope * noise(n_c, len(w)),
            "cnn_err": ch[None, None, :, None] ** -0.5 * noise(n_d, 4, len(ch), seeds),
            "cnn_delta": 0.3 * ch[None, None] ** gap_slope * noise(n_d, 2, len(ch)),
            "cnn_bias": np.broadcast_to(bias, (n_d,) + bias.shape) * noise(n_d, 4, len(ch), 1)}


@pytest.mark.parametrize("gap_slope, verdict", [(-0.5, "holds"), (0.0, "does not hold")])
def test_measure_tells_a_vanishing_gap_from_two_different_limits(gap_slope, verdict):
    cfg = keq.Config.for_profile("quick", use_env=False)
    m = keq.measure(synthetic(cfg, gap_slope), cfg)
    for claim_id in ("equality-fcn-orth-minus-gauss", "equality-cnn-gap-full", "equality-cnn-gap-delta"):
        assert keq.CLAIMS[[c.id for c in keq.CLAIMS].index(claim_id)].verdict(*m[claim_id][:2]) == verdict, m[claim_id]
    assert prose(keq, synthetic(cfg, gap_slope), cfg)["equality-gap-verdict"] == verdict


def test_cnn_full_filters_sit_within_seed_noise_of_the_limit(quick):
    cfg, arrays = quick
    assert keq.bias_in_standard_errors(cfg, arrays, "full") < 2


def test_config_rejects_unknown_dataset():
    with pytest.raises(ConfigError, match="^datasets: 'mnist'"):
        keq.Config.for_profile("quick", use_env=False, datasets=["mnist"])


def test_the_delta_and_full_filter_words_follow_the_data(quick, monkeypatch):
    cfg, arrays = quick
    monkeypatch.setattr(keq.claims, "bias_ratios", lambda cfg, a, filt: np.array([0.8, 1.1, 0.9, 1.2]))  # seed noise
    monkeypatch.setattr(keq.claims, "bias_in_standard_errors", lambda cfg, a, filt: 6.0)
    words = prose(keq, arrays, cfg)
    assert words["equality-cnn-delta-verdict"] == "does not hold"
    assert words["equality-cnn-full-words"] == "beyond seed noise"
    monkeypatch.setattr(keq.claims, "bias_ratios", lambda cfg, a, filt: np.array([5.0, 6.0, 5.5, 6.5]))
    monkeypatch.setattr(keq.claims, "bias_in_standard_errors", lambda cfg, a, filt: 0.5)
    words = prose(keq, arrays, cfg)
    assert words["equality-cnn-delta-verdict"] == "holds"
    assert words["equality-cnn-full-words"] == "within seed noise"


def test_the_levelling_curves_are_counted_and_tabled_from_the_data(quick, monkeypatch):
    from orthontk_lib.book.prose import GLUED_LIMIT, words

    cfg, arrays = quick
    values = prose(keq, arrays, cfg)
    assert values["equality-widths-n"] == len(cfg.widths)
    short = {k: v for k, v in values.items() if not hasattr(v, "_repr_markdown_")}
    assert all(words(str(v)) <= GLUED_LIMIT for v in short.values()), short
    curves = 2 * len(cfg.configs())
    monkeypatch.setattr(keq.claims, "levelling_curves", lambda cfg, a: [("digits, relu, L=5, gaussian", -0.1)])
    values = prose(keq, arrays, cfg)
    assert values["equality-levelling-n"] == f"1 of {curves}"
    assert "| digits, relu, L=5, gaussian | -0.10 |" in values["equality-levelling-table"].data
    monkeypatch.setattr(keq.claims, "levelling_curves", lambda cfg, a: [])
    values = prose(keq, arrays, cfg)
    assert values["equality-levelling-n"] == f"0 of {curves}"
    assert "| none |" in values["equality-levelling-table"].data


@pytest.mark.parametrize("errors, trend", [((0.02, 0.04, 0.06), ("grows", "x3.0")),
                                           ((0.06, 0.04, 0.03), ("shrinks", "x0.50")),
                                           ((0.02, 0.05, 0.04), ("is not monotone", "x2.00"))])
def test_the_depth_trend_is_read_off_the_errors(errors, trend):
    assert keq.depth_trend(dict(zip((1, 3, 5), errors))) == trend
