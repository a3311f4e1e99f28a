# symrmt: `make demo` and `make test` set up .venv on first use and then run.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DOCSTAMP := $(VENV)/.installed-docs
SPHINXOPTS ?=

.PHONY: demo test test-slow test-gpu bench venv docs clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test,plot,data]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/symrmt demo --out report

test: $(STAMP)
	$(PY) -m pytest -n auto --dist loadfile

test-slow: $(STAMP)
	$(PY) -m pytest -m slow -n auto --dist loadfile

test-gpu: $(STAMP)
	$(PY) -m pytest -m gpu

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do $(PY) $$f || exit 1; done

# the documentation site (Sphinx + MyST) -> docs/_build/html; any warning fails the build
$(DOCSTAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install -q -e '.[test,plot,data,docs]'
	touch $(DOCSTAMP)

docs: $(DOCSTAMP)
	MPLBACKEND=Agg $(PY) -m sphinx -b html -W --keep-going -q $(SPHINXOPTS) docs docs/_build/html
	@echo "docs: docs/_build/html/index.html"

clean:
	rm -rf report .pytest_cache .hypothesis docs/_build
