# The two front-door commands (see README): `make demo` and `make test`.
# Both install missing Debian packages, configure and build first.
BUILD ?= build
# ccache (when installed) keys on paths relative to the checkout, so every clone of the
# tree shares one cache.
export CCACHE_BASEDIR ?= $(CURDIR)
JOBS  ?= $(shell nproc)
DEAL  := $(BUILD)/bin/deal

.PHONY: all deps configure build demo test fuzz sanitize mpi-test clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

configure: deps $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The main job: check the examples and run the AI compute web's headline scenario.
demo: build
	@bash scripts/demo.sh $(DEAL)

# Every test: unit, golden, REPL, report-in-Chromium (skipped without chromium), and the
# shared conformance suite when ../shared exists.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Fuzz for FUZZ_SECONDS in all (libFuzzer, clang-19, ASan+UBSan), split between the three
# targets: the front end (parse, print, reparse), `deal run` of programs that pass check
# (tests/fuzz/fuzz_run.cpp) and the language server's request handling
# (tests/fuzz/fuzz_lsp.cpp). All run even when one finds something.
FUZZ_SECONDS ?= 60
fuzz: deps
	cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDEAL_FUZZ=ON \
	  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19
	cmake --build build-fuzz -j $(JOBS) --target fuzz_frontend fuzz_run fuzz_lsp
	@total=$(FUZZ_SECONDS); front=$$(( total / 3 > 0 ? total / 3 : 1 )); lsp=$$front; \
	  run=$$(( total - 2 * front > 0 ? total - 2 * front : 1 )); \
	  status=0; \
	  bash tests/fuzz/run.sh build-fuzz/bin/fuzz_frontend $$front || status=1; \
	  bash tests/fuzz/run.sh build-fuzz/bin/fuzz_run $$run || status=1; \
	  bash tests/fuzz/run.sh build-fuzz/bin/fuzz_lsp $$lsp || status=1; \
	  exit $$status

# Every test again, built with AddressSanitizer (leak checks included) and UBSan (which
# stops at the first report, so a report fails the test).
sanitize: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDEAL_SANITIZE=ON -DDEAL_BENCH=OFF
	cmake --build build-asan -j $(JOBS)
	cd build-asan && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

# Monte Carlo over MPI (docs/distributed.md): the MPI build (build-mpi, Open MPI from
# Debian) and its tests under mpirun: one process's bytes for any ranks × threads, a failing
# path stopping every rank, a host's own communicator, and the plain build refusing mpirun.
mpi-test: build
	@bash scripts/install-deps.sh --with-mpi
	cmake -S . -B build-mpi -DCMAKE_BUILD_TYPE=Release -DDEAL_MPI=ON -DDEAL_BENCH=OFF \
	  -DDEAL_PLAIN_BINARY=$(CURDIR)/$(DEAL)
	cmake --build build-mpi -j $(JOBS) --target deal mpi_embed
	cd build-mpi && ctest -L mpi --output-on-failure

clean:
	rm -rf $(BUILD) build-fuzz build-asan build-mpi
