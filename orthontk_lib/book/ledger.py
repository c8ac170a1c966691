r"""The claims ledger: every chapter's claims, their measured statistics, their verdicts.

Nothing about a claim is written here. Each chapter module declares its own
``CLAIMS`` (:class:`orthontk_lib.claims.Claim`); :func:`claims` gathers them in
``_toc.yml`` order. A chapter's notebook measures them (``measure(arrays, cfg)``)
and :func:`record` writes one ``ledger/<profile>/<id>.json`` per claim in the
results folder, atomically. The ledger page shows, grouped by paper, one line per
claim: its value, interval and verdict in the run its chapter shows (the committed
paper-profile run where there is one, else this build's), recomputed from the
claim's rule at every build, and the scale of that run; the statistic, rule,
rationale and what would decide an inconclusive claim are folded under the line.

:func:`failing` lists the claims the book finds false (their verdict, in the run
each chapter shows, is "does not hold"), each with a link to its chapter's
robustness section (``Claim.robustness``); the ledger page and the front page show
that list, as :func:`failing_markdown` writes it.

Example:

>>> import tempfile
>>> from orthontk_lib.claims import Measurement
>>> root = tempfile.mkdtemp()
>>> r = record("setting-ntk-slope-orthogonal", Measurement(-0.52, (-0.6, -0.44)), profile="quick", root=root)
>>> r["verdict"]
'holds'
"""

import functools
import html
import importlib
import json
import math
import re
from typing import NamedTuple

import yaml

from orthontk_lib import results
from orthontk_lib.claims import FAILS, VERDICTS, Measurement

REPO = results.REPO_DATA.parent

__all__ = ["claims", "claim", "chapter_of", "record", "records", "PAPERS", "Finding", "findings", "front_markdown",
           "interval_text", "claims_html", "authors_data", "authors_differ_markdown", "Failing", "failing", "failing_markdown", "shown_profile"]


# GATHERING


@functools.lru_cache(maxsize=None)
def chapter_modules():
    """``[(docname, module)]`` of the experiment chapters, in ``_toc.yml`` order."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    out = []
    for part in toc["parts"]:
        for ch in part["chapters"]:
            docname = ch["file"].split("/")[-1]
            slug = docname.split("-", 1)[1] if docname[:2].isdigit() else docname
            name = f"orthontk_lib.chapters.{slug.replace('-', '_')}"
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as err:
                if err.name != name:  # the chapter exists but imports something missing: never drop it silently
                    raise
                continue  # a page without a chapter module (the ledger, the bibliography)
            out.append((docname, module))
    return out


def claims():
    """``[(docname, Claim)]``: every chapter's ``CLAIMS``, in book order; ids are unique."""
    out = [(doc, c) for doc, module in chapter_modules() for c in getattr(module, "CLAIMS", ())]
    ids = [c.id for _, c in out]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"claims: ids declared twice: {', '.join(dupes)}")
    return out


def claim(claim_id):
    """The :class:`~orthontk_lib.claims.Claim` called ``claim_id``."""
    for _, c in claims():
        if c.id == claim_id:
            return c
    raise KeyError(f"claim: no chapter declares {claim_id!r}")


def chapter_of(claim_id):
    """The docname of the chapter that declares ``claim_id``, e.g. ``01-setting``."""
    return next(doc for doc, c in claims() if c.id == claim_id)


# RECORDING


RUN_FIELDS = ("git_commit", "device", "matmul_precision", "created", "key")
"""What a record keeps of the run it measured (its summary's provenance), beside the provenance of the measuring."""


