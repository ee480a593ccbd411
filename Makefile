# Two entry points: `make serve` (set up, then serve the bundled events.yaml) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
VNU := .cache/vnu/node_modules/vnu-jar/build/dist/vnu.jar
ICALJS := .cache/icaljs/node_modules/ical.js/dist/ical.js

.PHONY: serve test lint check bench clean

$(BIN)/calfeed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

serve: $(BIN)/calfeed
	$(BIN)/calfeed serve events.yaml --host $(HOST) --port $(PORT)

check: $(BIN)/calfeed
	$(BIN)/calfeed check events.yaml

lint: $(BIN)/calfeed
	$(BIN)/ruff check calfeed tests benchmarks wsgi.py gunicorn.conf.py
	$(BIN)/ruff format --check calfeed tests benchmarks wsgi.py gunicorn.conf.py
	$(BIN)/mypy

# The Nu Html Checker, from the npm registry (the tests run it on Java).
# Without npm the HTML validity tests skip and say why (.ci/run installs npm).
$(VNU):
	@if command -v npm >/dev/null; then \
	  npm install --silent --no-save --no-audit --no-fund --prefix .cache/vnu vnu-jar@26; \
	else echo "npm not found: the Nu Html Checker tests will be skipped"; fi

# ical.js (Thunderbird's iCalendar library), from the npm registry: one of the independent readers
# the calendar is checked against (tests/test_ics_readers.py runs it with node; skipped without npm).
$(ICALJS):
	@if command -v npm >/dev/null; then \
	  npm install --silent --no-save --no-audit --no-fund --prefix .cache/icaljs ical.js@2.2.1; \
	else echo "npm not found: the ical.js reader tests will be skipped"; fi

test: lint $(VNU) $(ICALJS)
	CALFEED_VNU=$(VNU) CALFEED_ICALJS=$(ICALJS) $(BIN)/pytest

# Every benchmark in turn (several minutes); each prints its figures. See benchmarks/README.md.
bench: $(BIN)/calfeed
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/ics.py
	$(BIN)/python benchmarks/feeds.py
	$(BIN)/python benchmarks/pages.py
	$(BIN)/python benchmarks/pieces.py
	$(BIN)/python benchmarks/build.py
	$(BIN)/python benchmarks/compression.py
	$(BIN)/python benchmarks/serving.py
	$(BIN)/python benchmarks/import.py

clean:
	rm -rf $(VENV) .cache .pytest_cache .mypy_cache .ruff_cache
