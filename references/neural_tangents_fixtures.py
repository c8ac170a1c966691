"""neural-tangents as the oracle of orthontk's kernels and networks: the values the tests compare against, stored with
the inputs and parameters that produced them in ``tests/fixtures/neural_tangents/``.

neural-tangents 0.6.5 imports only with JAX < 0.6, so this runs in the environment that ``make references`` builds
(``.venv-references``: jax 0.5.3, flax 0.10.6, neural-tangents 0.6.5, no TensorFlow)::

    make references            # builds .venv-references, then: python -m references.neural_tangents_fixtures --check
    make references WRITE=1    # the same with --write

``--write`` draws every case's inputs and parameters, computes neural-tangents' values on them and stores both.
``--check`` draws the inputs and parameters again and compares them with the stored ones, then computes
neural-tangents' values on the stored inputs and parameters and compares them with the stored values: every array
within :data:`CHECK_RTOL` (by dtype) of its largest magnitude.

The groups (``provenance.json`` names the tests that read each):

* ``fcn_kernels``, ``cnn_kernels``: closed-form NNGP and NTK of ``spec.stax()``, float64;
* ``erf_by_depth``: the NTK of ``Dense, Erf`` stacks at depths 1, 5 and 12, float64;
* ``every_activation``: the NTK of a one-hidden-layer FCN for every activation (closed form or quadrature), float64;
* ``fcn_twin``, ``cnn_twin``: the outputs of ``spec.stax()``'s ``apply_fn`` on the Flax parameters, float32;
* ``cnn_empirical_ntk``: neural-tangents' empirical NTK of a CNN, both working implementations, float32.
"""

import argparse
import dataclasses
import datetime
import functools
import importlib.metadata
import importlib.util
import itertools
import json
import math
import platform
import subprocess
import sys
import time
import types
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from orthontk_lib.meanfield import float64
from orthontk_lib.models import ACTIVATIONS, CNN, FCN
from references import fixtures
from references.fixtures import Case, flatten_variables, spec_settings

ORACLE = "neural_tangents"
SCRIPT = "references/neural_tangents_fixtures.py"
CHECK_RTOL = {"float64": 1e-10, "float32": 1e-6}
"""``--check``'s tolerance, relative to an array's largest magnitude: tighter than the tests' own (1e-8 and 1e-5)."""
IMPLEMENTATIONS = ("NTK_VECTOR_PRODUCTS", "JACOBIAN_CONTRACTION")
"""neural-tangents' empirical NTK implementations that work (``STRUCTURED_DERIVATIVES`` is broken in 0.6.5)."""
MISSING = ("neural-tangents cannot be imported in this environment ({error}). It needs JAX < 0.6; "
           "`make references` builds .venv-references, which has it.")


def import_neural_tangents():
    """neural-tangents, imported without TensorFlow where TensorFlow is not installed.

    neural-tangents' ``__init__`` imports its ``experimental`` module, whose one content is a TensorFlow port
    (``empirical_ntk_fn_tf``) that imports ``tensorflow`` and ``tf2jax``. Where TensorFlow is absent, an empty module
    stands in for ``neural_tangents.experimental``; the rest of neural-tangents is JAX only.

    Raises:
      ImportError: neural-tangents cannot be imported here.
    """
    if importlib.util.find_spec("neural_tangents") is not None and importlib.util.find_spec("tensorflow") is None:
        sys.modules.setdefault("neural_tangents.experimental", types.ModuleType("neural_tangents.experimental"))
    try:
        import neural_tangents
    except ImportError as e:
        raise ImportError(MISSING.format(error=e)) from e
    return neural_tangents


def empirical_ntk(spec, variables, x1, x2=None, implementation="NTK_VECTOR_PRODUCTS"):
    """neural-tangents' empirical NTK of ``spec.module()`` (``empirical_ntk_fn``, averaged over outputs): (N1, N2).

    Args:
      implementation: one of :data:`IMPLEMENTATIONS`.
    """
    return _empirical_ntk_fn(spec, implementation)(x1, x2, variables)


