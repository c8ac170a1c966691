"""Declared sweeps: a point's key holds exactly the knobs the point depends on (no training here: keys only)."""

import dataclasses
import importlib
import json

import numpy as np
import pytest

from orthontk_lib import results
from orthontk_lib.book.profiles import ConfigError

CHAPTERS = ("setting", "kernel_equality", "finite_width", "constancy", "linearity", "training_curves", "speedup",
            "edge_of_chaos", "condensation")
STRINGS = ("relu", "erf", "tanh", "sigmoid", "softplus", "xtanh", "sphere", "digits", "cifar10")


def chapter(name):
    return importlib.import_module(f"orthontk_lib.chapters.{name}")


def smoke(module, **overrides):
    return module.Config.for_profile("smoke", use_env=False, **overrides)


def keys(sweep, cfg):
    """The sweep's point keys for ``cfg``, in order (canonical JSON)."""
    return [json.dumps(sweep.key(cfg, p), sort_keys=True) for p in sweep.point_list(cfg)]


def perturbed(module, cfg, knob):
    """Valid configs that differ from ``cfg`` in ``knob`` alone (at least one)."""
    value, out = getattr(cfg, knob), []
    for candidate in _candidates(value):
        try:
            other = smoke(module, **{**_overrides(cfg), knob: candidate})
        except ConfigError:
            continue
        if getattr(other, knob) != value:
            out.append(other)
    assert out, f"{module.__name__}: no valid perturbation of {knob}={value!r}"
    return out


def _overrides(cfg):
    return {k: getattr(cfg, k) for k in type(cfg).knobs()}


def _candidates(value):
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value + 2, 2 * value, value - 1]
    if isinstance(value, float):
        return [value * 1.1, value * 0.9, value + 0.1, value + 1.0]
    if isinstance(value, str):
        return [s for s in STRINGS if s != value]
    first = value[0]
    swaps = [(c,) + tuple(value[1:]) for c in _candidates(first)]
    return swaps + [tuple(value) + (c,) for c in _candidates(value[-1])] + [tuple(value[:-1])]


def declared_sweeps():
    return [(name, sweep) for name in CHAPTERS for sweep in chapter(name).SWEEPS.values()]


@pytest.mark.parametrize("name", CHAPTERS)
def test_perturbing_a_knob_changes_exactly_the_sweeps_that_declare_it(name):
    """A knob in a sweep's ``knobs`` changes every key at every perturbation; one in its ``over`` (the points and
    derived values are drawn from it) changes the keys at some perturbation (the widest width alone may matter); any
    other knob changes none at any."""
    module = chapter(name)
    cfg = smoke(module)
    before = {s.name: keys(s, cfg) for s in module.SWEEPS.values()}
    for knob in module.Config.knobs():
        others = perturbed(module, cfg, knob)
        for sweep in module.SWEEPS.values():
            changed = [keys(sweep, other) != before[sweep.name] for other in others]
            expected = all(changed) if knob in sweep.knobs else any(changed) if knob in sweep.over else not any(changed)
            assert expected, f"{name}: {knob} changes the keys of {sweep.name} at {changed} of its perturbations"


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_declared_knob_is_a_knob_and_a_point_holds_values_not_lists(name):
    module = chapter(name)
    cfg = smoke(module)
    for sweep in module.SWEEPS.values():
        assert set(sweep.knobs + sweep.over) <= set(module.Config.knobs()), sweep.name
        assert not set(sweep.knobs) & set(sweep.over), sweep.name
        for point in sweep.point_list(cfg):
            lists = {k for k in sweep.over if isinstance(getattr(cfg, k), tuple)}  # (a derived value may read a scalar)
            assert not set(point) & lists, f"{sweep.name}: a point holds the list knob it iterates"
            assert all(isinstance(v, (str, int, float, bool)) for v in point.values()), (sweep.name, point)


@pytest.mark.parametrize("name", CHAPTERS)
def test_a_run_over_a_subset_reuses_the_full_runs_points(name):
    """Dropping the first or the last entry of a list a sweep iterates makes no new point, wherever the derived values
    (e.g. the widest width, which sets a learning rate) stay the same."""
    module = chapter(name)
    cfg = smoke(module)
    checked = 0
    for sweep in module.SWEEPS.values():
        full = set(keys(sweep, cfg))
        for knob in sweep.over:
            value = getattr(cfg, knob)
            if not isinstance(value, tuple) or len(value) < 2:
                continue
            for subset in (value[1:], value[:-1]):
                try:
                    part = smoke(module, **{**_overrides(cfg), knob: subset})
                except ConfigError:
                    continue  # a list with one entry per setting: no subset
                if sweep.derived_values(part) != sweep.derived_values(cfg):
                    continue
                sub = keys(sweep, part)
                assert sub and set(sub) <= full, f"{name}: {sweep.name} over {knob}={list(subset)} makes new points"
                checked += 1
    assert checked or name == "training_curves", f"{name}: no sweep iterates a list"


