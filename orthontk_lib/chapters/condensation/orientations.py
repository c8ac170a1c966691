r"""Input weights and their orientations: cosine similarities, condensed orientations (the clustering
rule), the end of the initial stage and the relative weight change. Generic: nothing here knows the experiments."""


import numpy as np

__all__ = ["condensed_orientations", "cosine_similarity", "initial_stage_end", "input_weights", "largest_holding",
           "orientation_clusters", "relative_change"]

# WEIGHTS AND ORIENTATIONS


def input_weights(params, layer="hidden_0"):
    """The neurons' input weights :math:`u_k = (w_k, b_k)`: (..., m, d + 1) from a Flax params tree."""
    kernel, bias = np.asarray(params[layer]["kernel"]), np.asarray(params[layer]["bias"])
    return np.concatenate([np.swapaxes(kernel, -1, -2), bias[..., None]], axis=-1)


def cosine_similarity(u):
    r""":math:`\hat u_j \cdot \hat u_k` of input weights ``u`` (m, d + 1): (m, m).

    Raises:
      ValueError: where a neuron is exactly zero (it has no orientation), naming the neurons.
    """
    norms = np.linalg.norm(u, axis=-1, keepdims=True)
    zero = np.flatnonzero(norms[..., 0] == 0)
    if zero.size:
        raise ValueError(f"u: neurons {zero.tolist()} are exactly zero and have no orientation; leave them out "
                         "(orientation_clusters gives them label 0)")
    un = u / norms
    return np.clip(un @ un.T, -1.0, 1.0)


def orientation_clusters(u, threshold=0.95):
    """Cluster labels (m,) of the orientations: average linkage on the distance 1 − cos, cut at 1 − ``threshold``.

    Two groups join when their neurons' mean cosine similarity is at least ``threshold`` (0.95: within
    about 18°). Opposite orientations (cos = −1) never join: a condensed line counts as two orientations.
    A neuron that is exactly zero has no orientation: it gets label 0, and the others are clustered as if it
    were absent (labels from 1).
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    live = np.any(np.asarray(u) != 0, axis=-1)
    labels = np.zeros(len(u), int)
    if live.sum() <= 1:
        labels[live] = 1
        return labels
    dist = 1.0 - cosine_similarity(u[live])
    np.fill_diagonal(dist, 0.0)
    labels[live] = fcluster(linkage(squareform(np.clip(dist, 0.0, 2.0), checks=False), "average"), 1.0 - threshold,
                            "distance")
    return labels


def condensed_orientations(u, threshold=0.95, cover=0.9):
    r"""The number of orientations the neurons ``u`` (m, d + 1) have condensed onto.

    Clusters of :func:`orientation_clusters`, weighted by :math:`\sum_{k \in C} \lVert u_k\rVert^2` (a
    neuron's share of the function grows with its size: at small initialization the neurons that did
    not grow are irrelevant): the fewest clusters holding a fraction ``cover`` of
    :math:`\sum_k \lVert u_k \rVert^2`. Random orientations give nearly one cluster per neuron
    (:math:`\approx` ``cover`` · m); full condensation onto :math:`\pm\hat v` gives 2.

    A neuron that is exactly zero has no orientation and holds none of :math:`\sum_k \lVert u_k\rVert^2`: it
    is counted in no orientation (label 0 of :func:`orientation_clusters`), so the count is that of the other
    neurons; all neurons zero gives 0.

    Returns:
      An int in [0, m].
    """
    labels = orientation_clusters(u, threshold)
    mass = np.bincount(labels, weights=np.sum(u**2, axis=-1))[1:]  # label 0: the zero neurons, no orientation
    return 0 if not mass.sum() > 0 else len(largest_holding(mass, cover))


def largest_holding(mass, cover):
    """Indices of the fewest largest entries of ``mass`` that together hold a fraction ``cover`` of its sum."""
    order = np.argsort(-mass)
    return order[: int(np.searchsorted(np.cumsum(mass[order]) / mass.sum(), cover - 1e-12) + 1)]


def initial_stage_end(train_loss, loss_drop=0.05):
    """Index of the first evaluation whose loss is at most (1 − ``loss_drop``) of the first; −1 if none."""
    hit = np.nonzero(np.asarray(train_loss) <= (1.0 - loss_drop) * train_loss[0])[0]
    return int(hit[0]) if hit.size else -1


def relative_change(u):
    r""":math:`\lVert U_t - U_0 \rVert_F / \lVert U_0 \rVert_F` over a history ``u`` (R, m, d + 1): (R,)."""
    return np.linalg.norm(u - u[0], axis=(-2, -1)) / np.linalg.norm(u[0])