@functools.lru_cache(maxsize=16)
def _empirical_ntk_fn(spec, implementation):
    nt = import_neural_tangents()
    f = lambda variables, x: spec.module().apply(variables, x)
    impl = getattr(nt.NtkImplementation, implementation)
    return jax.jit(nt.empirical_ntk_fn(f, trace_axes=(-1,), implementation=impl))


# THE GROUPS


@dataclasses.dataclass(frozen=True)
class Group:
    """A group of cases: ``draw()`` gives ``{case: (settings, inputs)}``; ``compute(case)`` neural-tangents' values
    on a :class:`~references.fixtures.Case`'s inputs."""

    name: str
    description: str
    tests: tuple
    draw: Callable
    compute: Callable


def _sphere(n, d=16, seed=0):
    x = np.random.default_rng(seed).normal(size=(n, d))
    return math.sqrt(d) * x / np.linalg.norm(x, axis=1, keepdims=True)


def _closed_form_kernels(case):
    """``spec.stax()``'s NNGP and NTK, float64, of x1 with itself (``_11``) and with x2 (``_12``)."""
    out = {}
    with float64():
        kernel_fn = case.spec.stax()[2]
        for tag, b in (("11", None), ("12", case["x2"])):
            nngp, ntk = kernel_fn(jnp.asarray(case["x1"]), None if b is None else jnp.asarray(b), ("nngp", "ntk"))
            out[f"nngp_{tag}"], out[f"ntk_{tag}"] = np.asarray(nngp, np.float64), np.asarray(ntk, np.float64)
    return out


def _fcn_kernels_draw():
    x1, x2 = np.random.default_rng(1).normal(size=(5, 9)), np.random.default_rng(2).normal(size=(3, 9))
    return {f"{activation}-{parameterization}":
            ({"spec": spec_settings(FCN(3, 7, activation, 1.4, 0.2, parameterization=parameterization))},
             {"x1": x1, "x2": x2})
            for activation, parameterization in itertools.product(("relu", "erf", "linear"), ("ntk", "standard"))}


CNN_KERNEL_CASES = (("relu", 1, 3), ("relu", 3, 3), ("erf", 2, 3), ("relu", 2, 2))


def _cnn_kernels_draw():
    cases = {}
    for activation, depth, kernel_size in CNN_KERNEL_CASES:
        rng = np.random.default_rng(0)
        x1, x2 = rng.normal(size=(3, 5, 6, 2)), rng.normal(size=(2, 5, 6, 2))
        spec = CNN(depth, 4, kernel_size, activation, 1.4, 0.1)
        cases[f"{activation}-depth{depth}-k{kernel_size}"] = ({"spec": spec_settings(spec)}, {"x1": x1, "x2": x2})
    return cases


def _erf_by_depth_draw():
    return {"erf": ({"W_std": 1.3, "b_std": 0.2, "depths": [1, 5, 12]}, {"x": _sphere(4)})}


def _erf_by_depth(case):
    stax = import_neural_tangents().stax
    s = case.settings
    out = {}
    with float64():
        for depth in s["depths"]:
            layers = [stax.Dense(1, s["W_std"], s["b_std"]), stax.Erf()] * depth + [stax.Dense(1, s["W_std"], s["b_std"])]
            out[f"ntk_depth{depth}"] = np.asarray(stax.serial(*layers)[2](jnp.asarray(case["x"]), None, "ntk"),
                                                  np.float64)
    return out


def _every_activation_draw():
    return {activation: ({"spec": spec_settings(FCN(1, 8, activation, 1.3, 0.2))}, {"x": _sphere(3, d=5, seed=3)})
            for activation in ACTIVATIONS}


def _every_activation(case):
    with float64():
        return {"ntk": np.asarray(case.spec.stax()[2](jnp.asarray(case["x"]), None, "ntk"), np.float64)}


