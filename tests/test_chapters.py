"""Each chapter's claims at the quick profile, asserted with the ledger's own tolerance."""

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
