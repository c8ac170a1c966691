"""Book notebooks: committed clean, one parameters cell whose knobs are the chapter's Config."""

import json
import pathlib

import pytest

from orthontk_lib.book import registry as chapters
from orthontk_lib import chapters as chapter_modules

BOOK = pathlib.Path(__file__).resolve().parents[1] / "book"
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_has_no_outputs_or_execution_counts(path):
    nb = json.loads(path.read_text())
    dirty = [i for i, c in enumerate(nb["cells"]) if c.get("outputs") or c.get("execution_count")]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; clear them before committing"


EXPERIMENTS = [p for p in NOTEBOOKS if (pathlib.Path(chapter_modules.__file__).parent / f"{chapters.slug_of(p).replace('-', '_')}.py").exists()]


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.name)
def test_parameters_cell_declares_profile_quick_and_the_config_knobs(path):
    import papermill

    nb = json.loads(path.read_text())
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: needs exactly one cell tagged 'parameters'"
    assert 'profile = "quick"' in "".join(tagged[0]["source"])
    declared = set(papermill.inspect_notebook(str(path))) - {"profile"}
    knobs = set(chapters.module_of(path).Config.knobs())
    assert declared <= knobs, f"{path.name}: parameters {declared - knobs} are not knobs of its Config"


def test_every_chapter_in_the_toc_exists_and_files_sort_in_book_order():
    import yaml

    toc = yaml.safe_load((BOOK.parent / "_toc.yml").read_text())
    files = [ch["file"] for part in toc["parts"] for ch in part["chapters"]]
    for f in files:
        assert any((BOOK.parent / f"{f}{ext}").exists() for ext in (".md", ".ipynb")), f
    assert files == sorted(files), "Sphinx executes in name order; the ledger must come after every chapter"