def _twin_draw(specs, shape):
    """Inputs ``x`` (``jax.random.key(0)``) and each spec's Flax parameters (``jax.random.key(1)``), float32."""
    x = jax.random.normal(jax.random.key(0), shape)
    return {name: ({"spec": spec_settings(spec)},
                   {"x": np.asarray(x), **flatten_variables(spec.initialize(jax.random.key(1), x))})
            for name, spec in specs.items()}


def _fcn_twin_draw():
    specs = {f"{p}-{i}-{o}": FCN(depth=2, width=16, activation="erf", W_std=1.3, b_std=0.2, init=i, parameterization=p,
                                 out_dim=3, output_activation=o)
             for p, i, o in itertools.product(("ntk", "standard"), ("gaussian", "orthogonal"), ("linear", "tanh"))}
    return _twin_draw(specs, (4, 12))


def _cnn_twin_draw():
    specs = {f"{p}-{i}": CNN(depth=2, channels=8, W_std=1.3, b_std=0.2, init=i, parameterization=p, out_dim=2)
             for p, i in itertools.product(("ntk", "standard"), ("gaussian", "orthogonal"))}
    return _twin_draw(specs, (2, 6, 6, 3))


def _twin(case):
    spec = case.spec
    return {"out": np.asarray(spec.stax()[1](spec.stax_params(case.variables), jnp.asarray(case["x"])))}


def _cnn_empirical_ntk_draw():
    return _twin_draw({"orthogonal": CNN(depth=1, channels=4, init="orthogonal", b_std=0.1, out_dim=2)}, (3, 5, 5, 2))


def _cnn_empirical_ntk(case):
    return {f"ntk_{impl}": np.asarray(empirical_ntk(case.spec, case.variables, jnp.asarray(case["x"]),
                                                    implementation=impl))
            for impl in IMPLEMENTATIONS}


GROUPS = (
    Group("fcn_kernels", "closed-form NNGP and NTK of FCN(3, 7, activation, 1.4, 0.2), float64",
          ("tests/test_dual.py::test_analytic_kernels_equal_neural_tangents_closed_forms_in_float64",),
          _fcn_kernels_draw, _closed_form_kernels),
    Group("erf_by_depth", "NTK of [Dense(1, 1.3, 0.2), Erf()] * depth + [Dense(1, 1.3, 0.2)], float64",
          ("tests/test_dual.py::test_kernels_by_depth_follow_neural_tangents_erf_kernel_at_every_depth",),
          _erf_by_depth_draw, _erf_by_depth),
    Group("cnn_kernels", "closed-form NNGP and NTK of CNN(depth, 4, kernel_size, activation, 1.4, 0.1), float64",
          ("tests/test_dual.py::test_cnn_kernels_equal_neural_tangents_closed_forms_in_float64",),
          _cnn_kernels_draw, _closed_form_kernels),
    Group("every_activation", "NTK of FCN(1, 8, activation, 1.3, 0.2) for every activation, float64",
          ("tests/test_models.py::test_every_activation_kernel_equals_neural_tangents",),
          _every_activation_draw, _every_activation),
    Group("fcn_twin", "outputs of FCN(...).stax()'s apply_fn on the Flax parameters, float32",
          ("tests/test_models.py::test_fcn_matches_its_stax_twin",), _fcn_twin_draw, _twin),
    Group("cnn_twin", "outputs of CNN(...).stax()'s apply_fn on the Flax parameters, float32",
          ("tests/test_models.py::test_cnn_matches_its_stax_twin",), _cnn_twin_draw, _twin),
    Group("cnn_empirical_ntk", "neural-tangents' empirical NTK of a CNN, both working implementations, float32",
          ("tests/test_kernels.py::test_neural_tangents_empirical_ntk_agrees_on_a_cnn",),
          _cnn_empirical_ntk_draw, _cnn_empirical_ntk),
)


# WRITE AND CHECK


