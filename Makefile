# picpump — `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# python3.12 from PATH, else a pyenv install of it.
PYTHON ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
            $$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
DEMO_ARCHIVE := data/demo
OUT ?= outputs/demo

.PHONY: help venv demo demo-archive test lint pytest docs bench bench-quick clean figures

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(BIN)/picpump: pyproject.toml
	@test -n "$(PYTHON)" || { echo "python3.12 is required (not found on PATH or in pyenv)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

venv: $(BIN)/picpump ## Create .venv with python3.12 and install picpump with its dev tools

demo-archive: venv ## Build the embedded demo archive under data/demo
	$(BIN)/picpump demo build --out $(DEMO_ARCHIVE)

demo: demo-archive ## Run the paper's pipeline on the demo archive (products in outputs/demo)
	$(BIN)/picpump run pipelines/toullec2026.yaml --catalog catalogs/demo.yaml --cluster local --out $(OUT)

figures: demo ## The demo's figures and report.html; refresh the README images in docs/img
	$(BIN)/picpump figures $(OUT)
	mkdir -p docs/img
	for n in fig2_maps fig7_latitude; do $(BIN)/python -c 'import sys; from PIL import Image; \
	  im = Image.open(sys.argv[1]).convert("RGB"); im.thumbnail((900, 2000)); \
	  im.quantize(256).save(sys.argv[2], optimize=True)' \
	  $(OUT)/figures/$$n.png docs/img/$$n.png; done

lint: venv ## ruff, ruff format, mypy and the import-linter layering contract
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: venv ## The test suite only
	$(BIN)/python -m pytest -q

docs: venv ## Build the documentation (mkdocs, API reference from the docstrings; warnings fail)
	$(BIN)/mkdocs build --strict

test: lint pytest docs ## Lint, the test suite, then the docs (what CI runs)

bench: venv ## Benchmarks side by side with CDO and plain xarray (results in benchmarks/results)
	$(BIN)/python benchmarks/run.py

bench-quick: venv ## A small benchmark smoke run (results in benchmarks/results/quick.*)
	$(BIN)/python benchmarks/run.py --quick

clean: ## Remove the venv, the demo archive and outputs
	rm -rf $(VENV) $(DEMO_ARCHIVE) outputs benchmarks/work
