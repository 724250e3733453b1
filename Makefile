# Hromada — the two commands that matter: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
REGISTER_SIMULATOR ?=
REGISTER_SIMULATOR_PORT ?= 8190
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock requirements-dev.lock 2>/dev/null | sha1sum | cut -c1-12)

.PHONY: run test install lint fuzz bench lock clean messages browser prod-up prod-down test-prod cluster-up cluster-down test-cluster

$(STAMP): requirements.lock requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit("Потрібен Python 3.11+ / Python 3.11+ is required") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.lock
	rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

## make run — install, migrate, load the codifier and the demo, serve on http://127.0.0.1:8000
## make run REGISTER_SIMULATOR=1 — and the state registers' simulator ("тестовий реєстр", docs/integrations.md)
## as the Трембіта endpoint on port REGISTER_SIMULATOR_PORT (never started otherwise)
run: install
	DEBUG=1 HROMADA_HTTPS=0 $(PY) manage.py migrate --no-input -v 1
	DEBUG=1 HROMADA_HTTPS=0 $(PY) manage.py import_katottg
	DEBUG=1 HROMADA_HTTPS=0 $(PY) manage.py sync_catalog
	DEBUG=1 HROMADA_HTTPS=0 $(PY) manage.py seed_demo
	@echo ""
	@echo "Громада: http://$(HOST):$(PORT)/  (API: http://$(HOST):$(PORT)/api/v1/docs)"
	@if [ -n "$(REGISTER_SIMULATOR)" ]; then \
	  $(PY) manage.py register_simulator --port $(REGISTER_SIMULATOR_PORT) & SIM=$$!; \
	  trap 'kill $$SIM 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 HROMADA_HTTPS=0 HROMADA_TREMBITA_URL=http://127.0.0.1:$(REGISTER_SIMULATOR_PORT)/ \
	    HROMADA_TREMBITA_CLIENT=UA/TEST/00000000/HROMADA-DEV HROMADA_TREMBITA_SIMULATOR=1 \
	    $(PY) manage.py runserver $(HOST):$(PORT); \
	else DEBUG=1 HROMADA_HTTPS=0 $(PY) manage.py runserver $(HOST):$(PORT); fi

## make test — install and run the whole suite (browser tests included when chromium is there)
test: install browser
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadgroup -q $(PYTEST_ARGS) || [ $$? -eq 5 ]

browser:
	@$(BIN)/python scripts/ensure_chromium.py

lint: install
	$(BIN)/ruff check .

fuzz: install
	HROMADA_FUZZ_EXAMPLES=$${HROMADA_FUZZ_EXAMPLES:-4} $(BIN)/pytest -q -m fuzz -n 0 tests/security/test_schemathesis.py $(PYTEST_ARGS)

bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

messages: install
	$(PY) manage.py makemessages -l en --no-obsolete -i ".venv/*" -i "var/*" -i "staticfiles/*" -i "node_modules/*"
	$(PY) manage.py compilemessages -l en -l uk -i .venv -i var -i node_modules

## make lock — re-resolve pinned dependencies from requirements*.in
lock:
	$(PYTHON) -m venv /tmp/hromada-lock && /tmp/hromada-lock/bin/pip install -q -r requirements.in && /tmp/hromada-lock/bin/pip freeze --exclude pip > requirements.lock
	/tmp/hromada-lock/bin/pip install -q -r requirements-dev.in && /tmp/hromada-lock/bin/pip freeze --exclude pip | grep -vxFf requirements.lock | sed '1i -r requirements.lock' > requirements-dev.lock
	rm -rf /tmp/hromada-lock

## make prod-up — the production topology on this machine: PostgreSQL, Redis, gunicorn, Celery worker and beat,
## S3 (moto) under supervisord; config, PIDs and logs in var/prod/ (docs/operations.md)
prod-up: install
	$(PY) deploy/prodctl.py up

## make prod-down — stop everything started by prod-up
prod-down:
	$(PY) deploy/prodctl.py down

## make test-prod — bring the production stack up on other ports, exercise it, bring it down (< 4 min)
test-prod: install
	HROMADA_TEST_PROD=1 $(BIN)/pytest -q -p no:cacheprovider -p no:xdist tests/prod $(PYTEST_ARGS)

## make cluster-up — the national topology on this machine as several hosts (network namespaces): two gunicorn
## hosts behind HAProxy (http://127.0.0.1:8107), a Celery worker host (queues pdf, notify, billing, aggregates),
## PostgreSQL primary + streaming replica, pgbouncer, Redis, S3; logs per host in var/cluster/logs (docs/operations.md)
cluster-up: install
	$(PY) scripts/clusterctl.py up

## make cluster-down — stop every host of cluster-up and remove its network (data stay in var/cluster/)
cluster-down:
	$(PY) scripts/clusterctl.py down

## make test-cluster — faults under a bounded load on that topology, each with its figures (< 8 min)
test-cluster: install
	HROMADA_TEST_CLUSTER=1 $(BIN)/pytest -q -s -p no:cacheprovider -p no:xdist -p no:randomly tests/cluster $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
