#!/usr/bin/env bash
# Sets up Tessera on a Debian bookworm machine and builds it.
#
#   scripts/setup.sh demo      install what is missing, build, run examples/attention.tess
#   scripts/setup.sh test      install what is missing, build, run the whole test suite:
#                              the lit suite, then the Python package's tests (a venv in
#                              build/python-venv with PyPI's scikit-build-core, nanobind,
#                              pytest and PyTorch, `pip install .`, pytest test/python;
#                              TESSERA_TEST_TORCH=0 leaves PyTorch out)
#   scripts/setup.sh build     install what is missing and build
#   scripts/setup.sh sanitize  build with AddressSanitizer and UBSan in build-asan/,
#                              run the whole test suite there, then each fuzzer for
#                              TESSERA_FUZZ_SECONDS (default 60) seconds
#   scripts/setup.sh fuzz [SECONDS]
#                              build the sanitizer configuration's fuzzers and run
#                              each for SECONDS (default TESSERA_FUZZ_SECONDS);
#                              TESSERA_FUZZ_LOWER=1 also runs the passes
#
# test and sanitize end with a line `N passed, N failed` (each fuzzer counts as
# one test) and exit non-zero on any failure. docs/reliability.md describes
# the sanitizer build and the fuzzers.
#
# Packages come from Debian only; LLVM/MLIR is pinned to major version 22.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${TESSERA_BUILD_DIR:-$ROOT/build}"
ASAN_BUILD="${TESSERA_ASAN_BUILD_DIR:-$ROOT/build-asan}"
FUZZ_SECONDS="${TESSERA_FUZZ_SECONDS:-60}"
FUZZERS=(frontend npy)
MODE="${1:-demo}"

PACKAGES=(
  cmake ninja-build ccache git
  clang-22 lld-22 llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools libomp-22-dev
  clang-format-22 libclang-rt-22-dev
  antlr4 default-jre-headless libantlr4-runtime-dev
  libgtest-dev zlib1g-dev libzstd-dev
  python3 python3-numpy libfftw3-dev python3-dev python3-venv
)

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return
  fi
  echo "== installing: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
}

# configure DIR [CMAKE_ARGS...]: a Ninja build in DIR, unless there is one.
configure() {
  local dir="$1"
  shift
  # Let ccache share objects between clones in different directories.
  export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=true
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -G Ninja -S "$ROOT" -B "$dir" \
      -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
      -DLLVM_USE_LINKER=lld \
      -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
      -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir "$@"
  fi
}

# build DIR [TARGETS...]
build() {
  local dir="$1"
  shift
  export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=true
  # MLIR translation units need up to 1.5 GiB each (about 1 GiB measured,
  # with or without the sanitizers): one job per 3 GiB.
  local mem_jobs=$(( $(awk '/MemTotal/ {print int($2 / 3000000)}' /proc/meminfo) ))
  local jobs=$(nproc)
  if [ "$mem_jobs" -lt "$jobs" ]; then jobs=$mem_jobs; fi
  if [ "$jobs" -lt 1 ]; then jobs=1; fi
  ninja -C "$dir" -j "$jobs" "$@"
}

configure_and_build() {
  configure "$BUILD"
  build "$BUILD" "$@"
}

configure_asan() {
  configure "$ASAN_BUILD" -DTESSERA_SANITIZE=address,undefined
}

# check DIR: builds everything and runs the lit suite in DIR; sets PASSED,
# FAILED and STATUS. Unresolved, timed-out and unexpectedly passing tests
# count as failed.
check() {
  local dir="$1"
  local log="$dir/check-tessera.log"
  rm -f "$log"
  set +e
  build "$dir" && ninja -C "$dir" check-tessera 2>&1 | tee "$log"
  STATUS=${PIPESTATUS[0]}
  set -e
  count() {
    grep -E "^\s*$1\s*:" "$log" 2>/dev/null | tail -1 |
      sed -E 's/^[^:]*:\s*([0-9]+).*/\1/' || true
  }
  PASSED=$(count Passed)
  FAILED=0
  for kind in Failed Unresolved "Timed Out" "Unexpectedly Passed"; do
    local n
    n=$(count "$kind")
    FAILED=$(( FAILED + ${n:-0} ))
  done
  PASSED=${PASSED:-0}
  if [ "$STATUS" -ne 0 ] && [ "$FAILED" -eq 0 ]; then
    FAILED=1 # the build or lit itself failed
  fi
}

