//===- GemmKernel.h - One GEMM per target ISA -------------------*- C++ -*-===//
//
// Internal interface between Gemm.cpp (dispatch, threads) and the per-ISA
// translation units GemmAVX512.cpp, GemmAVX2.cpp and GemmGeneric.cpp, which
// compile the same source (GemmKernel.inc) for different vector widths.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_KERNELS_GEMMKERNEL_H
#define TESSERA_RUNTIME_KERNELS_GEMMKERNEL_H

#include <cstdint>

namespace tessera::kernels {

/// One two-dimensional GEMM, C += A * B, with element strides.
template <typename T> struct GemmProblem {
  int64_t m, n, k;
  const T *a;
  int64_t aRowStride, aColStride;
  const T *b;
  int64_t bRowStride, bColStride;
  T *c;
  int64_t cRowStride, cColStride;
  /// C = A * B instead of C += A * B (C's old contents are not read).
  bool overwrite = false;
  /// Applied to every element of C once its sum is complete: 0 nothing,
  /// 1 multiply by `scalar`, 2 divide by `scalar`.
  int epilogue = 0;
  T scalar = T(1);
};

/// The cache-blocked, packed GEMM of one ISA, on the calling thread.
using GemmF32 = void (*)(const GemmProblem<float> &);
using GemmF64 = void (*)(const GemmProblem<double> &);

void gemmAVX512F32(const GemmProblem<float> &problem);
void gemmAVX512F64(const GemmProblem<double> &problem);
void gemmAVX2F32(const GemmProblem<float> &problem);
void gemmAVX2F64(const GemmProblem<double> &problem);
void gemmGenericF32(const GemmProblem<float> &problem);
void gemmGenericF64(const GemmProblem<double> &problem);

/// The rows and columns of one micro-kernel tile of the selected ISA (the
/// unit in which Gemm.cpp splits C between threads).
struct TileShape {
  int64_t rows, cols;
};
TileShape tileAVX512(bool f64);
TileShape tileAVX2(bool f64);
TileShape tileGeneric(bool f64);

} // namespace tessera::kernels

#endif // TESSERA_RUNTIME_KERNELS_GEMMKERNEL_H
