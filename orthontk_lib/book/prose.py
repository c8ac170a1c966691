r"""Sentence lengths of the book's prose, as a reader meets it: the rendered page, or a notebook with its glued values.

The book's pages keep prose sentences to at most :data:`PROSE_LIMIT` words and figure captions to
:data:`CAPTION_LIMIT`; a glued value is at most :data:`GLUED_LIMIT` words (the library supplies numbers and short
words, the notebook the sentence; tables and computed caption tails aside, :func:`is_exempt`). Check one chapter while writing it, without building the book::

    python -m orthontk_lib.book.prose book/07-speedup.ipynb     # its glued values from the run its page shows

which reads the notebook's Markdown with each ``{glue:text}`` role replaced by the value it shows (from
:func:`orthontk_lib.book.glued.glued`, so the chapter's run must be saved or committed), and prints every
sentence and glued value over its limit. The site test checks the same on the built HTML (:func:`html_units`).

A word is a whitespace-separated token holding a letter or a digit; inline math or code counts as one word. Sentences
end at ``.``, ``!`` or ``?`` followed by a space and a capital, a digit or an opening bracket; common
abbreviations (``e.g.``, ``Fig.``, ``et al.``) do not end one.

:data:`IMAGES` holds the words the prose names a number of a data set's images by.
"""

import argparse
import json
import pathlib
import re
import sys

__all__ = ["IMAGES", "PROSE_LIMIT", "CAPTION_LIMIT", "GLUED_LIMIT", "words", "sentences", "is_exempt", "too_long",
           "html_units", "notebook_units", "main"]

IMAGES = {"digits": "digits", "cifar10": "CIFAR-10 images"}
"""What the prose calls a number of images of each data set of :data:`orthontk_lib.data.DATASETS` ("64 digits")."""

PROSE_LIMIT = 40
"""Most words in a prose sentence."""
CAPTION_LIMIT = 60
"""Most words in a caption sentence."""
GLUED_LIMIT = 8
"""Most words in one glued value."""

_ABBREVIATIONS = ("e.g.", "i.e.", "Fig.", "Figs.", "Eq.", "Eqs.", "et al.", "vs.", "cf.", "Sec.", "approx.", "resp.",
                  "No.", "Ref.", "Refs.", "Thm.", "Prop.")
