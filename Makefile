# Tessera: the two commands of the README, and their parts.
#   make render   set up, build, render the default scene into output/
#   make test     set up, build, run the Swift tests, the Python interop tests and the deploy-file tests
#   make fuzz     fuzz the scene language for FUZZ_MINUTES (docs/FUZZING.md); findings in fuzz-findings/
SWIFT ?= swift
COUNT ?= 16
PEER ?=
BENCH_COUNT ?= 500
OBJECTS ?= 10
FUZZ_MINUTES ?= 30
FUZZ_SEED ?= 1
FUZZ_JOBS ?= 2

.PHONY: setup build render test swift-test interop-test deploy-test bench bench-png bench-rejection fuzz clean

setup:
	@bash scripts/setup.sh

build: setup
	$(SWIFT) build -c release --product tessera

render: build
	.build/release/tessera render --count $(COUNT) --overwrite

swift-test: setup
	$(SWIFT) build
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

interop-test: setup
	$(SWIFT) build --product tessera
	TESSERA_BIN=.build/debug/tessera python3 -m pytest -q -W ignore::DeprecationWarning tests/interop

deploy-test: setup
	$(SWIFT) build --product tessera
	TESSERA_BIN=.build/debug/tessera python3 -m pytest -q tests/deploy

test: swift-test interop-test deploy-test

# Throughput against the Python baseline: make bench PEER=path/to/py_shapes.py [BENCH_COUNT=500] [OBJECTS=10]
bench: build
	COUNT=$(BENCH_COUNT) PEER=$(PEER) OBJECTS=$(OBJECTS) bash scripts/bench.sh

# PNG compressors (zlib as Tessera sets it, libdeflate's levels) on the benchmark's PNGs
bench-png: build
	bash scripts/bench_png.sh

# The cost of a rejected attempt against a full image: make bench-rejection [BENCH_COUNT=200]
bench-rejection: build
	python3 scripts/bench_rejection.py --count $(BENCH_COUNT) scenes/street.scene $(wildcard scenes/occluded_pedestrians.scene)

# The standing fuzzer, longer than the test suite's 100 mutants: make fuzz [FUZZ_MINUTES=30] [FUZZ_SEED=1] [FUZZ_JOBS=2]
fuzz: build
	python3 scripts/fuzz.py --binary .build/release/tessera --minutes $(FUZZ_MINUTES) --seed $(FUZZ_SEED) --jobs $(FUZZ_JOBS)

clean:
	rm -rf .build output/images output/masks output/annotations output/classes.json output/records.jsonl output/manifest.json
