r"""The tests every chapter's claims get, made once: ``quick, test_..., test_... = chapter_tests(module, CASES, ASSERTED)``.

In a chapter's test file::

    quick, test_each_claim_can_hold_and_fail, test_quick_profile_decides_with_a_clear_margin = chapter_tests(
        setting, CASES, ASSERTED)

* ``CASES``: ``{claim id: (a measurement that satisfies it, one that violates it)}``, each ``(value, (lo, hi))``:
  every claim's check is shown able to come out either way;
* ``ASSERTED``: ``{claim id: verdict}`` for the claims whose quick-profile evidence has a clear margin
  (:func:`orthontk_lib.claims.decided`); a marginal claim is shown in the ledger, never asserted; every claim,
  asserted or not, must be measured on the quick run (a claim added to ``CLAIMS`` without its line in
  ``measure`` fails here, not first in the book build);
* ``quick``: a module-scoped fixture, ``(cfg, arrays)`` of the chapter's quick profile, for the file's other tests;
* ``unread`` (optional): config overrides that shrink the parts of the quick profile no asserted claim and no test
  of the file reads (a sweep whose knobs no asserted claim's arrays depend on), to spare CI their cost. The asserted
  claims are still measured on the quick profile's own arrays: ``shrunk`` names the sweeps the overrides reach, a
  test holds that they reach exactly those (a sweep reads nothing but its declared knobs), and the caller states
  that no asserted claim reads them.

A test of a chapter's prose calls :func:`prose`, which measures the claims as the book does and hands them to the
chapter's ``numbers``; a test that needs a given verdict feeds that claim's measurement in instead of patching the
statistic behind it.
"""

import pytest

from orthontk_lib.claims import Measured, decided

__all__ = ["chapter_tests", "prose"]


def prose(module, arrays, cfg, measurements=None):
    """``module.numbers(arrays, cfg, measured)`` with the claims measured on ``arrays``, as the book glues them;
    ``measurements`` (``{claim id: (value, ci[, detail])}``) replace the measured values of the claims they name."""
    measured = module.measure(arrays, cfg)
    return module.numbers(arrays, cfg, Measured(module.CLAIMS, {**measured, **(measurements or {})}))


def chapter_tests(module, cases, asserted, unread=None, shrunk=()):
    """The ``quick`` fixture and the two claim tests of ``module``'s ``CLAIMS`` (``unread``, ``shrunk``: see the
    module's docstring); with ``unread``, a third test returned last: the overrides touch exactly the sweeps named in
    ``shrunk``."""

    @pytest.fixture(scope="module", name="quick")
    def quick():
        from orthontk_lib.book.registry import matmul_precision

        cfg = module.Config.for_profile("quick", use_env=False, **(unread or {}))
        with matmul_precision(cfg):  # as the book runs it
            return cfg, module.compute(cfg)

    @pytest.mark.parametrize("claim", module.CLAIMS, ids=lambda c: c.id)
    def test_each_claim_can_hold_and_fail(claim):
        assert claim.id in cases, f"{claim.id}: no synthetic case that satisfies it and one that violates it"
        assert [claim.verdict(*case) for case in cases[claim.id]] == ["holds", "does not hold"]

    measured = {}  # the quick run measured once, for every claim's test

    @pytest.mark.parametrize("claim", module.CLAIMS, ids=lambda c: c.id)
    def test_quick_profile_decides_with_a_clear_margin(quick, claim):
        """Every claim is measured (``measure`` names exactly the ``CLAIMS``); an asserted one is decided."""
        cfg, arrays = quick
        if "m" not in measured:
            measured["m"] = Measured.of(module, arrays, cfg)  # raises if a claim is not measured, or one too many
        m = measured["m"][claim.id]
        if claim.id in asserted:
            assert decided(claim, m) == asserted[claim.id], m

    unknown = set(asserted) - {c.id for c in module.CLAIMS}
    if unknown:
        raise ValueError(f"ASSERTED names claims {module.__name__} does not declare: {sorted(unknown)}")
    if not unread:
        return quick, test_each_claim_can_hold_and_fail, test_quick_profile_decides_with_a_clear_margin

    def test_the_shrunk_parts_are_the_declared_sweeps():
        touched = {name for name, sweep in module.SWEEPS.items() if set(unread) & set(sweep.knobs + sweep.over)}
        assert touched == set(shrunk), f"the overrides {sorted(unread)} reach the sweeps {sorted(touched)}"

    return (quick, test_each_claim_can_hold_and_fail, test_quick_profile_decides_with_a_clear_margin,
            test_the_shrunk_parts_are_the_declared_sweeps)
