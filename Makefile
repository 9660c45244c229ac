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

.PHONY: help setup bundle web screenshots demo demo-lambda dev first-run openapi synth smoke deploy-local test test-fast typecheck lint bench loadtest clean

help:
	@echo "make demo       export examples/landscape.json through the local stack's API to out/demo.mp4"
	@echo "make demo-lambda  the same export through the real Remotion Lambda function, emulated, to out/demo-lambda.mp4"
	@echo "make dev        run the local stack on http://127.0.0.1:8000 (PORT=..., RENDER_MODE=lambda)"
	@echo "make openapi    write docs/openapi.json from the API's models"
	@echo "make synth      synthesize the AWS stacks to cdk.out/ (no credentials needed; REGION=...)"
	@echo "make smoke      check a deployed stack end to end (STACK=..., AWS credentials needed)"
	@echo "make deploy-local  rehearse cdk bootstrap/deploy/destroy on an AWS emulator, smoke and verify it (no AWS)"
	@echo "make test       typecheck the Remotion site and run every test"
	@echo "make test-fast  the tests that render no video"
	@echo "make bench      measure preprocessing and rendering (results in docs/benchmarks.md)"
	@echo "make loadtest   30 users export at once on a budget of 3 renders, both backends (docs/reliability.md)"
	@echo "make first-run  time make demo and make dev in fresh clones of HEAD, as a newcomer waits (RUNS=...)"

# Each set-up step says what it is and about how long it takes as it starts (the figures: a fresh
# clone on 2 busy cores with npm's and uv's caches warm; README.md, "How long the first run takes").
# uv itself, pinned, in a private virtual environment (no global install needed).
$(UV):
	@echo "setup: uv $(UV_VERSION), the pinned Python package manager, into $(TOOLS)/ (about 5 s)"
	@python3 -m venv $(TOOLS)
	@$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	@echo "setup: the Python packages into $(VENV)/ (uv sync: a few seconds, a minute or two with no uv cache)"
	@$(UV) sync --frozen --quiet
	@touch $@

# --prefer-offline: what the lock file pins and npm's cache holds is taken without asking the
# registry whether it changed (the lock's integrity hashes still check it); ~5 s of ~30.
node_modules/.installed: package.json package-lock.json remotion_site/package.json web/package.json
	@echo "setup: the Node packages into node_modules/ (npm ci: about 35 s, minutes with no npm cache)"
	@npm ci --prefer-offline --no-audit --no-fund --loglevel=error
	@touch $@

# The Remotion bundle is cached under .cache/bundle/<hash of the site's sources>; the check asks
# bundle.mjs for that hash without building.
BUNDLE_BUILT := node --input-type=module -e "import {existsSync} from 'node:fs'; \
	import {bundleHash} from './render/worker/bundle.mjs'; \
	const dir = (process.env.FRAMECAST_CACHE_DIR ?? '.cache') + '/bundle/' + bundleHash(); \
	process.exit(existsSync(dir + '/index.html') ? 0 : 1)"
bundle: node_modules/.installed
	@$(BUNDLE_BUILT) || echo "setup: the Remotion bundle of remotion_site/ into .cache/bundle/ (about 15 s)"
	@node render/worker/bundle.mjs >/dev/null

# The export page, served by the local stack at /; its API types come from docs/openapi.json.
WEB_SOURCES := $(shell find web/src remotion_site/src -type f 2>/dev/null) web/index.html web/vite.config.ts web/package.json docs/openapi.json
web/dist/index.html: node_modules/.installed $(WEB_SOURCES)
	@echo "setup: the export page into web/dist/ (tsc and vite build: about 10 s)"
	@npm run --silent build -w web -- --logLevel warn
web: web/dist/index.html

# No icon step: locally each Iconify set is built into .cache/iconify-store/ the first time one of
# its icons is asked for (functions/preprocess/icon_store.py), in a fraction of a second for most.
setup: $(VENV)/.synced node_modules/.installed bundle web/dist/index.html

# A real export through the HTTP API of the local stack, to out/demo.mp4. It needs no page.
demo: $(VENV)/.synced node_modules/.installed bundle
	@echo "demo: the local stack, then the export of examples/landscape.json (about 20 s)"
	@$(PY) -m cli.demo

# The same export through the pinned Remotion Lambda function, run on this machine (local/lambda_emulator).
# FRAMECAST_LAMBDA_ACCOUNT_CONCURRENCY (1000) and FRAMECAST_LAMBDA_RESERVED_CONCURRENCY (N or none; the
# stack's renderConcurrencyCap) set the emulated Lambda's limits, here and for `make dev RENDER_MODE=lambda`.
demo-lambda: setup
	$(PY) -m cli.demo_lambda

# The local stack on http://127.0.0.1:$(PORT); the design's limits pass through from the environment.
# RENDER_MODE=lambda renders with the emulated Remotion Lambda function instead of the local worker.
PORT ?= 8000
dev: setup
	@echo "dev: starting the local stack on http://127.0.0.1:$(PORT) (about 5 s)"
ifeq ($(RENDER_MODE),lambda)
	@$(PY) -m local.lambda_emulator.serve --port $(PORT)
else
	@$(VENV)/bin/framecast dev --port $(PORT)
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

# The real `cdk bootstrap`, `cdk deploy` and `cdk destroy` onto MiniStack on loopback (its own pinned
# environment, made by uv from PyPI), with the smoke test and the verifier (docs/deploy.md,
# "Rehearse a deploy on this machine"). ARGS=--keep-running leaves it up; ARGS="--assembly DIR" skips the synth.
deploy-local: setup
	$(PY) -m cli.deploy_local $(ARGS)

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

# Every suite in one pytest process: stacks take their settings explicitly and restore what they
# set, and every session renders into a chunk cache of its own (docs/decisions.md, issue 21).
TEST_SUITES := tests/unit tests/integration tests/service tests/reliability tests/render tests/sandbox \
	tests/lambda tests/e2e tests/infra tests/smoke tests/deploy
test: setup typecheck lint
	npm run --silent test -w web
	$(PY) -m pytest $(TEST_SUITES)

test-fast: $(VENV)/.synced node_modules/.installed
	$(PY) -m pytest -m "not render"

bench: setup
	$(PY) -m tools.bench

# 30 users press Export within 2 s on a budget of 3 renders at once: all succeed, in order, each
# counted once (docs/reliability.md). On the local backend, then on the emulated Remotion Lambda.
loadtest: setup
	$(PY) -m tools.loadtest --backend local --users 30 --at-once 3
	$(PY) -m tools.loadtest --backend lambda --users 30 --at-once 3

# Fresh clones of HEAD: `make demo` to its video, `make dev` to /health (README.md's figures).
first-run: $(VENV)/.synced
	$(PY) -m tools.first_run $(if $(RUNS),--runs $(RUNS))

clean:
	rm -rf $(VENV) $(TOOLS) node_modules .cache out