# run_fuzzers SECONDS: runs each fuzzer of the sanitizer build for SECONDS
# on its corpus (build-asan/fuzz/corpus/NAME, grown across runs) and seeds;
# crashes go to build-asan/fuzz/artifacts/NAME/. Adds to PASSED and FAILED.
run_fuzzers() {
  local seconds="$1"
  local supp="$ROOT/scripts/lsan.supp"
  for name in "${FUZZERS[@]}"; do
    local corpus="$ASAN_BUILD/fuzz/corpus/$name"
    local artifacts="$ASAN_BUILD/fuzz/artifacts/$name"
    local log="$ASAN_BUILD/fuzz/$name.log"
    mkdir -p "$corpus" "$artifacts"
    echo "== fuzzing $name for ${seconds}s (log: $log)"
    set +e
    ASAN_OPTIONS="detect_leaks=1:allow_user_poisoning=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
    LSAN_OPTIONS="suppressions=$supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
    ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-22/bin/llvm-symbolizer \
      "$ASAN_BUILD/bin/tess-fuzz-$name" -max_total_time="$seconds" \
      -timeout=60 -rss_limit_mb=4096 -print_final_stats=1 \
      -dict="$ROOT/tools/fuzz/$name.dict" -artifact_prefix="$artifacts/" \
      "$corpus" "$ASAN_BUILD/fuzz/seeds/$name" >"$log" 2>&1
    local status=$?
    set -e
    local runs
    runs=$(grep -E '^stat::number_of_executed_units:' "$log" | awk '{print $2}' || true)
    local size
    size=$(find "$corpus" -type f | wc -l)
    if [ "$status" -eq 0 ]; then
      echo "   $name: ok, ${runs:-?} runs, corpus $size inputs"
      PASSED=$(( PASSED + 1 ))
    else
      echo "   $name: FAILED (exit $status); last lines of $log:"
      tail -40 "$log" | sed 's/^/     /'
      local artifact
      artifact=$(ls -t "$artifacts" | head -1)
      echo "   reproduce: $ASAN_BUILD/bin/tess-fuzz-$name $artifacts/${artifact:-<file>}"
      FAILED=$(( FAILED + 1 ))
    fi
  done
}

# python_tests: installs the Python package from this tree into a venv
# (Debian's python3 with its NumPy; scikit-build-core, nanobind, pytest and,
# unless TESSERA_TEST_TORCH=0, PyTorch from PyPI), built against $BUILD, and
# runs pytest on test/python. Adds to PASSED and FAILED.
python_tests() {
  local venv="$BUILD/python-venv"
  local python="$venv/bin/python"
  local log="$BUILD/pytest.log"
  set +e
  (
    set -e
    if [ ! -x "$python" ]; then
      echo "== python: creating $venv"
      /usr/bin/python3 -m venv --system-site-packages "$venv"
    fi
    local need=()
    for module in scikit_build_core nanobind pytest; do
      "$python" -c "import $module" 2>/dev/null || need+=("${module//_/-}")
    done
    if [ "${TESSERA_TEST_TORCH:-1}" != 0 ] && ! "$python" -c "import torch" 2>/dev/null; then
      need+=(torch)
    fi
    if [ ${#need[@]} -gt 0 ]; then
      echo "== python: pip install ${need[*]}"
      "$python" -m pip install -q "${need[@]}"
    fi
    echo "== python: pip install . (built against $BUILD)"
    TESSERA_BUILD_DIR="$BUILD" "$python" -m pip install -q --no-build-isolation \
      --config-settings=build-dir="$BUILD/python-package" "$ROOT"
  )
  local status=$?
  if [ "$status" -ne 0 ]; then
    echo "== python: installing the package failed"
    FAILED=$(( FAILED + 1 ))
    set -e
    return
  fi
  echo "== python: pytest test/python"
  # From the build tree, so that `import tessera` is the installed package.
  (cd "$BUILD" && "$python" -m pytest -p no:cacheprovider -q "$ROOT/test/python") 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  local summary
  summary=$(tail -1 "$log")
  local passed failed errors
  passed=$(grep -oE '[0-9]+ passed' <<<"$summary" | grep -oE '[0-9]+' || true)
  failed=$(grep -oE '[0-9]+ failed' <<<"$summary" | grep -oE '[0-9]+' || true)
  errors=$(grep -oE '[0-9]+ errors?' <<<"$summary" | grep -oE '[0-9]+' || true)
  PASSED=$(( PASSED + ${passed:-0} ))
  FAILED=$(( FAILED + ${failed:-0} + ${errors:-0} ))
  if [ "$status" -ne 0 ] && [ -z "$failed$errors" ]; then
    FAILED=$(( FAILED + 1 ))
  fi
}

install_missing
case "$MODE" in
  build)
    configure_and_build
    ;;
  demo)
    configure_and_build tess-run tessc
    echo "== tess-run examples/attention.tess --size B=1 --size H=2 --size T=4 --size S=4 --size D=8 --print"
    "$BUILD/bin/tess-run" "$ROOT/examples/attention.tess" \
      --size B=1 --size H=2 --size T=4 --size S=4 --size D=8 --print
    ;;
  test)
    configure "$BUILD"
    check "$BUILD"
    lit_status=$STATUS
    python_tests
    echo "$PASSED passed, $FAILED failed"
    [ "$lit_status" -eq 0 ] && [ "$FAILED" -eq 0 ]
    ;;
  sanitize)
    configure_asan
    check "$ASAN_BUILD"
    lit_passed=$PASSED lit_failed=$FAILED
    if [ -x "$ASAN_BUILD/bin/tess-fuzz-frontend" ]; then
      run_fuzzers "$FUZZ_SECONDS"
    else
      FAILED=$(( FAILED + 1 ))
    fi
    echo "== sanitizer build: lit $lit_passed passed, $lit_failed failed;" \
         "fuzzers $(( PASSED - lit_passed )) passed, $(( FAILED - lit_failed )) failed"
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
    ;;
  fuzz)
    configure_asan
    build "$ASAN_BUILD" tess-fuzz-seeds "${FUZZERS[@]/#/tess-fuzz-}"
    PASSED=0 FAILED=0
    run_fuzzers "${2:-$FUZZ_SECONDS}"
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
    ;;
  *)
    echo "usage: $0 [demo|test|build|sanitize|fuzz [SECONDS]]" >&2
    exit 2
    ;;
esac
