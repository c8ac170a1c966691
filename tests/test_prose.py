"""The prose checker: words, sentences, and the units of a page it reads."""

import json

from orthontk_lib.book import prose


def test_sentences_end_at_stops_but_not_at_abbreviations():
    text = "The gap is 0.03 [0, 0.1], e.g. at width 400. See the paper's Fig. 4 for it! Is it? (Yes.) 2 seeds ran."
    assert prose.sentences(text) == ["The gap is 0.03 [0, 0.1], e.g. at width 400.", "See the paper's Fig. 4 for it!",
                                     "Is it?", "(Yes.)", "2 seeds ran."]
    assert prose.words("a — b, 3.0 [1, 2] $x$") == 6


def test_too_long_applies_each_kinds_limit():
    long41 = " ".join(["word"] * 41) + "."
    long61 = " ".join(["word"] * 61) + "."
    found = prose.too_long([("prose", "p", long41), ("caption", "c", long41), ("caption", "c", long61)])
    assert [(n, kind) for n, kind, _, _ in found] == [(41, "prose"), (61, "caption")]


def test_html_units_read_paragraphs_and_captions_not_tables_or_code():
    html = ("<main><p>One <span class='math'>\\(x^2 + y\\)</span> two.</p><table><tr><td>" + "cell " * 50
            + "</td></tr></table><figure><figcaption>Cap tion.</figcaption></figure><div class='cell_input'>"
            + "code " * 50 + "</div><ul><li>Item.</li></ul></main>")
    assert prose.html_units(html, "x") == [("caption", "x", "Cap tion."), ("prose", "x", "One M two."),
                                           ("prose", "x", "Item.")]


def test_notebook_units_substitute_glued_values_and_take_figure_bodies_as_captions(tmp_path):
    cells = [{"cell_type": "markdown", "source": ["The gap is {glue:text}`gap`.\n\n", "| a | b |\n|---|---|\n\n",
                                                  "```{glue:figure} fig-x\n:name: fig-x\n\nA caption of {glue:text}`n`"
                                                  " words.\n```"]},
             {"cell_type": "code", "source": ["x = 1"]}]
    path = tmp_path / "07-x.ipynb"
    path.write_text(json.dumps({"cells": cells}))
    units = prose.notebook_units(path, {"gap": "0.03 [0, 0.1]"})
    assert sorted((k, t) for k, _, t in units) == [("caption", "A caption of X words."),
                                                   ("prose", "The gap is 0.03 [0, 0.1].")]


def test_only_tables_and_whole_caption_tails_are_exempt_from_the_glued_limit():
    assert prose.is_exempt("x-differs", "Differs from the paper in 2 settings. Widths 8 … 64. Data set digits.")
    assert prose.is_exempt("x-table", "| a |\n|---|\n| 1 |")
    assert not prose.is_exempt("x-reading", "the orthogonal runs train faster at every depth of the grid shown")


def test_each_list_item_is_a_unit_of_its_own(tmp_path):
    item = " ".join(["word"] * 30) + "."
    cells = [{"cell_type": "markdown", "source": [f"- {item}\n- {item}\n1. {item}\n"]}]
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps({"cells": cells}))
    assert not prose.too_long(prose.notebook_units(path, {}))
