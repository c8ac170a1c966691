"""How a chapter package reads as one module: its ``__init__`` re-exports every name its parts define."""

import ast
import importlib
import pathlib

__all__ = ["reexport", "defined"]


def defined(path):
    """Top-level names a source file defines itself (functions, classes, assignments), not those it imports."""
    names = set()
    for node in ast.parse(pathlib.Path(path).read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def reexport(namespace, parts):
    """Import the parts of the package whose ``__init__`` namespace is ``namespace``, in reading order, and set every
    name each part defines (:func:`defined`) in it, so that ``chapters.<slug>.X`` is the part's ``X``.

    Raises:
      ValueError: if two parts define the same name (one would silently shadow the other).
    """
    owner = {}
    for part in parts:
        module = importlib.import_module(f"{namespace['__name__']}.{part}")
        for name in sorted(defined(module.__file__)):
            if name in owner:
                raise ValueError(f"{namespace['__name__']}: {name} is defined in both {owner[name]} and {part}")
            owner[name] = part
            namespace[name] = getattr(module, name)
