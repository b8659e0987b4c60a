#!/bin/bash
# Builds fft_bench from the kernel sources (no MLIR, no CMake) into build/.
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$HERE/../..
K=$ROOT/runtime/lib/Kernels
OUT=$HERE/build
mkdir -p "$OUT"
CXX="clang++-22 -std=c++17 -O3 -ffp-contract=fast -fno-exceptions -fno-rtti
  -fno-threadsafe-statics -fopenmp -DTESSERA_KERNELS_X86
  -I$ROOT/runtime/include"
for f in Fft FftPlan FftReal FftGeneric Threads; do
  $CXX -c "$K/$f.cpp" -o "$OUT/$f.o"
done
$CXX -mavx2 -mfma -c "$K/FftAVX2.cpp" -o "$OUT/FftAVX2.o"
$CXX -mavx512f -mavx512vl -mavx512dq -mavx512bw -mfma \
  -c "$K/FftAVX512.cpp" -o "$OUT/FftAVX512.o"
$CXX "$HERE/fft_bench.cpp" "$OUT"/Fft*.o "$OUT/Threads.o" -o "$OUT/fft_bench"
