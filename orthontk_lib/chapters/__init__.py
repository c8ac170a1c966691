r"""The book's experiments, one package per chapter (``book/NN-<slug>.ipynb`` -> ``chapters/<slug>/``; the short
``setting`` is one module).

A chapter reads top to bottom like a short paper, in parts of at most 400 lines: ``experiment`` (the claims in
words, ``Config`` with its knobs and profiles, the points and ``compute(cfg)``, saved point by point), the
statistics it needs, ``claims`` (``CLAIMS``, :class:`orthontk_lib.claims.Claim`, and ``measure(arrays, cfg)``:
every claim's value, 95% interval and detail; ``numbers(arrays, cfg, measured)``, every number and comparative phrase
the prose shows, here or in a ``prose`` part, reading the claims' verdicts from ``measured``, an
:class:`orthontk_lib.claims.Measured` that the book builds once per page) and ``figures``.

A chapter of several experiments (``speedup``: FCN grid, width family, CNN grid; ``edge_of_chaos``: phase diagram,
depth sweep, rates, decay, finite width, trainability; ``condensation``: Adam, deeper networks, 1-D, scales) is a
package of experiments instead: ``experiment`` holds the setting they share (``Config``, the points measured, the
training), a part may hold what several share (``statistics``, ``counting``, ``floors``), and each experiment is one
part, read top to bottom: its points, sweep and arrays, its statistics, its claims and their ``measure_<part>``, its
words and its figures. Its ``chapter`` part assembles ``CLAIMS`` (in the ledger's order), ``measure`` and ``numbers``
from them, and ``SWEEPS`` and ``compute`` where each experiment has a sweep of its own (speed-up's three grids share
one sweep builder: its ``sweeps`` part holds ``SWEEPS`` and ``compute``).

Either way the package re-exports every name of its parts. How a chapter is published (glue, ledger files, figure
files) is :mod:`orthontk_lib.book`'s business.
"""