def header():
    """Provenance: versions, device, the orthontk commit, the script and the command."""
    versions = {name: importlib.metadata.version(name)
                for name in ("neural-tangents", "jax", "jaxlib", "flax", "optax", "numpy", "scipy")}
    try:
        tensorflow = importlib.metadata.version("tensorflow")
    except importlib.metadata.PackageNotFoundError:
        tensorflow = None
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=12"], capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    return {
        "oracle": "neural-tangents",
        "versions": versions,
        "python": platform.python_version(),
        "tensorflow": tensorflow or "not installed (an empty module stood in for neural_tangents.experimental)",
        "device": f"{jax.default_backend()}: {jax.devices()[0].device_kind}",
        "orthontk_commit": commit,
        "written": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "script": SCRIPT,
        "command": "make references WRITE=1 (python -m references.neural_tangents_fixtures --write in .venv-references)",
        "check": "make references (python -m references.neural_tangents_fixtures --check): every array within "
                 f"{CHECK_RTOL} (by dtype) of its largest magnitude",
    }


def write():
    groups = {}
    for group in GROUPS:
        cases = {}
        for name, (settings, inputs) in group.draw().items():
            settings = json.loads(json.dumps(settings))  # as provenance.json will hold them
            cases[name] = (settings, {**inputs, **group.compute(Case(name, settings, inputs))})
        groups[group.name] = {"description": group.description, "tests": list(group.tests), "cases": cases}
        print(f"{group.name}: {len(cases)} cases")
    fixtures.save(ORACLE, groups, header())
    print(f"wrote {fixtures.ROOT / ORACLE}")


def _difference(new, old):
    """``new`` against ``old``: (relative difference, or None if dtypes or shapes differ)."""
    new, old = np.asarray(new), np.asarray(old)
    if new.dtype != old.dtype or new.shape != old.shape:
        return None
    scale = float(np.abs(old).max()) if old.size else 0.0
    diff = float(np.abs(new - old).max()) if old.size else 0.0
    return diff / scale if scale else diff


def check():
    """Every case drawn again and computed again; returns the problems found (empty: the fixtures hold)."""
    problems = []
    for group in GROUPS:
        stored = fixtures.load(ORACLE, group.name)
        drawn = group.draw()
        if set(drawn) != set(stored):
            problems.append(f"{group.name}: cases {sorted(drawn)} drawn, {sorted(stored)} stored")
        worst = 0.0
        for name in sorted(set(drawn) & set(stored)):
            settings, inputs = drawn[name]
            case = stored[name]
            if json.loads(json.dumps(settings)) != case.settings:
                problems.append(f"{group.name}/{name}: settings {settings} drawn, {case.settings} stored")
            new = {**inputs, **group.compute(case)}
            if set(new) != set(case.arrays):
                problems.append(f"{group.name}/{name}: arrays {sorted(new)} computed, {sorted(case.arrays)} stored")
            for key in sorted(set(new) & set(case.arrays)):
                rel = _difference(new[key], case[key])
                old = np.asarray(case[key])
                if rel is None:
                    problems.append(f"{group.name}/{name}/{key}: {np.asarray(new[key]).dtype}"
                                    f"{np.asarray(new[key]).shape} computed, {old.dtype}{old.shape} stored")
                else:
                    worst = max(worst, rel)
                    if not rel <= CHECK_RTOL[old.dtype.name]:
                        problems.append(f"{group.name}/{name}/{key}: relative difference {rel:.3g} > "
                                        f"{CHECK_RTOL[old.dtype.name]:g}")
        print(f"{group.name}: {len(stored)} cases, largest relative difference {worst:.3g}")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="compute every reference value and store it")
    mode.add_argument("--check", action="store_true", help="compute every reference value and compare")
    args = parser.parse_args(argv)
    try:
        nt = import_neural_tangents()
    except ImportError as e:
        sys.exit(str(e))
    start = time.perf_counter()
    print(f"neural-tangents {nt.__version__}, jax {jax.__version__}, flax {importlib.metadata.version('flax')}")
    if args.write:
        write()
    else:
        problems = check()
        if problems:
            sys.exit("the fixtures do not hold:\n" + "\n".join(problems))
        print(f"the fixtures hold (within {CHECK_RTOL} relative)")
    print(f"{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
