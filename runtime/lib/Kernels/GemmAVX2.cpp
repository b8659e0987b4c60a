//===- GemmAVX2.cpp - The GEMM kernels for AVX2 ---------------------===//
//
// GemmKernel.inc compiled for AVX2 (see CMakeLists.txt for the flags):
// 32-byte vectors, 6 x 2 vector micro-kernel tiles.
//
//===----------------------------------------------------------------------===//

#define TESSERA_GEMM_VECTOR_BYTES 32
#define TESSERA_GEMM_ROWS 6
#define TESSERA_GEMM_VECTORS 2
#define TESSERA_GEMM_NAME(x) gemmAVX2##x
#define TESSERA_GEMM_TILE tileAVX2
#include "GemmKernel.inc"
