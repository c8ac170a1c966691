"""Each chapter's claims at the quick profile, asserted with the ledger's own tolerance."""

import numpy as np
import pytest

from orthontk_lib import ledger
from orthontk_lib.chapters import setting


@pytest.fixture(scope="module")
def setting_quick():
    return setting.compute(setting.Config.for_profile("quick", use_env=False))


@pytest.mark.parametrize("init", setting.INITS)
def test_setting_empirical_ntk_converges_at_rate_minus_one_half(setting_quick, init):
    s, ci, _ = setting.slopes(setting_quick)[init]
    assert ledger.verdict(f"setting-slope-{init}", s, ci) == "holds", (s, ci)


def test_setting_errors_shrink_from_smallest_to_largest_width(setting_quick):
    mean = setting_quick["err"].mean(-1)  # (init, width)
    assert (mean[:, -1] < mean[:, 0] / 3).all()  # 32x the width: n^(-1/2) predicts a factor ~5.7


def test_a_committed_paper_result_is_shown_instead_of_recomputing(tmp_path, monkeypatch):
    from orthontk_lib import chapters, results

    monkeypatch.setattr(results, "REPO_DATA", tmp_path / "repo-data")
    monkeypatch.setenv("ORTHONTK_DATA_DIR", str(tmp_path / "repo-data"))  # a paper run's store is the repo's data/
    paper_cfg = setting.Config.for_profile("paper", use_env=False)
    results.save("setting/paper/summary", paper_cfg.asdict(), {"widths": [1, 2]}, profile="paper",
                 seeds=paper_cfg.seeds, root=results.REPO_DATA)
    quick_cfg = setting.Config.for_profile("quick", use_env=False)
    shown = chapters.summary("setting", quick_cfg, lambda cfg: pytest.fail("computed despite a paper result"))
    assert shown.meta["profile"] == "paper" and shown.arrays["widths"].tolist() == [1, 2]
    assert chapters.shown(shown).startswith("paper profile, run of ")
    paper_run = chapters.summary("setting", paper_cfg, lambda cfg: pytest.fail("recomputed a saved paper run"))
    assert paper_run.meta["profile"] == "paper"


# Kernel equality

from orthontk_lib.chapters import kernel_equality as keq  # noqa: E402


@pytest.fixture(scope="module")
def equality_quick():
    cfg = keq.Config.for_profile("quick", use_env=False)
    return cfg, keq.compute(cfg)


@pytest.mark.parametrize("init", keq.INITS)
def test_equality_both_inits_converge_at_rate_minus_one_half(equality_quick, init):
    cfg, arrays = equality_quick
    s, ci = keq.pooled_slope(cfg, arrays, init)
    assert ledger.verdict(f"equality-fcn-slope-{init}", s, ci) == "holds", (s, ci)


def test_equality_gap_between_orthogonal_and_gaussian_vanishes(equality_quick):
    _, arrays = equality_quick
    s, ci = keq.delta_slope(arrays)
    assert ledger.verdict("equality-fcn-orth-minus-gauss", s, ci) == "holds", (s, ci)


@pytest.mark.parametrize("init", keq.INITS)
def test_equality_cnn_full_filters_converge_at_rate_minus_one_half(equality_quick, init):
    cfg, arrays = equality_quick
    s, ci = keq.cnn_pooled_slope(cfg, arrays, "full", init)
    assert ledger.verdict(f"equality-cnn-slope-{init}", s, ci) == "holds", (s, ci)


def test_equality_cnn_gap_between_orthogonal_and_gaussian_vanishes(equality_quick):
    s, ci = keq.cnn_gap_slope(equality_quick[1])
    assert ledger.verdict("equality-cnn-orth-minus-gauss", s, ci) == "holds", (s, ci)


