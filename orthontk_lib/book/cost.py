r"""The cost model of a paper point: FLOPs, bytes of memory traffic and sequential steps counted, turned into
estimated minutes on a GPU or the CPU, and the device a point is planned on.

A sweep's ``minutes(cfg, point, device)`` (:class:`orthontk_lib.results.Sweep`) counts its work with
:func:`training_flops`, :func:`init_flops`, :func:`ntk_flops` and :func:`qr_flops` over the layers of
:func:`dense_layers`, and converts the counts with :func:`estimated_minutes` (a roofline over :data:`THROUGHPUT`,
:data:`BANDWIDTH` and :data:`STEP_SECONDS`, plus :data:`OVERHEAD_MINUTES` per program); its ``device`` is
:func:`by_estimate`. The paper-run queue (:mod:`orthontk_lib.book.queue`) plans with both.

Example:

>>> layers = dense_layers(64, [256, 256], 10)
>>> layers
[(64, 256), (256, 256), (256, 10)]
>>> flops = training_flops(sum(a * b for a, b in layers), batch_size=128, steps=1000, runs=8)
>>> round(estimated_minutes(flops, "CPU"), 2)  # minutes: 0.5 of overhead, 0.35 of FLOPs
0.85
"""

__all__ = ["THROUGHPUT", "OVERHEAD_MINUTES", "BANDWIDTH", "STEP_SECONDS", "CPU_POINT_LIMIT", "CPU_MEMORY_LIMIT",
           "RNG_FLOPS", "HVP_FLOPS", "HVP_BYTES", "training_flops", "estimated_minutes", "dense_layers", "qr_flops",
           "init_flops", "ntk_flops", "by_estimate"]

THROUGHPUT = {"GPU": 88e12, "CPU": 25e9}
"""FLOP/s of :func:`orthontk_lib.train.fit_grid` as :func:`training_flops` counts them. GPU: one H200 in TF32, fitted to
the speed-up chapter's depth family at width 400 (16 learning rates x 4 seeds x 2 inits x 1,000 SGD steps of batch
1,000: 84, 154 and 287 s at depths 50, 100, 200, compilation and evaluations included). CPU: this project's 2-core
machine, fitted to one speed-up point at widths 64 and 256 (depth 8, 18 runs x 200 steps of batch 128: 35 and 106 s
with compilation, other jobs sharing the cores)."""

OVERHEAD_MINUTES = {"GPU": 0.2, "CPU": 0.5}
"""Minutes per program besides its FLOPs (compilation, data, transfers), from the same fits."""


BANDWIDTH = {"GPU": 4.8e12, "CPU": 1.0e10}
"""Bytes/s of memory traffic, for programs bound by it (a batch of one input, NumPy temporaries): GPU the H200's
HBM3e as specified (4.8 TB/s); CPU an assumption for this project's 2-core machine (about 5 GB/s a core), not
measured. :func:`estimated_minutes` takes the larger of the FLOP time and the byte time (a roofline)."""

STEP_SECONDS = {"GPU": 50e-6, "CPU": 5e-6}
"""Seconds of one sequential step of a ``lax.scan`` (a while-loop iteration: its kernels' launches and the loop's
predicate), for programs bound by them (deep narrow networks: one step per layer, forward and backward). GPU: set so
that the Edge-of-Chaos trainability point at depth 300 (10,000 steps, 2 x 300 layer steps each) takes the chapter's
stated 5 minutes; CPU: an assumption (dispatch without launches). Not measured."""

CPU_POINT_LIMIT = 20.0
"""CPU minutes (:func:`estimated_minutes` on ``"CPU"``) up to which the queue plans a point on this project's
2-core CPU; longer points go to the GPU (:func:`by_estimate`)."""

CPU_MEMORY_LIMIT = 16e9
"""Bytes a point may hold at once and still run on the CPU machine (23 GB, shared with other jobs)."""

RNG_FLOPS = 92.0
"""FLOPs of one ``jax.random.normal`` draw as XLA's ``cost_analysis`` counts them (threefry and the Box-Muller
transform; 92.0 per number at 64 x 64 and 256 x 256)."""

HVP_FLOPS = 20.0
"""FLOPs of one Hessian-vector product per multiply-add of the forward pass (``jax.jvp`` of ``jax.grad``: the
forward, its tangent, the backward and its tangent, 18, plus the power iteration's norm and scaling); XLA's
``cost_analysis`` of :func:`orthontk_lib.hessian.hessian_norm`'s program counts 20.0 to 20.6 at widths 32 to 128."""

