# kubectl-velero — every target runs under the project's own Node.js 24 (node_modules/node),
# which `npm ci` brings from the npm registry; the machine's node is only used to run npm itself.
SHELL := /bin/bash
PREFIX ?= $(HOME)/.local
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: all deps build install uninstall test test-unit test-e2e typecheck demo cluster-tools velero-tools csi-tools moto system-packages clean fuzz

all: build

# npm ci only when the lock file changed since the last install.
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.installed

build: deps
	node hack/build.mjs

install: build
	rm -rf $(PREFIX)/lib/kubectl-velero/chunks
	install -d $(PREFIX)/bin $(PREFIX)/lib/kubectl-velero/chunks
	install -m 0644 build/kubectl-velero.mjs build/kubectl-velero.mjs.map $(PREFIX)/lib/kubectl-velero/
	install -m 0644 build/chunks/* $(PREFIX)/lib/kubectl-velero/chunks/
	install -m 0755 node_modules/node/bin/node $(PREFIX)/lib/kubectl-velero/node
	install -m 0755 bin/kubectl-velero $(PREFIX)/bin/kubectl-velero
	install -m 0755 hack/release/kubectl_complete-velero $(PREFIX)/bin/kubectl_complete-velero
	@echo "installed $(PREFIX)/bin/kubectl-velero; with $(PREFIX)/bin on PATH, run: kubectl velero version"

uninstall:
	rm -rf $(PREFIX)/bin/kubectl-velero $(PREFIX)/bin/kubectl_complete-velero $(PREFIX)/lib/kubectl-velero

typecheck: deps
	tsc --noEmit

test-unit: deps
	uvu -r tsx cmd '\.test\.ts$$'
	uvu -r tsx internal '\.test\.ts$$'

# The Debian packages the harness needs: installed when missing (root with apt-get), else one line
# with the command to run — before anything is built, not minutes later inside a test.
system-packages:
	@hack/system-packages

# Builds (once, cached in ~/.cache/kubectl-velero) the Kubernetes and MinIO binaries the harness runs.
cluster-tools: deps
	hack/cluster build

# A stock Velero (server + CLI) and its AWS plugin for the interop e2e and bench-vs-velero: built
# once from the Go module proxy (~6-12 min cold on 2 cores) and cached like the cluster's binaries.
velero-tools: deps
	hack/cluster build --velero

# The CSI driver (ours, hack/tools/csi/hostpath) and the upstream CSI sidecars that `hack/cluster
# up --csi` runs, with the node's binaries and images: built once (~5 min cold on 2 cores), cached.
csi-tools: deps
	hack/cluster build --csi

# moto's EC2 server for the native (EBS) snapshot e2e, from PyPI when it is not installed.
moto:
	@command -v moto_server >/dev/null || [ -x "$$HOME/.pyenv/shims/moto_server" ] || python3 -m pip install -q "moto[server]==5.2.1"

# E2E_JOBS e2e files run side by side, each on its own clusters (hack/run-tests.mjs): most of a file's
# time is spent waiting (CronJob ticks, pods starting, API servers restarting), so two share 2 cores.
E2E_JOBS ?= 2

test-e2e: system-packages build cluster-tools velero-tools csi-tools moto
	E2E_JOBS=$(E2E_JOBS) node hack/run-tests.mjs e2e

# Everything: type-check, unit tests, then the end-to-end suite on real clusters.
test: system-packages build cluster-tools velero-tools csi-tools moto
	E2E_JOBS=$(E2E_JOBS) node hack/run-tests.mjs all

# The seeded fuzzers at full size (make test runs a ~1,000-case subset): FUZZ_SEED=N replays a run.
fuzz: deps
	node --import tsx hack/fuzz.ts $(if $(FUZZ_SEED),--seed $(FUZZ_SEED)) $(if $(FUZZ_CASES),--cases $(FUZZ_CASES))

demo: system-packages build cluster-tools
	hack/demo

clean:
	rm -rf bin build dist
-include mk/*.mk