def record(claim_id, measurement, *, profile, root=None, run=None, write=True):
    """Write a claim's :class:`~orthontk_lib.claims.Measurement`; returns the record written.

    ``run``: the measured run's metadata (a :class:`~orthontk_lib.results.Result`'s ``meta``). The record then keeps
    that run's commit, device, matmul precision, date and key under ``"run"``, and its top-level ``device`` and
    ``matmul_precision`` are the run's, the machine and precision the numbers were computed with; ``git_commit`` stays
    the commit of the code that measured them. ``write=False`` returns the record without writing it (a redraw from
    saved results)."""
    c = claim(claim_id)
    m = Measurement(*measurement)
    ci = None if m.ci is None else [float(m.ci[0]), float(m.ci[1])]
    rec = {
        "id": claim_id,
        "value": float(m.value),
        "ci": ci,
        "verdict": c.verdict(m.value, ci),
        "detail": m.detail,
        **results.provenance(profile=profile),
    }
    if run is not None:
        rec["run"] = {k: run.get(k) for k in RUN_FIELDS}
        rec.update({k: run[k] for k in ("device", "matmul_precision") if run.get(k) is not None})
    if not write:
        return rec
    folder = results.data_dir(root) / "ledger" / profile
    folder.mkdir(parents=True, exist_ok=True)
    results.atomic_write(folder / f"{claim_id}.json", json.dumps(rec, indent=1, sort_keys=True, allow_nan=True).encode())
    return rec


def records(profile, root=None):
    """``{claim id: record}`` of the records saved for ``profile``."""
    folder = results.data_dir(root) / "ledger" / profile
    out = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            out[path.stem] = json.loads(path.read_text())
        except ValueError as err:
            raise results.ResultError(f"{path}: ledger record is corrupt ({err}); delete it and rebuild") from err
    return out


def verdict_of(c, rec):
    """The verdict of a record under the claim's current rule (``"not yet measured"`` for none)."""
    return "not yet measured" if rec is None else c.verdict(rec["value"], rec.get("ci"))


# THE FRONT PAGE: every paper's claims, in the run each chapter shows

PAPERS = ("Huang, Du, Xu 2021", "Liu, Zhu, Belkin 2020", "Hayou, Doucet, Rousseau 2019", "Zhou, Xu et al. 2022")
"""The papers the book tests, the main paper first; claims from other sources (:func:`paper_of`) follow, and the
book's own last."""


class Finding(NamedTuple):
    """A claim's verdict in the run its chapter shows, for the front page."""

    paper: str  # :func:`paper_of`
    id: str
    chapter: str  # docname, e.g. "07-speedup"
    statement: str
    value: float | None  # None: not yet measured
    ci: tuple | None
    verdict: str  # one of VERDICTS, or "not yet measured"
    scale: str  # orthontk_lib.book.registry.SCALES
    record: dict | None  # the ledger record read (None: not yet measured)


def findings(profile, root=None, paper_root=None):
    """Every claim with its verdict in the run its chapter shows (the committed paper run where there is one, else
    this build's ``profile``; :func:`shown_profile`) and that run's scale, grouped by paper in :data:`PAPERS` order
    (claims from other sources after them, the book's own last), book order within a paper: a list of
    :class:`Finding`."""
    from orthontk_lib.book import registry

    paper_root = paper_root or results.REPO_DATA
    paper, own = records("paper", paper_root), records(profile, root) if profile != "paper" else {}
    out = []
    for doc, module in chapter_modules():
        run = registry.paper_run(module.SLUG, paper_root)
        recs, scale = (paper, registry.scale(module, run.meta)) if run is not None else (own, profile)
        for c in getattr(module, "CLAIMS", ()):
            rec = recs.get(c.id)
            ci = None if rec is None or rec.get("ci") is None else tuple(rec["ci"])
            out.append(Finding(paper_of(c), c.id, doc, c.statement, None if rec is None else rec["value"], ci,
                               verdict_of(c, rec), scale if rec is not None else "not run", rec))
    rank = lambda f: (PAPERS.index(f.paper) if f.paper in PAPERS else len(PAPERS) + (f.paper == "this book"))
    return sorted(out, key=rank)  # stable: book order within a paper


PLURAL = {"holds": "hold", "does not hold": "do not hold"}
"""A verdict as a count of claims other than one reads it: "28 hold", "0 do not hold" (but "1 holds")."""


def _count(k, verdict):
    """``"28 hold"``, ``"1 holds"``, ``"0 do not hold"``."""
    return f"{k} {verdict if k == 1 else PLURAL.get(verdict, verdict)}"


