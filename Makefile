# The two commands: `make run` starts the whole portal, `make test` runs the whole suite.
# Both begin with `make setup`, which is idempotent and quick when nothing changed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PORT ?= 8000
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po */locale/*/LC_MESSAGES/*.po)

.PHONY: setup run test lint security bench system-packages migrate static clean

setup: system-packages $(VENV)/.installed node_modules/.installed var/.translations static migrate

system-packages:
	@scripts/ensure-system-packages.sh

$(VENV)/.installed: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# axe-core for the browser tests' accessibility checks: installed exactly as locked, again only
# when package-lock.json changes (npm ci empties node_modules, so the stamp is written after it).
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Compiled once for all catalogs whenever any .po file changes.
var/.translations: $(PO_FILES) $(VENV)/.installed
	@mkdir -p var
	$(MANAGE) compilemessages --ignore=.venv --verbosity 0
	@touch $@

static: $(VENV)/.installed
	@$(MANAGE) collectstatic --noinput --verbosity 0

migrate: $(VENV)/.installed
	@$(MANAGE) migrate --noinput --verbosity 0

# E-mail links point at the port the portal runs on (`make run PORT=8765`), unless PORTAL_BASE_URL says.
run: export PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
run: setup
	@$(MANAGE) seed_demo --port $(PORT)
	@echo "Starting web, worker and beat. Press Ctrl-C to stop them all."
	@PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile.embedded start -p $(PORT)

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m bench $(BENCH)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@$(MAKE) --no-print-directory security

# bandit on our code (fails on any high-severity finding; config in pyproject.toml), then pip-audit
# on the installed packages (fails on any known vulnerability; says "NOT AUDITED" when it cannot
# reach vulnerability data, see scripts/pip_audit_gate.py).
security: $(VENV)/.installed
	$(BIN)/bandit -c pyproject.toml -r . --severity-level high --quiet
	$(BIN)/python scripts/pip_audit_gate.py

clean:
	rm -rf var/ .pytest_cache/
