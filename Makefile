# Two commands do all the set-up on a fresh machine (Python 3.11 + pip):
#   make book   -> builds the rendered book into _build/html/index.html
#   make test   -> runs every test (clrlib, every chapter under nbval, the strict build)
# Both create the virtual environment .venv from requirements.txt on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test env clean

env: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build -W -n --keep-going .

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadscope --nbval-lax

clean:
	rm -rf _build