def interval_text(ci):
    """``[lo, hi]`` to 3 significant figures, ``∞`` for an unbounded end, or "no interval" (NaN or none)."""
    if ci is None or any(math.isnan(x) for x in ci):
        return "(no interval)"
    end = lambda x: "∞" if x == math.inf else "−∞" if x == -math.inf else f"{x:.3g}"
    return f"[{end(ci[0])}, {end(ci[1])}]"


def front_markdown(profile, root=None, paper_root=None):
    """The front page's summary as MyST: per paper, a line of counts (the verdicts of :func:`findings`) and a table
    of its claims: the claim, value and 95% interval, verdict (bold), the scale of the run that decided it, and a link
    to its chapter."""
    rows = findings(profile, root, paper_root)
    out = []
    for name in dict.fromkeys(f.paper for f in rows):
        group = [f for f in rows if f.paper == name]
        n = {v: sum(f.verdict == v for f in group) for v in VERDICTS + ("not yet measured",)}
        title = f"{name} (the main paper)" if name == PAPERS[0] else name
        out += [f"*{_escape(title)}*: {len(group)} claim{'s' if len(group) != 1 else ''}; "
                + ", ".join(_count(k, v) for v, k in n.items() if k or v in VERDICTS) + ".", "",
                "| claim | value [interval] | verdict | caveat | run | chapter |", "|---|---|---|---|---|---|"]
        for f in group:
            value = "—" if f.value is None else f"{f.value:.3g} {interval_text(f.ci)}"
            tags = _escape("; ".join(claim(f.id).tags((f.record or {}).get("detail"))))
            out.append(f"| {_escape(f.statement)} | {value} | **{f.verdict}** | {tags} | {f.scale} | "
                       f"{{doc}}`{f.chapter[:2]} <{f.chapter}>` |")
        out.append("")
    return "\n".join(out)


# THE MAIN PAPER'S FIGURES

PAPER_FIGURES = (
    ("Fig. 1", "01-setting", "fig-setting-convergence", "kernel convergence with width"),
    ("Fig. 2", "04-constancy", "fig-constancy-weights", "weight and NTK change with width"),
    ("Fig. 3", "06-training-curves", "fig-training-curves-gd", "full-batch gradient descent"),
    ("Fig. 3, supplement", "06-training-curves", "fig-training-curves-sgd", "SGD in the NTK regime"),
    ("Fig. 4", "07-speedup", "fig-speedup-learning-speed", "learning speed against learning rate"),
)
"""The main paper's figures as the book draws them: (the paper's number, chapter, the figure's stable label, what it
shows)."""


def figure_gallery_html(figures=PAPER_FIGURES):
    """The main paper's figures as small linked images for the front page (``book/index``), each labelled with the
    paper's own figure number; the images are the published PNGs (``figures/<label without fig->.png``)."""
    cards = []
    for number, doc, label, what in figures:
        alt = html.escape(f"the paper's {number}: {what}", quote=True)
        cards.append(f'<a href="{doc}.html#{label}" style="display:inline-block;width:18%;min-width:150px;'
                     f'margin:0 1% 1em 0;vertical-align:top;text-decoration:none">'
                     f'<img src="../figures/{label.removeprefix("fig-")}.png" alt="{alt}" style="width:100%">'
                     f"<br><b>the paper's {html.escape(number)}</b><br>{html.escape(what)}</a>")
    return f'<div class="paper-figures">{"".join(cards)}</div>'


# THE AUTHORS' OWN DATA


@functools.lru_cache(maxsize=1)
def authors_data():
    """``{claim id: (Measurement, verdict)}`` of every claim that the main paper's authors' published numbers can
    decide, measured on them by its chapter's own statistic (``<chapter>.authors.measurements()``, from the committed
    summaries of :mod:`orthontk_lib.original`) and read with its own rule."""
    out = {}
    for _, module in chapter_modules():
        source = getattr(module, "authors", None)
        if source is None:
            continue
        claims = {c.id: c for c in module.CLAIMS}
        for cid, m in source.measurements().items():
            out[cid] = (m, claims[cid].verdict(*m[:2]))
    return out


