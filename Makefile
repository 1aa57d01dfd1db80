# The two commands of the README: `make run` and `make test`. Each sets itself up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app eventsvc
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint lint-imports package-graph fmt setup translations extract-messages clean serve-prod bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

NODE_STAMP := node_modules/.package-lock.json
SYSTEM_STAMP := $(VENV)/.system-deps-stamp

# Test tools from the npm registry: ical.js (calendar parser) and axe-core (accessibility checks).
$(NODE_STAMP): package.json package-lock.json $(SYSTEM_STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

$(SYSTEM_STAMP): scripts/system-deps.sh $(STAMP)
	bash scripts/system-deps.sh test
	touch $(SYSTEM_STAMP)

RUNTIME_STAMP := $(VENV)/.runtime-deps-stamp
$(RUNTIME_STAMP): scripts/system-deps.sh $(STAMP)
	bash scripts/system-deps.sh run
	touch $(RUNTIME_STAMP)

setup: $(STAMP) $(SYSTEM_STAMP) $(NODE_STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile --statistics -d eventsvc/translations 2>&1 | grep -v '^compiling' || true

run: $(STAMP) $(RUNTIME_STAMP) translations
	$(FLASK) db upgrade
	$(FLASK) demo --base-url http://$(HOST):$(PORT)
	EVENTSVC_PUBLIC_BASE_URL=$${EVENTSVC_PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} \
	  EVENTSVC_MAIL_DELIVERY_THREAD=true $(FLASK) run --host $(HOST) --port $(PORT)

# System packages (Chromium, libical, Pango, Node.js) come from Debian through
# scripts/system-deps.sh: installed when run as root (CI, fresh machines), otherwise asked for.
test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

# Production-like server: migrate, then gunicorn with gunicorn.conf.py (see README, Deployment).
serve-prod: setup
	$(FLASK) db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py

# Sign-up throughput against a floor app, on SQLite (and PostgreSQL if BENCH_PG_URI is set).
bench: setup
	$(BIN)/python bench/signup.py $(BENCH_ARGS)

lint: $(STAMP) lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check eventsvc tests

# The dependency contracts of pyproject.toml ([tool.importlinter]; docs/architecture.md).
lint-imports: $(STAMP)
	$(BIN)/lint-imports

# docs/packages.md: the packages and their imports, drawn from the code (tests check it is current).
package-graph: $(STAMP)
	$(BIN)/python scripts/package_graph.py

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o eventsvc/translations/messages.pot --no-location --omit-header .
	$(BIN)/pybabel update -i eventsvc/translations/messages.pot -d eventsvc/translations --no-fuzzy-matching --width 100
	# pybabel copies the template's fuzzy header flag, and a fuzzy catalogue is not compiled.
	sed -i '/^#, fuzzy$$/{N;s/^#, fuzzy\nmsgid ""$$/msgid ""/}' eventsvc/translations/*/LC_MESSAGES/messages.po
	rm -f eventsvc/translations/messages.pot

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules
