"""Reference values from libraries kept outside the main environment, stored as test fixtures.

neural-tangents 0.6.5 is the oracle of orthontk's kernels and stax twins. It imports only with JAX < 0.6, so it lives
in a throwaway environment, ``.venv-references``, that ``make references`` builds. There
:mod:`references.neural_tangents_fixtures` writes (``--write``) or re-checks (``--check``) the fixtures under
``tests/fixtures/neural_tangents/``; the tests read them with :func:`references.fixtures.load`.
"""
