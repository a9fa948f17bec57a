# Atelier: two commands for a fresh clone.
#   make run    virtualenv, install, migrate, demo catalog if empty, serve on http://127.0.0.1:8000
#   make test   the whole suite on SQLite, then on PostgreSQL (with the browser journeys), then the hostile-world suite
#   make serve  the production configuration (DEBUG off, gunicorn, PostgreSQL, Redis) on http://127.0.0.1:8000

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/atelier
# Two workers on this 2-core machine; each gets its own test database.
PYTEST_WORKERS ?= 2

.PHONY: run serve test lint test-sqlite test-postgres test-hostile test-servers install install-dev chromium vnu services hostile-cluster \
	wrk screenshots clean bench bench-db bench-copies bench-index bench-search bench-memory bench-alerts bench-import

# Beside the development server, the background worker of django-tasks' database backend (imports run
# there) and the check that resumes an import whose worker stopped (every minute); both stop with the
# server: the trap sends TERM twice (the first asks the worker to finish its task, the second stops it;
# an import cut short resumes from its last row at the next `make run`).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py db_worker --no-reload --interval 1 & WORKER=$$!; \
	$(BIN)/python manage.py resume_imports --forever & RESUME=$$!; \
	trap 'kill -TERM $$WORKER $$RESUME 2>/dev/null; sleep 0.2; kill -TERM $$WORKER 2>/dev/null; wait' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# The production configuration, run locally: DEBUG off, static files collected and served by WhiteNoise,
# gunicorn with gunicorn.conf.py, PostgreSQL and Redis. Plain HTTP on 127.0.0.1, so no HTTPS redirect and
# no HSTS (a load balancer terminates TLS in production; see docs/deploy.md). Every variable may be
# overridden: `make serve DATABASE_URL=... SERVE_PORT=8001`.
SERVE_PORT ?= 8000
SERVE_ENV = DEBUG=0 \
	SECRET_KEY="$${SECRET_KEY:-make-serve-local-only-key-never-use-it-in-production-7f3a9c}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	DATABASE_URL="$${DATABASE_URL:-$(PG_URL)}" \
	CACHE_URL="$${CACHE_URL:-redis://127.0.0.1:6379/0}" \
	CONN_MAX_AGE="$${CONN_MAX_AGE:-60}" \
	SERVE_MEDIA="$${SERVE_MEDIA:-1}" \
	SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}" \
	SECURE_HSTS_SECONDS="$${SECURE_HSTS_SECONDS:-0}"

# gunicorn alone, as production runs it: the background worker (imports) and the resume check are
# services of their own there (docs/deploy.md, "Background workers"); `make run` starts them for you.
serve: install
	$(SERVE_ENV) $(BIN)/python manage.py prepare_to_serve
	$(SERVE_ENV) exec $(BIN)/gunicorn -c gunicorn.conf.py --bind 127.0.0.1:$(SERVE_PORT) marketplace.wsgi

test: install-dev chromium vnu services
	$(MAKE) lint
	$(MAKE) test-sqlite
	$(MAKE) test-postgres
	$(MAKE) test-hostile

# The rooms' import contracts (pyproject.toml, docs/architecture.md) are part of the lint.
lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run

# The browser journeys run once, on PostgreSQL (the production database): they drive the same views
# as the rest of the suite, which runs on both, and twice would cost CI two minutes.
test-sqlite:
	@echo "== Test suite on SQLite (browser journeys and the search parity test: see test-postgres) =="
	DATABASE_URL=sqlite:///$(CURDIR)/db.test.sqlite3 $(BIN)/pytest -n $(PYTEST_WORKERS) -q -m "not hostile and not browser and not postgres"

test-postgres:
	@echo "== Test suite on PostgreSQL =="
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) -q --create-db

# The hostile-world suite (tests/hostile): fuzzing, hostile uploads, injection, load and faults, on
# PostgreSQL: the in-process tests on two xdist workers, then the tests against `make serve` (marked
# `servers`: they share one database) in one process. Each run prints its summary of figures.
# Load and fault tests drive `make serve` with wrk, against a PostgreSQL cluster of their own (port 5439) that
# the fault test restarts, never the shared one.
HOSTILE_PG_PORT ?= 5439
test-hostile: install-dev services wrk hostile-cluster
	@echo "== Hostile-world suite on PostgreSQL =="
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) -q --create-db -m "hostile and not servers" tests/hostile
	$(MAKE) test-servers

test-servers: install-dev services wrk hostile-cluster
	@echo "== Hostile-world suite: the tests against make serve =="
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 0 -q -m "hostile and servers" tests/hostile

# The hostile tests' own PostgreSQL cluster, created once and started if down.
hostile-cluster:
	@V=$$(ls /etc/postgresql | sort -n | tail -1); \
	pg_lsclusters -h | awk '{print $$2}' | grep -qx hostile || \
		pg_createcluster $$V hostile -p $(HOSTILE_PG_PORT) -- --auth-host=trust --auth-local=trust >/dev/null; \
	pg_isready -q -h 127.0.0.1 -p $(HOSTILE_PG_PORT) || pg_ctlcluster --skip-systemctl-redirect $$V hostile start; \
	pg_isready -h 127.0.0.1 -p $(HOSTILE_PG_PORT)

