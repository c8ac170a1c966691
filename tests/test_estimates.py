"""Issue 25: every paper point's estimate is a positive, finite count of its work, and the counts agree with XLA's."""

import math

import jax
import jax.numpy as jnp
import pytest

from orthontk_lib import kernels
from orthontk_lib.book import cost, queue
from orthontk_lib.models import FCN, canonical

COVERED = {"constancy/weights", "linearity/hessian", "linearity/training", "finite-width/spread",
           "finite-width/fluctuations", "finite-width/fluctuations-eoc", "finite-width/isometry",
           "finite-width/training", "edge-of-chaos/empirical", "edge-of-chaos/rates", "edge-of-chaos/trainability"}


def _xla_flops(fn, *args):
    cost = jax.jit(fn).lower(*args).compile().cost_analysis()
    return (cost[0] if isinstance(cost, list) else cost)["flops"]


def test_paper_estimates_positive_and_finite():
    """Every paper point of every sweep that declares an estimate, on both devices, and the device it is planned on."""
    for slug in queue.PRIORITY:
        module, cfg = queue._module(slug), queue.config(slug)
        for sweep in module.SWEEPS.values():
            if f"{slug}/{sweep.name}" in COVERED:
                assert sweep.minutes is not None, f"{slug}/{sweep.name}"
            if sweep.minutes is None:
                continue
            for point in sweep.point_list(cfg):
                assert sweep.where(cfg, point) in ("GPU", "CPU")
                for device in ("GPU", "CPU"):
                    m = sweep.estimate(cfg, point, device)
                    assert math.isfinite(m) and m > 0, (slug, sweep.name, point, device, m)


def test_plan_has_no_share_left(tmp_path, monkeypatch):
    """The plan shares no chapter cost over the covered sweeps' points: each is its own estimate."""
    monkeypatch.setenv("ORTHONTK_DATA_DIR", str(tmp_path))
    items = queue.plan("paper", root=tmp_path)
    assert items
    shared = [i for i in items if not i.estimated and f"{i.chapter}/{i.sweep.name}" in COVERED]
    assert not shared, [i.line() for i in shared]
    assert all("~" not in i.line() for i in items if f"{i.chapter}/{i.sweep.name}" in COVERED)


def test_cpu_points_fit_the_cpu_limit():
    """A covered sweep plans on the CPU exactly the points whose CPU estimate is within the limit (or memory)."""
    for slug in ("linearity", "finite-width", "edge-of-chaos", "constancy"):
        module, cfg = queue._module(slug), queue.config(slug)
        for sweep in module.SWEEPS.values():
            if f"{slug}/{sweep.name}" not in COVERED or not callable(sweep.device):
                continue
            for point in sweep.point_list(cfg):
                if sweep.where(cfg, point) == "CPU":
                    assert sweep.estimate(cfg, point, "CPU") <= cost.CPU_POINT_LIMIT


@pytest.mark.parametrize("width", [64])
def test_hessian_flops_match_xla(width):
    """linearity's Hessian-norm count (n_iter + 1 HVPs and a gradient per network and input) within 2x of XLA's."""
    from orthontk_lib.chapters import linearity

    cfg = linearity.Config(widths=(width,), n_seeds=2, n_inputs=3, n_iter=5)
    spec = cfg.spec(width, "linear")
    x = jnp.ones((cfg.n_inputs, 64))
    variables = jax.vmap(lambda k: spec.initialize(k, x[:1]))(jax.random.split(jax.random.key(0), cfg.n_seeds))
    keys = jax.random.split(jax.random.key(1), cfg.n_seeds * cfg.n_inputs).reshape(cfg.n_seeds, cfg.n_inputs)
    xla = _xla_flops(linearity._norms_program(canonical(spec), cfg.n_iter), variables, x, keys)
    ours, _ = linearity._norms_cost(cfg, linearity._layers(cfg, width, "linear"))
    assert 0.5 < ours / xla < 2.0, (ours, xla)


@pytest.mark.parametrize("depth, width, n", [(4, 32, 12)])
def test_empirical_ntk_flops_match_xla(depth, width, n):
    """Edge of Chaos's empirical point: ntk_flops of the seeds' kernels within 2x of XLA's count of the program."""
    spec = FCN(depth, width, "erf", 1.5, 0.1, "orthogonal")
    x = jnp.ones((n, 64))
    seeds = 2
    variables = jax.vmap(lambda k: spec.initialize(k, x[:1]))(jax.random.split(jax.random.key(0), seeds))
    xla = _xla_flops(lambda v, x: kernels._vmapped_ntk(canonical(spec))(v, x, None), variables, x)
    ours = seeds * cost.ntk_flops(cost.dense_layers(64, [width] * depth, 1), n)
    assert 0.5 < ours / xla < 2.0, (ours, xla)


def test_empirical_minutes_count_the_qr():
    """At width 2048 and depth 100 the orthogonal draws' QRs dominate the point (8/3 n^3 per layer and seed)."""
    from orthontk_lib.chapters import edge_of_chaos

    cfg = queue.config("edge-of-chaos")
    qr = cfg.emp_seeds * 99 * cost.qr_flops(cfg.emp_width, cfg.emp_width)
    minutes = edge_of_chaos.empirical_minutes(cfg, {"phase": "edge", "depth": 100}, "CPU")
    assert qr / cost.THROUGHPUT["CPU"] / 60 < minutes < 2 * qr / cost.THROUGHPUT["CPU"] / 60 + 1
    assert cost.qr_flops(10, 10) == pytest.approx(8 / 3 * 1000)
