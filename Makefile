# The two commands of the README: `make run` and `make test`. Each sets itself up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app eventsvc
HOST ?= 127.0.0.1
PORT ?= 5000
# The browser tests (tests/e2e) drive Debian's Chromium and inject axe-core from node_modules/.
AXE := node_modules/axe-core/axe.min.js

.PHONY: run test lint fmt setup translations extract-messages clean browser serve-prod bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile --statistics -d eventsvc/translations 2>&1 | grep -v '^compiling' || true

run: setup
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) run --host $(HOST) --port $(PORT)

test: setup browser $(AXE)
	$(BIN)/pytest $(PYTEST_ARGS)

# Chromium and npm come from Debian: installed here when run as root (CI, fresh machines),
# otherwise asked for (see README, "Tests").
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -q && apt-get install -y -q chromium; \
	  else echo "The browser tests need Chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

$(AXE): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -q && apt-get install -y -q npm; \
	  else echo "The accessibility tests need npm: sudo apt-get install npm" >&2; exit 1; fi; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(AXE)

# Production-like server: migrate, then gunicorn with gunicorn.conf.py (see README, Deployment).
serve-prod: setup
	$(FLASK) db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py

# Sign-up throughput against a floor app, on SQLite (and PostgreSQL if BENCH_PG_URI is set).
bench: setup
	$(BIN)/python bench/signup.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check eventsvc tests

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o eventsvc/translations/messages.pot --no-location --omit-header .
	$(BIN)/pybabel update -i eventsvc/translations/messages.pot -d eventsvc/translations --no-fuzzy-matching --omit-header

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules
