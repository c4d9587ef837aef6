# evalkit: `make` lists the targets. Set-up is a virtual environment in .venv
# made with python3 and pip, so a machine needs only python3 and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data/sample
YEAR ?= 2025
OUT ?= reports/$(YEAR)
export MPLBACKEND := agg

.DEFAULT_GOAL := help
.PHONY: help install report test fuzz lint format bench lab sample clean

## Show this help
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-zA-Z_-]+:/{if(doc){split($$1,t,":"); printf "  make %-10s %s\n", t[1], doc}; doc=""}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	@# Notebook outputs stay out of commits: git stores notebooks through nbstripout.
	@# --keep-id: the cells keep their ids (01-00 ...); nbstripout would renumber them.
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then $(BIN)/nbstripout --install \
	  && git config filter.nbstripout.clean "$$(git config filter.nbstripout.clean) --keep-id"; fi
	touch $(STAMP)

## Create .venv and install evalkit with its test tools
install: $(STAMP)

## Make the year-end pack for the sample data into reports/2025/
report: $(STAMP)
	$(BIN)/evalkit check $(DATA)
	$(BIN)/evalkit report $(DATA) --year $(YEAR) --out $(OUT)

## Run the whole test suite (notebooks included)
test: $(STAMP)
	$(BIN)/python -m pytest -n 2

## Fuzz the loader for 10 minutes with a random seed (FUZZ_SECONDS, FUZZ_SEED to change)
fuzz: $(STAMP)
	FUZZ_SECONDS=$${FUZZ_SECONDS:-600} FUZZ_SEED=$${FUZZ_SEED:-$$(date +%s)} \
		$(BIN)/python -m pytest -s -p no:xdist tests/test_fuzz.py

## Lint and check formatting with ruff
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Format the code with ruff
format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Run the benchmarks (not part of the tests): print the figures, write them into docs/performance.md
bench: $(STAMP)
	$(BIN)/python -m evalkit._bench --doc docs/performance.md --ten-million

## Start JupyterLab in notebooks/ with evalkit installed
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

## Regenerate data/sample from the seeded generator
sample: $(STAMP)
	$(BIN)/python -m evalkit.data._sample $(DATA)

## Remove the environment and generated reports
clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache
