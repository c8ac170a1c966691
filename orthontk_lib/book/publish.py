r"""Publishing the book's figures and tables: files with stable names that carry their provenance, and their
citations.

:func:`savefig` writes a ``matplotlib.figure.Figure`` (drawn by :mod:`orthontk_lib.plots`) as
``<figure folder>/<name>.pdf`` and ``.png`` (:func:`figure_dir`: the book build points the folder at what it
publishes as ``figures/<name>.pdf``; default ``_build/extra/figures``), with the provenance (profile, seeds, package
versions, git commit) in the files' metadata and a BibTeX entry (:func:`bibtex`). :func:`savetable` writes a table as
``<name>.csv`` beside them, its provenance on a first ``#`` line, and shows it as HTML (:func:`html_table`).

Example:

>>> import tempfile
>>> from orthontk_lib.plots import figure
>>> fig, ax = figure()
>>> _ = ax.loglog([1, 10, 100], [1, 0.3, 0.1])
>>> files = savefig(fig, "demo-figure", folder=tempfile.mkdtemp())
>>> sorted(p.suffix for p in files.paths)
['.pdf', '.png']
"""

import json
import os
import pathlib
import re
from typing import NamedTuple

import matplotlib.pyplot as plt

from orthontk_lib import results
from orthontk_lib.plots import STYLE

__all__ = ["FIGURE_DIR_ENV", "FigureFiles", "figure_dir", "repository_url", "AUTHOR", "bibtex", "savefig", "TableFiles", "savetable",
           "html_table"]

FIGURE_DIR_ENV = "ORTHONTK_FIGURE_DIR"
"""Environment variable that moves the figure folder (default ``<repo>/_build/extra/figures``)."""


class FigureFiles(NamedTuple):
    """The files :func:`savefig` wrote; displays as download links and a BibTeX entry in a notebook."""

    name: str
    paths: tuple
    bibtex: str = ""
    commands: tuple = ()  # (redraw from saved results, compute them), or none

    def _repr_html_(self):
        import html

        links = " · ".join(f'<a href="../figures/{p.name}" download>{p.suffix[1:].upper()}</a>' for p in self.paths)
        cite = (f'<details class="figure-cite"><summary>Cite this figure (BibTeX)</summary><pre>'
                f'{html.escape(self.bibtex)}</pre></details>' if self.bibtex else "")
        redraw = ("<details class=\"figure-redraw\"><summary>Redraw this figure</summary><small>From the saved results, "
                  f"computing nothing:<br><code>{html.escape(self.commands[0])}</code><br>Computing the points it "
                  f"draws (saved points are reused):<br><code>{html.escape(self.commands[1])}</code></small></details>"
                  if self.commands else "")
        return f'<p class="figure-files">Download figure <code>{self.name}</code>: {links}</p>{cite}{redraw}'

    def _repr_markdown_(self):
        return f"Download figure `{self.name}`: " + " · ".join(p.name for p in self.paths)


def figure_dir(folder=None):
    """The figure folder: ``folder``, else ``$ORTHONTK_FIGURE_DIR``, else ``<repo>/_build/extra/figures``."""
    default = pathlib.Path(__file__).resolve().parents[2] / "_build" / "extra" / "figures"
    return pathlib.Path(folder or os.environ.get(FIGURE_DIR_ENV) or default)


def repository_url():
    """The book's repository, as ``_config.yml`` gives it (``repository: url:``); a ``ValueError`` where it is unset."""
    import yaml

    config = yaml.safe_load((pathlib.Path(__file__).resolve().parents[2] / "_config.yml").read_text())
    url = (config.get("repository") or {}).get("url")
    if not url:
        raise ValueError("_config.yml: repository.url is not set; the BibTeX entries and the front page link to it")
    return url


AUTHOR = "The orthontk authors"
"""The book's author, as CITATION.cff and _config.yml give it."""


