r"""The book's experiments, one module per chapter (``book/NN-<slug>.ipynb`` -> ``chapters/<slug>.py``).

Each module reads top to bottom like a short paper: the claims in words, ``Config`` (knobs and
profiles), ``CLAIMS`` (:class:`orthontk_lib.claims.Claim`), ``compute(cfg)`` (the experiment, saved
point by point), ``measure(arrays, cfg)`` (every claim's value, 95% interval and detail),
``numbers(arrays, cfg)`` (every number and comparative phrase the prose shows) and the figures.
How a chapter is published (glue, ledger files, figure files) is :mod:`orthontk_lib.book`'s business.
"""
