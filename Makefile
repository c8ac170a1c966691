# Two commands do all set-up on a fresh machine: `make book` and `make test`.
# Both create .venv if missing and install the exact lock (requirements-lock.txt).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.orthontk-installed
PROFILE ?= quick
REFS   := .venv-references

.PHONY: setup book book-smoke test browser-deps bench lock clean

setup: $(STAMP)

$(STAMP): requirements-lock.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "orthontk needs Python 3.11, found " + sys.version.split()[0]'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-lock.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

## The book at the quick profile (or PROFILE=smoke), into _build/html; fails on any cell error or warning.
book: setup
	$(PY) -m orthontk_lib.book --profile $(PROFILE)

## ruff (fails the run), then the test suite, including the site built at the smoke profile (every notebook executed) in headless Chromium.
test: setup browser-deps
	$(PY) -m ruff check .
	$(PY) -m pytest

## Debian's chromium for the browser test (installed with apt-get when missing and run as root).
browser-deps:
	@bash scripts/ensure-chromium

## Benchmarks; numbers go to bench/results.json.
bench: setup $(REFS)/.orthontk-installed
	$(REFS)/bin/python -m bench.ntk_speed  # beside neural-tangents, which lives in .venv-references
	JAX_ENABLE_COMPILATION_CACHE=false $(PY) -m bench.vmap_sweep
	$(PY) -m bench.conv_impl

## Re-lock after changing requirements.txt.
lock:
	rm -rf $(VENV) && $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	( echo '# Full lock of every package, from `pip freeze` in the venv that CI tested. Regenerate with `make lock`.'; \
	  $(PY) -m pip freeze --exclude-editable | grep -vi '^orthontk' ) > requirements-lock.txt
	$(PY) -m pip install -q --no-deps -e . && touch $(STAMP)

clean:
	rm -rf _build

## neural-tangents' reference values (tests/fixtures/neural_tangents/), recomputed in .venv-references (jax 0.5.3,
## flax 0.10.6, neural-tangents 0.6.5, no TensorFlow) and compared with the committed ones; WRITE=1 rewrites them.
.PHONY: references
references: $(REFS)/.orthontk-installed
	$(REFS)/bin/python -m references.neural_tangents_fixtures $(if $(WRITE),--write,--check)

$(REFS)/.orthontk-installed: references/requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "the references need Python 3.11, found " + sys.version.split()[0]'
	test -x $(REFS)/bin/python || $(PYTHON) -m venv $(REFS)
	$(REFS)/bin/python -m pip install -q --disable-pip-version-check -r references/requirements.txt
	$(REFS)/bin/python -m pip install -q --disable-pip-version-check --no-deps neural-tangents==0.6.5
	$(REFS)/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@
