r"""What a chapter notebook calls to publish its chapter module: config, glue, figures, ledger records.

A notebook stays prose and math with short calls::

    cfg = page.config(setting, globals())        # the parameters cell's knobs, checked
    result = page.run(setting, cfg)              # computed or loaded; numbers glued
    page.figure(result, setting.fig_convergence(result.arrays), "setting-convergence", "fig-setting-convergence")
    page.record(setting, result, cfg)            # every claim measured, verdicts shown

The chapter module knows nothing of this: it returns arrays, measurements, numbers and figures.
"""

import html
import math
import os
import pathlib

from orthontk_lib import plots
from orthontk_lib.book import ledger, publish, registry
from orthontk_lib.claims import Measured

_BOOK = pathlib.Path(__file__).resolve().parents[2] / "book"

__all__ = ["config", "run", "measured", "glue_numbers", "figure", "source_figure", "source_table", "table", "record"]


def config(module, namespace):
    """The chapter's ``Config`` from the parameters cell's variables in ``namespace`` (``None``: the profile's)."""
    knobs = {k: namespace.get(k) for k in module.Config.knobs()}
    return module.Config.for_profile(namespace.get("profile", "quick"), **knobs)


def run(module, cfg):
    """The result the chapter shows (a committed paper run, else ``cfg``'s), with its numbers glued.

    Measures the chapter's claims on the shown run once (:func:`measured`) and glues every entry of
    ``module.numbers(arrays, cfg, measured)`` under its own name, ``shown`` (which run a figure shows,
    for captions), ``provenance`` (Markdown: the run, device, date, commit, compute time, seeds and the command
    that reproduces it; each chapter page opens with it through ``{glue:md}`provenance```), ``findings`` (the
    claims' verdicts as a table, :func:`findings_markdown`) and, for a chapter that reproduces a paper's figure
    (``module.FIGURE``), ``paper-settings`` (its settings against the run shown's).
    """
    from IPython.display import Markdown
    from myst_nb import glue

    result = registry.summary(module.SLUG, cfg, module.compute)
    shown = shown_run_config(module, cfg, result)
    m = measured(module, result.arrays, shown)
    glue_numbers(module.numbers(result.arrays, shown, m))
    glue_numbers({"shown": registry.shown(result)})
    glue("provenance", Markdown(registry.provenance_line(module.SLUG, result, _notebook(module))), display=False)
    scale = registry.scale_of(result.meta)
    glue("findings", Markdown(findings_markdown(module, m, scale)), display=False)
    if hasattr(module, "FIGURE"):  # the paper's figure's settings against the run shown
        glue("paper-settings", Markdown(module.FIGURE.table(shown, f"the run shown ({scale})")), display=False)
    return result


def findings_markdown(module, measured, scale):
    """The chapter's findings as a Markdown table, for the top of its page: per claim, the claim, its value with its
    interval (95% unless its caveat names another kind), its verdict (bold) and its caveat (:meth:`Claim.tags`), all
    measured on the shown run, whose ``scale`` the header names."""
    rows = ["| claim | value [interval] | verdict | caveat |", "|---|---|---|---|"]
    for c in module.CLAIMS:
        m = measured[c.id]
        value = f"{m.value:.3g} {ledger.interval_text(m.ci)}" if math.isfinite(m.value) else "not read"
        rows.append(f"| {ledger._escape(c.statement)} | {value} | "
                    f"**{measured.verdict(c.id)}** | {ledger._escape('; '.join(c.tags(m.detail)))} |")
    return f"*What this page finds* ({scale}; the rule and caveats of each claim are in the ledger):\n\n" + "\n".join(rows)


def _notebook(module):
    """``book/NN-<slug>.ipynb`` of a chapter module."""
    return _notebook_path(module.SLUG) or _BOOK / f"{module.SLUG}.ipynb"


def _notebook_path(slug):
    """The book's ``NN-<slug>.ipynb``, or None where there is none."""
    found = sorted(_BOOK.glob(f"[0-9][0-9]-{slug}.ipynb")) if slug else []
    return found[0] if found else None


_MEASURED = {}
"""``{slug: (arrays, config, Measured)}``: the last shown run each chapter measured, for :func:`record` to reuse."""


def measured(module, arrays, cfg):
    """The chapter's claims measured on ``arrays`` (:class:`~orthontk_lib.claims.Measured`), once per run shown.

    :func:`run` measures for the prose and :func:`record` reuses the same measurements for the ledger, so a chapter's
    ``measure`` (bootstraps, fits) runs once per page and the two read the same verdicts.

    Raises:
      ValueError: naming the chapter when its ``measure`` and its ``CLAIMS`` do not name the same claims.
    """
    hit = _MEASURED.get(module.SLUG)
    if hit is not None and hit[0] is arrays and hit[1] == cfg:
        return hit[2]
    m = Measured.of(module, arrays, cfg)
    _MEASURED[module.SLUG] = (arrays, cfg, m)
    return m


def glue_numbers(numbers):
    """Glue each ``name: value`` for ``{glue:text}`` in the prose."""
    from myst_nb import glue

    for name, value in numbers.items():
        glue(name, value, display=False)


