//===- TransposeKernel.h - Transpose kernels of each ISA --------*- C++ -*-===//
//
// Internal to Transpose.cpp: copying a rows x cols block of 4- or 8-byte
// elements transposed (dst[c][r] = src[r][c]), unit stride along both rows,
// compiled once per vector ISA.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_KERNELS_TRANSPOSEKERNEL_H
#define TESSERA_RUNTIME_KERNELS_TRANSPOSEKERNEL_H

#include <stdint.h>

namespace tessera::kernels {

/// dst[c * dstStride + r] = src[r * srcStride + c] for r < rows, c < cols.
using TransposeBlock32 = void (*)(int64_t rows, int64_t cols,
                                  const uint32_t *src, int64_t srcStride,
                                  uint32_t *dst, int64_t dstStride);
using TransposeBlock64 = void (*)(int64_t rows, int64_t cols,
                                  const uint64_t *src, int64_t srcStride,
                                  uint64_t *dst, int64_t dstStride);

void transposeGeneric32(int64_t rows, int64_t cols, const uint32_t *src,
                        int64_t srcStride, uint32_t *dst, int64_t dstStride);
void transposeGeneric64(int64_t rows, int64_t cols, const uint64_t *src,
                        int64_t srcStride, uint64_t *dst, int64_t dstStride);
#ifdef TESSERA_KERNELS_X86
void transposeAVX2x32(int64_t rows, int64_t cols, const uint32_t *src,
                      int64_t srcStride, uint32_t *dst, int64_t dstStride);
void transposeAVX2x64(int64_t rows, int64_t cols, const uint64_t *src,
                      int64_t srcStride, uint64_t *dst, int64_t dstStride);
#endif

} // namespace tessera::kernels

#endif // TESSERA_RUNTIME_KERNELS_TRANSPOSEKERNEL_H
