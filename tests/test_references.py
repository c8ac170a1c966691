"""A paper's year is the same in the ledger (a claim's ``source``) as on the page (``{cite:t}`` from the bibliography)."""

import importlib
import pathlib
import re

import pytest

from orthontk_lib import references

CHAPTERS = sorted(p.stem for p in (pathlib.Path(references.__file__).parent / "chapters").iterdir()
                  if p.name[0].isalpha() and (p.suffix == ".py" or (p / "__init__.py").is_file()))
"""Every chapter: a module (``setting``) or a package."""


def test_every_citation_is_the_bibliographys_text():
    differ = {k: (v, references.from_bibliography(k)) for k, v in references.CITATIONS.items()
              if v != references.from_bibliography(k)}
    assert not differ, f"references.CITATIONS differs from book/references.bib: {differ}"
    assert references.from_bibliography("day2023orthogonal") == "Day, Kahn, Roberts 2025"  # the journal year
    assert references.from_bibliography("lee2019wide") == "Lee et al. 2019"  # more than three authors
    with pytest.raises(KeyError, match="references.bib"):
        references.from_bibliography("nobody2099")
    with pytest.raises(KeyError, match="CITATIONS"):
        references.cite("nobody2099")


def test_a_wrong_citation_is_caught(monkeypatch):
    monkeypatch.setitem(references.CITATIONS, "day2023orthogonal", "Day, Kahn, Roberts 2023")  # the preprint's year
    with pytest.raises(AssertionError, match="day2023orthogonal"):
        test_every_citation_is_the_bibliographys_text()


def test_the_chapters_import_without_a_bibtex_parser():
    """A GPU host runs the chapters' compute with JAX, Flax and Optax alone (``scripts/paper-runs``): no pybtex."""
    import subprocess
    import sys

    assert len(CHAPTERS) == 9
    code = ("import importlib, sys; sys.modules['pybtex'] = None; "
            f"[importlib.import_module('orthontk_lib.chapters.' + n) for n in {CHAPTERS!r}]")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=pathlib.Path(references.__file__).parents[1])
    assert out.returncode == 0, out.stderr[-2000:]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_claim_source_gives_the_bibliographys_year(chapter):
    module = importlib.import_module(f"orthontk_lib.chapters.{chapter}")
    wrong = []
    for claim in getattr(module, "CLAIMS", []):
        for part in re.split(r"[;(]", claim.source):
            for key, e in references.entries().items():
                m = re.search(rf"\b{re.escape(e['authors'][0])}\b[^0-9]*?\b((?:19|20)\d\d)\b", part)
                if m and m.group(1) != e["year"]:
                    wrong.append((claim.id, part.strip(), key, e["year"]))
    assert not wrong, f"claim sources whose year differs from book/references.bib: {wrong}"


def test_one_author_string_in_the_citation_the_site_and_the_figures():
    import pathlib

    import yaml

    from orthontk_lib.book import publish

    root = pathlib.Path(__file__).resolve().parents[1]
    cff = yaml.safe_load((root / "CITATION.cff").read_text())
    assert [a["name"] for a in cff["authors"]] == [publish.AUTHOR]
    assert yaml.safe_load((root / "_config.yml").read_text())["author"] == publish.AUTHOR
    assert f"author = {{{{{publish.AUTHOR}}}}}," in publish.bibtex("demo", "fig-demo", {"created": "2026-12-06"})


def test_a_figure_entry_is_published_at_the_repository_of_config_yml():
    """The BibTeX entry's ``howpublished`` is an absolute address, the repository ``_config.yml`` names (a relative
    path would mean nothing once the entry is pasted elsewhere)."""
    import pathlib

    import yaml

    from orthontk_lib.book import publish

    url = yaml.safe_load((pathlib.Path(__file__).resolve().parents[1] / "_config.yml").read_text())["repository"]["url"]
    entry = publish.bibtex("demo", "fig-demo", {"created": "2026-12-06"})
    (line,) = [x for x in entry.splitlines() if "howpublished" in x]
    assert url.startswith("https://") and f"\\url{{{url}}}" in line and "figures/demo.pdf" in line
