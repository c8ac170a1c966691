r"""How deep the exact recursion of the quadrature activations (ELU, tanh) is checked against an independent rule: in CI
to :data:`QUADRATURE_TESTED_DEPTH`, deeper by the one-off check ``bench/quadrature_depth.py`` records."""

import pathlib

from .experiment import RATE_FORMS

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
    """The recorded check's largest difference of L (K^L/α_L - K∞) over ELU and tanh at ``depth``: words for the
    prose (``"9e-08 (measured by bench/quadrature_depth.py)"``), or a plain "not recorded"."""
    record = _check_record(path)
    if record is None or depth not in record[0]:
        return "not recorded at that depth"
    return f"{record[0][depth]:.0e} (measured by bench/quadrature_depth.py)"


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


def tested_depth_words(arrays, checked=None):
    """How deep the quadrature activations' exact curves are checked against an independent rule: in CI to
    :data:`QUADRATURE_TESTED_DEPTH`, and deeper by the recorded check (``checked``: :func:`quadrature_checked_depth`'s
    triple, read from ``bench/results.json`` when None), against how deep the curves run."""
    depth, diff, date = quadrature_checked_depth() if checked is None else checked
    deepest = max(int(arrays[f"exact_depths_{a}"][-1]) for a in RATE_FORMS if a != "relu")
    ci = (f"the tests hold the ELU and tanh recursions to an independent quadrature rule down to "
          f"{QUADRATURE_TESTED_DEPTH:,} layers")
    if diff is not None:
        ci += (f", and a one-off check (bench/quadrature_depth.py, {date}) follows both rules to {depth:,} layers, "
               f"where L (K^L/α_L − K∞) differs by at most {diff:.1g}")
    if deepest <= depth:
        return f"{ci}: every depth of the curves (to {deepest:,}) is checked"
    return (f"{ci} (the red dotted line); the curves run to {deepest:,}, and beyond the checked depth rounding "
            "accumulated over many layers is not excluded as a cause of how they bend")
