# Arena: `make run` starts the arena on http://127.0.0.1:8080; `make test` runs the whole suite.
# Both first install the system libraries the build links against (Debian packages, via apt-get).

SWIFT ?= swift
APT_PACKAGES := pkg-config libcurl4-openssl-dev libsqlite3-dev libssl-dev libsecp256k1-dev
ARGS ?=

.PHONY: run test deps build release bench clean

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

test: deps
	@echo "Building arena and its tests (about 2 minutes the first time)..."
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release --product arena-bench

clean:
	rm -rf .build
