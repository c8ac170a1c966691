"""Sphinx extension: serve MathJax 3 from the site itself, so formulas render offline too.

The MathJax files come from the ``sphinx-mathjax-offline`` wheel, whose module directory
has a hyphenated name and cannot be imported as an extension; this one only locates
its files, copies them into ``_static/mathjax`` and points ``mathjax_path`` there.
"""

import importlib.metadata
import pathlib

from sphinx.util.fileutil import copy_asset


def _mathjax_dir():
    dist = importlib.metadata.distribution("sphinx-mathjax-offline")
    return pathlib.Path(dist.locate_file("sphinx-mathjax-offline/static/mathjax"))


def _copy(app, exc):
    if exc is None:
        copy_asset(str(_mathjax_dir()), str(pathlib.Path(app.outdir) / "_static" / "mathjax"))


def setup(app):
    if not (_mathjax_dir() / "tex-chtml.js").is_file():
        raise RuntimeError("sphinx-mathjax-offline is installed without its MathJax files")
    app.config.mathjax_path = "mathjax/tex-chtml.js"
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True}
