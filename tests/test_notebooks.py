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


def _is_experiment(path):
    """A notebook driven by a chapter module (``setting.py``) or package (``speedup/``)."""
    stem = pathlib.Path(chapter_modules.__file__).parent / chapters.slug_of(path).replace("-", "_")
    return stem.with_suffix(".py").exists() or (stem / "__init__.py").exists()


EXPERIMENTS = [p for p in NOTEBOOKS if _is_experiment(p)]


def test_every_chapter_notebook_is_an_experiment():
    # a chapter turned into a package must not drop out of the checks below
    assert [p.name for p in NOTEBOOKS if p not in EXPERIMENTS] == ["90-ledger.ipynb", "index.ipynb"]


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.name)
def test_parameters_cell_is_derived_from_the_chapters_config(path):
    from orthontk_lib.book.profiles import parameters_cell

    nb = json.loads(path.read_text())
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: needs exactly one cell tagged 'parameters'"
    expected = parameters_cell(chapters.module_of(path).Config)
    assert "".join(tagged[0]["source"]) == expected, (
        f"{path.name}: the parameters cell must list every knob of its Config, one a line; expected:\n{expected}")
    assert any("page.config(" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.name)
def test_papermill_reads_every_knob_of_the_parameters_cell(path):
    import papermill

    declared = set(papermill.inspect_notebook(str(path))) - {"profile"}
    assert declared == set(chapters.module_of(path).Config.knobs()), path.name


def code_lines(cell):
    return [ln for ln in "".join(cell["source"]).splitlines() if ln.strip() and not ln.strip().startswith("#")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_code_cells_are_short_calls(path):
    nb = json.loads(path.read_text())
    long = [(i, len(code_lines(c))) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
            and "parameters" not in c.get("metadata", {}).get("tags", []) and len(code_lines(c)) > 10]
    assert not long, f"{path.name}: code cells over 10 lines (cell, lines): {long}; move the logic to the chapter module"
    loops = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
             and any(ln.lstrip().startswith(("for ", "while ", "def ", "class ")) for ln in code_lines(c))]
    assert not loops, f"{path.name}: cells {loops} hold loops or definitions; they belong in the chapter module"


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.name)
def test_every_chapter_records_its_claims(path):
    nb = json.loads(path.read_text())
    module = chapters.module_of(path)
    calls = [c for c in nb["cells"] if c["cell_type"] == "code" and "page.record(" in "".join(c["source"])]
    assert len(calls) == 1 and module.CLAIMS, f"{path.name}: one page.record call for its CLAIMS"


def test_every_chapter_in_the_toc_exists_and_files_sort_in_book_order():
    import yaml

    toc = yaml.safe_load((BOOK.parent / "_toc.yml").read_text())
    files = [ch["file"] for part in toc["parts"] for ch in part["chapters"]]
    for f in files:
        assert any((BOOK.parent / f"{f}{ext}").exists() for ext in (".md", ".ipynb")), f
    assert files == sorted(files), "Sphinx executes in name order; the ledger must come after every chapter"


def test_the_parameters_command_writes_a_cell_from_the_config_and_checks_the_book(tmp_path, capsys):
    import shutil

    import nbformat

    from orthontk_lib.book import parameters

    assert parameters.main(["--check"]) == 0, capsys.readouterr().out  # the committed notebooks match
    nb_path = tmp_path / "08-edge-of-chaos.ipynb"
    shutil.copy(BOOK / nb_path.name, nb_path)
    nb = nbformat.read(nb_path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = cell.source.replace("dataset = None", "")  # a knob missing from the cell
    nbformat.write(nb, nb_path)
    assert parameters.sync(nb_path, write=False) and parameters.sync(nb_path) and not parameters.sync(nb_path)
    assert "dataset = None  # every kernel's and run's data" in nbformat.read(nb_path, as_version=4).cells[
        nb.cells.index(cell)].source


def test_the_front_pages_paper_figures_are_figures_of_their_chapters():
    from orthontk_lib.book import ledger

    for number, doc, label, _ in ledger.PAPER_FIGURES:
        source = (BOOK / f"{doc}.ipynb").read_text()
        assert f"glue:figure}} {label}" in source, f"the paper's {number}: no figure {label} in {doc}"
    assert 'href="07-speedup.html#fig-speedup-learning-speed"' in ledger.figure_gallery_html()