def test_equality_cnn_delta_kernels_converge_elsewhere_full_filters_do_not(equality_quick):
    cfg, arrays = equality_quick
    delta, full = (keq.bias_in_standard_errors(cfg, arrays, f) for f in ("delta", "full"))
    assert ledger.verdict("equality-cnn-delta-limit", delta) == "holds", delta
    assert full < 2, full  # the full-filter seed means sit within seed noise of Θ_∞


def test_equality_config_rejects_unknown_dataset():
    from orthontk_lib.book.profiles import ConfigError

    with pytest.raises(ConfigError, match="^datasets: 'mnist'"):
        keq.Config.for_profile("quick", use_env=False, datasets=["mnist"])


# Finite-width corrections

from orthontk_lib.chapters import finite_width as fw  # noqa: E402


@pytest.fixture(scope="module")
def finite_quick():
    return fw.compute(fw.Config.for_profile("quick", use_env=False))


@pytest.mark.parametrize("init", fw.INITS)
def test_finite_width_spread_shrinks_as_one_over_width(finite_quick, init):
    s, ci, _ = fw.spread_slopes(finite_quick)[init]
    assert ledger.verdict(f"finite-width-spread-{init}", s, ci) == "holds", (s, ci)


def test_finite_width_gaussian_fluctuations_outgrow_orthogonal_with_depth(finite_quick):
    diff, ci = fw.growth_difference(fw.depth_growth(finite_quick))
    assert ledger.verdict("finite-width-depth-growth", diff, ci) == "holds", (diff, ci)


def test_finite_width_orthogonal_linear_network_is_an_isometry(finite_quick):
    assert ledger.verdict("finite-width-isometry-orthogonal", fw.isometry_deviation(finite_quick)) == "holds"


def test_finite_width_gaussian_linear_spectrum_widens_with_depth(finite_quick):
    widths = fw.spectrum_width(finite_quick)[:, 0, 0]  # linear, Gaussian, by depth
    assert widths[-1] > 2 * widths[0], widths


def test_grouped_relative_variance_of_known_samples():
    rng = np.random.default_rng(0)
    samples = 2.0 + 0.1 * rng.standard_normal((4000, 3))  # Var/mean^2 = 0.01/4
    np.testing.assert_allclose(fw.grouped_relative_variance(samples, 4), 0.0025, rtol=0.1)


@pytest.mark.parametrize("init", fw.INITS)
def test_finite_width_training_approaches_linearized_dynamics(finite_quick, init):
    s, ci, _ = fw.training_gap_slopes(finite_quick)[init]
    assert ledger.verdict(f"finite-width-training-gap-{init}", s, ci) == "holds", (s, ci)


def test_linearized_loss_at_step_zero_is_the_initial_loss(finite_quick):
    # L^lin_0 = ||f0 - y||^2 / 2N is the network's own initial loss, whatever its width
    np.testing.assert_allclose(finite_quick["linearized_loss"][..., 0], finite_quick["train_loss"][..., 0], rtol=1e-4)


# Speed-up grid

from orthontk_lib.chapters import speedup as sp  # noqa: E402


@pytest.fixture(scope="module")
def speedup_quick():
    cfg = sp.Config.for_profile("quick", use_env=False)
    return cfg, sp.compute(cfg)


def test_speedup_in_the_deep_large_lr_corner(speedup_quick):
    cfg, arrays = speedup_quick
    v, ci, cells = sp.region_speedup(sp.view(arrays, "fcn"), "deep-large")
    assert cells >= 2 and ledger.verdict("speedup-large-lr-depth", v, ci) == "holds", (v, ci, cells)


def test_no_speedup_in_the_shallow_small_lr_corner(speedup_quick):
    cfg, arrays = speedup_quick
    v, ci, cells = sp.region_speedup(sp.view(arrays, "fcn"), "shallow-small")
    assert ledger.verdict("speedup-small-lr-shallow", v, ci) == "holds", (v, ci, cells)


