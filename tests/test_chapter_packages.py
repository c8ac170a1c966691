"""A chapter that is a package of parts reads as one module: every name a part defines is the package's too."""

import ast
import importlib
import pkgutil

import pytest

from orthontk_lib import chapters

PACKAGES = [m.name for m in pkgutil.iter_modules(chapters.__path__) if m.ispkg]


def test_the_large_chapters_are_packages():
    assert {"condensation", "edge_of_chaos", "speedup"} <= set(PACKAGES)


def _defined(path):
    """Top-level names a source file defines itself (functions, classes, assignments), not those it imports."""
    names = set()
    for node in ast.parse(open(path).read()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


@pytest.mark.parametrize("name", PACKAGES)
def test_every_name_a_part_defines_is_the_packages(name):
    package = importlib.import_module(f"orthontk_lib.chapters.{name}")
    missing = []
    for part in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{part.name}")
        for attr in _defined(module.__file__):
            if getattr(package, attr, None) is not getattr(module, attr):
                missing.append(f"{part.name}.{attr}")
    assert not missing, f"{name}/__init__.py does not re-export {missing}"


@pytest.mark.parametrize("name", PACKAGES)
def test_no_part_of_a_chapter_is_over_400_lines(name):
    package = importlib.import_module(f"orthontk_lib.chapters.{name}")
    for part in pkgutil.iter_modules(package.__path__):
        path = f"{package.__path__[0]}/{part.name}.py"
        assert sum(1 for _ in open(path)) <= 400, path
