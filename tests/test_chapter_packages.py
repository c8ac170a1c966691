"""A chapter that is a package of parts reads as one module: every name a part defines is the package's too."""

import importlib
import pkgutil

import pytest

from orthontk_lib import chapters


def defined(path):
    """Top-level names a source file defines itself (functions, classes, assignments), not those it imports."""
    import ast
    import pathlib

    names = set()
    for node in ast.parse(pathlib.Path(path).read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names - {"__all__"}

PACKAGES = [m.name for m in pkgutil.iter_modules(chapters.__path__) if m.ispkg]


def test_the_large_chapters_are_packages():
    assert {"condensation", "edge_of_chaos", "speedup"} <= set(PACKAGES)


@pytest.mark.parametrize("name", PACKAGES)
def test_every_name_a_part_defines_is_the_packages(name):
    """A chapter package reads as one module: each part lists every name it defines in its ``__all__`` (and a name it
    imports to pass on, such as ``INITS``), the package star-imports its parts, and no two parts give one name (one
    would shadow the other)."""
    package = importlib.import_module(f"orthontk_lib.chapters.{name}")
    missing, owner = [], {}
    for part in pkgutil.iter_modules(package.__path__):
        if part.name == "authors":  # the authors' data read as the chapter reads its own: used as chapter.authors
            continue
        module = importlib.import_module(f"{package.__name__}.{part.name}")
        assert defined(module.__file__) <= set(module.__all__), f"{name}.{part.name}.__all__ lacks names it defines"
        assert all(hasattr(module, a) for a in module.__all__), f"{name}.{part.name}.__all__ names what it lacks"
        for attr in module.__all__:
            assert attr not in owner, f"{name}: {attr} is defined in both {owner[attr]} and {part.name}"
            owner[attr] = part.name
            if getattr(package, attr, None) is not getattr(module, attr):
                missing.append(f"{part.name}.{attr}")
    assert not missing, f"{name}/__init__.py does not import {missing}"


def test_every_chapter_package_is_a_package_of_the_distribution():
    import pathlib
    import tomllib

    root = pathlib.Path(chapters.__file__).resolve().parents[2]
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    assert {f"orthontk_lib.chapters.{name}" for name in PACKAGES} <= listed


EXPERIMENTS = {
    "speedup": ("fcn_grid", "width_family", "cnn_grid"),
    "edge_of_chaos": ("phase_diagram", "depth", "rates", "exact_rates", "decay", "finite_width", "trainability"),
    "condensation": ("adam", "deep", "line", "scales"),
}


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_each_claim_of_a_chapter_of_experiments_is_one_object_of_one_experiment(name):
    """A chapter of several experiments: every claim it tests is defined in exactly one experiment's part, and the
    chapter's ``CLAIMS`` (assembled by its ``chapter`` part) are exactly those objects."""
    package = importlib.import_module(f"orthontk_lib.chapters.{name}")
    owner = {}
    for part in EXPERIMENTS[name]:
        module = importlib.import_module(f"{package.__name__}.{part}")
        for attr in defined(module.__file__):
            value = getattr(module, attr)
            if attr.endswith("CLAIMS") and isinstance(value, list):
                for claim in value:
                    assert claim.id not in owner, f"{claim.id} is defined in {owner[claim.id][0]} and {part}"
                    owner[claim.id] = (part, claim)
    assert [c.id for c in package.CLAIMS] and {c.id for c in package.CLAIMS} == set(owner)
    assert all(c is owner[c.id][1] for c in package.CLAIMS)
    if name != "speedup":  # speed-up's three grids share one sweep builder (its ``sweeps`` part)
        parts = [importlib.import_module(f"{package.__name__}.{p}") for p in EXPERIMENTS[name]]
        homes = {id(getattr(m, a)) for m in parts for a in defined(m.__file__) if a.endswith("_SWEEP")}
        assert {id(s) for s in package.SWEEPS.values()} == homes  # each sweep is its experiment's


def test_every_chapter_draws_its_seeds_from_the_base_class_by_its_declared_counts():
    """``seeds`` lives on ``ChapterConfig`` alone: from ``seed``, as many as the largest knob of ``SEED_COUNTS``."""
    import dataclasses

    from orthontk_lib.book import ledger
    from orthontk_lib.book.profiles import ChapterConfig

    for _, module in ledger.chapter_modules():
        assert set(module.Config.SEED_COUNTS) <= set(module.Config.knobs()), module.SLUG
        cfg = module.Config.for_profile("smoke", use_env=False)
        bigger = dataclasses.replace(cfg, seed=3, **{k: getattr(cfg, k) + 2 for k in cfg.SEED_COUNTS})
        count = max(getattr(bigger, k) for k in cfg.SEED_COUNTS)
        assert bigger.seeds == list(range(3, 3 + count)), module.SLUG
    assert ChapterConfig.SEED_COUNTS == ("n_seeds",)
