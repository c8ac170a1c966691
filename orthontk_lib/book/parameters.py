r"""Write every chapter notebook's papermill ``parameters`` cell from its chapter's ``Config``.

.. code-block:: bash

   python -m orthontk_lib.book.parameters           # rewrite the cells that differ, name them
   python -m orthontk_lib.book.parameters --check   # exit 1 naming the notebooks whose cell differs

A knob is declared once, as a field of the chapter's ``Config`` with its comment on the line
(:func:`orthontk_lib.book.profiles.parameters_cell`); this command writes it into the notebook, and
``tests/test_notebooks.py`` holds every notebook to it. Only the cell tagged ``parameters`` is
touched; a notebook without exactly one such cell is an error naming it.
"""

import argparse
import pathlib
import sys

from orthontk_lib.book import registry
from orthontk_lib.book.profiles import parameters_cell

__all__ = ["BOOK", "sync", "main"]

BOOK = pathlib.Path(__file__).resolve().parents[2] / "book"


def sync(path, write=True):
    """Bring the parameters cell of the notebook ``path`` to its ``Config``'s; ``True`` if it differed.

    Raises:
      ValueError: the notebook has no chapter module, or not exactly one cell tagged ``parameters``.
    """
    import nbformat

    module = registry.module_of(path)
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise ValueError(f"{path}: {len(tagged)} cells tagged 'parameters'; a chapter notebook has exactly one")
    expected = parameters_cell(module.Config)
    if tagged[0].source == expected:
        return False
    if write:
        tagged[0].source = expected
        nbformat.write(nb, path)
    return True


def notebooks(book=BOOK):
    """The chapter notebooks (those with a chapter module), in book order."""
    out = []
    for path in sorted(book.glob("[0-9][0-9]-*.ipynb")):
        try:
            registry.module_of(path)
        except ValueError:
            continue
        out.append(path)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m orthontk_lib.book.parameters", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a cell differs")
    args = parser.parse_args(argv)
    changed = [p.name for p in notebooks() if sync(p, write=not args.check)]
    verb = "differ" if args.check else "rewritten"
    print(f"parameters cells {verb}: {', '.join(changed)}" if changed else "every parameters cell matches its Config")
    return 1 if changed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
