"""Mean-field helper: known critical points and fixed points."""

import math

import numpy as np
import pytest

from orthontk_lib import meanfield as mf


def test_relu_is_critical_at_sigma_w_squared_two_without_bias():
    assert mf.chi("relu", math.sqrt(2), 0.0) == pytest.approx(1.0, abs=1e-9)
    assert mf.critical_b_std("relu", math.sqrt(2)) == 0.0


@pytest.mark.parametrize("W_std", [1.2, 1.6])
def test_relu_chi_is_half_sigma_w_squared_whatever_the_bias(W_std):
    assert mf.chi("relu", W_std, 0.3) == pytest.approx(W_std**2 / 2, rel=1e-9)


def test_relu_fixed_point_is_closed_form():
    # q = W^2 q / 2 + b^2  =>  q* = b^2 / (1 - W^2 / 2)
    assert mf.q_star("relu", 1.2, 0.5) == pytest.approx(0.25 / (1 - 0.72), rel=1e-9)
    assert mf.q_star("relu", 1.5, 0.5) == math.inf  # W^2 > 2: the variance explodes


def test_tanh_edge_of_chaos_points_from_the_papers():
    # Hayou, Doucet, Rousseau 2019: tanh EOC (sigma_b, sigma_w) = (0.2, 1.302), quoted to one digit
    assert mf.critical_b_std("tanh", 1.302) == pytest.approx(0.2, abs=0.005)
    # Huang, Du, Xu 2021 (code): sigma_w^2 = 1.05, sigma_b^2 = 2.01e-5 on the critical line
    assert mf.critical_b_std("tanh", math.sqrt(1.05)) ** 2 == pytest.approx(2.01e-5, rel=1e-3)


def test_critical_point_has_chi_one_and_the_phases_lie_either_side():
    b = mf.critical_b_std("tanh", 1.4)
    assert mf.chi("tanh", 1.4, b) == pytest.approx(1.0, abs=1e-8)
    assert mf.chi("tanh", 1.4, b / 2) > 1 > mf.chi("tanh", 1.4, 2 * b)  # chaotic below, ordered above


def test_no_critical_bias_is_a_clear_error():
    with pytest.raises(ValueError, match="^W_std: no critical b_std"):
        mf.critical_b_std("tanh", 0.9)
    assert np.isnan(mf.critical_line("tanh", [0.9, 1.302])[0])


def test_expectation_of_a_polynomial_is_exact():
    from orthontk_lib import dual

    assert dual.expectation(lambda x: x**4, 2.0) == pytest.approx(3 * 2.0**2, rel=1e-12)
