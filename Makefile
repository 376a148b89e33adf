# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app initiatives
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000
# The suite over every core (pytest-xdist), a test file per worker so that a module's
# fixtures (the demo site of the browser tests) are built once. PYTEST_PARALLEL= runs serially.
PYTEST_PARALLEL ?= -n auto --dist loadfile

.PHONY: run test lint translations messages install db demo clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile -d initiatives/translations -D messages >/dev/null

# After changing UI strings: extract them and merge into the ky/ru/en catalogues.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_gettext -k t --no-location \
		--sort-output --project local-initiatives -o initiatives/translations/messages.pot .
	$(BIN)/pybabel update -i initiatives/translations/messages.pot -d initiatives/translations \
		--no-fuzzy-matching

db: install
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo --if-empty

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C stops)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install
	@echo "Database: $${TEST_DATABASE_URL:-SQLite (temporary file)}"
	@command -v chromium >/dev/null || echo "chromium is not installed: the browser tests (tests/browser) will be SKIPPED; apt-get install chromium to run them"
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) instance/*.sqlite3 instance/documents instance/uploads
