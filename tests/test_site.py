"""The built site, opened in headless Chromium: every page loads, every image resolves,
no page shows a traceback, every internal link and figure download resolves.

Needs Debian's chromium (`make test` installs it as root; or set ORTHONTK_CHROMIUM).
The site is built at the smoke profile, as CI does.
"""

import functools
import http.server
import os
import shutil
import threading
import urllib.parse

import pytest

from orthontk_lib.book import build as book, ledger

CHROMIUM = os.environ.get("ORTHONTK_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def site():
    html = book.build("smoke")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(html))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield html, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM, "chromium not found: apt-get install chromium (or set ORTHONTK_CHROMIUM)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def pages(html):
    skip = {"genindex.html", "search.html"}
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts and p.name not in skip)


def test_every_page_loads_with_images_and_no_traceback(site, browser):
    html, base = site
    page = browser.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
    checked = []
    for path in pages(html):
        rel = path.relative_to(html).as_posix()
        response = page.goto(f"{base}/{rel}", wait_until="load")
        assert response and response.ok, rel
        # a page may still be loading an image at "load" (the root index.html redirects to book/index.html):
        # wait until every image has finished, loaded or failed (a failed image is complete with no width)
        page.wait_for_load_state("networkidle")
        page.wait_for_function("Array.from(document.images).every(i => i.complete)", timeout=30_000)
        text = page.inner_text("body")
        assert "Traceback (most recent call last)" not in text, f"{rel} shows a traceback"
        broken = page.evaluate("Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
        assert not broken, f"{rel}: images that do not load: {broken}"
        checked.append(rel)
    assert "book/01-setting.html" in checked and "book/90-ledger.html" in checked


def test_internal_links_and_figure_downloads_resolve(site):
    from bs4 import BeautifulSoup

    html, _ = site
    missing = []
    for path in pages(html):
        soup = BeautifulSoup(path.read_text(), "html.parser")
        for tag, attr in (("a", "href"), ("img", "src"), ("link", "href"), ("script", "src")):
            for el in soup.find_all(tag, **{attr: True}):
                url = urllib.parse.urlsplit(el[attr])
                if url.scheme or url.netloc or not url.path:
                    continue  # external, or a fragment on the same page
                target = (path.parent / urllib.parse.unquote(url.path)).resolve()
                if not (target.is_file() or (target / "index.html").is_file()):
                    missing.append(f"{path.relative_to(html)} -> {el[attr]}")
    assert not missing, "broken internal links:\n" + "\n".join(missing)


def test_chapter_shows_numbered_figures_with_downloads(site, browser):
    html, base = site
    page = browser.new_page()
    page.goto(f"{base}/book/01-setting.html", wait_until="load")
    captions = page.eval_on_selector_all("figcaption", "els => els.map(e => e.innerText)")
    # the smoke build shows chapter 01's committed paper run where the repository has one
    scales = ("smoke profile", "paper scale", "reduced scale")  # a caption names the shown run by its scale
    assert any(c.startswith("Fig. 1") and any(f"Shown: {n}, run of" in c for n in scales) for c in captions), captions
    downloads = page.eval_on_selector_all("a[download]", "els => els.map(e => e.getAttribute('href'))")
    assert "../figures/setting-convergence.pdf" in downloads
    assert (html / "figures" / "setting-convergence.pdf").stat().st_size > 1000


def test_math_is_typeset_offline(site, browser):
    html, base = site
    page = browser.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
    page.goto(f"{base}/book/01-setting.html", wait_until="load")
    page.wait_for_selector("mjx-container", timeout=30000)  # MathJax ran, from the site's own copy
    assert page.eval_on_selector_all("mjx-container", "els => els.length") > 10


def test_ledger_page_shows_the_chapter_verdicts(site, browser):
    html, base = site
    page = browser.new_page()
    page.goto(f"{base}/book/90-ledger.html", wait_until="load")
    rows = page.eval_on_selector_all("table.ledger tbody tr", "els => els.map(e => [e.id, e.innerText])")
    by_id = dict(rows)
    assert "claim-setting-ntk-slope-gaussian" in by_id
    assert any(v in by_id["claim-setting-ntk-slope-gaussian"] for v in ("holds", "does not hold", "inconclusive"))
    for _, c in ledger.claims():  # every chapter of the book measures its claims: one of the three verdicts
        row = by_id[f"claim-{c.id}"]
        assert any(v in row for v in ("holds", "does not hold", "inconclusive")), (c.id, row)
    counts = page.inner_text("p:has-text('Huang, Du, Xu 2021')")
    assert all(v in counts for v in (" hold,", " do not hold,", " inconclusive")), counts


def test_front_page_and_ledger_list_the_claims_found_false(site):
    """Both pages list ledger.failing() of this build, each claim linked to a robustness section that exists."""
    from bs4 import BeautifulSoup

    html, _ = site
    found = ledger.failing("smoke", root=html.parent / "data")
    for page in ("book/index.html", "book/90-ledger.html"):
        soup = BeautifulSoup((html / page).read_text(), "html.parser")
        text = soup.find("main").get_text(" ")
        assert found or "None." in text, page
        for f in found:
            assert f.id in text and soup.find("a", href=f.href), (page, f.id, f.href)
            chapter = BeautifulSoup((html / "book" / f"{f.chapter}.html").read_text(), "html.parser")
            assert chapter.find(id=f.label), f"{f.href}: no element with that id"


def test_front_page_summarizes_every_papers_claims_as_the_ledger_reads_them(site):
    """The front page's per-paper counts and table rows are the ledger's verdicts in the run each chapter shows."""
    from bs4 import BeautifulSoup

    html, _ = site
    rows = ledger.findings("smoke", root=html.parent / "data")
    soup = BeautifulSoup((html / "book/index.html").read_text(), "html.parser")
    lines = [p.get_text(" ", strip=True) for p in soup.find("main").find_all("p") if not p.find_parent("table")]
    for paper in dict.fromkeys(r.paper for r in rows):
        group = [r for r in rows if r.paper == paper]
        hold = sum(r.verdict == "holds" for r in group)
        fail = sum(r.verdict == "does not hold" for r in group)
        (line,) = [t for t in lines if t.startswith(paper) and " claim" in t]
        counts = (ledger._count(hold, "holds") + ",", ledger._count(fail, "does not hold") + ",")
        assert f"{len(group)} claim" in line and all(c in line for c in counts), line
    cells = [td.get_text(" ", strip=True) for td in soup.find("main").find_all("td")]
    assert sum(c in ("holds", "does not hold", "inconclusive", "not yet measured") for c in cells) == len(rows)


def test_each_chapter_opens_with_its_findings_and_folds_its_code(site):
    """Findings first: a table of the chapter's claims with their verdicts above the first figure; no code cell's
    source is shown unfolded."""
    from bs4 import BeautifulSoup

    html, _ = site
    for doc, module in ledger.chapter_modules():
        soup = BeautifulSoup((html / "book" / f"{doc}.html").read_text(), "html.parser")
        main = soup.find("main")
        text = main.decode()
        first_figure = text.find("<figure")
        assert 0 <= text.find("What this page finds") < first_figure, doc
        table = next(t for t in main.find_all("table") if "verdict" in t.get_text())
        assert len(table.find_all("tr")) == len(module.CLAIMS) + 1, doc
        for cell in main.select("div.cell"):
            if cell.select_one("div.cell_input"):
                assert cell.select_one("details") or "tag_hide-input" in cell.get("class", []) or (
                    "tag_hide-cell" in cell.get("class", [])), (doc, cell.get_text()[:80])


def _book_pages(html):
    """The book's pages a reader reads (the bibliography's references are not prose)."""
    return [p for p in pages(html) if p.parent.name == "book" and p.name != "99-bibliography.html"]


def test_no_sentence_on_any_page_is_over_its_limit(site):
    """Prose sentences of at most 40 words, caption sentences of at most 60, on every page as built (glued values
    in place; tables, code and math blocks aside)."""
    from orthontk_lib.book import prose

    html, _ = site
    found = []
    for path in _book_pages(html):
        found += prose.too_long(prose.html_units(path.read_text(), path.name))
    assert not found, "\n".join(f"{where}: {kind} sentence of {n} words: {s[:160]}" for n, kind, where, s in found)


def test_no_glued_value_is_over_eight_words(site, monkeypatch):
    """The library supplies numbers and short words; the notebooks write the sentences."""
    from orthontk_lib import results
    from orthontk_lib.book import glued, prose

    html, _ = site
    monkeypatch.setenv(results.DATA_DIR_ENV, str(html.parent / "data"))
    values = glued.glued("smoke")
    long = {f"{slug}/{name}": v for slug, named in values.items() for name, v in named.items()
            if prose.words(v) > prose.GLUED_LIMIT and not prose.is_exempt(name, v)}
    assert not long, "\n".join(f"{k}: {v[:120]}" for k, v in long.items())


def test_no_page_caption_or_figure_file_calls_a_run_the_paper_profile(site):
    """A run is named by its scale (paper scale, reduced scale, quick), never "the paper profile" as a run's name."""
    import re

    from PIL import Image

    html, _ = site
    called = re.compile(r"paper[- ]profile(?:'s)? run|paper profile with|the paper profile,|paper profile \(")
    for path in _book_pages(html):
        text = " ".join(path.read_text().split())
        assert not called.search(text), (path.name, called.search(text).group(0))
    for png in (html / "figures").glob("*.png"):
        assert "paper profile" not in Image.open(png).info.get("Description", ""), png.name


def test_each_figures_files_name_the_run_its_caption_names(site):
    """One provenance per figure: the caption's commit, precision and scale are those its PNG and PDF record, and the
    image the page shows is that PNG, metadata included."""
    import json
    import re

    from bs4 import BeautifulSoup
    from PIL import Image

    html, _ = site
    checked = 0
    for doc, _module in ledger.chapter_modules():
        soup = BeautifulSoup((html / "book" / f"{doc}.html").read_text(), "html.parser")
        for fig in soup.find("main").find_all("figure", id=re.compile("^fig-")):
            png = html / "figures" / f"{fig['id'].removeprefix('fig-')}.png"
            caption = " ".join(fig.find("figcaption").get_text(" ").split())
            if not png.is_file() or "commit" not in caption:
                continue
            made = json.loads(Image.open(png).info["Description"])
            shown = (html / "book" / fig.find("img")["src"]).resolve()  # the page's own copy (Sphinx's _images)
            assert json.loads(Image.open(shown).info["Description"]) == made, (fig["id"], shown.name)
            pdf = png.with_suffix(".pdf").read_bytes()
            if made.get("source"):  # numbers the book did not compute: the caption names their source as the files do
                assert made["source"] in caption and made["source"].encode() in pdf, (fig["id"], caption[-200:])
                continue
            assert f"commit {made['git_commit'][:7]}" in caption, (fig["id"], caption[-200:])
            precision = made.get("matmul_precision")  # absent where the run did not record it
            assert (f"matmul precision {precision}" in caption) if precision else ("matmul precision" not in caption), (
                fig["id"], caption[-200:])
            assert caption.count(made["scale"]) >= 1, (fig["id"], made["scale"])
            assert made["git_commit"].encode() in pdf and (precision or "").encode() in pdf, fig["id"]
            checked += 1
    assert checked >= 10, f"only {checked} figures name their run in the caption"