_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[A-Z0-9(\[\"“*_$\\]|\s*$)")


def words(text):
    """The number of words in ``text`` (tokens holding a letter or a digit)."""
    return sum(bool(re.search(r"\w", token)) for token in text.split())


def sentences(text):
    """``text`` cut into sentences (a list of str), whitespace collapsed."""
    text = " ".join(text.split())
    for abbreviation in _ABBREVIATIONS:
        text = text.replace(abbreviation + " ", abbreviation.replace(".", "\0") + " ")
    out, start = [], 0
    for end in _END.finditer(text):
        out.append(text[start:end.end()])
        start = end.end()
    out.append(text[start:])
    return [s.replace("\0", ".").strip() for s in out if s.strip()]


def is_exempt(name, value):
    """Whether a glued value is not held to :data:`GLUED_LIMIT`: a Markdown table or list (it holds a newline), or a
    whole computed caption tail (its name ends in ``-differs``: how a figure's run differs from the paper's, one
    sentence per setting, held to :data:`CAPTION_LIMIT` where it is shown)."""
    return "\n" in value or name.endswith("-differs")


def too_long(units):
    """``[(words, kind, where, sentence)]`` for each sentence of ``units`` over its kind's limit.

    Args:
      units: iterable of ``(kind, where, text)``, kind ``"prose"`` or ``"caption"``.
    """
    limit = {"prose": PROSE_LIMIT, "caption": CAPTION_LIMIT}
    out = []
    for kind, where, text in units:
        for sentence in sentences(text):
            n = words(sentence)
            if n > limit[kind]:
                out.append((n, kind, where, sentence))
    return out


def html_units(html_text, where=""):
    """``[(kind, where, text)]`` of a built page's main content: paragraphs and list items as ``"prose"``, figure and
    table captions as ``"caption"``. Tables, code blocks, headings and math blocks are left out; inline math and inline
    code are one word each."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html_text, "html.parser")
    main = soup.find("main") or soup
    for node in main.select("span.math, code, div.math, pre, table, div.cell_input"):
        if node.name in ("span", "code"):
            node.replace_with(" M ")
        else:
            node.decompose()
    units = []
    for caption in main.select("figcaption, caption"):
        units.append(("caption", where, caption.get_text(" ", strip=True)))
        caption.decompose()
    for node in main.find_all(["p", "li"]):
        if node.find(["p", "li"]):  # a list item holding paragraphs: its paragraphs count
            continue
        units.append(("prose", where, node.get_text(" ", strip=True)))
    return units


_ROLE = re.compile(r"\{glue(?::(?:text|md))?\}`([^`<]+?)(?::[^`]*)?`")


_FENCE = re.compile(r"^(`{3,}|:{3,})\{([\w:-]+)\}[^\n]*\n(.*?)^\1\s*$", re.M | re.S)
_CAPTIONED = ("figure", "glue:figure", "table", "list-table")
_PROSE_DIRECTIVES = ("note", "tip", "important", "warning", "caution", "admonition", "dropdown", "seealso", "hint")


def notebook_units(path, values):
    """``[(kind, where, text)]`` of a notebook's Markdown cells with each glue role replaced by ``values[name]``.

    A figure directive's body is a caption, an admonition's or dropdown's body prose, each item of a list a unit of its
    own; other directives (code, glued Markdown), tables, headings, HTML and math blocks are left out. A glue role whose name ``values`` lacks (a
    figure, a table) reads as one word.
    """
    cells = json.loads(pathlib.Path(path).read_text())["cells"]
    units = []
    for i, cell in enumerate(c for c in cells if c["cell_type"] == "markdown"):
        source = _ROLE.sub(lambda m: str(values.get(m.group(1), "X")), "".join(cell["source"]))
        where = f"{pathlib.Path(path).name} markdown cell {i}"
        blocks = []

        def directive(match):
            name, body = match.group(2), match.group(3)
            body = "\n".join(ln for ln in body.splitlines() if not re.match(r"\s*:[\w-]+:", ln))
            if name in _CAPTIONED:
                blocks.append(("caption", body))
            elif name in _PROSE_DIRECTIVES:
                blocks.extend(("prose", b) for b in re.split(r"\n\s*\n", body))
            return "\n\n"

        rest = _FENCE.sub(directive, source)
        blocks += [("prose", b) for b in re.split(r"\n\s*\n", rest)]
        blocks = [(kind, item) for kind, b in blocks for item in re.split(r"\n(?=\s*(?:[-*+]|\d+\.)\s)", b)]
        for kind, block in blocks:
            block = block.strip()
            if not block or block.startswith(("|", "$$", "#", "<", "```", ":::")):
                continue
            text = re.sub(r"\$\$.*?\$\$|\$[^$]+\$", " M ", block, flags=re.S)
            text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
            text = re.sub(r"\{[a-z:-]+\}`([^`]*)`", r"\1", text)
            text = re.sub(r"`[^`]+`", " M ", text)
            units.append((kind, where, " ".join(text.split())))
    return units


def main(argv=None):
    parser = argparse.ArgumentParser(description="Sentences and glued values of chapter notebooks over their limits.")
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--profile", default="quick")
    args = parser.parse_args(argv)
    from orthontk_lib.book import glued, ledger

    modules = dict(ledger.chapter_modules())
    found = 0
    for path in args.notebooks:
        module = modules.get(path.stem)
        values = glued.glued(args.profile, [(path.stem, module)])[module.SLUG] if module else {}
        for name, value in sorted(values.items()):
            if words(value) > GLUED_LIMIT and not is_exempt(name, value):
                found += 1
                print(f"{path.name}: glued {name!r} has {words(value)} words: {value[:160]}")
        for n, kind, where, sentence in too_long(notebook_units(path, values)):
            found += 1
            print(f"{where}: {kind} sentence of {n} words: {sentence[:200]}")
    print(f"{found} over their limits", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