def authors_differ_markdown(profile, root=None, paper_root=None):
    """The claims whose verdict on the authors' own numbers differs from the verdict in the run the book shows, as a
    MyST table (claim linked to its chapter, the book's value and verdict, the authors' value and verdict); a line
    saying so where none differs."""
    theirs = authors_data()
    rows = [f for f in findings(profile, root, paper_root) if f.id in theirs and theirs[f.id][1] != f.verdict]
    if not rows:
        return "None: on every claim their numbers decide, the authors' data and the book's run agree."
    out = ["| claim | this book | the authors' data |", "|---|---|---|"]
    for f in rows:
        m, verdict = theirs[f.id]
        ours = "—" if f.value is None else f"{f.value:.3g} {interval_text(f.ci)}"
        out.append(f"| {_escape(f.statement)} ({{doc}}`{f.chapter[:2]} <{f.chapter}>`) | {ours} **{f.verdict}** | "
                   f"{m.value:.3g} {interval_text(m.ci)} **{verdict}** |")
    return "\n".join(out)


# CLAIMS FOUND FALSE


class Failing(NamedTuple):
    """A claim the book finds false, with where its chapter tests the verdict's robustness."""

    id: str  # the claim's id
    chapter: str  # docname of its chapter, e.g. "09-condensation"
    paper: str  # the paper it is from, e.g. "Zhou, Xu et al. 2022" ("this book" for the book's own)
    statement: str  # the claim, in a few words
    value: float  # the statistic in the run shown
    ci: tuple  # its interval
    rule: str  # the rule the interval lies wholly outside of
    run: str  # the run shown, named by its scale ("reduced-scale run")
    tags: tuple  # short caveats (:meth:`orthontk_lib.claims.Claim.tags`)
    reading: str | None  # the chapter's reading of the evidence (``detail["reading"]``), for the ledger's fold
    label: str | None  # the MyST label of the chapter's robustness section (None: a smoke-profile verdict)
    href: str | None  # the section's address in the site, "<chapter>.html#<label>"


def shown_profile(module, profile, paper_root=None):
    """The profile of the run a chapter shows: ``"paper"`` where its committed paper run exists, else ``profile``
    (the rule :func:`orthontk_lib.book.registry.summary` applies)."""
    from orthontk_lib.book import registry

    return "paper" if registry.paper_run(module.SLUG, paper_root) is not None else profile


def failing(profile, root=None, paper_root=None):
    """The claims whose verdict, in the run the book shows for their chapter, is "does not hold", in book order.

    The run shown is the chapter's committed paper run where one exists, else this build's ``profile``
    (:func:`shown_profile`); its verdict is recomputed from the record with the claim's rule.

    Args:
      profile: this build's profile (``"smoke"`` or ``"quick"``).
      root: this build's results folder (default ``$ORTHONTK_DATA_DIR``).
      paper_root: the folder of committed paper runs and records (default: the repository's ``data/``).

    Returns:
      A list of :class:`Failing`, empty when every claim holds or is undecided.

    Raises:
      ValueError: naming the claim, when a claim that does not hold names no robustness section
        (``Claim.robustness``): no claim is called false without the section that tests it. Except at the smoke
        profile, which tests the code at toy sizes and decides nothing a reader is shown: there such a claim is
        listed without a link (``label`` and ``link`` None).
    """
    paper_root = paper_root or results.REPO_DATA
    paper, own = records("paper", paper_root), records(profile, root) if profile != "paper" else {}
    out = []
    for doc, module in chapter_modules():
        shown = shown_profile(module, profile, paper_root)
        run = _run_name(module, shown, paper_root)
        for c in getattr(module, "CLAIMS", ()):
            rec = (paper if shown == "paper" else own).get(c.id)
            if verdict_of(c, rec) != FAILS:
                continue
            if not c.robustness and shown == "smoke":  # a test of the code at toy sizes: no finding to defend
                out.append(Failing(c.id, doc, paper_of(c), *_finding(c, rec, run), None, None))
                continue
            if not c.robustness:
                raise ValueError(f"{c.id}: does not hold in the {shown} run of {doc}, but its Claim names no "
                                 f"robustness section; give it robustness=\"<label>\", the label of the section of "
                                 f"{doc} that says what was varied and what stayed")
            out.append(Failing(c.id, doc, paper_of(c), *_finding(c, rec, run), c.robustness,
                               f"{doc}.html#{c.robustness}"))
    return out