def test_delta_orthogonal_cnns_train_faster_in_the_deep_large_lr_corner(speedup_quick):
    cfg, arrays = speedup_quick
    cnn = sp.view(arrays, "cnn")
    assert cnn["inits"].tolist() == ["gaussian", "delta-orthogonal", "delta-gaussian"]
    v, ci, cells = sp.region_speedup(cnn, "deep-large")
    assert cells >= 1 and ledger.verdict("speedup-cnn-deep", v, ci) == "holds", (v, ci, cells)


def test_the_cnn_speedup_comes_from_orthogonality_not_the_delta_structure(speedup_quick):
    cfg, arrays = speedup_quick
    v, ci, cells = sp.region_speedup(sp.view(arrays, "cnn"), "deep-large", pair=(2, 1))
    assert cells >= 1 and ledger.verdict("speedup-cnn-orthogonality", v, ci) == "holds", (v, ci, cells)


def test_speedup_grids_draw_the_networks_they_name():
    cfg = sp.Config.for_profile("smoke", use_env=False)
    fcn, gauss, delta = cfg.spec(2, "orthogonal"), cfg.spec(2, "gaussian", "cnn"), cfg.spec(2, "delta-orthogonal", "cnn")
    control = cfg.spec(2, "delta-gaussian", "cnn")
    assert (fcn.init, fcn.parameterization) == ("orthogonal", "standard")
    assert (gauss.init, gauss.filter) == ("gaussian", "full") and (delta.init, delta.filter) == ("orthogonal", "delta")
    assert (control.init, control.filter) == ("gaussian", "delta")
    assert delta.W_std == fcn.W_std and delta.b_std == fcn.b_std  # one critical point for both architectures
    assert sp.training_data(cfg, "cnn").x_train.shape[1:] == (8, 8, 1)
    assert sp.training_data(cfg, "fcn").x_train.shape[1:] == (64,)


def test_speedup_grid_is_on_the_critical_line(speedup_quick):
    from orthontk_lib import meanfield

    cfg, arrays = speedup_quick
    assert meanfield.chi("tanh", cfg.W_var**0.5, float(arrays["b_std"])) == pytest.approx(1.0, abs=1e-6)


def test_region_speedup_of_a_known_grid():
    tau = np.empty((2, 2, 2, 2))
    tau[:, 0], tau[:, 1] = 40.0, 10.0  # Gaussian 4x slower everywhere
    arrays = {"tau": tau, "steps": np.asarray(100)}
    v, ci, cells = sp.region_speedup(arrays, "deep-large")
    assert v == pytest.approx(4.0) and ci == pytest.approx((4.0, 4.0)) and cells == 1
    tau[:, :, 1] = np.nan  # at the larger lr every run fails: no information
    assert sp.region_speedup(arrays, "deep-large")[2] == 0


def test_speedup_config_rejects_inverted_learning_rates():
    from orthontk_lib.book.profiles import ConfigError

    with pytest.raises(ConfigError, match="^lr_max:"):
        sp.Config.for_profile("quick", use_env=False, lr_min=1.0, lr_max=0.1)
    with pytest.raises(ConfigError, match="^cnn_lr_max:"):
        sp.Config.for_profile("quick", use_env=False, cnn_lr_min=1.0, cnn_lr_max=0.1)
    with pytest.raises(ConfigError, match="^cnn_target:"):
        sp.Config.for_profile("quick", use_env=False, cnn_target=1.5)


# Constancy under training

from orthontk_lib.chapters import constancy as con  # noqa: E402
from orthontk_lib.book.profiles import ConfigError  # noqa: E402


@pytest.fixture(scope="module")
def constancy_quick():
    return con.compute(con.Config.for_profile("quick", use_env=False))


@pytest.mark.parametrize("init", con.INITS)
def test_constancy_kernel_drift_vanishes_at_least_as_one_over_sqrt_width(constancy_quick, init):
    s, ci, _ = con.change_slopes(constancy_quick)[con.INITS.index(init)]
    assert ledger.verdict(f"constancy-slope-{init}", s, ci) == "holds", (s, ci)


