//===- FwhtAVX2.cpp - The Walsh-Hadamard kernel for AVX2 ----------===//
//
// FwhtKernel.inc compiled for AVX2 (see CMakeLists.txt for the flags):
// 32-byte vectors.
//
//===----------------------------------------------------------------------===//

#define TESSERA_FWHT_VECTOR_BYTES 32
#define TESSERA_FWHT_NAME(x) fwhtAVX2##x
#include "FwhtKernel.inc"
