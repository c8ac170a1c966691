r"""The chapter as one: its claims (:data:`CLAIMS`, in the order the ledger lists them), sweeps and arrays (:func:`compute`),
:func:`measure`, :func:`numbers`, and the robustness section, which reads every bound claim."""

import numpy as np

from .adam import ADAM_CLAIMS, ADAM_SWEEP, adam_arrays, adam_numbers, measure_adam
from .counting import rule_sensitive, share_text
from .deep import DEEP_CLAIMS, DEEP_SWEEP, deep_arrays, deep_numbers, measure_deep
from .line import LINE_CLAIMS, LINE_SWEEP, line_arrays, line_numbers, measure_line
from .scales import LAZY_CLAIMS, MAIN_SWEEP, SCALE_CLAIMS, measure_scales, scale_arrays, scale_numbers

__all__ = ["CLAIM", "CLAIMS", "SWEEPS", "compute", "measure", "numbers", "robust_rows"]

CLAIMS = [*SCALE_CLAIMS, *ADAM_CLAIMS, *DEEP_CLAIMS, *LINE_CLAIMS, *LAZY_CLAIMS]
CLAIM = {c.id: c for c in CLAIMS}

SWEEPS = {"main": MAIN_SWEEP, "line": LINE_SWEEP, "adam": ADAM_SWEEP, "deep": DEEP_SWEEP}
"""The chapter's sweeps: GD from each (activation, scale), the 1-D networks, the paper's Adam runs and their deeper
networks, one point per activation."""


def compute(cfg):
    """Every experiment's arrays, saved point by point: the scales' (activation, scale, ...), then the 1-D, Adam and
    deeper runs' (activation, ...) with their prefixes."""
    return {**scale_arrays(cfg), **line_arrays(cfg), **adam_arrays(cfg), **deep_arrays(cfg)}


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval; the bounds' details carry each activation's seed median, the
    share of seeds above 2p and, where the weights were saved for every seed, the typical count under every counting
    rule of the grid and the reading it supports."""
    return {**measure_scales(arrays, cfg), **measure_line(arrays, cfg), **measure_adam(arrays, cfg),
            **measure_deep(arrays, cfg)}


def numbers(arrays, cfg, measured):
    """The numbers, verdict words, labels and tables of the chapter's prose (``measured``: the claims measured on
    ``arrays``): the counting rule's, each experiment's, and the robustness section's."""
    return {
        "cd-drop": f"{cfg.loss_drop:.0%}",
        "cd-threshold": f"{cfg.threshold:g} (about {np.degrees(np.arccos(cfg.threshold)):.0f}°)",
        "cd-cover": f"{cfg.cover:.0%}",
        "cd-robust-n": str(len(robust_rows(measured))),
        **scale_numbers(arrays, cfg, measured), **line_numbers(arrays, cfg, measured),
        **adam_numbers(arrays, cfg, measured), **deep_numbers(arrays, cfg, measured),
    }


# THE ROBUSTNESS SECTION


def robust_rows(m):
    """Rows of the robustness table, one per bound claim that does not hold, is inconclusive, or holds at the chapter's
    rule but not under every rule tried (:func:`rule_sensitive`): claim, verdict, typical count / 2p with interval,
    seeds above 2p (the activation with most), rules within 2p, the reading (``m``: the claims measured,
    :class:`~orthontk_lib.claims.Measured`)."""
    rows = []
    for c in CLAIMS:
        v, ci, det = m[c.id]
        if "median" not in (det or {}) or (m.verdict(c.id) == "holds" and not rule_sensitive(m, c.id)):
            continue
        worst = max(range(len(det["activations"])), key=lambda i: det["above_2p"][i][2] if det["above_2p"][i][1] else -1)
        rules = det.get("rules")
        rows.append([c.id, m.verdict(c.id), f"{v:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]",
                     f"{det['activations'][worst]}: {share_text(det['above_2p'][worst])}",
                     f"{sum(x <= 1 for _, x in rules)} of {len(rules)}" if rules else "not saved for every seed",
                     det.get("reading", "—")])
    return rows
