//===- FftAVX2.cpp - The FFT kernels for AVX2 ---------------------------===//
//
// FftKernel.inc compiled for AVX2 (see CMakeLists.txt for the flags):
// 32-byte vectors.
//
//===----------------------------------------------------------------------===//

#define TESSERA_FFT_VECTOR_BYTES 32
#define TESSERA_FFT_NAME(kind, type) fft##kind##AVX2##type
#include "FftKernel.inc"
