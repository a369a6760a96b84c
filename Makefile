# Two commands for a newcomer: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1
MAKEMESSAGES := -l zh_Hans --no-obsolete --no-location --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=node_modules

.PHONY: run install dev-install chromium bulletin-deps oidc-provider gettext lint test test-postgres loadtest bench mutants messages clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime

dev-install: $(VENV)/.dev

run: install bulletin-deps
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

# Browser tests drive Debian's Chromium, and the screenshots need a Chinese font; install
# both when missing (needs root).
chromium:
	@if ! command -v chromium >/dev/null 2>&1 || [ -z "$$(fc-list :lang=zh 2>/dev/null)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "Install Debian's chromium and fonts-noto-cjk for the browser tests." >&2; exit 1; fi; \
	fi

# The bulletin's PDF is laid out by WeasyPrint, which needs Pango, in the fonts GB/T 9704 asks
# for (a serif CJK text face, a bold sans for titles: Noto Serif/Sans CJK, embedded in the
# PDF); poppler-utils makes the README's screenshot (pdftoppm). Installed when missing (root).
bulletin-deps:
	@if ! ldconfig -p | grep -q libpangoft2-1.0 || [ -z "$$(fc-list 'Noto Serif CJK SC' 2>/dev/null)" ] \
	    || [ -z "$$(fc-list 'Noto Sans CJK SC' 2>/dev/null)" ] || ! command -v pdftoppm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk poppler-utils >/dev/null; \
	  else echo "Install libpango-1.0-0, libpangoft2-1.0-0, fonts-noto-cjk and poppler-utils for the bulletin." >&2; exit 1; fi; \
	fi

# The sign-in tests run a real OpenID Connect provider, npm's `oidc-provider` under Node
# (scripts/oidc/); install Node and npm when missing (needs root), and the package from its
# lock file into scripts/oidc/node_modules.
oidc-provider: scripts/oidc/node_modules/.package-lock.json

scripts/oidc/node_modules/.package-lock.json: scripts/oidc/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; \
	  else echo "Install Node.js and npm (apt-get install nodejs npm) for the sign-in tests." >&2; exit 1; fi; }
	npm ci --prefix scripts/oidc --no-audit --no-fund --loglevel=error
	@touch $@

# makemessages needs GNU gettext (xgettext, msgmerge); install it when missing (needs root).
gettext:
	@command -v xgettext >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq gettext >/dev/null; \
	  else echo "Install GNU gettext (apt-get install gettext)." >&2; exit 1; fi; }

lint: dev-install gettext
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	@# Brings every interface string into the catalogue; tests/test_translations.py then
	@# fails for any string that has no Chinese translation yet.
	$(PY) manage.py makemessages $(MAKEMESSAGES) -v0
	@# Only a new timestamp? Then the catalogue has not changed: leave the file as it was.
	@git diff --quiet -I POT-Creation-Date -- locale 2>/dev/null && git checkout -q -- locale 2>/dev/null || true
	@git diff --quiet -I POT-Creation-Date -- identity/locale 2>/dev/null && git checkout -q -- identity/locale 2>/dev/null || true
	@git diff --quiet -I POT-Creation-Date -- tasks/locale 2>/dev/null && git checkout -q -- tasks/locale 2>/dev/null || true
	@git diff --quiet -I POT-Creation-Date -- api/locale 2>/dev/null && git checkout -q -- api/locale 2>/dev/null || true
	@git diff --quiet -I POT-Creation-Date -- catalog/locale 2>/dev/null && git checkout -q -- catalog/locale 2>/dev/null || true

test: dev-install chromium bulletin-deps oidc-provider lint
	$(PY) -m pytest
	$(PY) scripts/drive.py load

# The same suite on a throwaway PostgreSQL, then the load test, the fault test (the server
# is stopped and started under the running app) and the scale-out test (two app servers,
# one PostgreSQL, one Redis). Each gets a fresh server.
test-postgres: dev-install chromium bulletin-deps oidc-provider
	scripts/with-postgres $(PY) -m pytest
	scripts/with-postgres $(PY) scripts/drive.py load
	scripts/with-postgres $(PY) scripts/drive.py faults
	scripts/with-postgres $(PY) scripts/drive.py scaleout

# 20 officials saving and submitting under gunicorn while readers load public pages.
loadtest: dev-install
	$(PY) scripts/drive.py load
	scripts/with-postgres $(PY) scripts/drive.py load

# Page timings at 20, 200 and 1,000 indicators and gunicorn throughput (wrk); BENCH_DB=postgres
# runs it on a throwaway PostgreSQL. See docs/performance.md.
bench: dev-install bulletin-deps
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null; \
	  else echo "Install wrk (apt-get install wrk) for the throughput part." >&2; exit 1; fi; }
	$(if $(filter postgres,$(BENCH_DB)),scripts/with-postgres) $(PY) scripts/bench.py

# A small mutation run (scripts/mutate.py, docs/testing.md): survivors are tests to write.
mutants: dev-install
	$(PY) scripts/mutate.py --log mutants.log

# Rebuild the Chinese translation catalogue after changing interface strings.
messages: dev-install gettext
	$(PY) manage.py makemessages $(MAKEMESSAGES)
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles
