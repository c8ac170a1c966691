r"""Author-year citations of the papers the library's claims name, held equal to the book's bibliography.

A claim's ``source`` names its paper the way the ledger shows it ("Day, Kahn, Roberts 2025"); the chapter
pages cite the same paper with ``{cite:t}`` from ``book/references.bib``. :data:`CITATIONS` holds the text for
each key the library cites, so importing a chapter needs no BibTeX parser (a GPU host has none); the tests hold
every entry equal to :func:`from_bibliography`, which reads the file with pybtex, the parser sphinxcontrib-bibtex
uses for the pages' citations, so the two cannot disagree (a preprint year in one place, the journal year in the
other).

Example:

>>> cite("huang2021orthogonal")
'Huang, Du, Xu 2021'
>>> cite("lee2019wide")
'Lee et al. 2019'
"""

import functools
import pathlib

__all__ = ["BIB", "CITATIONS", "cite", "entries", "from_bibliography"]

BIB = pathlib.Path(__file__).resolve().parents[1] / "book" / "references.bib"
"""The book's bibliography, the one ``_config.yml`` gives Sphinx."""

CITATIONS = {
    "day2023orthogonal": "Day, Kahn, Roberts 2025",  # the journal year, as the page shows
    "hanin2020finite": "Hanin, Nica 2020",
    "hayou2019meanfield": "Hayou, Doucet, Rousseau 2019",
    "huang2021orthogonal": "Huang, Du, Xu 2021",
    "lee2019wide": "Lee et al. 2019",
    "liu2020linearity": "Liu, Zhu, Belkin 2020",
}
"""``{bibliography key: citation}`` for each paper a claim's source names: :func:`from_bibliography`'s text."""


def cite(key):
    """The citation of bibliography entry ``key`` (:data:`CITATIONS`), e.g. ``"Huang, Du, Xu 2021"``.

    Raises:
      KeyError: ``key`` is not in :data:`CITATIONS` (add it there, with :func:`from_bibliography`'s text).
    """
    try:
        return CITATIONS[key]
    except KeyError:
        raise KeyError(f"{key!r} is not in references.CITATIONS: add it with its text from {BIB}") from None


@functools.lru_cache(maxsize=1)
def entries():
    """``{key: {"authors": [surname, ...], "year": "YYYY"}}`` of every entry of :data:`BIB` with authors and a year,
    parsed by pybtex (a dependency of the book's build, not of the library's science).

    Raises:
      ModuleNotFoundError: pybtex is not installed.
    """
    from pybtex.database import parse_file

    out = {}
    for key, entry in parse_file(str(BIB)).entries.items():
        people, year = entry.persons.get("author"), entry.fields.get("year")
        if people and year:
            out[key] = {"authors": [" ".join(p.last_names).strip("{}") for p in people], "year": str(year).strip()}
    return out


def from_bibliography(key):
    """``"Surname, Surname, Surname YYYY"`` (up to three authors) or ``"Surname et al. YYYY"`` for entry ``key`` of
    :data:`BIB`, read by pybtex (:func:`entries`).

    Raises:
      KeyError: no entry ``key`` with authors and a year in :data:`BIB`.
    """
    try:
        e = entries()[key]
    except KeyError:
        raise KeyError(f"{key!r} is not an entry of {BIB}") from None
    names = e["authors"]
    who = ", ".join(names) if len(names) <= 3 else f"{names[0]} et al."
    return f"{who} {e['year']}"
