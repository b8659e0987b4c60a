//===- Butterfly.cpp - Products of butterfly factors ----------------------===//
//
// tessera_butterfly_*: factors f = 0 .. F-1 applied in order along one axis,
// factor f pairing elements 2^f apart and mapping each pair by its own 2x2
// matrix (torch_butterfly's increasing-stride convention; see Kernels.h).
// Each vector is transformed in a contiguous work buffer, factor by factor;
// the twiddles are first copied into a dense [F][N/2][2][2] table so the
// inner loops read them with unit stride and vectorize. Vectors run on the
// threads.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include <cstdlib>
#include <cstring>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

/// Element arithmetic: real numbers, or complex ones as (re, im) pairs.
template <typename T, bool Complex> struct Arith;
template <typename T> struct Arith<T, false> {
  static constexpr int kParts = 1;
  /// y0 = t00 a + t01 b, y1 = t10 a + t11 b at positions `i` and `j`.
  static void apply(const T *t, T *y, int64_t i, int64_t j) {
    T a = y[i], b = y[j];
    y[i] = t[0] * a + t[1] * b;
    y[j] = t[2] * a + t[3] * b;
  }
};
template <typename T> struct Arith<T, true> {
  static constexpr int kParts = 2;
  static void apply(const T *t, T *y, int64_t i, int64_t j) {
    T ar = y[2 * i], ai = y[2 * i + 1], br = y[2 * j], bi = y[2 * j + 1];
    y[2 * i] = t[0] * ar - t[1] * ai + t[2] * br - t[3] * bi;
    y[2 * i + 1] = t[0] * ai + t[1] * ar + t[2] * bi + t[3] * br;
    y[2 * j] = t[4] * ar - t[5] * ai + t[6] * br - t[7] * bi;
    y[2 * j + 1] = t[4] * ai + t[5] * ar + t[6] * bi + t[7] * br;
  }
};

/// One call's tensors: shape, element strides, the dense twiddle table.
template <typename T> struct Problem {
  int64_t rank, axis, n, factors;
  const int64_t *extents;
  const T *in;
  const int64_t *inStrides;
  T *out;
  const int64_t *outStrides;
  const T *table;
};

/// The offset, in elements, of the first element of vector `v` (vectors
/// numbered in row-major order over every dimension but the axis).
int64_t vectorOffset(int64_t rank, int64_t axis, const int64_t *extents,
                     const int64_t *strides, int64_t v) {
  int64_t offset = 0;
  for (int64_t d = rank - 1; d >= 0; --d) {
    if (d == axis)
      continue;
    offset += (v % extents[d]) * strides[d];
    v /= extents[d];
  }
  return offset;
}

/// Applies every factor to the contiguous vector `y` of `p.n` elements.
template <typename T, bool Complex>
void applyFactors(const Problem<T> &p, T *y) {
  constexpr int kParts = Arith<T, Complex>::kParts;
  int64_t half = p.n / 2;
  for (int64_t f = 0; f < p.factors; ++f) {
    int64_t s = int64_t(1) << f;
    const T *tf = p.table + f * half * 4 * kParts;
    for (int64_t j = 0; j < p.n / (2 * s); ++j)
      for (int64_t k = 0; k < s; ++k)
        Arith<T, Complex>::apply(tf + (s * j + k) * 4 * kParts, y,
                                 2 * s * j + k, 2 * s * j + s + k);
  }
}

/// Vectors [begin, end) of out = butterfly(in).
template <typename T, bool Complex>
void runRange(const Problem<T> &p, T *work, int64_t begin, int64_t end) {
  constexpr int kParts = Arith<T, Complex>::kParts;
  int64_t inStride = p.inStrides[p.axis] * kParts;
  int64_t outStride = p.outStrides[p.axis] * kParts;
  for (int64_t v = begin; v < end; ++v) {
    const T *src =
        p.in + vectorOffset(p.rank, p.axis, p.extents, p.inStrides, v) * kParts;
    T *dst = p.out +
             vectorOffset(p.rank, p.axis, p.extents, p.outStrides, v) * kParts;
    for (int64_t i = 0; i < p.n; ++i)
      for (int c = 0; c < kParts; ++c)
        work[i * kParts + c] = src[i * inStride + c];
    applyFactors<T, Complex>(p, work);
    for (int64_t i = 0; i < p.n; ++i)
      for (int c = 0; c < kParts; ++c)
        dst[i * outStride + c] = work[i * kParts + c];
  }
}