def test_constancy_orthogonal_and_gaussian_drift_by_the_same_order(constancy_quick):
    v, ci = con.init_ratio(constancy_quick)
    assert ledger.verdict("constancy-orth-over-gauss", v, ci) == "holds", (v, ci)


def test_constancy_network_approaches_its_linearization(constancy_quick):
    s, ci = con.common_slope(constancy_quick, con.linearization_gap(constancy_quick))
    assert ledger.verdict("constancy-linearization", s, ci) == "holds", (s, ci)


def test_constancy_cnn_kernel_drift_vanishes_with_channels(constancy_quick):
    s, ci = con.common_slope(constancy_quick, con.final_change(constancy_quick, "cnn"), "cnn")
    assert ledger.verdict("constancy-cnn-slope", s, ci) == "holds", (s, ci)


def test_constancy_large_lr_moves_the_kernel_order_one_until_stable(constancy_quick):
    a = constancy_quick
    assert ledger.verdict("constancy-large-lr", con.large_lr_change(a)) == "holds", con.large_lr_change(a)
    assert (con.final_change(a, lr=1)[-1] > 5 * con.final_change(a, lr=0)[-1]).all()
    before, after = con.final_sharpness(a)
    assert before > 2 > after, (before, after)  # unstable for the linearization at first, stable at the end
    assert not a["fcn_diverged"].any()


def test_linearized_outputs_match_explicit_gradient_descent():
    rng = np.random.default_rng(0)
    j = rng.normal(size=(5, 7))
    ntk, f0, y, eta = j @ j.T, rng.normal(size=(5, 1)), rng.normal(size=(5, 1)), 0.3
    f, out = f0.copy(), []
    for t in range(4):
        out.append(f.copy())
        f = f - eta / 5 * ntk @ (f - y)
    np.testing.assert_allclose(con.linearized_outputs(ntk, f0, y, eta, np.arange(4)), np.stack(out), rtol=1e-10)


def test_constancy_config_rejects_a_small_lr_above_the_stability_limit():
    with pytest.raises(ConfigError, match="lr_small"):
        con.Config.for_profile("quick", use_env=False, lr_small=2.5)


# Transition to linearity

from orthontk_lib.chapters import linearity as lin  # noqa: E402


@pytest.fixture(scope="module")
def linearity_quick():
    return lin.compute(lin.Config.for_profile("quick", use_env=False))


def test_linear_output_hessian_shrinks_as_one_over_sqrt_width(linearity_quick):
    s, ci, _ = lin.hessian_slopes(linearity_quick)[0]
    assert ledger.verdict("linearity-hessian-slope", s, ci) == "holds", (s, ci)


def test_nonlinear_output_hessian_does_not_shrink(linearity_quick):
    s, ci, _ = lin.hessian_slopes(linearity_quick)[1]
    assert ledger.verdict("linearity-nonlinear-output", s, ci) == "holds", (s, ci)


def test_gradient_norm_stays_order_one(linearity_quick):
    g = linearity_quick["gradient"][0].mean((-1, -2))  # linear output, by width
    assert g.max() / g.min() < 1.5, g


def test_nonlinear_output_kernel_moves_order_one_linear_one_does_not(linearity_quick):
    change = linearity_quick["change"][:, -1, :, -1].mean(-1)  # (output,) at the largest width
    assert ledger.verdict("linearity-kernel-change-nonlinear", change[1]) == "holds", change
    assert change[0] < change[1] / 5, change


SPEEDUP_SHARDED = """
import numpy as np
from orthontk_lib.chapters import speedup as sp
cfg = sp.Config.for_profile("smoke", use_env=False, n_lrs=3, n_seeds=2, steps=20, cnn_n_lrs=3, cnn_steps=10)
mesh = sp.default_mesh()
assert mesh is not None and mesh.devices.size == 4
for arch in sp.ARCHS:
    data = sp.training_data(cfg, arch)
    a, b = sp.depth_point(cfg, data, 3, mesh, arch), sp.depth_point(cfg, data, 3, None, arch)
    for k in b:
        np.testing.assert_allclose(a[k], b[k], rtol=1e-5, atol=1e-6)
print("identical")
"""


