r"""One figure style, and ``savefig`` that writes citable PDF and PNG files with stable names.

Functions here take arrays and return a ``matplotlib.figure.Figure``; none of
them shows or writes anything except :func:`savefig`, which writes
``<figure folder>/<name>.pdf`` and ``.png`` (default folder ``_extra/figures``,
which the book publishes at ``figures/<name>.pdf``), with the provenance (profile,
seeds, package versions, git commit) in the files' metadata.

Example:

>>> import numpy as np, tempfile
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

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from orthontk_lib import results  # noqa: E402

__all__ = ["STYLE", "COLORS", "figure", "savefig", "FigureFiles", "figure_dir"]

FIGURE_DIR_ENV = "ORTHONTK_FIGURE_DIR"
"""Environment variable that moves the figure folder (default ``<repo>/_extra/figures``)."""

STYLE = {
    "figure.dpi": 110,
    "savefig.dpi": 200,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "lines.markersize": 4,
}
"""The book's rcParams."""

COLORS = {"orthogonal": "#d62728", "gaussian": "#1f77b4", "analytic": "#333333"}
"""One colour per initialization, used in every chapter."""


class FigureFiles(NamedTuple):
    """The files :func:`savefig` wrote; displays as download links in a notebook."""

    name: str
    paths: tuple

    def _repr_html_(self):
        links = " · ".join(f'<a href="../figures/{p.name}" download>{p.suffix[1:].upper()}</a>' for p in self.paths)
        return f'<p class="figure-files">Download figure <code>{self.name}</code>: {links}</p>'

    def _repr_markdown_(self):
        return f"Download figure `{self.name}`: " + " · ".join(p.name for p in self.paths)


def figure(ncols=1, nrows=1, width=3.4, height=2.8, **kwargs):
    """A styled ``(fig, axes)``; each panel is ``width`` x ``height`` inches."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), layout="constrained", **kwargs)
    return fig, axes


def figure_dir(folder=None):
    """The figure folder: ``folder``, else ``$ORTHONTK_FIGURE_DIR``, else ``<repo>/_extra/figures``."""
    default = pathlib.Path(__file__).resolve().parents[1] / "_extra" / "figures"
    return pathlib.Path(folder or os.environ.get(FIGURE_DIR_ENV) or default)


def savefig(fig, name, *, profile=None, seeds=None, folder=None):
    """Write ``fig`` as ``<name>.pdf`` and ``<name>.png``; ``name`` is ``<chapter>-<figure>``.

    Returns:
      :class:`FigureFiles` (shows download links when displayed in a notebook).
    """
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        raise ValueError(f"name: figure names are lowercase words joined by '-', got {name!r}")
    out = figure_dir(folder)
    out.mkdir(parents=True, exist_ok=True)
    made = results.provenance(profile=profile, seeds=seeds)
    text = json.dumps(made, sort_keys=True)
    paths = (out / f"{name}.pdf", out / f"{name}.png")
    with plt.rc_context(STYLE):
        fig.savefig(paths[0], metadata={"Title": name, "Subject": text, "Creator": "orthontk"})
        fig.savefig(paths[1], metadata={"Title": name, "Description": text, "Software": "orthontk"})
    return FigureFiles(name, paths)
