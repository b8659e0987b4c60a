//===- FwhtAVX512.cpp - The Walsh-Hadamard kernel for AVX512 ----------===//
//
// FwhtKernel.inc compiled for AVX512 (see CMakeLists.txt for the flags):
// 64-byte vectors.
//
//===----------------------------------------------------------------------===//

#define TESSERA_FWHT_VECTOR_BYTES 64
#define TESSERA_FWHT_NAME(x) fwhtAVX512##x
#include "FwhtKernel.inc"
