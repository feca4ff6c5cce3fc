# Yunfu One-Stop — the commands a newcomer needs. Nothing here needs an activated virtualenv:
# every tool runs from .venv/bin. The only prerequisite is Python 3.11.
#
#   make demo       install, migrate, translate, seed and serve http://127.0.0.1:8000
#                   (web + Celery worker + Celery beat; one Ctrl-C stops all)
#   make test       install test tools and run the whole suite, browser journeys included
#   make test-fast  the same without the browser suite
#   make lint       ruff check, ruff format --check and bandit
#   make messages   regenerate the zh_Hans .po files of every app and of the project
#   make lock       regenerate requirements.txt / requirements-dev.txt (hashed) from the .in files
#   make audit      known vulnerabilities of the locked dependencies ("UNMEASURED" when it cannot look)
#   make bench      the benchmark suite (bench/), written to BENCHMARKS.md (QUICK=1: smaller runs)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
MANAGE := $(PY) manage.py
PYTEST_ARGS ?=
DEMO_PORT ?= 8000

# The apps that own a locale/ folder; the project's own strings (templates/, onestop/) go to
# locale/ at the root.
APPS := $(sort $(patsubst %/apps.py,%,$(wildcard */apps.py)))

.PHONY: help demo serve test test-fast lint bandit format messages compilemessages install install-dev \
	lock audit clean bench

help:
	@sed -n '3,13p' Makefile

# --- Virtualenv and dependencies -----------------------------------------------------------
# Stamp files make a second run skip pip entirely unless a requirements file changed.
# requirements.in and requirements-dev.in are the files to edit (top-level packages, == pins);
# requirements.txt and requirements-dev.txt are generated from them by `make lock` with every
# transitive dependency and the sha256 of each of its files, and every install checks them
# (--require-hashes: a file that differs from the one locked is refused).

$(PY):
	@test -n "$(PYTHON)" || { echo "make: Python 3.11 is needed (python3.11 not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install -q --require-hashes -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -q --require-hashes -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# After editing a .in file (or merging a branch that added a package to one): keeps every pin
# that still fits, adds the new packages with their dependencies and hashes. A few minutes.
# Extras stay in the lock (no --strip-extras): pip 23.2 (Python 3.11.7's) refuses a hashed install
# when a dependency asks for a package with an extra (pip-audit: CacheControl[filecache]) and the
# index holds a newer release than the pin, unless the pin names the extra too (seen 2026-12-07).
LOCK_ARGS := --generate-hashes --allow-unsafe --no-emit-index-url \
	--no-emit-find-links --quiet
lock: | $(PY)
	@test -x $(VENV)/bin/pip-compile || $(PIP) install -q pip-tools==7.6.2
	$(VENV)/bin/pip-compile $(LOCK_ARGS) -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile $(LOCK_ARGS) -o requirements-dev.txt requirements-dev.in
	@echo "make lock: requirements.txt and requirements-dev.txt regenerated; commit them with the .in files"

# pip-audit against PyPI's and OSV's vulnerability data, judged by its JSON report: exit 0
# measured and clean, 1 vulnerable, 3 UNMEASURED (some or all packages could not be looked up).
audit: $(VENV)/.installed-dev
	$(PY) scripts/vuln_audit.py requirements-dev.txt

# --- Translations ----------------------------------------------------------------------------

# Django's compilemessages needs GNU gettext's msgfmt; without it a pure-Python compiler that
# follows msgfmt's rules does the same (tests/suite/test_compilemessages.py compares them).
compilemessages: $(VENV)/.installed
	@if command -v msgfmt >/dev/null; then \
		echo "$(MANAGE) compilemessages"; \
		$(MANAGE) compilemessages --ignore '$(VENV)/*' --ignore 'var/*' -v 0; \
	else \
		echo "make: msgfmt (GNU gettext) not found, compiling with scripts/compilemessages.py"; \
		$(PY) scripts/compilemessages.py; \
	fi

messages: $(VENV)/.installed
	@for app in $(APPS); do \
		mkdir -p $$app/locale; \
		(cd $$app && ../$(PY) ../manage.py makemessages -l zh_Hans --no-obsolete -v 0) || exit 1; \
	done
	$(MANAGE) makemessages -l zh_Hans --no-obsolete -v 0 --ignore '$(VENV)/*' \
		--ignore 'var/*' --ignore 'tests/*' --ignore 'test-artifacts/*' \
		$(foreach app,$(APPS),--ignore '$(app)/*')
	@echo "make: .po files updated; fill in the Chinese of every new msgid"

# --- Demo ------------------------------------------------------------------------------------

demo: $(VENV)/.installed compilemessages
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput -v 0
	@$(MANAGE) help seed_demo >/dev/null 2>&1 || { \
		echo "make demo: the seed_demo command does not exist yet (issue 2, demo data)."; \
		echo "           The site needs its demo data; nothing was started."; exit 1; }
	$(MANAGE) seed_demo
	$(PY) scripts/demo.py --port $(DEMO_PORT)

# Serve what is already installed and seeded (no install/migrate/seed steps).
serve: $(VENV)/.installed
	$(PY) scripts/demo.py --port $(DEMO_PORT)

# --- Quality ---------------------------------------------------------------------------------

test: $(VENV)/.installed-dev compilemessages
	$(PY) -m pytest --reuse-db $(PYTEST_ARGS)

test-fast: $(VENV)/.installed-dev compilemessages
	$(PY) -m pytest --reuse-db -m "not e2e" $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev bandit
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Every finding is fixed or justified where it is (`# nosec Bxxx`, the reason on the line above).
BANDIT_PATHS := $(filter-out tests,$(APPS)) onestop scripts
bandit: $(VENV)/.installed-dev
	$(VENV)/bin/bandit -q -r $(BANDIT_PATHS) -x '*/migrations/*'

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# --- Benchmarks (issue 11) -----------------------------------------------------------------
# Needs PostgreSQL (DATABASE_URL's server) and Redis; see bench/report.py and BENCHMARKS.md.
QUICK ?=
bench: $(VENV)/.installed compilemessages
	$(PY) bench/report.py $(if $(QUICK),--quick)

clean:
	rm -rf var/staticfiles var/cache var/celery-queue test-artifacts .pytest_cache
	find . -name '*.mo' -not -path './$(VENV)/*' -delete
