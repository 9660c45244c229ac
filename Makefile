# Every target does its own set-up: on a fresh machine with Python 3.11+, Node 20+ and make,
# `make demo` and `make test` are all a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.8
# jsii (under aws-cdk-lib) warns on every run that Node 20 is past its end of life.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: help setup bundle web screenshots demo demo-lambda dev openapi synth smoke test test-fast typecheck lint bench clean

help:
	@echo "make demo       export examples/landscape.json through the local stack's API to out/demo.mp4"
	@echo "make demo-lambda  the same export through the real Remotion Lambda function, emulated, to out/demo-lambda.mp4"
	@echo "make dev        run the local stack on http://127.0.0.1:8000 (PORT=..., RENDER_MODE=lambda)"
	@echo "make openapi    write docs/openapi.json from the API's models"
	@echo "make synth      synthesize the AWS stacks to cdk.out/ (no credentials needed; REGION=...)"
	@echo "make smoke      check a deployed stack end to end (STACK=..., AWS credentials needed)"
	@echo "make test       typecheck the Remotion site and run every test"
	@echo "make test-fast  the tests that render no video"
	@echo "make bench      measure preprocessing and rendering (results in docs/benchmarks.md)"

# uv itself, pinned, in a private virtual environment (no global install needed).
$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	@touch $@

node_modules/.installed: package.json package-lock.json remotion_site/package.json web/package.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The Remotion bundle is cached under .cache/bundle/<hash of the site's sources>.
bundle: node_modules/.installed
	@node render/worker/bundle.mjs >/dev/null

# The export page, served by the local stack at /; its API types come from docs/openapi.json.
WEB_SOURCES := $(shell find web/src remotion_site/src -type f 2>/dev/null) web/index.html web/vite.config.ts web/package.json docs/openapi.json
web/dist/index.html: node_modules/.installed $(WEB_SOURCES)
	npm run --silent build -w web
web: web/dist/index.html

# Every Iconify set offline: the compressed store functions/preprocess/icons.py reads.
ICON_STORE := .cache/iconify-store/manifest.json
$(ICON_STORE): node_modules/.installed | $(VENV)/.synced
	$(PY) -m functions.preprocess.icon_store build && touch $@

setup: $(VENV)/.synced node_modules/.installed bundle web/dist/index.html $(ICON_STORE)

# A real export through the HTTP API of the local stack, to out/demo.mp4.
demo: setup
	$(PY) -m cli.demo

# The same export through the pinned Remotion Lambda function, run on this machine (local/lambda_emulator).
demo-lambda: setup
	$(PY) -m cli.demo_lambda

# The local stack on http://127.0.0.1:$(PORT); the design's limits pass through from the environment.
# RENDER_MODE=lambda renders with the emulated Remotion Lambda function instead of the local worker.
PORT ?= 8000
dev: setup
ifeq ($(RENDER_MODE),lambda)
	$(PY) -m local.lambda_emulator.serve --port $(PORT)
else
	$(VENV)/bin/framecast dev --port $(PORT)
endif

# CloudFormation in cdk.out/, with no AWS credentials and no Docker (the Lambda layer is built
# with uv for arm64, the render site with the local bundler).
# REGION=... picks the region; without DOWNLOAD_PUBLIC_KEY a development key pair is used (never deploy that).
SYNTH_KEY := $(if $(DOWNLOAD_PUBLIC_KEY),-c downloadPublicKeyFile=$(DOWNLOAD_PUBLIC_KEY),-c devDownloadKey=true)
synth: setup
	rm -rf cdk.out
	npx --no-install cdk synth --no-notices --quiet $(SYNTH_KEY) $(if $(REGION),-c region=$(REGION))

# After `cdk deploy`: checks the deployed stack end to end (docs/deploy.md). STACK=... names it.
smoke: $(VENV)/.synced node_modules/.installed
	$(PY) -m tools.smoke $(if $(STACK),--stack $(STACK))

# Refreshes docs/screenshots/ from the end-to-end test of the page.
screenshots: setup
	FRAMECAST_SCREENSHOTS=docs/screenshots $(PY) -m pytest -q tests/e2e

openapi: $(VENV)/.synced
	$(PY) -m tools.openapi > docs/openapi.json

typecheck: node_modules/.installed
	cd remotion_site && npx --no-install tsc --noEmit
	npm run --silent typecheck -w web

# Ruff (lint), mypy (strict, with the pydantic plugin, over every Python room: functions, render,
# local, cli, tools, stacks and app.py, as pyproject.toml lists them). The same hooks run on commit
# with `pre-commit install`.
lint: $(VENV)/.synced node_modules/.installed
	$(VENV)/bin/ruff check functions render local cli tools stacks tests app.py
	$(VENV)/bin/ruff format --check functions render local cli tools stacks tests app.py
	$(VENV)/bin/mypy
	npm run --silent lint -w web

# Each suite in a process of its own: the stacks they start set process-wide state (the
# environment boto3 reads, Powertools' current event) that must not leak from one suite to the next.
TEST_SUITES := tests/unit tests/integration tests/service tests/reliability tests/render tests/sandbox \
	tests/lambda tests/e2e tests/infra tests/smoke
test: setup typecheck lint
	npm run --silent test -w web
	@failed=""; for suite in $(TEST_SUITES); do echo "== $$suite"; $(PY) -m pytest $$suite || failed="$$failed $$suite"; \
	done; if [ -n "$$failed" ]; then echo "failed:$$failed"; exit 1; fi

test-fast: $(VENV)/.synced node_modules/.installed
	$(PY) -m pytest -m "not render"

bench: setup
	$(PY) -m tools.bench

clean:
	rm -rf $(VENV) $(TOOLS) node_modules .cache out
