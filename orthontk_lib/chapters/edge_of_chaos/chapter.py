r"""The chapter as one: its claims (:data:`CLAIMS`, in the order the ledger lists them), sweeps and arrays (:func:`compute`),
:func:`measure` and :func:`numbers`, each experiment's in turn."""

from orthontk_lib.book.prose import IMAGES

from .decay import DECAY_CLAIMS, growth_numbers, measure_decay
from .depth import ANALYTIC_SWEEP, depth_arrays, depth_numbers
from .exact_rates import EXACT_SWEEP, RATE_CLAIMS, exact_arrays, exact_rate_numbers, measure_rate_forms
from .finite_width import (
    EMPIRICAL_SWEEP,
    FINITE_WIDTH_CLAIMS,
    empirical_arrays,
    empirical_numbers,
    measure_finite_width,
)
from .phase_diagram import PHASE_SWEEP, phase_arrays
from .rates import RATES_SWEEP, rate_arrays, rate_figure_numbers
from .trainability import TRAIN_CLAIMS, TRAIN_SWEEP, measure_trainability, train_arrays, train_numbers

__all__ = ["CLAIMS", "SWEEPS", "compute", "measure", "numbers"]

CLAIMS = [*DECAY_CLAIMS, *FINITE_WIDTH_CLAIMS, *RATE_CLAIMS, *TRAIN_CLAIMS]

SWEEPS = {"analytic": ANALYTIC_SWEEP, "empirical": EMPIRICAL_SWEEP, "phase": PHASE_SWEEP, "rates": RATES_SWEEP,
          "exact-rates": EXACT_SWEEP, "trainability": TRAIN_SWEEP}
"""The chapter's sweeps. The finite-width kernels and the rate fits use the first ``emp_inputs`` training images of
``dataset`` (``emp_inputs`` at most ``n_train``)."""


def compute(cfg):
    """Every experiment's arrays, saved point by point: the analytic depth sweep, the finite-width check, the phase
    diagram, the direct and exact rate recursions and the trainability runs."""
    out = {**depth_arrays(cfg), **empirical_arrays(cfg), **phase_arrays(cfg)}
    direct = rate_arrays(cfg)
    return {**out, **direct, **exact_arrays(cfg, direct), **train_arrays(cfg)}


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval (its range over windows, for the deterministic curves)."""
    return {**measure_decay(arrays, cfg), **measure_finite_width(arrays, cfg), **measure_rate_forms(arrays, cfg),
            **measure_trainability(arrays, cfg)}


def numbers(arrays, cfg, measured):
    """The numbers and phrases of the chapter's prose (``measured``: the claims measured on ``arrays``)."""
    return {
        "eoc-data": IMAGES[cfg.dataset],
        **depth_numbers(arrays, cfg, measured), **growth_numbers(arrays, measured),
        **empirical_numbers(arrays, cfg, measured), **rate_figure_numbers(arrays, cfg, measured),
        **exact_rate_numbers(arrays, cfg, measured),
        **train_numbers(arrays, cfg, measured),
    }
