# Kamai: `make run` serves the site with its worker; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test lint bench bench-web messages clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

var/.demo-seeded:
	$(PY) manage.py seed_demo
	@mkdir -p var && touch $@

run: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput
	@$(MAKE) --no-print-directory var/.demo-seeded
	@echo "Kamai at http://127.0.0.1:8000 (web + worker). Ctrl-C stops both."
	@$(PY) manage.py run_dev 127.0.0.1:8000

test: $(VENV)/.dev
	$(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/ruff format --check .

bench: $(VENV)/.dev
	@for script in $(filter-out bench/benchkit.py bench/ledgerpeer.py bench/web.py,$(wildcard bench/*.py)); do \
		echo "== $$script"; $(PY) $$script || exit 1; done

# Pages under load beside a minimal Django view (docs/PERFORMANCE.md). BENCH_WEB_ARGS="--rows 100000" for the real run.
bench-web: $(VENV)/.dev
	$(PY) bench/web.py $(BENCH_WEB_ARGS)

# Urdu catalogues: locale/ for the site's own pages, <app>/locale/ for the apps that keep their own.
OWN_CATALOGUE_APPS := messaging ledger invoicing books tax insights
messages: $(VENV)/.dev
	$(PY) manage.py makemessages -l ur --ignore=.venv --ignore=staticfiles --ignore='*/tests/*' --ignore=bench \
		$(foreach app,$(OWN_CATALOGUE_APPS),--ignore=$(app))
	for app in $(OWN_CATALOGUE_APPS); do mkdir -p $$app/locale; (cd $$app && ../$(PY) ../manage.py makemessages -l ur --ignore='tests/*'); done
	$(PY) manage.py compilemessages -l ur --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles
