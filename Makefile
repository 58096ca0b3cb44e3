# The two set-up commands of the README: `make build` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: build test schema a11y-report clean

$(BIN)/python:
	python3 -m venv $(VENV)

$(VENV)/.installed-runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-runtime

## Validate content/ and build the site into site/.
## The package's modules are byte-compiled first (pip does not compile an editable install), so
## that each run of jirei starts without compiling them.
build: $(VENV)/.installed-runtime
	$(BIN)/python -m compileall -q generator
	$(BIN)/jirei build

## Install what the tests need (Chromium and Japanese fonts from Debian too) and run the whole suite.
test: $(VENV)/.installed-test
	scripts/system-deps.sh
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/ruff format --check generator tests benchmarks
	$(BIN)/pytest

## Run axe on every page type (Chromium, 390 and 1280 px) and rewrite the committed reports/accessibility.json,
## from which the site's accessibility page is generated. `make test` checks the report and never rewrites it.
a11y-report: $(VENV)/.installed-test
	scripts/system-deps.sh
	$(BIN)/pytest -q tests/test_accessibility.py --update-goldens

## Regenerate the JSON Schema files in schema/ from the models.
schema: $(VENV)/.installed-runtime
	$(BIN)/jirei schema

clean:
	rm -rf site $(VENV) .pytest_cache .ruff_cache