# Copy detection over 100,000 pieces on PostgreSQL (a throwaway test database), results in bench/results/.
bench-copies: install-dev
	DATABASE_URL=$(PG_URL) $(BIN)/python bench/copy_scan.py --out bench/results/copy-scan-$$(date +%Y-%m-%d).md

# The alerts of saved searches (bench/README.md, "Saved searches' alerts"): one send_alerts run over 100,000
# searches of 20,000 shoppers and 1,000 new pieces, on a throwaway PostgreSQL database (atelier_bench_alerts).
bench-alerts: install-dev services
	$(BIN)/python -m bench.alerts $(if $(REUSE),--reuse) --out bench/results/alerts-$$(date +%Y-%m-%d).md

# Importing a maker's catalog (bench/README.md, "Importing a maker's catalog"): 2,000 rows of the template and a zip of
# 2,000 photos, previewed, then run by one db_worker while gunicorn serves and wrk measures it, on a throwaway PostgreSQL
# database (atelier_bench_import; kept, with the photos, by REUSE=1). PROFILE=FILE runs the worker under cProfile.
bench-import: install-dev wrk services
	$(BIN)/python -m bench.import_bench $(if $(REUSE),--reuse) $(if $(PROFILE),--profile $(PROFILE)) \
		--out bench/results/import-$$(date +%Y-%m-%d).md

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

# PostgreSQL and Redis are services of this machine; start them if they are not answering.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
		command -v pg_ctlcluster >/dev/null && pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
		sleep 2; pg_isready -h 127.0.0.1 -p 5432; }
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { redis-server --daemonize yes --bind 127.0.0.1 >/dev/null; sleep 1; }

# The README's screenshots, taken with headless Chromium from a demo catalog.
screenshots: install-dev chromium
	$(BIN)/python docs/take_screenshots.py

# The benchmark (bench/README.md): a PostgreSQL database of SIZE pieces built once per code version,
# gunicorn with 2 workers, wrk. Results in bench/results/<date>-<size>.md. Then the alerts of saved
# searches (bench-alerts) and the import of a maker's catalog (bench-import), whose figures do not depend on SIZE.
SIZE ?= 100000
BENCH_SECONDS ?= 12
bench: install wrk services
	$(BIN)/python -m bench.run --size $(SIZE) --duration $(BENCH_SECONDS)
	$(MAKE) bench-alerts
	$(MAKE) bench-import

# Only the bench's database of SIZE pieces: built (seed timed) if missing, migrated if present; no server, no wrk.
bench-db: install services
	$(BIN)/python -m bench.database $(SIZE)

# The listing's index after a write (bench/README.md): the full build, updates of 1 and 50 pieces, and the
# stale window of a change to everything, on the bench database of SIZE pieces (or INDEX_DB_URL); writes rolled back.
INDEX_DB_URL ?=
bench-index: install-dev services
	$(BIN)/python -m bench.index_update --size $(SIZE) $(if $(INDEX_DB_URL),--database-url $(INDEX_DB_URL)) \
		--out bench/results/index-update-$$(date +%Y-%m-%d)-$(SIZE).md

# Where each gunicorn worker's private memory comes from, scenario by scenario (bench/README.md, "Worker memory").
bench-memory: install services
	$(BIN)/python -m bench.memory --size $(SIZE)

# The search's relevance (bench/README.md, "Search relevance"): the relevance set's queries against the demo
# catalog of 2,000 pieces, on SQLite (a temporary file) and on PostgreSQL (test_atelier_search_relevance,
# created fresh and dropped after). VERBOSE=1 adds a line per query.
SEARCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/atelier_search_relevance
bench-search: install services
	env -u DATABASE_URL $(BIN)/python -m bench.search_relevance.run $(if $(VERBOSE),--verbose)
	DATABASE_URL=$(SEARCH_PG_URL) $(BIN)/python -m bench.search_relevance.run $(if $(VERBOSE),--verbose)

# wrk, the load generator of the bench and the load tests, from Debian's packages.
# The Nu HTML checker (vnu), which tests/test_valid_html.py runs on every page of the URL walk: the jar
# from the npm registry's vnu-jar package, pinned and checked by its SHA-256, run by Debian's Java.
VNU_VERSION := 26.9.27
VNU_SHA256 := 5970d3ffca91a627cf0965e5d91bb2e4242307c29292998de0b419d6a901b2b7
VNU_JAR := $(VENV)/vnu-$(VNU_VERSION).jar
vnu: $(VNU_JAR)
	@command -v java >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless; }

$(VNU_JAR): | $(VENV)/bin/python
	curl -fsSL -o $(VENV)/vnu.tgz https://registry.npmjs.org/vnu-jar/-/vnu-jar-$(VNU_VERSION).tgz
	echo "$(VNU_SHA256)  $(VENV)/vnu.tgz" | sha256sum -c --quiet
	tar -xzf $(VENV)/vnu.tgz -C $(VENV) package/build/dist/vnu.jar
	mv $(VENV)/package/build/dist/vnu.jar $@
	rm -rf $(VENV)/vnu.tgz $(VENV)/package

wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk; }

clean:
	rm -rf $(VENV) db.test.sqlite3 staticfiles