def figure(result, fig, file, label=None, seeds=None):
    """Glue ``fig`` as ``label`` (default ``fig-<file>``) and write ``<file>.pdf``/``.png`` with the run's
    provenance (:func:`orthontk_lib.book.registry.drawn`, which the caption's run phrase names too); the download line
    under it gives the commands that redraw it from the saved results and that compute them."""
    label = label or f"fig-{file}"
    meta = registry.drawn(result)
    notebook = _notebook_path(str(meta.get("name", "")).split("/")[0])  # its name: <slug>/<profile>/summary
    commands = (registry.reproduce_command(result, notebook, saved_only=True),
                registry.reproduce_command(result, notebook)) if notebook else ()
    return _publish(fig, file, label, profile=meta["profile"], seeds=meta["seeds"] if seeds is None else seeds,
                    run=meta, scale=registry.scale_of(meta), commands=commands)


def _publish(fig, file, label, **provenance):
    """Write ``fig`` with :func:`~orthontk_lib.book.publish.savefig` (``provenance`` its keywords) and glue the PNG
    it wrote as ``label``, at the width the figure is drawn for."""
    width = _shown_width(fig)  # read before savefig, which closes the figure
    files = publish.savefig(fig, file, label=label, **provenance)
    _glue_png(label, files, width)
    return files


def _shown_width(fig):
    """The width in pixels a figure is shown at on the page: its width in inches at the style's screen dpi."""
    return round(fig.get_size_inches()[0] * plots.STYLE["figure.dpi"])


def _glue_png(label, files, width):
    """Glue the PNG :func:`~orthontk_lib.book.publish.savefig` wrote, its bytes as written (so the copy the page
    shows carries the file's provenance metadata), at ``width`` pixels."""
    from IPython.display import Image
    from myst_nb import glue

    png = next(p for p in files.paths if p.suffix == ".png")
    glue(label, Image(filename=str(png), width=width), display=False)


def source_figure(fig, file, source, label=None):
    """Glue ``fig`` as ``label`` (default ``fig-<file>``) and write ``<file>.pdf``/``.png`` for a figure drawn from
    numbers the book did not compute: ``source`` (e.g. :func:`orthontk_lib.original.source`, "github.com/<owner>/<repo>
    at <commit>") is named in the files' metadata and BibTeX in place of a run."""
    label = label or f"fig-{file}"
    return _publish(fig, file, label, source=source, scale="the authors' published runs")


def source_table(columns, rows, file, source):
    """Show a table of numbers the book did not compute (``rows`` of ``columns``) and write it as ``<file>.csv``
    naming ``source`` (e.g. :func:`orthontk_lib.original.source`) in place of a run."""
    return publish.savetable(columns, rows, file, source=source)


def table(result, columns, rows, file, source=None):
    """Show a table (``rows`` of ``columns``) and write it as ``<file>.csv`` with the run's provenance, for download
    beside the figures; ``source`` names numbers from elsewhere the table sets beside the run's."""
    meta = result.meta
    return publish.savetable(columns, rows, file, profile=meta["profile"], seeds=meta["seeds"], source=source)


def record(module, result, cfg):
    """Measure every claim of the chapter, write its ledger record, and show the verdicts as a table."""
    from IPython.display import HTML

    rows = []
    for c, rec in ledger_records(module, result, cfg):
        ci = rec["ci"]
        interval = f"[{ci[0]:.3g}, {ci[1]:.3g}]" if ci else "—"
        rows.append(f"<tr><td><code>{c.id}</code></td><td>{rec['value']:.3g}</td><td>{interval}</td>"
                    f"<td>{html.escape(c.tolerance)}</td><td><b>{rec['verdict']}</b></td></tr>")
    head = "<tr><th>claim</th><th>measured</th><th>95% interval</th><th>rule</th><th>verdict</th></tr>"
    return HTML(f"<table>{head}{''.join(rows)}</table>")


def ledger_records(module, result, cfg):
    """Measure every claim of the chapter on ``result`` and write its ledger record (not under the runner's
    ``--saved-only``): ``[(claim, record), ...]``."""
    m = measured(module, result.arrays, shown_run_config(module, cfg, result))
    write = not os.environ.get(registry.SAVED_ONLY_ENV)  # a redraw from saved results writes no record
    return [(c, ledger.record(c.id, m[c.id], profile=result.meta["profile"], run=result.meta, write=write))
            for c in module.CLAIMS]


def shown_config(module, cfg, result):
    """The config of the run :func:`run` shows: ``cfg``, or the committed paper run's own config (its knobs, a
    CPU-scale run's overrides included). Figures and tables read it, so that they describe the arrays they draw.

    Where the two differ, it displays the shown run's config under a line that says so, so that a page showing a
    committed paper run never leaves the reader with only the notebook's own profile printed above it."""
    shown = shown_run_config(module, cfg, result)
    if shown is not cfg:
        from IPython.display import Markdown, display

        display(Markdown(shown_config_note(shown, registry.scale_of(result.meta))))
    return shown


def shown_config_note(shown, scale):
    """Markdown: the config of a shown run that is not the notebook's own profile (see :func:`shown_config`), the
    run named by its ``scale``."""
    return (f"The figures and numbers below are the committed {scale} run's, not a run of the configuration printed "
            f"above. That run's knobs:\n\n```\n{shown!r}\n```")


def shown_run_config(module, cfg, result):
    """The config of the run shown: ``cfg``, or the committed paper run's own config (:func:`shown_config` without
    displaying anything, for tools outside a notebook)."""
    if result.meta.get("profile") == cfg.profile:
        return cfg
    return module.Config.for_profile(result.meta["profile"], use_env=False,
                                     **{k: v for k, v in result.meta.get("params", {}).items() if k != "profile"})
