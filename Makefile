# Two commands for a new machine: `make run` and `make test` (README.md, "Quick start").
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install run test test-quick replica pgbouncer test-faults backup restore lint format browser office nginx screenshots workbook-pages bench bench-intake bench-rules bench-reports bench-dashboard bench-load bench-province bench-wages standby-note messages services secrets

# The virtualenv is rebuilt when a requirements file changes (the stamp is older than them).
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The embedded default's secrets, generated once and kept out of git.
var/.env:
	$(PYTHON) scripts/generate_secrets.py var/.env

secrets: var/.env

run: install var/.env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Serving at http://127.0.0.1:8000  (admin: /admin/, API docs: /api/docs/, health: /healthz)"
	$(PY) manage.py runserver 127.0.0.1:8000

services:
	bash scripts/ensure-services.sh

# The unit and API tests on PostgreSQL itself, as the one-node deployment runs (docker-compose.yml): no pgbouncer,
# no replica; each pytest-xdist worker its own test database and Redis database (settings_test.py).
UNIT_ENV = DATABASE_URL=postgres://postgres@127.0.0.1:5432/smz_quick DATABASE_TRANSACTION_POOLING=false \
  DATABASE_DIRECT_URL=postgres://postgres@127.0.0.1:5432/smz_quick DATABASE_REPLICA_URL=
# Without the system tests, and without the fuzz test's plugins (schemathesis, hypothesis: 2 s of imports in each
# of the three pytest processes; tests/security/test_fuzz.py is a system test).
UNIT_TESTS = -m "not system" -p no:schemathesis -p no:hypothesispytest

# Two stages; the slowest tests are listed at the end of each one's log. The exit code is the worse.
# 1. The unit and API tests (make test-quick's run), on two workers dealt in collection order (xdist's default
#    `load`): pytest-django puts the transactional tests last, whose flush empties the migrations' data for the
#    tests after them, and `--dist worksteal` would run them mid-way.
# 2. The system tests (marked `system`, tests/conftest.py) as the scaled-out deployment runs
#    (docker-compose.scale.yml): through a real pgbouncer in transaction mode, with a streaming replica, both
#    started for this stage and stopped at its end, pass or fail (scripts/test-services.sh). Three workers, a lane
#    each (the scheduler in tests/conftest.py): the benchmarks' smoke runs and the modules of BENCH_LANE on one,
#    those of BROWSER_LANE on another, the others one at a time on the third (they start servers, browsers and
#    databases of their own). Stage 1 does not go through pgbouncer: every query's extra hop cost it a quarter of its
#    time on two cores (docs/benchmarks.md, "The unit tests on PostgreSQL itself"); what a pooler changes in the code
#    (no PREPARE, no server-side cursors) is held by tests of its own and by stage 2.
test: install var/.env services browser office nginx
	$(UNIT_ENV) $(PY) -m pytest $(UNIT_TESTS) -n 2 --durations=30; a=$$?; \
	  bash scripts/test-services.sh $(PY) -m pytest -m system -n 3 --durations=15; b=$$?; \
	  [ $$a -ge $$b ] && exit $$a || exit $$b

# The unit and API tests without the system tests (make test's first stage): the loop a developer runs between
# changes. make test before a commit.
test-quick: install var/.env services
	$(UNIT_ENV) $(PY) -m pytest $(UNIT_TESTS) -n 2 -q --durations=10

# pgbouncer in transaction mode on 127.0.0.1:6432; the system tests run through it (scripts/pgbouncer.sh).
pgbouncer:
	bash scripts/pgbouncer.sh start

# A local streaming replica on 127.0.0.1:5433 for the router's tests (scripts/replica.sh; docs/operations.md "Scaled out").
replica:
	bash scripts/replica.sh start

# Debian's headless Chromium for the browser tests (Playwright drives it; tests/dashboard/test_browser.py).
browser:
	bash scripts/ensure-browser.sh

# The first printed page of each workbook of the demo city (LibreOffice), for docs/guide.md; `make run` first.
workbook-pages: install office
	$(PY) scripts/workbook_pages.py

# LibreOffice headless and poppler for the print test (tests/reports/test_printing.py).
office:
	bash scripts/ensure-office.sh

# nginx for make bench-load's proxy in front of the public pool (deploy/nginx.conf): Debian's nginx-light.
nginx:
	bash scripts/ensure-nginx.sh

