# The README's two commands: `make up` and `make test`. Everything else is a step of those.
BUILD ?= build
DATA_DIR ?= /var/lib/skiff
PORT ?= 6443
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: all deps configure build unit e2e test up down clean

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)
	@ln -sf skiff $(BUILD)/kubectl-skiff

unit: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

e2e: build
	@tests/e2e/run

test: unit e2e

up: build
	@scripts/up $(DATA_DIR) $(PORT)

down:
	@scripts/down $(DATA_DIR)

clean:
	rm -rf $(BUILD)
