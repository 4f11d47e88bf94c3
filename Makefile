# Two commands set everything up: `make run` opens bridge on the demo knowledge base, `make test` runs every test.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install check lint bench reliability clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# CPU build of torch first, so nothing pulls a multi-GB CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/bridge

test: $(STAMP)
	$(VENV)/bin/ruff check bridge tests benchmarks scripts
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy bridge
	$(VENV)/bin/pytest

reliability: $(STAMP)
	$(PY) -m tests.reliability.crash_harness --kills 50
	$(PY) -m tests.reliability.tui_save campaign --kills 50

bench: $(STAMP)
	for script in benchmarks/*.py; do $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
