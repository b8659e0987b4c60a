//===- GemmGeneric.cpp - The GEMM kernels for Generic ---------------------===//
//
// GemmKernel.inc compiled for Generic (see CMakeLists.txt for the flags):
// 16-byte vectors, 6 x 2 vector micro-kernel tiles.
//
//===----------------------------------------------------------------------===//

#define TESSERA_GEMM_VECTOR_BYTES 16
#define TESSERA_GEMM_ROWS 6
#define TESSERA_GEMM_VECTORS 2
#define TESSERA_GEMM_NAME(x) gemmGeneric##x
#define TESSERA_GEMM_TILE tileGeneric
#include "GemmKernel.inc"