def paper_of(c):
    """The paper a claim is from, read off its source: ``"Zhou, Xu et al. 2022, Sec. 5"`` -> ``"Zhou, Xu et al. 2022"``."""
    if c.source.startswith("this book"):
        return "this book"
    found = re.match(r"^(.*?\b(?:19|20)\d\d[a-z]?)\b", c.source)
    return found.group(1) if found else c.source


def failing_markdown(profile, root=None, paper_root=None):
    """:func:`failing` as a MyST table: per claim its paper, the claim (linked to its chapter), the value and interval
    against its rule, the run's scale, its caveats and a link to the chapter's robustness section; a line saying so
    when no claim fails. Rendered as MyST (cell metadata ``mystnb.markdown_format: myst``), so a label that no
    section carries fails the build."""
    found = failing(profile, root, paper_root)
    if not found:
        return "None. In the runs this book shows, no claim of the papers it covers has the verdict *does not hold*."
    rows = ["| paper | claim | value [interval] | rule | run | caveat | tested in |", "|---|---|---|---|---|---|---|"]
    for f in found:
        tested = f"{{ref}}`robustness <{f.label}>`" if f.label else "smoke profile: no section"
        rows.append(f"| {_escape(f.paper)} | {_escape(f.statement)} `{f.id}` ({{doc}}`{f.chapter[:2]} <{f.chapter}>`) | "
                    f"{f.value:.3g} {interval_text(f.ci)} | {_escape(f.rule)} | {f.run} | {_escape('; '.join(f.tags))} | "
                    f"{tested} |")
    return "\n".join(rows)


def _escape(text):
    """``text`` with Markdown's special characters backslash-escaped, so a statement's Θ_∞ or q* shows as written."""
    return re.sub(r"([\\`*_{}\[\]<>#|$!])", r"\\\1", text)


def _run_name(module, shown, paper_root):
    """The run a chapter shows, named by its scale: "reduced-scale run", "paper-scale run" or "quick-profile run"."""
    from orthontk_lib.book import registry

    if shown != "paper":
        return f"{shown}-profile run"
    return registry.scale(module, registry.paper_run(module.SLUG, paper_root).meta).replace(" ", "-") + " run"


def _finding(c, rec, shown):
    """The fields of :class:`Failing` from ``statement`` to ``reading``, for claim ``c`` with record ``rec`` in the run
    named ``shown``."""
    detail = rec.get("detail") or {}
    return (c.statement.rstrip("."), rec["value"], tuple(rec["ci"]), c.tolerance, shown, tuple(c.tags(detail)),
            detail.get("reading"))


# RENDERING

COLOUR = {"holds": "#1a7f37", "does not hold": "#cf222e", "inconclusive": "#9a6700", "not yet measured": "#6e7781"}


def html_counts(found):
    """One line per paper: how many of its claims hold, do not hold, are inconclusive or not yet measured in the runs
    the book shows (:func:`findings`)."""
    lines = []
    for name in dict.fromkeys(f.paper for f in found):
        group = [f for f in found if f.paper == name]
        n = {v: sum(f.verdict == v for f in group) for v in VERDICTS + ("not yet measured",)}
        parts = [f'<span style="color:{COLOUR[v]}">{_count(k, v)}</span>' for v, k in n.items()
                 if k or v in VERDICTS]
        lines.append(f"<p><b>{html.escape(name)}</b> ({len(group)} claim{'s' if len(group) != 1 else ''}): "
                     f"{', '.join(parts)}.</p>")
    return "\n".join(lines)


def claims_html(found, profile, root=None, paper_root=None):
    """The ledger as an HTML table, grouped by paper, one line a claim: the claim (linked to its chapter), its value
    and 95% interval, its verdict and the scale of the run that decided it, in the run its chapter shows, and the
    same statistic and rule on the authors' own numbers where they decide it (:func:`authors_data`); the
    statistic, the rule and its rationale, what would decide an inconclusive claim, the chapter's reading and a
    differing verdict of this build's own ``profile`` run are folded under the line."""
    own = records(profile, root) if profile != "paper" else {}
    theirs = authors_data()
    out = ['<table class="ledger"><thead><tr><th>Claim</th><th>Value [interval]</th><th>Verdict</th>'
           "<th>Caveat</th><th>Run</th><th>Authors' data</th></tr></thead><tbody>"]
    for name in dict.fromkeys(f.paper for f in found):
        out.append(f'<tr class="paper"><th colspan="6">{html.escape(name)}</th></tr>')
        for f in (f for f in found if f.paper == name):
            c = claim(f.id)
            written = any((REPO / "book" / f"{f.chapter}{ext}").exists() for ext in (".ipynb", ".md"))
            link = f'<a href="{f.chapter}.html">{html.escape(c.statement)}</a>' if written else html.escape(c.statement)
            rec = f.record
            value = "—" if f.value is None else f"{f.value:.3g} {interval_text(f.ci)}"
            more = [f"<b>Statistic</b>: {html.escape(c.statistic)}", f"<b>Rule</b>: {html.escape(c.tolerance)} "
                    f"({html.escape(c.why)})", f"<b>Source</b>: {html.escape(c.source)}"]
            if f.verdict == "inconclusive":
                more.append(f"<b>Would decide it</b>: {html.escape(c.decide)}")
            reading = ((rec or {}).get("detail") or {}).get("reading")
            if reading:
                more.append(f"<b>The chapter's reading</b>: {html.escape(reading)}")
            if own.get(c.id) is not None and rec is not own.get(c.id) and verdict_of(c, own[c.id]) != f.verdict:
                more.append(f"<b>This build's {html.escape(profile)} run</b>: {verdict_of(c, own[c.id])}")
            if rec is not None:
                run = rec.get("run") or {}
                made = (f"the run of {str(run.get('created'))[:10]} (commit {str(run.get('git_commit'))[:7]}), "
                        if run.get("created") else "")
                more.append(f"<b>Measured</b>: {made}read on {rec['created'][:10]} at commit "
                            f"{str(rec.get('git_commit'))[:7]}")
            details = "<details><summary>rule and caveats</summary><small>" + "<br>".join(more) + "</small></details>"
            out.append(
                f'<tr id="claim-{c.id}"><td>{link} <small><code>{c.id}</code></small>{details}</td>'
                f"<td>{value}</td>"
                f'<td><span style="color:{COLOUR[f.verdict]};font-weight:bold">{f.verdict}</span></td>'
                f"<td><small>{html.escape('; '.join(c.tags((rec or {}).get('detail'))))}</small></td>"
                f"<td>{html.escape(f.scale)}</td><td>{_authors_cell(theirs.get(c.id))}</td></tr>")
    return "\n".join(out + ["</tbody></table>"])


def _authors_cell(entry):
    """A ledger row's cell for the authors' data: value [interval] and verdict, or "—" where their numbers cannot
    decide the claim."""
    if entry is None:
        return "—"
    m, verdict = entry
    return (f"{m.value:.3g} {html.escape(interval_text(m.ci))} "
            f'<span style="color:{COLOUR[verdict]};font-weight:bold">{verdict}</span>')


def page(profile, root=None, paper_root=None):
    """The ledger page's HTML: the counts per paper, then the table (:func:`findings`: the run each chapter
    shows)."""
    found = findings(profile, root, paper_root)
    return html_counts(found) + "\n" + claims_html(found, profile, root, paper_root)
