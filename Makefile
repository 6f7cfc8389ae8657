# Yizhan: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run setup install assets messages test test-sqlite test-postgres test-fast browser-deps bench-deps lint bench lock clean

# One background-job worker runs beside the server (the database queue, or RQ when REDIS_URL is
# set), and the round that starts partners' due webhook deliveries every 30 s (issue 20 §5);
# Ctrl-C stops all three, and the trap stops the others however the server ends.
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo
	@echo "驿站 serving on http://$(HOST)/ with one background-job worker and the partners' webhook round  (Ctrl-C to stop)"
	@$(PY) manage.py jobs_worker & worker=$$!; \
	$(PY) manage.py publishing_webhooks --interval 30 & webhooks=$$!; \
	trap 'kill $$worker $$webhooks 2>/dev/null; wait $$worker $$webhooks 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST)

setup: $(VENV)/.installed assets messages
	@mkdir -p var

$(VENV)/.installed: requirements/base.txt requirements/dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements/base.txt -r requirements/dev.txt
	$(PIP) install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

install: $(VENV)/.installed

# Front-end packages pinned in package-lock.json, served by Django from node_modules (no CDN).
assets: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

messages: $(VENV)/.installed
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

# Debian's chromium drives the browser tests; Playwright never downloads a browser. A CJK font
# makes screenshots (scripts/screenshots.py, test failures) show Chinese instead of empty boxes.
# LibreOffice (soffice, no GUI) opens the campaign annexes' xlsx and docx in the tests (issue 17 §10).
browser-deps:
	@(command -v chromium && command -v soffice && fc-list :lang=zh | grep -q . && fc-list | grep -qi "color emoji") >/dev/null 2>&1 || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei fonts-noto-color-emoji >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui libreoffice-calc-nogui >/dev/null)

# Under CI (CI=true) the suite runs on SQLite and on PostgreSQL and fails if PostgreSQL is unreachable.
# Locally it runs on PostgreSQL too when it answers, and says so when it does not.
test: setup browser-deps
	$(PY) manage.py makemigrations --check --dry-run -v0
	$(MAKE) --no-print-directory test-sqlite
	@if $(PY) scripts/pg_available.py "$(PG_URL)"; then \
		$(MAKE) --no-print-directory test-postgres; \
	elif [ "$$CI" = "true" ]; then \
		echo "CI: PostgreSQL at $(PG_URL) is unreachable; failing."; exit 1; \
	else \
		echo "PostgreSQL at $(PG_URL) is unreachable: ran the suite on SQLite only."; \
	fi

test-sqlite:
	@echo "== test suite on SQLite =="
	env -u DATABASE_URL CONN_MAX_AGE=0 $(PY) -m pytest -q -n 2 --dist loadfile --durations=15

# The browser journeys run once, on SQLite: what they add is the pages in a real browser, while
# everything that depends on the engine (locks, concurrency, COPY, queries) has its own tests, which
# run here; a browser test marked `both_engines` runs on PostgreSQL too. YIZHAN_TEST_DB_ONLY=1 leaves
# out the tests that never reach a database (yizhan/conftest.py): they gave their answer on SQLite.
test-postgres:
	@echo "== test suite on PostgreSQL ($(PG_URL)), browser journeys and database-free tests on SQLite only =="
	DATABASE_URL=$(PG_URL) CONN_MAX_AGE=0 YIZHAN_TEST_DB_ONLY=1 $(PY) -m pytest -q -n 2 --dist loadfile -m "not browser or both_engines" --durations=15

test-fast: setup
	$(PY) -m pytest -q -n 2 -m "not browser"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Benchmarks (docs/benchmarks.md). BENCH_IMPORT_ROWS sets the import size (the issue measures 100,000).
BENCH_IMPORT_ROWS ?= 100000
bench: setup browser-deps bench-deps bench/lighthouse/node_modules/.package-lock.json
	$(PY) bench/run.py
	$(PY) bench/positions_list.py
	BENCH_POSITIONS=$(BENCH_IMPORT_ROWS) $(PY) bench/positions_import.py
	$(PY) bench/finder_nearby.py
	$(PY) bench/finder_page.py
	$(PY) bench/finder_http.py
	$(PY) bench/finder_wsgi_cpu.py
	$(PY) bench/load_mixed.py
	$(PY) bench/publishing_feed.py
	$(PY) bench/ledger_dashboard.py
	$(PIP) install --quiet --disable-pip-version-check -r requirements/bench.in
	$(PY) bench/coverage_grid.py
	$(PY) bench/coverage_siting.py
	$(PY) bench/coverage_network.py

# wrk, the loopback load generator of bench/finder_http.py (Debian's package).
bench-deps:
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)

# Lighthouse for bench/finder_page.py only, pinned in bench/lighthouse/package-lock.json (not a runtime asset).
bench/lighthouse/node_modules/.package-lock.json: bench/lighthouse/package.json bench/lighthouse/package-lock.json
	npm ci --prefix bench/lighthouse --no-audit --no-fund
	touch $@

# Refresh the lock files after editing requirements/*.in.
lock: $(VENV)/.installed
	cd requirements && ../$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links base.in -o base.txt
	cd requirements && ../$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links dev.in -o dev.txt

clean:
	rm -rf $(VENV) node_modules var
