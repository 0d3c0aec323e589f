# Kinetra: `make run` opens the TUI on demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench clean-venv

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/kinetra demo --if-empty
	$(BIN)/kinetra-tui

test: $(STAMP)
	$(BIN)/python -m pytest -n 2

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/import_bench.py
	$(BIN)/python bench/health_bench.py
	$(BIN)/python bench/backtest_bench.py
	$(BIN)/python bench/stats_bench.py
	$(BIN)/python bench/features_bench.py
	$(BIN)/python bench/suite_bench.py

clean-venv:
	rm -rf $(VENV)