def bibtex(name, label, made):
    """A ready-to-paste BibTeX entry for figure ``name`` (cross-reference ``label``) made as ``made`` says."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        book_version = version("orthontk")
    except PackageNotFoundError:
        book_version = "unreleased"
    commit = made.get("git_commit") or "uncommitted"
    commit = commit[:12] + ("-dirty" if commit.endswith("-dirty") else "")
    return "\n".join([
        f"@misc{{orthontk-{name},",
        f"  title = {{{{orthontk}}: figure {label}" + ("" if label == f"fig-{name}" else f" ({name})") + "},",
        f"  author = {{{{{AUTHOR}}}}},",
        f"  year = {{{str(made.get('created', ''))[:4]}}},",
        f"  howpublished = {{\\url{{{repository_url()}}}, figure file figures/{name}.pdf of the book's site}},",
        f"  note = {{orthontk {book_version}, commit {commit}, "
        + (f"drawn from {made['source']}" if made.get("source") else
           f"{made.get('scale') or str(made.get('profile')) + ' profile'}")
        + f", made {str(made.get('created', ''))[:10]}}}",
        "}",
    ])


def savefig(fig, name, *, profile=None, seeds=None, folder=None, label=None, run=None, scale=None, source=None,
            commands=()):
    """Write ``fig`` as ``<name>.pdf`` and ``<name>.png``; ``name`` is ``<chapter>-<figure>``.

    The files' metadata and the BibTeX entry carry one provenance: with ``run`` (the drawn run's saved metadata), that
    run's commit, device, matmul precision and date, the commit that rendered the figure kept apart as
    ``rendered_by``; ``scale`` names the run's scale (:data:`orthontk_lib.book.registry.SCALES`). A figure drawn from
    numbers the book did not compute names them in ``source`` (e.g. ``"https://github.com/<owner>/<repo> at
    443223b"``), which the metadata and the BibTeX entry carry. ``commands``: the commands that redraw the figure from
    saved results and that compute them, shown under it. The figure is closed afterwards (a notebook shows it
    through ``glue``, not twice).

    Returns:
      :class:`FigureFiles` (shows download links when displayed in a notebook).
    """
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        raise ValueError(f"name: figure names are lowercase words joined by '-', got {name!r}")
    out = figure_dir(folder)
    out.mkdir(parents=True, exist_ok=True)
    made = results.provenance(profile=profile, seeds=seeds)
    if run is not None:  # the run drawn, not the build that rendered it: what the run does not record stays unsaid
        drawn = ("git_commit", "device", "matmul_precision", "created")
        made = {**{k: v for k, v in made.items() if k not in drawn}, "rendered_by": made["git_commit"],
                **{k: run[k] for k in drawn if run.get(k)}}
    if scale:  # the run's scale names it; its profile (the runner's, whose knobs a reduced run overrides) is not
        made = {k: v for k, v in made.items() if k != "profile"}
        made["scale"] = scale
    if source:
        made = {k: v for k, v in made.items() if k != "seeds"}
        made["source"] = source
    text = json.dumps(made, sort_keys=True)
    paths = (out / f"{name}.pdf", out / f"{name}.png")
    with plt.rc_context(STYLE):
        fig.savefig(paths[0], metadata={"Title": name, "Subject": text, "Creator": "orthontk"})
        fig.savefig(paths[1], metadata={"Title": name, "Description": text, "Software": "orthontk"})
    plt.close(fig)
    return FigureFiles(name, paths, bibtex(name, label or name, made), tuple(commands))


class TableFiles(NamedTuple):
    """A table shown as HTML with a download link to the CSV :func:`savetable` wrote."""

    name: str
    path: object
    html: str

    def _repr_html_(self):
        return (f'{self.html}<p class="figure-files">Download table <code>{self.name}</code>: '
                f'<a href="../figures/{self.path.name}" download>CSV</a></p>')


def savetable(columns, rows, name, *, profile=None, seeds=None, folder=None, floatfmt=".3f", source=None):
    """Write a table as ``<name>.csv`` (a first ``#`` line holds its provenance, as a figure's metadata does) beside
    the figures, atomically; returns :class:`TableFiles`, which displays it as HTML with the download link. A table
    of numbers the book did not compute names them in ``source``: in place of a profile and seeds, or beside them
    where the table sets the book's run beside them.

    Raises:
      ValueError: a name that is not lowercase words joined by '-', or a row of the wrong length.
    """
    import csv
    import io

    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        raise ValueError(f"name: table names are lowercase words joined by '-', got {name!r}")
    rows = [list(r) for r in rows]
    if any(len(r) != len(columns) for r in rows):
        raise ValueError(f"rows: table {name} has {len(columns)} columns; a row has {[len(r) for r in rows]}")
    out = figure_dir(folder)
    out.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    made = results.provenance(profile=profile, seeds=seeds)
    if source:  # numbers from elsewhere: alone, or beside the book's run's (profile and seeds given)
        made = {**{k: v for k, v in made.items() if profile is not None or k not in ("profile", "seeds")},
                "source": source}
    buf.write("# " + json.dumps(made, sort_keys=True) + "\n")
    csv.writer(buf, lineterminator="\n").writerows([columns, *rows])
    path = out / f"{name}.csv"
    results.atomic_write(path, buf.getvalue().encode())
    return TableFiles(name, path, html_table(columns, rows, floatfmt))


def html_table(columns, rows, floatfmt=".3f"):
    """A plain HTML table (for notebook outputs: myst-nb renders markdown outputs as CommonMark, without tables)."""
    import html

    cell = lambda v: f"{v:{floatfmt}}" if isinstance(v, float) else html.escape(str(v))
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f'<table class="orthontk-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
