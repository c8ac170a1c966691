"""Chapter 08 (Edge of Chaos): its claims can hold and fail, and its quick run decides them with a clear margin."""

import numpy as np
import pytest

from orthontk_lib import kernels, meanfield
from orthontk_lib.book.claim_tests import chapter_tests
from orthontk_lib.chapters import edge_of_chaos as eoc
from orthontk_lib.models import FCN

CASES = {  # claim id: (a measurement that satisfies the claim, one that violates it)
    "eoc-ordered-exponential": ((0.05, (0.02, 0.08)), (-0.1, (-0.15, -0.05))),
    "eoc-chaotic-exponential": ((0.1, (0.05, 0.12)), (-0.02, (-0.03, -0.01))),
    "eoc-rate-theory": ((0.95, (0.9, 1.02)), (0.5, (0.45, 0.55))),
    "eoc-critical-polynomial": ((0.2, (0.1, 0.3)), (-0.2, (-0.3, -0.1))),
    "eoc-orthogonal-follows": ((0.05, (0.02, 0.1)), (3.7, (2.0, 5.0))),
    "eoc-rate-form-relu": ((-1e-3, (-2e-3, -5e-4)), (1e-3, (5e-4, 2e-3))),
    "eoc-rate-form-elu": ((1e-3, (5e-4, 2e-3)), (-1e-3, (-2e-3, -5e-4))),
    "eoc-rate-form-tanh": ((1e-3, (5e-4, 2e-3)), (-1e-3, (-2e-3, -5e-4))),
    "eoc-trainability": ((0.4, (0.3, 0.5)), (-0.2, (-0.3, -0.1))),
}
ASSERTED = {"eoc-ordered-exponential": "holds", "eoc-chaotic-exponential": "holds", "eoc-rate-theory": "holds",
            "eoc-critical-polynomial": "holds", "eoc-rate-form-relu": "does not hold", "eoc-rate-form-elu": "holds",
            "eoc-rate-form-tanh": "holds"}
"""Claims whose quick-profile verdict is decided with a margin of at least a quarter of its interval on three runs:
the quick profile, the quick profile with seed 1 (another data split and other networks), and the quick profile with
XLA forced to one thread on one core. The others are shown in the ledger, never asserted here: the finite-width
check is inconclusive at seed 1, and trainability compares three networks per initialization."""

quick, test_each_claim_can_hold_and_fail, test_quick_profile_decides_with_a_clear_margin = chapter_tests(
    eoc, CASES, ASSERTED)


@pytest.mark.parametrize("decay, which, holds", [("exp", "exp", True), ("power", "exp", False),
                                                 ("power", "power", True), ("exp", "power", False)])
def test_fit_advantage_tells_an_exponential_from_a_power_law(decay, which, holds):
    depths = np.arange(1, 101)
    values = np.exp(-0.2 * depths) if decay == "exp" else depths ** -1.0
    value, (lo, hi) = eoc.fit_advantage(depths, values, which)
    assert (lo > 0) == holds and (hi < 0) == (not holds), (value, lo, hi)


@pytest.mark.parametrize("truth", ["1/L", "log"])
def test_the_rate_form_fit_chooses_the_form_the_data_were_drawn_from(truth):
    depths = np.arange(1, 201)
    g = 1.0 / depths if truth == "1/L" else np.log(depths) / depths
    entries = np.array([0.3, 0.6, 0.9])[None, :] + np.array([1.0, -0.5, 2.0])[None, :] * g[:, None]
    value, (lo, hi) = eoc.rate_form_advantage(depths, entries, 10, n_boot=200)
    assert (lo > 0) if truth == "log" else (hi < 0), (value, lo, hi)
    r2, limit = eoc.rate_form_fit(depths, entries, truth, 10)
    np.testing.assert_allclose(limit, [0.3, 0.6, 0.9], atol=1e-9)
    assert r2 > 1 - 1e-12


def test_the_paper_points_sit_on_the_edge_of_chaos():
    for (act, phase), (w, b) in eoc.paper_points().items():
        chi = meanfield.chi(act, w, b)
        assert (abs(chi - 1) < 1e-6) == (phase == "edge"), (act, phase, chi)


