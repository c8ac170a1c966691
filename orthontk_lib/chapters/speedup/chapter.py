r"""The chapter as one: its claims (:data:`CLAIMS`, each experiment's in turn) and :func:`measure`, the FCN claims
read again at the second target (:func:`target_check`), and :func:`numbers`, the prose's numbers of the setting and
of every experiment."""

import math

from orthontk_lib import meanfield

from .cnn_grid import CNN_CLAIMS, cnn_numbers, measure_cnn
from .experiment import FIGURE
from .fcn_grid import GRID_CLAIMS, grid_numbers, measure_grid
from .statistics import at_alt_target
from .sweeps import view
from .width_family import FAMILY_CLAIMS, family_numbers, measure_family

CLAIMS = GRID_CLAIMS + FAMILY_CLAIMS + CNN_CLAIMS


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval."""
    return {**measure_grid(arrays, cfg), **measure_family(arrays, cfg), **measure_cnn(arrays, cfg)}


FCN_CLAIMS = tuple(c.id for c in GRID_CLAIMS + FAMILY_CLAIMS)
"""The claims of the FCN experiments (the grid and the width family), which have a second target."""


def target_check(arrays, cfg, main=None):
    """The FCN claims measured at the second target: ``{claim id: (verdict at target, at target_alt, measurement)}``;
    ``main`` is :func:`measure` at the first target when the caller has it already."""
    main = measure(arrays, cfg) if main is None else main
    alt_arrays = {**arrays, **{f"{p}{k}": v for p in ("", "family_") for k, v in
                               at_alt_target(view(arrays, p[:-1] or "fcn")).items()}}
    alt = {**measure_grid(alt_arrays, cfg), **measure_family(alt_arrays, cfg)}  # the CNN grid has one target
    claims = {c.id: c for c in GRID_CLAIMS + FAMILY_CLAIMS}
    return {cid: (claims[cid].verdict(*main[cid][:2]), claims[cid].verdict(*alt[cid][:2]), alt[cid])
            for cid in FCN_CLAIMS}


def numbers(arrays, cfg, measured):
    """The numbers and phrases of the chapter's prose (``measured``: the claims measured on ``arrays``): the setting's,
    each experiment's (:func:`grid_numbers`, :func:`family_numbers`, :func:`cnn_numbers`), and the second target's."""
    fcn = view(arrays, "fcn")
    q_star = meanfield.q_star("tanh", math.sqrt(cfg.W_var), cfg.b_std)
    check = target_check(arrays, cfg, measured)
    return {
        "sp-differs": FIGURE.caption(cfg),
        "sp-wvar": f"{cfg.W_var:g}", "sp-bvar": f"{cfg.b_std ** 2:.3g}", "sp-qstar": f"{q_star:.4f}",
        "sp-chi": f"{meanfield.chi('tanh', math.sqrt(cfg.W_var), cfg.b_std):.6f}",
        "sp-tanh-slope": f"{1 - math.tanh(math.sqrt(q_star)) ** 2:.3f}",
        "sp-data": f"{cfg.n_train} {cfg.dataset} training images",
        "sp-target-alt": f"{float(fcn['target_alt']):.0%}",
        "sp-target-check": "; ".join(f"{cid}: {a} → {b}{_cells_change(measured[cid], alt)}"
                                     for cid, (a, b, alt) in check.items()),
        "sp-target-words": target_words(measured, check),
        **grid_numbers(arrays, cfg, measured),
        **family_numbers(arrays, cfg, measured),
        **cnn_numbers(arrays, cfg, measured),
    }


def _cells(measurement):
    """A speed claim's cells (where both inits mostly train), None for other measurements."""
    return (getattr(measurement, "detail", None) or {}).get("cells")


def _cells_change(main, alt):
    """`` (n → m cells)`` where a speed claim's cells (both inits mostly train) differ between the targets."""
    a, b = _cells(main), _cells(alt)
    return f" ({a} → {b} cells)" if a is not None and b is not None and a != b else ""


def target_words(main, check):
    """The second target's verdicts in words: the same, or which change and whether because the cells where both
    inits train thin out there (power lost, not an effect reversed) or with the cells kept (the conclusion hinges on
    the target)."""
    differ = [cid for cid, (a, b, _) in check.items() if a != b]
    if not differ:
        return "the five verdicts are the same at both targets: the conclusions do not hinge on the target"
    thinned = [cid for cid in differ if None not in (_cells(main[cid]), _cells(check[cid][2]))
               and _cells(check[cid][2]) < _cells(main[cid])]
    words = (f"{len(differ)} of the five verdicts change{'s' if len(differ) == 1 else ''} with the target "
             f"({', '.join(differ)})")
    if thinned == differ:
        return (words + ": because fewer cells have most seeds of both inits reaching the higher target (runs that "
                "reach one target miss the other), so the change is power lost, not an effect reversed")
    return words + ": those conclusions hinge on the target"
