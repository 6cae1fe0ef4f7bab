# reportgov — the two commands a fresh clone needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MANAGE := DEBUG=1 $(PY) manage.py
PORT ?= 8000

.PHONY: run test install messages stop lint fmt bench loadtest clean

$(STAMP): requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $(STAMP)

install: $(STAMP) messages

# Compiled catalogues are built, not committed: Babel compiles them without GNU gettext.
messages: $(STAMP)
	$(VENV)/bin/pybabel compile --use-fuzzy -d locale -D django --statistics 2>&1 | tail -n 1

run: install
	$(MANAGE) migrate --no-input
	$(MANAGE) load_report --if-missing
	$(MANAGE) loaddata search_synonyms
	$(MANAGE) load_demo
	$(MANAGE) collectstatic --no-input --verbosity 0
	@echo "reportgov: http://127.0.0.1:$(PORT)/"
	$(MANAGE) runserver 127.0.0.1:$(PORT)

test: install
	DEBUG=1 $(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# A bounded load test (locust, headless, 127.0.0.1 only) on a database of its own: see bench/README.md.
loadtest: install
	loadtest/run.sh

# The issue 9 benchmark on scratch databases bench_s, bench_l, bench_x (seeded on first use; never the dev
# or a test database): ratios to floors measured in the same run. BENCH_ARGS="--only dashboard --runs 5".
bench: install
	DEBUG=1 $(PY) bench/run.py $(BENCH_ARGS)

stop: $(STAMP)
	$(PY) -m reportgov.embedded_db stop

clean: stop
	rm -rf var $(VENV)
