//===- FftAVX512.cpp - The FFT kernels for AVX512
//---------------------------===//
//
// FftKernel.inc compiled for AVX512 (see CMakeLists.txt for the flags):
// 64-byte vectors.
//
//===----------------------------------------------------------------------===//

#define TESSERA_FFT_VECTOR_BYTES 64
#define TESSERA_FFT_NAME(kind, type) fft##kind##AVX512##type
#include "FftKernel.inc"
