//===- Transpose.cpp - Copies of matrices transposed ----------------------===//
//
// tessera_transpose (Kernels.h): 4- and 8-byte elements through the ISA's
// register-blocked kernel (TransposeAVX2.cpp), other sizes element by
// element, in blocks that fit the L1 cache; large matrices split by rows
// over the threads.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include "Isa.h"
#include "TransposeKernel.h"

#include <cstring>

#ifdef _OPENMP
#include <omp.h>
#endif

using namespace tessera::kernels;

namespace {

/// Elements below which a transpose runs on the calling thread.
constexpr int64_t kMinParallelElements = int64_t(1) << 18;
/// Rows of a generic block (and of each thread's share, a multiple of it).
constexpr int64_t kBlock = 32;

template <typename T>
void transposeGeneric(int64_t rows, int64_t cols, const T *src,
                      int64_t srcStride, T *dst, int64_t dstStride) {
  for (int64_t r0 = 0; r0 < rows; r0 += kBlock)
    for (int64_t c0 = 0; c0 < cols; c0 += kBlock)
      for (int64_t r = r0; r < rows && r < r0 + kBlock; ++r)
        for (int64_t c = c0; c < cols && c < c0 + kBlock; ++c)
          dst[c * dstStride + r] = src[r * srcStride + c];
}

/// Elements of any other size, byte by byte.
void transposeBytes(int64_t bytes, int64_t rows, int64_t cols, const char *src,
                    int64_t srcStride, char *dst, int64_t dstStride) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      std::memcpy(dst + (c * dstStride + r) * bytes,
                  src + (r * srcStride + c) * bytes, size_t(bytes));
}

/// Rows [begin, end) of the transpose.
void transposeRows(int64_t bytes, int64_t begin, int64_t end, int64_t cols,
                   const char *src, int64_t srcStride, char *dst,
                   int64_t dstStride) {
  const char *from = src + begin * srcStride * bytes;
  char *to = dst + begin * bytes;
  int64_t rows = end - begin;
  if (bytes == 4) {
    TransposeBlock32 kernel = transposeGeneric32;
#ifdef TESSERA_KERNELS_X86
    if (getIsa() != Isa::Generic)
      kernel = transposeAVX2x32;
#endif
    return kernel(rows, cols, reinterpret_cast<const uint32_t *>(from),
                  srcStride, reinterpret_cast<uint32_t *>(to), dstStride);
  }
  if (bytes == 8) {
    TransposeBlock64 kernel = transposeGeneric64;
#ifdef TESSERA_KERNELS_X86
    if (getIsa() != Isa::Generic)
      kernel = transposeAVX2x64;
#endif
    return kernel(rows, cols, reinterpret_cast<const uint64_t *>(from),
                  srcStride, reinterpret_cast<uint64_t *>(to), dstStride);
  }
  transposeBytes(bytes, rows, cols, from, srcStride, to, dstStride);
}

} // namespace

namespace tessera::kernels {

void transposeGeneric32(int64_t rows, int64_t cols, const uint32_t *src,
                        int64_t srcStride, uint32_t *dst, int64_t dstStride) {
  transposeGeneric(rows, cols, src, srcStride, dst, dstStride);
}

void transposeGeneric64(int64_t rows, int64_t cols, const uint64_t *src,
                        int64_t srcStride, uint64_t *dst, int64_t dstStride) {
  transposeGeneric(rows, cols, src, srcStride, dst, dstStride);
}

} // namespace tessera::kernels

extern "C" void tessera_transpose(int64_t elementBytes, int64_t rows,
                                  int64_t cols, const void *src,
                                  int64_t srcRowStride, void *dst,
                                  int64_t dstRowStride) {
  if (rows <= 0 || cols <= 0 || elementBytes <= 0)
    return;
  const char *from = static_cast<const char *>(src);
  char *to = static_cast<char *>(dst);
  int threads = tessera_get_num_threads();
  if (rows * cols < kMinParallelElements || rows < 2 * kBlock)
    threads = 1;
#ifdef _OPENMP
  if (threads > 1 && omp_in_parallel())
    threads = 1;
#endif
  if (threads <= 1)
    return transposeRows(elementBytes, 0, rows, cols, from, srcRowStride, to,
                         dstRowStride);
  int64_t blocks = (rows + kBlock - 1) / kBlock;
  int64_t chunks = threads < blocks ? threads : blocks;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    int64_t begin = blocks * chunk / chunks * kBlock;
    int64_t end = blocks * (chunk + 1) / chunks * kBlock;
    transposeRows(elementBytes, begin, end < rows ? end : rows, cols, from,
                  srcRowStride, to, dstRowStride);
  }
}
