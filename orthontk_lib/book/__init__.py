r"""The book machinery, apart from the science: profiles, the chapter registry, the claims ledger,
the page helpers the notebooks call, the papermill runner, the build, and offline MathJax.

``python -m orthontk_lib.book --profile quick`` builds the book; ``python -m orthontk_lib.book.run``
runs one chapter at any profile.
"""
