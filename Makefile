# Atelier: two commands for a fresh clone.
#   make run    virtualenv, install, migrate, demo catalog if empty, serve on http://127.0.0.1:8000
#   make test   the whole suite on SQLite, then on PostgreSQL (browser tests included)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/atelier
# Two workers on this 2-core machine; each gets its own test database.
PYTEST_WORKERS ?= 2

.PHONY: bench-copies run test lint test-sqlite test-postgres test-hostile install install-dev chromium services screenshots clean

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install-dev chromium services
	$(MAKE) lint
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

test-sqlite:
	@echo "== Test suite on SQLite =="
	DATABASE_URL=sqlite:///$(CURDIR)/db.test.sqlite3 $(BIN)/pytest -n $(PYTEST_WORKERS) -q

test-postgres:
	@echo "== Test suite on PostgreSQL =="
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) -q --create-db

# The hostile-world suite (tests/hostile): fuzzing, hostile uploads, injection, load and faults, on
# PostgreSQL, in one process so that its summary of figures is printed at the end.
test-hostile:
	@echo "== Hostile-world suite on PostgreSQL =="
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 0 -q --create-db -m hostile tests/hostile

# Copy detection over 100,000 pieces on PostgreSQL (a throwaway test database), results in bench/results/.
bench-copies: install-dev
	DATABASE_URL=$(PG_URL) $(BIN)/python bench/copy_scan.py --out bench/results/copy-scan-$$(date +%Y-%m-%d).md

# The virtualenv is rebuilt only when a requirements file changes.
install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

# Debian's Chromium for the browser tests; Playwright never downloads a browser here.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core; }

# PostgreSQL is a service of this machine; start it if it is not answering.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
		command -v pg_ctlcluster >/dev/null && pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
		sleep 2; pg_isready -h 127.0.0.1 -p 5432; }

# The README's screenshots, taken with headless Chromium from a demo catalog.
screenshots: install-dev chromium
	$(BIN)/python docs/take_screenshots.py

clean:
	rm -rf $(VENV) db.test.sqlite3 staticfiles
