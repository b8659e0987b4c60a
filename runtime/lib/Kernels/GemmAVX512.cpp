//===- GemmAVX512.cpp - The GEMM kernels for AVX512 ---------------------===//
//
// GemmKernel.inc compiled for AVX512 (see CMakeLists.txt for the flags):
// 64-byte vectors, 12 x 2 vector micro-kernel tiles.
//
//===----------------------------------------------------------------------===//

#define TESSERA_GEMM_VECTOR_BYTES 64
#define TESSERA_GEMM_ROWS 12
#define TESSERA_GEMM_VECTORS 2
#define TESSERA_GEMM_NAME(x) gemmAVX512##x
#define TESSERA_GEMM_TILE tileAVX512
#include "GemmKernel.inc"
