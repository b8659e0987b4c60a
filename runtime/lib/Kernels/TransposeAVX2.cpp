//===- TransposeAVX2.cpp - Transposes in 8x8 and 4x4 register blocks ------===//
//
// Compiled with -mavx2: 8 x 8 blocks of 4-byte elements (8 loads, three
// rounds of unpack, shuffle and lane permute, 8 stores) and 4 x 4 blocks of
// 8-byte ones; the edges element by element. Blocks of 32 x 32 elements keep
// the rows being read and the columns being written in the L1 cache.
//
//===----------------------------------------------------------------------===//

#include "TransposeKernel.h"

#include <immintrin.h>

namespace tessera::kernels {
namespace {

constexpr int64_t kBlock = 32;

inline void transpose8x8(const float *src, int64_t srcStride, float *dst,
                         int64_t dstStride) {
  __m256 r[8], t[8], u[8];
  for (int i = 0; i < 8; ++i)
    r[i] = _mm256_loadu_ps(src + i * srcStride);
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    u[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
    u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
    u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
  }
  for (int i = 0; i < 4; ++i) {
    _mm256_storeu_ps(dst + i * dstStride,
                     _mm256_permute2f128_ps(u[i], u[i + 4], 0x20));
    _mm256_storeu_ps(dst + (i + 4) * dstStride,
                     _mm256_permute2f128_ps(u[i], u[i + 4], 0x31));
  }
}

inline void transpose4x4(const double *src, int64_t srcStride, double *dst,
                         int64_t dstStride) {
  __m256d r[4];
  for (int i = 0; i < 4; ++i)
    r[i] = _mm256_loadu_pd(src + i * srcStride);
  __m256d t0 = _mm256_unpacklo_pd(r[0], r[1]);
  __m256d t1 = _mm256_unpackhi_pd(r[0], r[1]);
  __m256d t2 = _mm256_unpacklo_pd(r[2], r[3]);
  __m256d t3 = _mm256_unpackhi_pd(r[2], r[3]);
  _mm256_storeu_pd(dst, _mm256_permute2f128_pd(t0, t2, 0x20));
  _mm256_storeu_pd(dst + dstStride, _mm256_permute2f128_pd(t1, t3, 0x20));
  _mm256_storeu_pd(dst + 2 * dstStride, _mm256_permute2f128_pd(t0, t2, 0x31));
  _mm256_storeu_pd(dst + 3 * dstStride, _mm256_permute2f128_pd(t1, t3, 0x31));
}

/// One block of at most kBlock x kBlock: register blocks of W x W, the
/// edges element by element.
template <typename T, int W, typename Kernel>
void transposeBlock(int64_t rows, int64_t cols, const T *src, int64_t srcStride,
                    T *dst, int64_t dstStride, Kernel kernel) {
  int64_t fullRows = rows - rows % W, fullCols = cols - cols % W;
  for (int64_t r = 0; r < fullRows; r += W)
    for (int64_t c = 0; c < fullCols; c += W)
      kernel(src + r * srcStride + c, srcStride, dst + c * dstStride + r,
             dstStride);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = r < fullRows ? fullCols : 0; c < cols; ++c)
      dst[c * dstStride + r] = src[r * srcStride + c];
}

template <typename T, int W, typename Kernel>
void transposeAll(int64_t rows, int64_t cols, const T *src, int64_t srcStride,
                  T *dst, int64_t dstStride, Kernel kernel) {
  for (int64_t r = 0; r < rows; r += kBlock)
    for (int64_t c = 0; c < cols; c += kBlock)
      transposeBlock<T, W>(rows - r < kBlock ? rows - r : kBlock,
                           cols - c < kBlock ? cols - c : kBlock,
                           src + r * srcStride + c, srcStride,
                           dst + c * dstStride + r, dstStride, kernel);
}

} // namespace

void transposeAVX2x32(int64_t rows, int64_t cols, const uint32_t *src,
                      int64_t srcStride, uint32_t *dst, int64_t dstStride) {
  // Bit copies through float registers: no arithmetic touches the values.
  transposeAll<float, 8>(rows, cols, reinterpret_cast<const float *>(src),
                         srcStride, reinterpret_cast<float *>(dst), dstStride,
                         transpose8x8);
}

void transposeAVX2x64(int64_t rows, int64_t cols, const uint64_t *src,
                      int64_t srcStride, uint64_t *dst, int64_t dstStride) {
  transposeAll<double, 4>(rows, cols, reinterpret_cast<const double *>(src),
                          srcStride, reinterpret_cast<double *>(dst), dstStride,
                          transpose4x4);
}

} // namespace tessera::kernels
