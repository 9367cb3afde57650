# brochure: one-line targets. `make brochures` and `make test` are all a fresh clone needs.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BROCHURE := $(VENV)/bin/brochure
STAMP := $(VENV)/.installed
CONTENT ?= content
DIST ?= dist

.PHONY: all setup brochures serve test test-deps lint fmt golden previews bench clean distclean system-deps

all: brochures

# Debian libraries WeasyPrint needs (Pango; HarfBuzz's subsetter for small embedded fonts),
# installed with apt only when missing.
system-deps:
	@missing=""; \
	ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so.0' || missing="$$missing libharfbuzz-subset0"; \
	if [ -n "$$missing" ]; then \
		echo "Installing$$missing (needed by WeasyPrint)…"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# Create .venv and install brochure with its test and dev tools (re-runs when pyproject.toml changes).
setup: $(STAMP)
$(STAMP): pyproject.toml | system-deps
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# Build every page under content/ into dist/.
brochures: $(STAMP)
	$(BROCHURE) build $(CONTENT) --out $(DIST)

# Preview every brochure in a browser while editing; rebuilds on save (Ctrl-C stops).
serve: $(STAMP)
	$(BROCHURE) serve $(CONTENT) --out $(DIST)

# Debian's Chromium for the end-to-end test of `brochure serve`, installed only when missing.
test-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "Installing chromium (for the browser test of brochure serve)…"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# Lint, then the test suite (renders real PDFs, drives a real browser).
test: lint test-deps
	$(PY) -m pytest -q -n 2

# ruff (check + format --check) and mypy --strict on src/.
lint: $(STAMP)
	$(VENV)/bin/ruff check src tests scripts benchmarks
	$(VENV)/bin/ruff format --check src tests scripts benchmarks
	$(VENV)/bin/mypy

# Apply ruff's fixes and formatting.
fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix src tests scripts benchmarks
	$(VENV)/bin/ruff format src tests scripts benchmarks

# Regenerate the golden HTML files (tests/golden/) after a deliberate change to the
# templates or to compose.py; read the diff before committing them.
golden: $(STAMP)
	$(PY) -m tests.golden_html

# Regenerate docs/preview-*.png: the seed page's first pages and the catalogue's screenshot;
# docs/fit-*.png: copyfitting's before and after.
previews: $(STAMP)
	$(PY) scripts/make_previews.py
	$(PY) scripts/make_fit_previews.py

# Measure speed and memory on a generated corpus, against WeasyPrint alone and peers, and the
# speed of `brochure check` on 100 page pairs, and the cost of copyfitting (~9 min).
bench: $(STAMP)
	$(PY) benchmarks/bench.py
	$(PY) benchmarks/serve_latency.py
	$(PY) benchmarks/check_speed.py
	$(PY) benchmarks/catalogue.py --pages 20
	$(PY) benchmarks/fit_cost.py
	$(PY) benchmarks/edit_loop.py

# Remove build output (dist/ and caches); keeps .venv.
clean:
	rm -rf $(DIST) .pytest_cache .mypy_cache .ruff_cache build
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

# Also remove the virtual environment.
distclean: clean
	rm -rf $(VENV)
