r"""The chapter as one: its claims (:data:`CLAIMS`, each experiment's in turn) and :func:`measure`, the FCN claims
read again at the second target (:func:`target_check`), and :func:`numbers`, the prose's numbers of the setting and
of every experiment."""

import math

from orthontk_lib import meanfield, original
from orthontk_lib.claims import Measurement

from . import authors
from .experiment import FIGURE, INITS
from .cnn_grid import CNN_CLAIMS, cnn_numbers, measure_cnn
from .fcn_grid import GRID_CLAIMS, grid_numbers, measure_grid
from .statistics import at_alt_target
from .sweeps import view
from .width_family import FAMILY_CLAIMS, family_numbers, measure_family

__all__ = ["CHECK_KEYS", "CLAIMS", "FCN_CLAIMS", "_cells", "_cells_change", "_with_target_caveat", "authors_numbers",
           "measure", "numbers", "partial_numbers", "target_check"]

CLAIMS = GRID_CLAIMS + FAMILY_CLAIMS + CNN_CLAIMS


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval; an FCN claim whose verdict differs at the second target carries
    that as its caveat (``detail["caveat"]``, e.g. "inconclusive at the 80% target"), which its findings row shows."""
    main = {**measure_grid(arrays, cfg), **measure_family(arrays, cfg), **measure_cnn(arrays, cfg)}
    if "tau_alt" not in view(arrays, "fcn"):  # a grid without a second target
        return main
    return {**main, **{cid: _with_target_caveat(main[cid], b, alt, arrays) for cid, (a, b, alt) in
                       target_check(arrays, cfg, main).items() if a != b}}


def _with_target_caveat(m, alt_verdict, alt_m, arrays):
    """``m`` with a caveat saying its verdict at the second target (and, for a speed claim, its cells there), joined
    to a caveat it has already."""
    cells = _cells(alt_m)
    alt = (f"{alt_verdict} at the {float(view(arrays, 'fcn')['target_alt']):.0%} target"
           + (f" ({cells} cells)" if cells is not None else ""))
    detail = dict(m.detail or {})
    detail["caveat"] = f"{detail['caveat']}; {alt}" if detail.get("caveat") else alt
    return Measurement(m.value, m.ci, detail)


FCN_CLAIMS = tuple(c.id for c in GRID_CLAIMS + FAMILY_CLAIMS)
"""The claims of the FCN experiments (the grid and the width family), which have a second target."""

CHECK_KEYS = {"speedup-deep": "deep", "speedup-large-lr": "large-lr", "speedup-stability": "stability",
              "speedup-stability-growth": "growth", "speedup-small-lr-width": "width"}
"""The short name of each FCN claim in the second target's glued values (``sp-check-<name>-...``)."""


def target_check(arrays, cfg, main=None):
    """The FCN claims measured at the second target: ``{claim id: (verdict at target, at target_alt, measurement)}``;
    ``main`` is the FCN claims measured at the first target when the caller has them already."""
    main = {**measure_grid(arrays, cfg), **measure_family(arrays, cfg)} if main is None else main
    alt_arrays = {**arrays, **{f"{p}{k}": v for p in ("", "family_") for k, v in
                               at_alt_target(view(arrays, p[:-1] or "fcn")).items()}}
    alt = {**measure_grid(alt_arrays, cfg), **measure_family(alt_arrays, cfg)}  # the CNN grid has one target
    claims = {c.id: c for c in GRID_CLAIMS + FAMILY_CLAIMS}
    return {cid: (claims[cid].verdict(*main[cid][:2]), claims[cid].verdict(*alt[cid][:2]), alt[cid])
            for cid in FCN_CLAIMS}


def numbers(arrays, cfg, measured):
    """The numbers, intervals, verdicts and short labels of the chapter's prose (``measured``: the claims measured on
    ``arrays``): the setting's, the second target's (per FCN claim: its verdict at each target and its cells where
    both inits train), and each experiment's (:func:`grid_numbers`, :func:`family_numbers`, :func:`cnn_numbers`)."""
    fcn = view(arrays, "fcn")
    q_star = meanfield.q_star("tanh", math.sqrt(cfg.W_var), cfg.b_std)
    check = target_check(arrays, cfg, measured)
    out = {
        "sp-wvar": f"{cfg.W_var:g}", "sp-bvar": f"{cfg.b_std ** 2:.3g}", "sp-qstar": f"{q_star:.4f}",
        "sp-chi": f"{meanfield.chi('tanh', math.sqrt(cfg.W_var), cfg.b_std):.6f}",
        "sp-tanh-slope": f"{1 - math.tanh(math.sqrt(q_star)) ** 2:.3f}",
        "sp-data": f"{cfg.n_train} {cfg.dataset} training images",
        "sp-target-alt": f"{float(fcn['target_alt']):.0%}",
        "sp-target-changed": f"{sum(a != b for a, b, _ in check.values())} of {len(check)}",
        "sp-differs-count": len(FIGURE.differences(cfg)),
    }
    for cid, (a, b, alt) in check.items():
        key = f"sp-check-{CHECK_KEYS[cid]}"
        out[f"{key}-main"], out[f"{key}-alt"] = a, b
        out[f"{key}-cells"] = _cells_change(measured[cid], alt)
    return {**out, **grid_numbers(arrays, cfg, measured), **family_numbers(arrays, cfg, measured),
            **cnn_numbers(arrays, cfg, measured), **authors_numbers(arrays, cfg), **partial_numbers()}


def partial_numbers():
    """The paper-scale grid's saved points in a few words: its width, the depths where both inits are saved, the
    points still to run (``sp-partial-*``)."""
    from .partial import saved, source

    grid, pending = saved()
    todo = {}
    for depth, init in pending:
        todo.setdefault(depth, []).append(init)
    words = [f"{d} ({'both' if len(i) == len(INITS) else ', '.join(i)})" for d, i in todo.items()]
    return {"sp-partial-width": "—" if grid is None else int(grid["width"]),
            "sp-partial-depths": "none" if grid is None else ", ".join(map(str, grid["depths"])),
            "sp-partial-pending": "; ".join(words) or "none", "sp-partial-source": source()}


def authors_numbers(arrays, cfg):
    """The authors' Fig. 4 runs in a few numbers (seeds, budget, target, where they come from) and each FCN claim's
    verdict on them (``sp-authors-<claim>``: value and interval; ``-verdict``: the claim's verdict)."""
    theirs = authors.arrays()
    out = {"sp-authors-seeds": int(theirs["tau"].shape[-1]), "sp-authors-budget": authors.BUDGET,
           "sp-authors-target": f"{authors.TARGET:.0%}", "sp-authors-source": original.source()}
    rows = authors.agreement(arrays, cfg, theirs)
    for cid, value, verdict, _, _ in rows:
        out[f"sp-authors-{CHECK_KEYS[cid]}"], out[f"sp-authors-{CHECK_KEYS[cid]}-verdict"] = value, verdict
    out["sp-authors-differ"] = authors.differing(rows)
    return out


def _cells(measurement):
    """A speed claim's cells (where both inits mostly train), None for other measurements."""
    return (getattr(measurement, "detail", None) or {}).get("cells")


def _cells_change(main, alt):
    """A speed claim's cells where both inits mostly train, at the target and at the second: ``"5 → 0"``, or ``"5"``
    where they are the same; ``"—"`` for a claim that reads no cells."""
    a, b = _cells(main), _cells(alt)
    if a is None or b is None:
        return "—"
    return f"{a}" if a == b else f"{a} → {b}"
