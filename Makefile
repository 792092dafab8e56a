# Two commands do all the set-up on a fresh machine (Python 3.11 + pip):
#   make book   -> builds the rendered book into _build/html/index.html
#   make test   -> runs every test (clrlib, every chapter under nbval, the strict build)
# Both create the virtual environment .venv from requirements.txt on first use.
#
# Parts of `make test`, for contributors (CONTRIBUTING.md):
#   make test-lib   clrlib's unit, property, fuzz and lint tests (tests/, no chapter, no build)
#   make test-book  every chapter under nbval, base seeds 1 and 2, plus the chapter-shape checks
#   make test-site  the strict build, the rendered pages in Chromium, downloads, determinism, JupyterLab
#   make lab        JupyterLab on this repository: chapters open as notebooks (Ctrl-C twice stops it)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Reproducible builds: matplotlib's SVG <dc:date> and any other build date come from here.
export SOURCE_DATE_EPOCH ?= 1767225600

# The seeds nbval runs every chapter under (the strict build runs base seed 0).
TEST_SEEDS := 1 2
PYTEST     := $(BIN)/python -m pytest -n 2 --dist loadscope
# Tests about the chapters and about the built site (everything else in tests/ is clrlib's).
BOOK_TESTS := tests/test_collector.py tests/test_chapter_shape.py
SITE_TESTS := tests/test_rendered_book.py tests/test_downloads.py \
              tests/test_determinism.py tests/test_lab.py

.PHONY: book test test-lib test-book test-site lab pdf env browser clean fuzz

env: $(STAMP)

# The browser test drives Debian's chromium (no browser download). Installed with apt-get when
# missing and we are root; otherwise the browser tests skip locally (and fail under CI=true).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing chromium (apt-get)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium not found and not root: the browser tests will be skipped"; fi

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build -W -n --keep-going .

# The whole book as one PDF (_build/pdf/book.pdf), printed by headless Chromium; no LaTeX needed.
pdf: $(STAMP) browser
	$(BIN)/python tools/print_book.py . _build/pdf/book.pdf

test: $(STAMP) browser
	CLRBOOK_TEST_SEEDS="$(TEST_SEEDS)" $(PYTEST) --nbval-lax

test-lib: $(STAMP)
	$(PYTEST) tests $(addprefix --ignore=,$(BOOK_TESTS) $(SITE_TESTS))

test-book: $(STAMP)
	CLRBOOK_TEST_SEEDS="$(TEST_SEEDS)" $(PYTEST) --nbval-lax book $(BOOK_TESTS)

test-site: $(STAMP) browser
	$(PYTEST) $(SITE_TESTS)

# JupyterLab from .venv with the repository's configuration (jupyter/): book/NN_*.md opens as a
# notebook (jupytext), MyST renders (jupyterlab-myst). Listens on 127.0.0.1 only; it prints the URL
# with its token. Stop it with Ctrl-C (twice, or once and answer y), or `.venv/bin/jupyter server stop`.
LAB_PORT ?= 8888
lab: $(STAMP)
	JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter" $(BIN)/jupyter lab --no-browser --ServerApp.port=$(LAB_PORT) \
	  $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

# The long fuzz profile of clrlib's contract (thousands of inputs per function; tests/test_fuzz.py).
fuzz: $(STAMP)
	CLRLIB_FUZZ=long $(BIN)/python -m pytest -q tests/test_fuzz.py

clean:
	rm -rf _build
