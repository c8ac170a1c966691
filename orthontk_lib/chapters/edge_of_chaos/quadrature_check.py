r"""How deep the exact recursion of the quadrature activations (ELU, tanh) is checked against an independent rule: in CI
to :data:`QUADRATURE_TESTED_DEPTH`, deeper by the one-off check ``bench/quadrature_depth.py`` records."""

import pathlib

from .experiment import RATE_FORMS

__all__ = ["CHECK_TOLERANCE", "QUADRATURE_CHECK", "QUADRATURE_TESTED_DEPTH", "_check_record",
           "quadrature_checked_depth", "recorded_difference", "tested_depth_numbers"]

QUADRATURE_TESTED_DEPTH = 1000
"""The depth to which the tests hold the exact recursion of the quadrature activations (ELU, tanh) to an independent
quadrature rule (``tests/test_meanfield.py``, in CI). Deeper, :func:`quadrature_checked_depth` reads the one-off
check of ``bench/quadrature_depth.py``. ReLU's recursion is a closed form, checked to 100,000 layers."""


QUADRATURE_CHECK = pathlib.Path(__file__).resolve().parents[3] / "bench" / "results.json"
"""Where ``bench/quadrature_depth.py`` records its check (key ``quadrature_depth``)."""


CHECK_TOLERANCE = 1e-3
r"""Largest difference of :math:`L\,(K^L/\alpha_L - K_\infty)` between the library's recursion and the independent
rule at which a depth counts as checked: a thousandth of the unit-sized values the rate statistic fits."""


def _check_record(path):
    """The recorded check: ``({depth: largest difference over ELU and tanh}, date)``, depths both recorded; None where
    there is no readable record."""
    import json

    try:
        entry = json.loads(pathlib.Path(path).read_text())["quadrature_depth"]
        diffs = [{int(k): float(v) for k, v in entry[a]["max_abs_diff_L_ratio"].items()} for a in ("elu", "tanh")]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return {L: max(diffs[0][L], diffs[1][L]) for L in sorted(set(diffs[0]) & set(diffs[1]))}, entry.get("date")


def recorded_difference(depth=QUADRATURE_TESTED_DEPTH, path=QUADRATURE_CHECK):
    """The recorded check's largest difference of L (K^L/α_L - K∞) over ELU and tanh at ``depth``, as the prose shows
    it (``"9e-08"``), or ``"not recorded"``."""
    record = _check_record(path)
    if record is None or depth not in record[0]:
        return "not recorded"
    return f"{record[0][depth]:.0e}"


def quadrature_checked_depth(path=QUADRATURE_CHECK):
    r"""``(depth, difference, date)``: the deepest layer at which the recorded check found both quadrature
    activations (ELU, tanh) within :data:`CHECK_TOLERANCE` of the independent rule, with every shallower recorded
    depth within it too, and the largest difference of :math:`L\,(K^L/\alpha_L - K_\infty)` up to there;
    ``(QUADRATURE_TESTED_DEPTH, None, None)`` where no check is recorded or it does not reach deeper."""
    record = _check_record(path)
    if record is None:
        return QUADRATURE_TESTED_DEPTH, None, None
    depth, worst = QUADRATURE_TESTED_DEPTH, None
    for L, d in record[0].items():
        if not d <= CHECK_TOLERANCE:
            break
        if L >= depth:
            depth, worst = L, max(d, worst or 0.0)
    return (depth, worst, record[1]) if worst is not None else (QUADRATURE_TESTED_DEPTH, None, None)


def tested_depth_numbers(arrays, checked=None):
    """How deep the quadrature activations' exact curves are checked against an independent rule, as glued values: in
    CI to :data:`QUADRATURE_TESTED_DEPTH` (``eoc-ci-depth``, with the recorded difference there, ``eoc-check-tested``),
    by the recorded one-off check (``checked``: :func:`quadrature_checked_depth`'s triple, read from
    ``bench/results.json`` when None) to ``eoc-checked-depth`` with at most ``eoc-checked-diff`` on its date, and
    how deep the curves run (``eoc-quad-deepest``), all of it checked or only to the checked depth
    (``eoc-quad-checked``)."""
    depth, diff, date = quadrature_checked_depth() if checked is None else checked
    deepest = max(int(arrays[f"exact_depths_{a}"][-1]) for a in RATE_FORMS if a != "relu")
    return {
        "eoc-ci-depth": f"{QUADRATURE_TESTED_DEPTH:,}",
        "eoc-check-tested": recorded_difference(),
        "eoc-checked-depth": f"{depth:,}",
        "eoc-checked-diff": "not recorded" if diff is None else f"{diff:.1g}",
        "eoc-checked-date": date or "not recorded",
        "eoc-quad-deepest": f"{deepest:,}",
        "eoc-quad-checked": "all of them" if deepest <= depth else f"those to {depth:,} (red dotted line)",
    }
