r"""Author-year citations read from the book's bibliography, ``book/references.bib``.

A claim's ``source`` names its paper the way the ledger shows it ("Day, Kahn, Roberts 2025"); the chapter
pages cite the same paper with ``{cite:t}`` from the same file. Writing the source with :func:`cite` keeps the
two from disagreeing (a preprint year in one place, the journal year in the other).

Example:

>>> cite("huang2021orthogonal")
'Huang, Du, Xu 2021'
>>> cite("lee2019wide")
'Lee et al. 2019'
"""

import functools
import pathlib

__all__ = ["BIB", "cite", "entries"]

BIB = pathlib.Path(__file__).resolve().parents[1] / "book" / "references.bib"
"""The book's bibliography, the one ``_config.yml`` gives Sphinx."""


@functools.lru_cache(maxsize=1)
def entries():
    """``{key: {"authors": [surname, ...], "year": "YYYY"}}`` of every entry of :data:`BIB` with authors and a year,
    parsed by pybtex (the parser sphinxcontrib-bibtex uses for the pages' citations)."""
    from pybtex.database import parse_file

    out = {}
    for key, entry in parse_file(str(BIB)).entries.items():
        people, year = entry.persons.get("author"), entry.fields.get("year")
        if people and year:
            out[key] = {"authors": [" ".join(p.last_names).strip("{}") for p in people], "year": str(year).strip()}
    return out


def cite(key):
    """``"Surname, Surname, Surname YYYY"`` (up to three authors) or ``"Surname et al. YYYY"`` for entry ``key``."""
    try:
        e = entries()[key]
    except KeyError:
        raise KeyError(f"{key!r} is not an entry of {BIB}") from None
    names = e["authors"]
    who = ", ".join(names) if len(names) <= 3 else f"{names[0]} et al."
    return f"{who} {e['year']}"
