# crossgen: `make run` serves the dashboard, `make test` runs every test. Both set up from nothing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DB := data/crossgen-demo.duckdb
AXE_DIR := tests/browser/axe
AXE := $(AXE_DIR)/node_modules/axe-core/axe.min.js
PLOTLY_JS_DIR := dashboard/plotlyjs
PLOTLY_JS := $(PLOTLY_JS_DIR)/plotly-cartesian.min.js

.PHONY: run test install install-test system-deps demo lint fuzz load bench bench-demo clean \
	plotly-js bench-browser

$(VENV)/.runtime: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip "setuptools==80.9.0"
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime requirements-test.lock $(AXE)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-test.lock
	touch $@

# axe-core (WCAG checks run in the page by the browser tests), pinned in package-lock.json.
$(AXE): $(AXE_DIR)/package.json $(AXE_DIR)/package-lock.json
	npm ci --prefix $(AXE_DIR) --no-audit --no-fund --silent
	touch $@

# plotly.js's cartesian bundle, which the dashboard serves instead of the full bundle (traces:
# scatter, bar, heatmap and more; 1.5 MB, not 4.8). It is kept in the repository, so serving
# needs no npm; this fetches it again, pinned in $(PLOTLY_JS_DIR)/package-lock.json (npm checks
# its checksum), and copies it over. After a plotly upgrade, put plotly's plotly.js version in
# $(PLOTLY_JS_DIR)/package.json, `npm install --package-lock-only --prefix $(PLOTLY_JS_DIR)`,
# then this (tests/unit/test_plotly_bundle.py fails until the versions agree).
plotly-js:
	npm ci --prefix $(PLOTLY_JS_DIR) --no-audit --no-fund --silent
	cp $(PLOTLY_JS_DIR)/node_modules/plotly.js-cartesian-dist-min/plotly-cartesian.min.js $(PLOTLY_JS)
	sha256sum $(PLOTLY_JS)

install: $(VENV)/.runtime
install-test: $(VENV)/.test

# Chromium, chromedriver, LibreOffice, poppler: apt-get installs what is missing (root or sudo),
# else one line says what to install. Quick and silent when all are there.
system-deps:
	@scripts/system-deps.sh

$(DB): | $(VENV)/.runtime
	$(VENV)/bin/crossgen demo --db $(DB)

demo: $(VENV)/.runtime
	$(VENV)/bin/crossgen demo --db $(DB)

run: $(VENV)/.runtime $(DB)
	$(VENV)/bin/crossgen serve --db $(DB)

lint: $(VENV)/.test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: system-deps $(VENV)/.test lint
	$(PY) -m pytest -n 2 --dist loadgroup

# Long random fuzzing of every importer (CROSSGEN_FUZZ_EXAMPLES per test, default 400).
fuzz: $(VENV)/.test
	CROSSGEN_FUZZ_PROFILE=fuzz $(PY) -m pytest tests/fuzz -n 2 -q

# 100 simulated users for 60 s on a copy of the demo database with an import half-way, after
# 20 users on another copy (throughput ratio); fails when a target of issue 23 is missed.
load: $(VENV)/.test $(DB)
	$(PY) -m benchmarks.load --serve $(DB) --users 100 --seconds 60 --with-import \
		--compare 20 --check-targets --json benchmarks/out/load.json

bench: $(VENV)/.test
	$(PY) -m benchmarks.run --employees 20000 --json benchmarks/out/bench-20k.json

# Demo database: server time of a filter change per page (30 random states) and the board pack.
bench-demo: $(VENV)/.test
	$(PY) -m benchmarks.pages --states 30 --json benchmarks/out/bench-demo.json

# Each page's browser time on the demo, cold and warm (issue 22's target: under 1.5 s).
bench-browser: $(VENV)/.test $(DB)
	$(PY) -m benchmarks.browser_pages --db $(DB) --runs 3 --json benchmarks/out/browser-pages.json

clean:
	rm -rf $(VENV) $(DB) data/*.archive test-output $(AXE_DIR)/node_modules \
		$(PLOTLY_JS_DIR)/node_modules
