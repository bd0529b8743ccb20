# Showroom objection bot. `make demo` to talk to it, `make test` to check everything.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
RASA := $(BIN)/rasa
PY := $(BIN)/python

# No telemetry, no error reporting, quiet TensorFlow: dealer data never leaves the machine.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONHASHSEED := 0

.DEFAULT_GOAL := help
.PHONY: help setup train validate lint test test-fast test-explore test-stories eval demo roleplay report screenshots bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: ## create .venv with Python 3.8-3.10 and the pinned dependencies (idempotent)
	@bash scripts/setup.sh

train: setup ## train the model (components whose data and settings did not change come from Rasa's cache)
	$(RASA) train --quiet --out models

validate: setup ## check training data, domain and our data files
	$(RASA) data validate --fail-on-warnings --quiet
	$(PY) -m bot validate

lint: setup ## ruff (lint and format) over the tree, mypy on bot/ and actions/
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

TEST_STORIES = $(RASA) test core --stories tests/test_stories.yml --fail-on-prediction-errors --out reports/stories --quiet

# Tests run in parallel (pytest-xdist): one worker per CPU, at most 4 (each imports Rasa and TensorFlow,
# and the server tests of each worker start their own Rasa and action servers once;
# PYTEST_XDIST_AUTO_NUM_WORKERS=N overrides), whole test files per worker so module fixtures load
# once. Bytecode caching on even where the environment turns it off: without it every run recompiles
# spaCy/thinc/hypothesis and redoes pytest's assertion rewriting in every worker.
PYTEST = PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n logical --maxprocesses 4 --dist loadfile

test: setup lint validate train ## lint, then the whole test suite (what CI runs)
	$(PYTEST) tests
	$(TEST_STORIES)

test-stories: train ## end-to-end test stories (zero prediction errors allowed)
	$(TEST_STORIES)

test-fast: setup ## unit tests only, no servers (no server, deploy or browser tests; see pyproject.toml)
	$(PYTEST) tests -m "not server and not deploy and not browser and not redis"

test-explore: setup ## property tests with random examples, 10x as many (make test runs them derandomized)
	HYPOTHESIS_PROFILE=explore $(PY) -m pytest tests/unit/test_properties.py

eval: train ## NLU report on the held-out split into reports/nlu/
	$(PY) -m bot eval

demo: train ## start the action server and the Rasa server, then chat in this terminal
	@bash scripts/demo.sh

roleplay: setup ## practise against the running bot (make demo in another terminal): PERSONA=... LEVEL=easy|normal|hard
	$(PY) -m bot roleplay --persona $(or $(PERSONA),price_sensitive_first_buyer) --level $(or $(LEVEL),normal)

report: setup ## trainer report of the practice sessions into reports/trainer/
	$(PY) -m bot report

screenshots: train ## the README's screenshots into docs/screenshots/ (widget, practice page, dashboard; Chromium tests)
	BOT_SCREENSHOTS=1 $(PY) -m pytest tests/browser -q

bench: train ## benchmark against Rasa's starter bot into BENCHMARKS.md (BENCH_ARGS=--quick for a smoke test)
	$(PY) bench/run.py $(BENCH_ARGS)

clean: ## remove trained models, reports and caches (keeps .venv)
	rm -rf models reports .rasa .pytest_cache .ruff_cache .venv/mypy_cache
