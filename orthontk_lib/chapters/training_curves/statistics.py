r"""Statistics of the training curves read from the saved arrays (slopes, gaps, growth rates, with their intervals)."""


import numpy as np

from orthontk_lib import stats

__all__ = ["LEVEL", "LOSSES", "MARGIN", "WINDOWS", "YLABELS", "final", "log_ratios", "loss_gap", "optimizer_name",
           "seeds_to_decide", "setting_losses"]

# STATISTICS

LOSSES = ("train_loss", "test_loss")
"""The curves the claim compares: the training and the test loss (the accuracy curves are shown, not tested)."""

WINDOWS = ("first half", "second half")
"""The recorded steps are split in two, so that a gap of one sign early and the other late cannot cancel."""

LEVEL = 1 - 0.05 / (len(LOSSES) * len(WINDOWS))
"""Each of the four (curve, half) intervals is at this level (Bonferroni), so that all four cover their means together
with probability at least 95%."""

MARGIN = 0.2
r"""δ, the equivalence margin: over each half of training, the orthogonal runs' loss is within a fifth of the
Gaussian runs' in log, :math:`|\overline{\log(\ell_{orth}/\ell_{gauss})}| \le 0.2` (a ratio between 0.82 and 1.22).

Read off the paper's own full-batch figure, before any run of this book at the settings it shows: the authors'
published runs behind it (30 seeds per init; WeiHuang05/Neural-Tangent-Kernel-with-Orthogonal-Initialization,
``data/full_batch``), read with this statistic (:func:`loss_gap`; :func:`~.authors.paper_gap` computes it from the
committed summaries), give about 0.12 at depth 3 / width 400, its 95% interval ending at 0.157 (the orthogonal training
loss about 11% lower over the second half), and about 0.04 at depth 7 / width 800.
The paper overlays these curves and calls them the same, so "the same" here means at most as far apart as the
paper's own curves can be, their upper 95% end rounded up: 0.2. The margin is fixed at every profile and seed count,
so more seeds narrow the intervals towards a verdict instead of moving the bar; each setting's seed spread is
reported beside it (:func:`loss_gap`'s detail) to show how many seeds the margin asks for there."""

def log_ratios(losses):
    r"""Per seed pair, the mean log loss ratio over each half of the recorded steps:

    .. math:: D_{c,w,s} = \frac{1}{|w|} \sum_{t \in w} \left(\log \ell_{orth,c,s}(t) - \log \ell_{gauss,c,s}(t)\right)

    where :math:`c` is the curve (:data:`LOSSES`), :math:`w` a half of the records (:data:`WINDOWS`) and :math:`s`
    the seed; the two inits' seed ``s`` share their data order, so they are compared as a pair.

    Args:
      losses: (curve, init, seed, record) positive losses, inits in :data:`INITS` order.

    Returns:
      (curve, window, seed).

    >>> log_ratios(np.ones((2, 2, 3, 5))).shape
    (2, 2, 3)
    """
    r = np.diff(np.log(np.asarray(losses, np.float64)), axis=1)[:, 0]  # (curve, seed, record)
    half = r.shape[-1] // 2
    return np.stack([r[..., :half].mean(-1), r[..., half:].mean(-1)], axis=1)


