# Stagebank: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint translations translations-update install browser bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml tests/example_plugin/pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	# The tutorial's example plugin, installed as any third-party plugin would be.
	$(BIN)/pip install --quiet -e tests/example_plugin
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile --statistics -d core/translations

translations-update: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location -o /tmp/stagebank.pot .
	$(BIN)/pybabel update -i /tmp/stagebank.pot -d core/translations --width 100

run: install
	$(BIN)/stagebank db upgrade
	$(BIN)/stagebank demo --if-empty
	$(BIN)/stagebank serve --host 127.0.0.1 --port 5000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The browser journeys use Debian's chromium; it is installed here, never downloaded by a
# test tool. Without it the journeys fail (they do not skip).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser journeys"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: install lint browser
	$(BIN)/pytest

# The benchmark suite (README, "Performance") on SQLite and PostgreSQL at Flanders scale;
# PostgreSQL is started as in CI when it is not running. Writes bench/results.json.
BENCH_DATABASE ?= both

bench: install
	@pg_isready -h 127.0.0.1 -q || { \
	  pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql)" main start; \
	  for _ in $$(seq 30); do pg_isready -h 127.0.0.1 -q && break; sleep 1; done; }
	$(BIN)/python -m bench --database $(BENCH_DATABASE) --scale flanders

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
