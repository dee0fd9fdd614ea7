# The two commands a new machine needs: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# The tests start a few hundred `umkm-bot` processes, and each compiled our modules again when
# the machine set PYTHONDONTWRITEBYTECODE: Python may keep their bytecode (in __pycache__/).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-sqlite test-postgres chromium lint bench bench-env clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/umkm-bot db upgrade
	$(VENV)/bin/umkm-bot run

# The SQLite and the PostgreSQL passes run side by side: each keeps about one of the machine's
# two cores busy (the SQLite pass alone: 267 s of CPU in 312 s). make prints each pass's output
# whole when it ends, and fails when either fails. Each pass has its own temporary folder.
test: $(STAMP) chromium
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

# The dashboard's browser tests drive Debian's Chromium (installed here when missing).
chromium:
	scripts/chromium.sh >/dev/null

test-sqlite: $(STAMP) chromium
	mkdir -p .pytest-tmp
	CHROMIUM=$$(scripts/chromium.sh) $(VENV)/bin/pytest -q --basetemp=.pytest-tmp/sqlite

test-postgres: $(STAMP) chromium
	mkdir -p .pytest-tmp
	CHROMIUM=$$(scripts/chromium.sh) TEST_DATABASE_URL=$$(scripts/postgres.sh) $(VENV)/bin/pytest -q --basetemp=.pytest-tmp/postgres

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The benchmark's own environment: the bare aiogram echo bot bench.burst compares with.
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: bench/requirements-aiogram.txt
	python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet -r bench/requirements-aiogram.txt
	touch $@

bench-env: $(BENCH_VENV)/.installed

bench: $(STAMP) bench-env
	$(PY) -m bench.channels
	$(PY) -m bench.channels --burst
	$(PY) -m bench.outbox
	$(PY) -m bench.dashboard
	$(PY) -m bench.importing
	$(PY) -m bench.cli

clean:
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache .pytest-tmp .mypy_cache .ruff_cache