def test_speedup_grid_spreads_over_four_devices_with_identical_results(run_on_four_cpu_devices):
    assert "identical" in run_on_four_cpu_devices(SPEEDUP_SHARDED)


# The NTK at large depth (Edge of Chaos)

from orthontk_lib.chapters import edge_of_chaos as eoc  # noqa: E402
from orthontk_lib import kernels, meanfield  # noqa: E402
from orthontk_lib.models import FCN  # noqa: E402


@pytest.fixture(scope="module")
def eoc_quick():
    return eoc.compute(eoc.Config.for_profile("quick", use_env=False))


@pytest.mark.parametrize("phase", ["ordered", "chaotic"])
def test_eoc_off_critical_kernels_become_trivial_exponentially(eoc_quick, phase):
    v = eoc.exponential_advantage(eoc_quick, phase)
    assert ledger.verdict(f"eoc-{phase}-exponential", v) == "holds", v


def test_eoc_rates_are_the_mean_field_ones(eoc_quick):
    ratio, ratios = eoc.rate_ratio(eoc_quick)
    assert ledger.verdict("eoc-rate-theory", ratio) == "holds", ratios


def test_eoc_critical_kernels_approach_their_limit_polynomially(eoc_quick):
    v = eoc.power_advantage(eoc_quick, "edge")
    assert ledger.verdict("eoc-critical-polynomial", v) == "holds", v


def test_eoc_only_critical_kernels_still_classify_at_depth(eoc_quick):
    v = eoc.depth_accuracy_gap(eoc_quick)
    assert ledger.verdict("eoc-depth-accuracy", v) == "holds", v


def test_eoc_orthogonal_network_follows_the_analytic_kernel_at_moderate_depth(eoc_quick):
    dev = eoc.empirical_deviation(eoc_quick)
    assert ledger.verdict("eoc-orthogonal-follows", float(dev.max())) == "holds", dev


def test_kernels_by_depth_match_the_kernel_of_each_depth():
    x = np.random.default_rng(0).normal(size=(5, 8))
    by_depth = kernels.analytic_ntk_by_depth("erf", 1.3, 0.2, x, 4)
    for depth in (1, 4):
        ref = np.asarray(kernels.analytic_ntk(FCN(depth, 8, "erf", 1.3, 0.2), x))
        np.testing.assert_allclose(by_depth[depth - 1], ref, rtol=1e-5)


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


# Condensation at small initialization

from orthontk_lib.chapters import condensation as cd  # noqa: E402


@pytest.fixture(scope="module")
def cd_quick():
    cfg = cd.Config.for_profile("quick", use_env=False)
    return cfg, cd.compute(cfg)


def test_condensation_p1_neurons_condense_onto_at_most_two_orientations(cd_quick):
    cfg, a = cd_quick
    v = cd.bound_ratio(a, cfg.activations)
    assert ledger.verdict("condensation-orientations", v) == "holds", cd.counts_at_stage_end(a)[:, -1]
    assert np.all(cd.counts_at_stage_end(a)[0, -1] >= 2)  # and they do condense onto a line: both orientations


def test_condensation_1d_bound_and_multiplicity(cd_quick):
    cfg, a = cd_quick
    v = cd.bound_ratio(a, cfg.activations_1d, "line")
    assert ledger.verdict("condensation-1d-bound", v) == "holds", a["line_count_end"]
    gap = cd.multiplicity_gap(a, cfg.activations_1d)
    assert ledger.verdict("condensation-multiplicity", gap) == "holds", a["line_count_end"]


