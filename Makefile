# Arena: `make run` starts the arena on http://127.0.0.1:8080; `make test` runs the whole suite.
# Both first install the system libraries the build links against (Debian packages, via apt-get).

SWIFT ?= swift
APT_PACKAGES := pkg-config libcurl4-openssl-dev libsqlite3-dev libssl-dev libsecp256k1-dev
ARGS ?=

HYPERLIQUID_SDK := hyperliquid-python-sdk==0.24.0

.PHONY: run test deps build release bench clean venv-hyperliquid

deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing \
			|| { echo "Could not install$$missing: install them with apt-get, then run make again."; exit 1; }; \
	fi

build: deps
	$(SWIFT) build

release: deps
	@echo "Building arena in release mode (about 3 minutes the first time)..."
	$(SWIFT) build -c release --product arena

run: release
	.build/release/arena serve $(ARGS)

# The official Hyperliquid SDK (it brings eth-account), with which the test suite's fake exchange
# verifies every signature; installed into .venv/ only when missing.
venv-hyperliquid:
	@if [ ! -x .venv/bin/python ]; then echo "Creating .venv/"; python3 -m venv .venv || { echo "python3 -m venv failed: install python3-venv (apt-get install python3-venv)"; exit 1; }; fi
	@if ! .venv/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('hyperliquid-python-sdk') != '0.24.0')" 2>/dev/null; then \
		echo "Installing $(HYPERLIQUID_SDK) into .venv/ (about a minute)..."; \
		.venv/bin/pip install --disable-pip-version-check -q "$(HYPERLIQUID_SDK)"; \
	fi

test: deps venv-hyperliquid
	@echo "Building arena and its tests (about 2 minutes the first time)..."
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release --product arena-bench

clean:
	rm -rf .build
