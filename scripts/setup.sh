#!/usr/bin/env bash
# Sets up Tessera on a Debian bookworm machine and builds it.
#
#   scripts/setup.sh demo    install what is missing, build, run examples/attention.tess
#   scripts/setup.sh test    install what is missing, build, run the whole test suite
#   scripts/setup.sh build   install what is missing and build
#
# Packages come from Debian only; LLVM/MLIR is pinned to major version 22.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${TESSERA_BUILD_DIR:-$ROOT/build}"
MODE="${1:-demo}"

PACKAGES=(
  cmake ninja-build ccache git
  clang-22 lld-22 llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools libomp-22-dev
  clang-format-22
  antlr4 default-jre-headless libantlr4-runtime-dev
  libgtest-dev zlib1g-dev libzstd-dev
  python3 python3-numpy libfftw3-dev
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

configure_and_build() {
  # Let ccache share objects between clones in different directories.
  export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=true
  if [ ! -f "$BUILD/build.ninja" ]; then
    cmake -G Ninja -S "$ROOT" -B "$BUILD" \
      -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
      -DLLVM_USE_LINKER=lld \
      -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
      -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir
  fi
  # MLIR translation units need about 1.5 GiB each: one job per 3 GiB.
  local mem_jobs=$(( $(awk '/MemTotal/ {print int($2 / 3000000)}' /proc/meminfo) ))
  local jobs=$(nproc)
  if [ "$mem_jobs" -lt "$jobs" ]; then jobs=$mem_jobs; fi
  if [ "$jobs" -lt 1 ]; then jobs=1; fi
  ninja -C "$BUILD" -j "$jobs" "$@"
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
    configure_and_build
    log="$BUILD/check-tessera.log"
    set +e
    ninja -C "$BUILD" check-tessera 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    passed=$(grep -E '^\s*Passed\s*:' "$log" | tail -1 | sed -E 's/^[^:]*:\s*([0-9]+).*/\1/' || true)
    failed=$(grep -E '^\s*Failed\s*:' "$log" | tail -1 | sed -E 's/^[^:]*:\s*([0-9]+).*/\1/' || true)
    echo "${passed:-0} passed, ${failed:-0} failed"
    exit "$status"
    ;;
  *)
    echo "usage: $0 [demo|test|build]" >&2
    exit 2
    ;;
esac