def test_a_mismatched_learning_rate_list_is_one_clear_error():
    from orthontk_lib.book.profiles import ConfigError

    with pytest.raises(ConfigError, match="train_lrs: one learning rate per depth"):
        eoc.Config.for_profile("smoke", use_env=False, train_depths=(4, 8))


def test_only_critical_kernels_still_classify_at_depth(quick):
    # an illustration, not a ledger claim: where an off-critical kernel collapses is set by the ridge and float64 (the
    # chapter says so). erf's off-critical kernels reach chance long before the largest depth; ReLU's ordered one sits
    # on float64's floor there (its 1 - c is below 1e-16), so its accuracy depends on rounding and is not asserted
    acc, pts = quick[1]["accuracy"][:, -1], list(eoc.points())
    assert min(a for a, (_, ph) in zip(acc, pts) if ph == "edge") > 0.8
    assert max(a for a, (act, ph) in zip(acc, pts) if ph != "edge" and act == "erf") < 0.2


def test_the_off_edge_accuracy_sentence_follows_the_data():
    phases = ["ordered", "edge", "chaotic"]
    assert eoc.other_accuracy_words([0.1, 0.9, 0.12], phases) == "the others are at chance"
    assert eoc.other_accuracy_words([0.5, 0.9, 0.12], phases).startswith("the others have fallen toward chance")


@pytest.mark.parametrize("activation", ["erf", "tanh"])
def test_kernels_by_depth_match_the_kernel_of_each_depth(activation):
    x = np.random.default_rng(0).normal(size=(5, 8))  # inputs of different norms
    by_depth = kernels.analytic_ntk_by_depth(activation, 1.3, 0.2, x, 4)
    for depth in (1, 4):
        ref = np.asarray(kernels.analytic_ntk(FCN(depth, 8, activation, 1.3, 0.2), x))
        np.testing.assert_allclose(by_depth[depth - 1], ref, rtol=1e-12)


def test_chaotic_correlation_fixed_point_is_stable_and_below_one():
    c = meanfield.c_star("erf", 2.0, 0.3)
    assert 0 < c < 1
    assert abs(meanfield.correlation_map("erf", 2.0, 0.3, c) - c) < 1e-9
    assert meanfield.chi_at_correlation("erf", 2.0, 0.3, c) < 1 < meanfield.chi("erf", 2.0, 0.3)


def test_no_chaotic_fixed_point_in_the_ordered_phase_is_a_clear_error():
    with pytest.raises(ValueError, match="not in the chaotic phase"):
        meanfield.c_star("erf", 0.8, 0.3)


def test_theory_rate_of_relu_is_half_the_smooth_one():
    assert eoc.theory_rate("relu", "ordered", 0.5) == pytest.approx(0.5 * eoc.theory_rate("erf", "ordered", 0.5))


def test_the_rate_sentence_follows_the_forms_the_data_choose():
    cfg = eoc.Config.for_profile("smoke", use_env=False)
    L = np.arange(1, cfg.max_depth + 1, dtype=float)
    pts = list(eoc.paper_points())
    forms = {"1/L": 1 / L, "log": np.log(L) / L}

    def arrays(choice):
        entries = np.zeros((len(pts), len(L), 3))
        for i, (act, _) in enumerate(pts):
            entries[i] = 0.3 + np.outer(forms[choice.get(act, "1/L")], [1.0, -0.5, 2.0])
        return {"depths": L, "rate_entries": entries, "rate_points": np.ones((len(pts), 2)),
                "rate_chi1": np.ones(len(pts))}

    paper = eoc.rate_numbers(arrays({"relu": "1/L", "elu": "log", "tanh": "log"}), cfg)["eoc-rate-words"]
    assert paper == "the data choose the paper's form for relu, elu, tanh", paper
    other = eoc.rate_numbers(arrays({"relu": "log", "elu": "log", "tanh": "1/L"}), cfg)["eoc-rate-words"]
    assert "paper's form for elu" in other and "other form for relu, tanh, against the paper" in other, other