def loss_gap(losses, margin=MARGIN):
    r"""The largest mean log loss ratio over the curves and halves, :math:`A = \max_{c,w} |\bar D_{c,w}|`, with a
    95% interval that covers all four at once.

    Each :math:`\bar D_{c,w}` (the mean over seeds of :func:`log_ratios`) gets its t-interval at :data:`LEVEL`
    (:func:`orthontk_lib.stats.largest_deviation_ci`; Bonferroni over the four). The interval for :math:`A` runs from
    the largest distance of an interval from zero to the largest end in absolute value: it lies below ``margin`` when
    every interval lies inside :math:`[-\delta, \delta]`, above it when one lies wholly outside. A t-interval is
    exact for normal seeds at any seed count; a percentile bootstrap over 6 seeds covers well under 95%. A
    non-finite loss (a diverged run) makes everything ``nan``.

    Args:
      losses: (curve, init, seed, record) positive losses, inits in :data:`INITS` order.
      margin: δ, for the detail's seed count.

    Returns:
      ``(A, (lo, hi), detail)``; detail: ``curve`` and ``window`` of A, ``seed_spread`` (the largest s.d. over
      seeds of :math:`D_{c,w,s}`), ``n_seeds`` and ``seeds_to_decide`` (:func:`seeds_to_decide`).

    >>> ell = np.ones((2, 2, 4, 6)); ell[1, 1] *= 1.2  # the orthogonal test loss 20% above at every step
    >>> a, (lo, hi), d = loss_gap(ell)
    >>> round(a, 4), round(lo, 4), round(hi, 4), d["curve"]
    (0.1823, 0.1823, 0.1823, 'test_loss')
    """
    d = log_ratios(losses)  # (curve, window, seed)
    n = d.shape[-1]
    flat = d.reshape(-1, n)
    a, ci, k = stats.largest_deviation_ci(flat, level=1 - (1 - LEVEL) * len(flat))
    if k is None:
        return a, ci, {"curve": None, "window": None, "seed_spread": None, "n_seeds": n, "seeds_to_decide": None}
    detail = {"curve": LOSSES[k // len(WINDOWS)], "window": WINDOWS[k % len(WINDOWS)],
              "seed_spread": float(flat.std(-1, ddof=1).max()), "n_seeds": int(n),
              "seeds_to_decide": seeds_to_decide(d, margin)}
    return a, ci, detail


def seeds_to_decide(ratios, margin=MARGIN, most=10_000):
    r"""The smallest seed count per init at which :func:`loss_gap` would decide, if every mean and seed spread of
    ``ratios`` stayed as measured: the first :math:`n' \ge n` with every :math:`|\bar D_k| + h_k(n') \le \delta`
    (holds) or some :math:`|\bar D_k| - h_k(n') > \delta` (does not hold), where
    :math:`h_k(n') = t_{n'-1}\, s_k / \sqrt{n'}` is the half-width at :data:`LEVEL`.

    Returns ``n`` when the present seeds decide already, ``None`` when no count up to ``most`` would (a gap on the
    margin).

    >>> r = np.zeros((2, 2, 6)); r[..., ::2] += 0.2; r[..., 1::2] -= 0.2  # means 0, spread 0.22
    >>> seeds_to_decide(r)
    12
    """
    from scipy import stats as st

    x = np.asarray(ratios, np.float64).reshape(-1, np.shape(ratios)[-1])
    n = x.shape[-1]
    m, s = np.abs(x.mean(-1)), x.std(-1, ddof=1)
    counts = np.arange(n, most + 1)
    half = st.t.ppf(0.5 + LEVEL / 2, counts - 1)[:, None] * s / np.sqrt(counts)[:, None]  # (count, k)
    decides = (m + half <= margin).all(-1) | (m - half > margin).any(-1)
    return int(counts[np.argmax(decides)]) if decides.any() else None


def setting_losses(arrays, name):
    """The setting's loss curves: (curve, init, seed, record), curves in :data:`LOSSES` order."""
    return np.stack([arrays[f"{name}_{m}"] for m in LOSSES])


def final(arrays, name, metric):
    """Seed-mean value of ``metric`` at the last record: (init,)."""
    return arrays[f"{name}_{metric}"][:, :, -1].mean(1)


YLABELS = {"train_loss": "training loss", "test_loss": "test loss", "train_accuracy": "training accuracy",
           "test_accuracy": "test accuracy"}


def optimizer_name(s):
    """The optimizer as the field writes it: gradient descent (GD) on the full batch, SGD on mini-batches, RMSProp."""
    if s.optimizer == "rmsprop":
        return "RMSProp"
    return "GD" if s.batch_size is None else "SGD"
