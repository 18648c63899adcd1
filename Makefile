# Arena: `make run` starts the arena on http://127.0.0.1:8080; `make test` runs the whole suite.
# Both first install what the build and tests need: Debian packages (apt-get) and, for the tests,
# a Python virtual environment in .venv.

SWIFT ?= swift
APT_PACKAGES := pkg-config libcurl4-openssl-dev libsqlite3-dev libssl-dev libsecp256k1-dev
APT_TEST_PACKAGES := python3-venv chromium chromium-driver
VENV := .venv
ARGS ?=

HYPERLIQUID_SDK := hyperliquid-python-sdk==0.24.0

.PHONY: run test deps test-deps venv venv-hyperliquid build release bench clean

# Installs the Debian packages named in $(1) that are missing, as root or through sudo.
define apt_install
	@missing=""; \
	for package in $(1); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null \
			|| { echo "Could not install$$missing: install them with apt-get, then run make again."; exit 1; }; \
	fi
endef

deps:
	$(call apt_install,$(APT_PACKAGES))

test-deps: deps
	$(call apt_install,$(APT_TEST_PACKAGES))

# The test virtual environment, reinstalled only when Tests/requirements.txt changes.
venv: test-deps $(VENV)/.installed

$(VENV)/.installed: Tests/requirements.txt
	@test -x $(VENV)/bin/python || { echo "Creating $(VENV)"; python3 -m venv $(VENV); }
	@echo "Installing the tests' Python packages into $(VENV)..."
	$(VENV)/bin/pip install --disable-pip-version-check -q -r Tests/requirements.txt
	@cp Tests/requirements.txt $@

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

test: venv venv-hyperliquid
	@echo "Building arena and its tests (about 2 minutes the first time)..."
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release --product arena-bench

clean:
	rm -rf .build $(VENV)