HVP_BYTES = 26.0
"""Bytes of memory traffic of one Hessian-vector product at one input per parameter: the iterate, the product
and the tangents, each a float32 tree as large as the parameters, read or written about 6.5 times (XLA's
``bytes accessed``: 6.5 to 6.7 passes of 4 bytes at widths 32 to 128). At a batch of one input the matrix-vector
products are bound by this traffic, not by FLOPs."""


def training_flops(weights, batch_size, steps, runs, evaluations=0, n_eval=0):
    """FLOPs of ``runs`` training runs: 6 x ``batch_size`` x ``weights`` per step (forward and backward), plus
    ``evaluations`` passes of 2 x ``n_eval`` x ``weights`` (``weights``: multiply-adds of one example's forward pass,
    a convolution's counted once per pixel)."""
    return float(runs) * (6.0 * batch_size * weights * steps + 2.0 * n_eval * weights * evaluations)


def estimated_minutes(flops, device="GPU", nbytes=0.0, steps=0, programs=1):
    """Minutes of a point on ``device`` (``"GPU"`` or ``"CPU"``): :data:`OVERHEAD_MINUTES` per compiled program plus
    the largest of its ``flops`` at :data:`THROUGHPUT`, its ``nbytes`` of memory traffic at :data:`BANDWIDTH` and its
    ``steps`` sequential scan steps at :data:`STEP_SECONDS` (each the time were the point bound by it alone)."""
    bound = max(flops / THROUGHPUT[device], nbytes / BANDWIDTH[device], steps * STEP_SECONDS[device])
    return programs * OVERHEAD_MINUTES[device] + bound / 60.0


def dense_layers(d_in, widths, out_dim):
    """The (fan_in, fan_out) of each dense layer of an FCN with hidden ``widths`` (a sequence), inputs of ``d_in``
    features and ``out_dim`` outputs; their products summed are the multiply-adds of one example's forward pass."""
    dims = [d_in, *widths, out_dim]
    return list(zip(dims[:-1], dims[1:]))


def qr_flops(rows, cols):
    r"""FLOPs of the QR factorization of a ``rows`` x ``cols`` matrix with its orthogonal factor formed (LAPACK's
    ``geqrf`` then ``orgqr``, each :math:`2 m k^2 - \tfrac23 k^3` with :math:`m \ge k` the larger and smaller side):
    :math:`\tfrac83 n^3` for a square :math:`n \times n`. XLA counts none of it (a library call), so no
    ``cost_analysis`` checks it; on a GPU a factorization runs well below matrix-product throughput (not counted)."""
    m, k = max(rows, cols), min(rows, cols)
    return 2.0 * (2.0 * m * k * k - 2.0 / 3.0 * k**3)


def init_flops(layers, init, networks=1):
    """FLOPs of drawing ``networks`` FCNs of ``layers`` (:func:`dense_layers`): a normal draw per weight
    (:data:`RNG_FLOPS`), and for ``init="orthogonal"`` a QR of each weight matrix (:func:`qr_flops`). Biases and
    the eager dispatch of the draws are not counted."""
    per = sum(RNG_FLOPS * a * b + (qr_flops(a, b) if init == "orthogonal" else 0.0) for a, b in layers)
    return float(networks) * per


def ntk_flops(layers, n, out_dim=1):
    r"""FLOPs of :func:`orthontk_lib.kernels.empirical_ntk` of one FCN of ``layers`` on ``n`` inputs (x2 = x1):
    the forward pass :math:`2 n W`, the backward pass of the ``out_dim`` errors through every layer but the first
    :math:`2 n K (W - W_1)`, and per layer the two Gram matrices :math:`2 n^2 (n_{l-1} + K n_l)`. Elementwise work
    (activations, their slopes, the Hadamard products) is not counted; XLA's ``cost_analysis`` counts 0.85 to 0.95
    of this at widths 32 to 64 (the tests check it)."""
    weights = sum(a * b for a, b in layers)
    backward = weights - layers[0][0] * layers[0][1]
    gram = sum(a + out_dim * b for a, b in layers)
    return 2.0 * n * weights + 2.0 * n * out_dim * backward + 2.0 * n * n * gram


def by_estimate(minutes, memory=None):
    """A sweep's ``device``: ``(cfg, point) -> "CPU"`` where ``minutes(cfg, point, "CPU")`` is at most
    :data:`CPU_POINT_LIMIT` (and ``memory(cfg, point)``, bytes held at once, at most :data:`CPU_MEMORY_LIMIT`),
    else ``"GPU"``."""
    def device(cfg, point):
        fits = minutes(cfg, point, "CPU") <= CPU_POINT_LIMIT
        if memory is not None:
            fits = fits and memory(cfg, point) <= CPU_MEMORY_LIMIT
        return "CPU" if fits else "GPU"
    return device
