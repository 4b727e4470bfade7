# Two commands for a place's team or a newcomer: `make demo` and `make test`.
# Both create the virtual environment and install what they need on a fresh machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# The door's tests need a real PC/SC stack (pcscd + vsmartcard's virtual reader, from Debian)
# and pyscard, which compiles against it: installed for `make test` only. apt-get needs root: as
# another user, the setup script passes if all is there, else says to run it once with sudo.
DOOR_SETUP := federation_tests/door/setup.sh
DOOR_STAMP := $(VENV)/.door-$(shell cat pyproject.toml $(DOOR_SETUP) | cksum | cut -d' ' -f1)
# The pages' browser tests drive Debian's Chromium (installed by this script when missing).
WEB_SETUP  := tests/web/setup.sh

.PHONY: install demo test check format bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

$(DOOR_STAMP): $(STAMP) $(DOOR_SETUP)
	bash $(DOOR_SETUP)
	$(BIN)/python -m pip install --quiet -e '.[test,dev,reader]'
	@rm -f $(VENV)/.door-*
	@touch $@

install: $(STAMP)

demo: install
	$(BIN)/python -m examples.demo

# Lint and type-check first (fast, and their errors are real errors), then every test.
test: $(DOOR_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy node vocab reader federation_tests/door
	bash $(DOOR_SETUP)
	bash $(WEB_SETUP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy node vocab reader federation_tests/door

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/inbox.py
	$(BIN)/python bench/door.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