@pytest.mark.parametrize("name,sweep", declared_sweeps(), ids=lambda v: getattr(v, "name", v))
def test_the_view_refuses_a_knob_the_sweep_does_not_declare(name, sweep):
    cfg = smoke(chapter(name))
    undeclared = [k for k in type(cfg).knobs() if k not in sweep.knobs]
    view = sweep.view(cfg)
    for knob in sweep.knobs:
        assert getattr(view, knob) == getattr(cfg, knob)
    for knob in undeclared + ["profile"]:
        with pytest.raises(results.KnobError, match=f"sweep {sweep.chapter}/{sweep.name} reads knob '{knob}'"):
            getattr(view, knob)
        with pytest.raises(results.KnobError):
            getattr(view, knob, None)  # never a silent default


def test_properties_and_methods_read_through_the_view():
    from orthontk_lib.chapters import speedup as sp

    cfg = smoke(sp)
    view = sp.SWEEPS["fcn"].view(cfg)
    np.testing.assert_array_equal(view.lrs, cfg.lrs)  # a property of lr_min, lr_max, n_lrs: declared
    assert view.grid("fcn", depths=(3,)).depths == (3,)
    with pytest.raises(results.KnobError, match="'depths'"):
        view.grid("fcn")  # the grid's depths are the sweep's points, not a knob of one point
    with pytest.raises(results.KnobError, match="'channels'"):
        view.spec(3, "gaussian", "cnn")
    assert hash(view) == hash(sp.SWEEPS["fcn"].view(smoke(sp, depths=[7]))) and view == sp.SWEEPS["fcn"].view(cfg)


@dataclasses.dataclass(frozen=True)
class Demo:
    widths: tuple = (1, 2, 3)
    scale: float = 2.0
    unused: int = 0
    profile: str = "quick"


def demo_sweep(calls):
    def run(cfg, point):
        calls.append(point["width"])
        return {"y": np.full(point["width"], cfg.scale)}

    return results.Sweep("demo", "points", knobs=("scale",), over=("widths",),
                         points=lambda c: [{"width": w} for w in c.widths], run=run,
                         minutes=lambda c, p, device: 0.5 * p["width"])


def test_a_partial_run_computes_only_its_new_points_and_announces_each(tmp_path, capsys):
    calls = []
    sweep = demo_sweep(calls)
    sweep.results(Demo(widths=(1, 3)), root=tmp_path)
    assert calls == [1, 3]
    assert "demo/quick/points {\"width\": 3}: estimated 1.5 min on CPU" in capsys.readouterr().err
    out = sweep.results(Demo(widths=(1, 2, 3), unused=5), root=tmp_path)
    assert calls == [1, 3, 2]  # width 2 alone is new; the knob no point reads changes nothing
    assert "\"width\": 1" not in capsys.readouterr().err  # a loaded point is not announced
    assert [r.arrays["y"].tolist() for r in out] == [[2.0], [2.0, 2.0], [2.0, 2.0, 2.0]]
    assert sweep.missing(Demo(widths=(2, 4)), root=tmp_path) == [{"width": 4}]


def test_a_knob_named_twice_is_refused():
    sweep = results.Sweep("demo", "clash", knobs=("scale",), points=lambda c: [{"scale": 1.0}], run=None)
    with pytest.raises(ValueError, match="'scale' is both a knob and a point"):
        sweep.key(Demo(), {"scale": 1.0})


def test_a_declared_knob_the_config_lacks_is_an_error():
    sweep = results.Sweep("demo", "typo", knobs=("scael",), points=lambda c: [{}], run=None)
    with pytest.raises(results.KnobError, match="declares knob 'scael'"):
        sweep.point_list(Demo())


@pytest.mark.parametrize("name", CHAPTERS)
def test_sweep_folders_are_unique_and_the_chapters(name):
    sweeps = list(chapter(name).SWEEPS.values())
    assert len({s.name for s in sweeps}) == len(sweeps)
    assert all(s.chapter == chapter(name).SLUG for s in sweeps)
