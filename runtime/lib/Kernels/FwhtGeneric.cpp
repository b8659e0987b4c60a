//===- FwhtGeneric.cpp - The Walsh-Hadamard kernel for Generic ----------===//
//
// FwhtKernel.inc compiled for Generic (see CMakeLists.txt for the flags):
// 16-byte vectors.
//
//===----------------------------------------------------------------------===//

#define TESSERA_FWHT_VECTOR_BYTES 16
#define TESSERA_FWHT_NAME(x) fwhtGeneric##x
#include "FwhtKernel.inc"
