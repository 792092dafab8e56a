# Two commands do all the set-up on a fresh machine (Python 3.11 + pip):
#   make book   -> builds the rendered book into _build/html/index.html
#   make test   -> runs every test (clrlib, every chapter under nbval, the strict build)
# Both create the virtual environment .venv from requirements.txt on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test pdf env browser clean fuzz

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
	$(BIN)/python tests/print_book.py . _build/pdf/book.pdf

test: $(STAMP) browser
	CLRBOOK_TEST_SEEDS="1 2" $(BIN)/python -m pytest -n 2 --dist loadscope --nbval-lax

# The long fuzz profile of clrlib's contract (thousands of inputs per function; tests/test_fuzz.py).
fuzz: $(STAMP)
	CLRLIB_FUZZ=long $(BIN)/python -m pytest -q tests/test_fuzz.py

clean:
	rm -rf _build
