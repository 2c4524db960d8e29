# Two commands for a new user: `make test` and `make run`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: install test lint run bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# The CPU wheel of torch first: without it pip resolves a multi-GB CUDA build.
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check bot retrieval ingest tests bench docs
	$(VENV)/bin/ruff format --check bot retrieval ingest tests bench docs
	$(VENV)/bin/mypy

test: lint
	$(VENV)/bin/pytest -q

run: $(STAMP)
	$(VENV)/bin/newsbot ingest samples/articles
	$(VENV)/bin/newsbot run

bench: $(STAMP)
	$(PY) bench/ingest.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
