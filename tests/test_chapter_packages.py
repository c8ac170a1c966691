"""A chapter that is a package of parts reads as one module: every name a part defines is the package's too."""

import importlib
import inspect
import pkgutil

import pytest

from orthontk_lib import chapters

PACKAGES = [m.name for m in pkgutil.iter_modules(chapters.__path__) if m.ispkg]


def test_the_large_chapters_are_packages():
    assert {"condensation", "edge_of_chaos", "speedup"} <= set(PACKAGES)


@pytest.mark.parametrize("name", PACKAGES)
def test_every_name_a_part_defines_is_the_packages(name):
    package = importlib.import_module(f"orthontk_lib.chapters.{name}")
    missing = []
    for part in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{part.name}")
        for attr, value in vars(module).items():
            defined_here = getattr(value, "__module__", module.__name__) == module.__name__
            if attr.startswith("__") or inspect.ismodule(value) or not defined_here:
                continue
            if getattr(package, attr, None) is not value:
                missing.append(f"{part.name}.{attr}")
    assert not missing, f"{name}/__init__.py does not re-export {missing}"


@pytest.mark.parametrize("name", PACKAGES)
def test_no_part_of_a_chapter_is_over_400_lines(name):
    package = importlib.import_module(f"orthontk_lib.chapters.{name}")
    for part in pkgutil.iter_modules(package.__path__):
        path = f"{package.__path__[0]}/{part.name}.py"
        assert sum(1 for _ in open(path)) <= 400, path
