"""A Sphinx extension: the pages that read the build's records (the front page and the ledger) are read and executed
anew at every build.

Their code cells never change, so Sphinx (which re-reads a page only when its source changes) and Jupyter's execution
cache (which keys a notebook on its code cells) would both keep the outputs of an earlier build, while the chapters
they read from were run again. Each such page sets ``"mystnb": {"execution_mode": "force"}`` in its notebook metadata
(it is re-executed whenever it is read: it only reads records, in seconds); this extension makes Sphinx read it every
time (``env-get-outdated``).
"""

import pathlib

RECORD_PAGES = ("index", "90-ledger")
"""The docnames of the pages built from the ledger's records."""


def setup(app):
    app.connect("env-get-outdated", _record_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _record_pages(app, env, added, changed, removed):
    return [name for name in RECORD_PAGES if name in env.found_docs and name not in added | changed]


def source_forces_execution(path):
    """Whether the notebook at ``path`` asks MyST-NB to execute it at every read (``mystnb.execution_mode: force``)."""
    import json

    meta = json.loads(pathlib.Path(path).read_text()).get("metadata", {})
    return meta.get("mystnb", {}).get("execution_mode") == "force"