# The dashboard's screenshots in docs/screenshots/ (linked from the README), taken of the demo city
# that `make run` serves (run it in another terminal first).
screenshots: install browser
	$(PY) scripts/screenshots.py

lint: install var/.env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	# The formatter is on for every line (issue 26): a table whose alignment carries meaning turns it off with a
	# comment saying why (`# fmt: off` … `# fmt: on`, as tests/security/test_every_route.py's routes); nothing skips it.
	! git grep -n "fmt: skip" -- '*.py'
	# The layers README "Architecture" draws, and no import circles (.importlinter).
	$(VENV)/bin/lint-imports --no-cache
	# The type hints of the services, selectors and rules ([tool.mypy] in pyproject.toml).
	$(VENV)/bin/mypy
	# Nothing outside projects/scope/ reads an account's role or jurisdiction (issue 23).
	$(PY) scripts/check_scope.py
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	# Production-like settings: no debug, real-looking secrets, a public host name.
	SMZ_ENV_FILE= DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=smz.example.gov.cn \
	  DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  SMZ_PII_KEY="$$($(PY) -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')" \
	  SMZ_LOOKUP_KEY="$$($(PY) -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')" \
	  $(PY) manage.py check --deploy --fail-level WARNING

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Regenerate the Chinese catalogue after changing user-facing strings; fill the new msgstr, then compile.
messages: install var/.env
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

# The platform under real faults: PostgreSQL restarted, Redis killed, a worker killed mid-run, two beats,
# a full disk, skewed clocks (faults/run.py; docs/operations.md). Needs root; about 5 minutes.
test-faults: install var/.env services
	$(PY) faults/run.py

# Backups of the database the platform uses (DATABASE_URL, PostgreSQL) and its media; docs/operations.md.
#   make backup [TO=dir]        make restore BACKUP=dir DB=new_database [MEDIA=empty_dir]
backup: install var/.env
	$(PY) manage.py backup $(if $(TO),--to $(TO))

restore: install var/.env
	@test -n "$(BACKUP)" -a -n "$(DB)" || { echo "usage: make restore BACKUP=var/backups/smz-… DB=new_database [MEDIA=dir]"; exit 2; }
	$(PY) manage.py restore $(BACKUP) --database $(DB) $(if $(MEDIA),--media $(MEDIA))

# Benchmarks: each issue that names a speed or size adds its own target here (docs/benchmarks.md).
# Each benchmark says first whether a streaming standby is attached to the cluster it measures: its WAL
# replay shares the machine's cores, so that figures taken with one read high (scripts/standby-note.sh).
standby-note:
	@bash scripts/standby-note.sh

bench: bench-intake bench-rules bench-reports bench-dashboard bench-load bench-province bench-wages bench-sync

# The nightly rules run on a synthetic city of 2,000 projects and one twice its size (docs/benchmarks.md).
bench-rules: install var/.env services standby-note
	$(PY) bench/rules.py

# Annex 1 (district and city) on the same synthetic city, a month of data (docs/benchmarks.md).
bench-reports: install var/.env services standby-note
	$(PY) bench/reports.py

# The dashboard's pages on that city (reuses the bench-reports database; docs/benchmarks.md).
bench-dashboard: install var/.env services standby-note
	$(PY) bench/dashboard.py

# A province of five such cities: the month-end night fanned out over 1 and 2 worker processes (docs/benchmarks.md).
bench-province: install var/.env services standby-note
	$(PY) bench/province.py

# A month of wages on the rules' city: a 500-line sheet and its bank file imported, the wage rules, the
# arrears overview (issue 27; docs/benchmarks.md).
bench-wages: install var/.env services standby-note
	$(PY) bench/wages.py

# A day of the city's attendance and a month's payrolls sent upward to the simulated receiver, with the intake's
# throughput alone and while sending (issue 29; docs/benchmarks.md).
bench-sync: install var/.env services standby-note
	$(PY) bench/sync.py

# Device intake under load (docs/benchmarks.md): gunicorn with 2 workers against PostgreSQL, loopback only.
bench-intake: install var/.env services standby-note
	$(PY) bench/intake.py

# The morning peak with locust: 2,000 devices, 200 punches/s, regulators browsing, 10 minutes (docs/benchmarks.md).
bench-load: install var/.env services standby-note nginx
	$(PY) bench/load.py