/// Allocates `count` elements of T aligned to 64 bytes, or null.
template <typename T> T *allocate(int64_t count) {
  return static_cast<T *>(
      std::aligned_alloc(64, (count * sizeof(T) + 63) / 64 * 64));
}

template <typename T, bool Complex>
void runButterfly(int64_t rank, int64_t axis, const int64_t *extents,
                  const T *in, const int64_t *inStrides, T *out,
                  const int64_t *outStrides, int64_t factors, const T *twiddles,
                  const int64_t *twStrides) {
  constexpr int kParts = Arith<T, Complex>::kParts;
  if (rank < 1 || rank > 8 || axis < 0 || axis >= rank || factors < 0)
    return;
  int64_t n = extents[axis], vectors = 1;
  for (int64_t d = 0; d < rank; ++d) {
    if (extents[d] <= 0)
      return;
    if (d != axis)
      vectors *= extents[d];
  }
  // The compiler checks that n is a power of two with at least `factors`
  // stages; stay in bounds regardless.
  if ((n & (n - 1)) != 0 || (factors > 0 && (int64_t(1) << factors) > n))
    return;
  int64_t half = n / 2;
  T *table = allocate<T>(factors * half * 4 * kParts + 1);
  if (!table)
    return;
  for (int64_t f = 0; f < factors; ++f)
    for (int64_t m = 0; m < half; ++m)
      for (int64_t e = 0; e < 4; ++e)
        for (int c = 0; c < kParts; ++c)
          table[((f * half + m) * 4 + e) * kParts + c] =
              twiddles[(f * twStrides[0] + m * twStrides[1] +
                        (e / 2) * twStrides[2] + (e % 2) * twStrides[3]) *
                           kParts +
                       c];
  Problem<T> p{rank, axis,      n,   factors,    extents,
               in,   inStrides, out, outStrides, table};
  int threads = tessera_get_num_threads();
  if (double(vectors) * double(n) * double(factors + 1) < (1 << 16) ||
      vectors < 2)
    threads = 1;
#ifdef _OPENMP
  if (threads > 1 && omp_in_parallel())
    threads = 1;
#endif
  int64_t chunks = threads < vectors ? threads : vectors;
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    T *work = allocate<T>(n * kParts);
    if (work)
      runRange<T, Complex>(p, work, vectors * chunk / chunks,
                           vectors * (chunk + 1) / chunks);
    std::free(work);
  }
  std::free(table);
}

} // namespace

extern "C" void tessera_butterfly_f32(int64_t rank, int64_t axis,
                                      const int64_t *extents, const float *in,
                                      const int64_t *inStrides, float *out,
                                      const int64_t *outStrides,
                                      int64_t factors, const float *twiddles,
                                      const int64_t *twStrides) {
  runButterfly<float, false>(rank, axis, extents, in, inStrides, out,
                             outStrides, factors, twiddles, twStrides);
}

extern "C" void tessera_butterfly_f64(int64_t rank, int64_t axis,
                                      const int64_t *extents, const double *in,
                                      const int64_t *inStrides, double *out,
                                      const int64_t *outStrides,
                                      int64_t factors, const double *twiddles,
                                      const int64_t *twStrides) {
  runButterfly<double, false>(rank, axis, extents, in, inStrides, out,
                              outStrides, factors, twiddles, twStrides);
}

extern "C" void tessera_butterfly_c64(int64_t rank, int64_t axis,
                                      const int64_t *extents, const float *in,
                                      const int64_t *inStrides, float *out,
                                      const int64_t *outStrides,
                                      int64_t factors, const float *twiddles,
                                      const int64_t *twStrides) {
  runButterfly<float, true>(rank, axis, extents, in, inStrides, out, outStrides,
                            factors, twiddles, twStrides);
}

extern "C" void tessera_butterfly_c128(int64_t rank, int64_t axis,
                                       const int64_t *extents, const double *in,
                                       const int64_t *inStrides, double *out,
                                       const int64_t *outStrides,
                                       int64_t factors, const double *twiddles,
                                       const int64_t *twStrides) {
  runButterfly<double, true>(rank, axis, extents, in, inStrides, out,
                             outStrides, factors, twiddles, twStrides);
}