def test_condensation_1d_lines_lie_between_gradient_flows_and_adams_diagonals(cd_quick):
    # Adam's early updates are sign-like, pulling a line from gradient flow's direction toward the nearest
    # diagonal of the (w, b) plane, never past it: each measured line lies between the two (2° slack).
    cfg, a = cd_quick
    d1 = cd.line_data(cfg)
    for i, act in enumerate(cfg.activations_1d):
        if cd.MULTIPLICITY[act] not in (1, 2):
            continue
        measured = cd.line_angles(a["line_u"][i][a["line_end"][i, 0]], cfg.threshold, cfg.cover)
        predicted = cd.predicted_line_angles(d1.x_train, d1.y_train, cd.MULTIPLICITY[act])
        assert len(measured) == len(predicted), (act, measured, predicted)
        for m, p in zip(measured, predicted):
            diagonal = 45.0 + 90.0 * round((p - 45.0) / 90.0)
            lo, hi = sorted((p, diagonal))
            assert lo - 2 <= m <= hi + 2, (act, m, p, diagonal)


def test_condensation_none_at_lecun_scale(cd_quick):
    _, a = cd_quick
    v = cd.lazy_orientations(a)
    assert ledger.verdict("condensation-lazy-none", v) == "holds", v


def test_condensation_weight_change_scales_as_one_over_s(cd_quick):
    _, a = cd_quick
    slope, slopes = cd.change_slope(a)
    assert ledger.verdict("condensation-weight-change", slope) == "holds", slopes
    final = np.median(a["rel_change"][..., -1], -1)  # (activation, scale)
    assert np.all(final[:, 0] < 2) and np.all(final[:, -1] > 50)  # order 1 at s = 1, order 1/s at s = 0.003


def test_condensed_orientations_counts_a_line_as_two_and_random_directions_as_many():
    rng = np.random.default_rng(0)
    v = rng.normal(size=6)
    line = np.outer(rng.choice([-1.0, 1.0], 40) * rng.uniform(1, 2, 40), v) + 1e-3 * rng.normal(size=(40, 6))
    assert cd.condensed_orientations(line) == 2
    assert cd.condensed_orientations(rng.normal(size=(40, 6))) > 20
    small = np.concatenate([line, 1e-4 * rng.normal(size=(10, 6))])  # neurons that did not grow do not count
    assert cd.condensed_orientations(small) == 2


def test_initial_stage_ends_at_the_first_loss_drop():
    assert cd.initial_stage_end(np.array([10.0, 9.8, 9.4, 9.0]), 0.05) == 2
    assert cd.initial_stage_end(np.array([10.0, 9.9]), 0.05) == -1


def test_predicted_lines_of_gradient_flow():
    x = np.linspace(-1, 1, 9)
    assert cd.predicted_line_angles(x, np.ones(9), 1) == pytest.approx([90.0])  # v = mean of (x, 1): the bias axis
    assert cd.predicted_line_angles(x, x, 1) == pytest.approx([0.0])  # v ∝ (mean x², 0): the weight axis
    assert cd.predicted_line_angles(x, np.ones(9), 2) == pytest.approx([0.0, 90.0])  # R diagonal: the two axes


def test_multiplicity_table_matches_the_activations_derivatives():
    import jax

    from orthontk_lib.models import activation_fn

    for name, p in cd.MULTIPLICITY.items():
        if p is None:
            continue
        f = activation_fn(name)
        derivs = []
        for _ in range(p):
            f = jax.grad(f)
            derivs.append(float(f(0.0)))
        assert all(abs(d) < 1e-6 for d in derivs[:-1]) and abs(derivs[-1]) > 0.1, (name, derivs)


def test_condensation_config_rejects_bad_values_by_name():
    from orthontk_lib.book.profiles import ConfigError

    with pytest.raises(ConfigError, match="activations"):
        cd.Config.for_profile("quick", use_env=False, activations=["swish"])
    with pytest.raises(ConfigError, match="records"):
        cd.Config.for_profile("quick", use_env=False, steps=1000, records=300)
    with pytest.raises(ConfigError, match="scales"):
        cd.Config.for_profile("quick", use_env=False, scales=[1.0, 0.0])
