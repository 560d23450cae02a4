# Order Desk Academy. The two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := app:create_app

.PHONY: run test lint bench soak validate install install-dev chromium lrs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Stamps make re-runs cheap: pip runs again only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## lrs: Ralph, a real xAPI learning record store for the tests, in its own virtualenv (its pinned FastAPI
## and pydantic clash with ours); tests/lrs.py starts it
RALPH_VERSION := 5.1.0
LRS_VENV := .venv-lrs
$(LRS_VENV)/.installed-$(RALPH_VERSION):
	$(PYTHON) -m venv $(LRS_VENV)
	$(LRS_VENV)/bin/pip install -q --upgrade pip
	$(LRS_VENV)/bin/pip install -q 'ralph-malph[cli,lrs]==$(RALPH_VERSION)' 'requests>=2.31'
	touch $@
lrs: $(LRS_VENV)/.installed-$(RALPH_VERSION)

## run: upgrade the database, sync content, seed demo data when empty, serve on http://127.0.0.1:$(PORT)
## (gunicorn --preload; ./gunicorn.conf.py gives each worker its own database connections)
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask content sync --if-present
	$(BIN)/flask demo seed
	@echo "Serving Order Desk Academy on http://127.0.0.1:$(PORT) (Ctrl-C stops it)"
	@if [ -n "$${JOBS_REDIS_URL:-$$REDIS_URL}" ]; then \
	  echo "Background jobs go to Redis: an RQ worker and the scheduler run beside gunicorn"; \
	  $(BIN)/flask jobs worker & worker=$$!; \
	  $(BIN)/flask jobs scheduler & scheduler=$$!; \
	  trap 'kill $$worker $$scheduler 2>/dev/null; wait' EXIT INT TERM; \
	  $(BIN)/gunicorn --preload --workers 2 --bind 127.0.0.1:$(PORT) --access-logfile - 'app:create_app()'; \
	else \
	  echo "No REDIS_URL: background jobs run inline, in the app, after each request"; \
	  $(BIN)/gunicorn --preload --workers 2 --bind 127.0.0.1:$(PORT) --access-logfile - 'app:create_app()'; \
	fi

## chromium: Debian's Chromium for the browser tests (never a downloaded browser)
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)) \
	      || echo "Could not install chromium: browser tests will be skipped (and fail under CI=true)"; \
	  else echo "chromium is missing and cannot be installed here: browser tests will be skipped (and fail under CI=true)"; fi; \
	fi

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## test: ruff (lint and format), then the whole pytest suite (domain, web, browser) with branch coverage of
## app/ (fails under the floor in pyproject.toml); TEST_DATABASE_URL picks PostgreSQL
test: install-dev chromium lrs
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest --cov --cov-report=term:skip-covered

## bench: requests per second of each page as a ratio to a Flask hello-world served the same way, CPU per
## request, pages as history grows, memory and start-up, the answer POST on PostgreSQL (bench/results.json);
## then the README's performance table is regenerated from the results. BENCH_ONLY=key1,key2 runs a subset.
bench: install-dev
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.table --write

## soak: 100 simulated trainees for about 3 minutes against gunicorn (4 workers) on PostgreSQL while a worker
## is killed, the database's connections are terminated and the soak's own Redis restarts (bench/soak.json);
## not part of `make test`. Needs PostgreSQL on 127.0.0.1:5432 (SOAK_PG_ADMIN) and redis-server.
soak: install-dev
	@command -v redis-server >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq redis-server >/dev/null; } \
	  || { echo "redis-server is missing: apt-get install redis-server"; exit 1; }
	$(BIN)/python -m bench.soak

## validate: the model in its own world, the test-wise bots, readiness through the app in eight worlds
## (bench/validation.json); every part runs and reports, and the target exit fails if any part missed
validate: install-dev
	@status=0; \
	$(BIN)/python -m bench.validate || status=1; \
	$(BIN)/python -m bench.testwise || status=1; \
	$(BIN)/python -m bench.worlds || status=1; \
	exit $$status

clean:
	rm -rf $(VENV) $(LRS_VENV) instance/*.sqlite3 .pytest_cache .ruff_cache
