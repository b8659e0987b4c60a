//===- FftGeneric.cpp - The FFT kernels for Generic
//---------------------------===//
//
// FftKernel.inc compiled for Generic (see CMakeLists.txt for the flags):
// 16-byte vectors.
//
//===----------------------------------------------------------------------===//

#define TESSERA_FFT_VECTOR_BYTES 16
#define TESSERA_FFT_NAME(kind, type) fft##kind##Generic##type
#include "FftKernel.inc"
