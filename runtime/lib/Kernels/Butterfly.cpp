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

#include "Vectors.h"

#include <cstdlib>
#include <cstring>

#ifdef _OPENMP
#include <omp.h>
#endif

using tessera::kernels::Shape;
using tessera::kernels::vectorOffset;

namespace {

/// Element arithmetic: real numbers, or complex ones as (re, im) pairs.
/// `apply` maps the elements at offsets `i` and `j` of `y` (in T units) by
/// the 2x2 matrix `t` (4 elements, row-major).
template <typename T, bool Complex> struct Arith;
template <typename T> struct Arith<T, false> {
  static constexpr int kParts = 1;
  /// y0 = t00 a + t01 b, y1 = t10 a + t11 b.
  static void apply(const T *t, T *y, int64_t i, int64_t j) {
    T a = y[i], b = y[j];
    y[i] = t[0] * a + t[1] * b;
    y[j] = t[2] * a + t[3] * b;
  }
};
template <typename T> struct Arith<T, true> {
  static constexpr int kParts = 2;
  /// The same in complex arithmetic: t holds (re, im) of t00 t01 t10 t11.
  static void apply(const T *t, T *y, int64_t i, int64_t j) {
    T ar = y[i], ai = y[i + 1], br = y[j], bi = y[j + 1];
    y[i] = t[0] * ar - t[1] * ai + t[2] * br - t[3] * bi;
    y[i + 1] = t[0] * ai + t[1] * ar + t[2] * bi + t[3] * br;
    y[j] = t[4] * ar - t[5] * ai + t[6] * br - t[7] * bi;
    y[j + 1] = t[4] * ai + t[5] * ar + t[6] * bi + t[7] * br;
  }
};

/// One call's tensors: shape, element strides, the twiddles (a dense
/// [F][N/2][2][2] table when one could be allocated).
template <typename T> struct Problem {
  int64_t rank, axis, n, factors;
  const int64_t *extents;
  const T *in;
  const int64_t *inStrides;
  T *out;
  const int64_t *outStrides;
  const T *twiddles;
  const int64_t *twStrides;
  const T *table;
};

/// Copies the 2x2 matrix twiddles[f][m] (strided) to `t`.
template <typename T, int Parts>
void readTwiddle(const Problem<T> &p, int64_t f, int64_t m, T *t) {
  for (int64_t e = 0; e < 4; ++e)
    for (int c = 0; c < Parts; ++c)
      t[e * Parts + c] =
          p.twiddles[(f * p.twStrides[0] + m * p.twStrides[1] +
                      (e / 2) * p.twStrides[2] + (e % 2) * p.twStrides[3]) *
                         Parts +
                     c];
}

/// Applies every factor to the vector `y` of `p.n` elements `stride` T
/// apart (kParts when contiguous), with the dense table or, without one,
/// reading the strided twiddles.
template <typename T, bool Complex>
void applyFactors(const Problem<T> &p, T *y, int64_t stride) {
  constexpr int kParts = Arith<T, Complex>::kParts;
  int64_t half = p.n / 2;
  T t[4 * kParts];
  for (int64_t f = 0; f < p.factors; ++f) {
    int64_t s = int64_t(1) << f;
    for (int64_t j = 0; j < p.n / (2 * s); ++j)
      for (int64_t k = 0; k < s; ++k) {
        int64_t m = s * j + k;
        const T *tw = t;
        if (p.table)
          tw = p.table + (f * half + m) * 4 * kParts;
        else
          readTwiddle<T, kParts>(p, f, m, t);
        Arith<T, Complex>::apply(tw, y, (2 * s * j + k) * stride,
                                 (2 * s * j + s + k) * stride);
      }
  }
}

/// Vectors [begin, end) of out = butterfly(in): each copied into `work`
/// (contiguous), transformed and copied out; without `work`, copied into
/// the output and transformed there.
template <typename T, bool Complex>
void runRange(const Problem<T> &p, T *work, int64_t begin, int64_t end) {
  constexpr int kParts = Arith<T, Complex>::kParts;
  int64_t inStride = p.inStrides[p.axis] * kParts;
  int64_t outStride = p.outStrides[p.axis] * kParts;
  for (int64_t v = begin; v < end; ++v) {
    const T *src =
        p.in +
        vectorOffset({p.rank, p.axis, p.extents}, p.inStrides, v) * kParts;
    T *dst =
        p.out +
        vectorOffset({p.rank, p.axis, p.extents}, p.outStrides, v) * kParts;
    T *y = work ? work : dst;
    int64_t yStride = work ? kParts : outStride;
    for (int64_t i = 0; i < p.n; ++i)
      for (int c = 0; c < kParts; ++c)
        y[i * yStride + c] = src[i * inStride + c];
    applyFactors<T, Complex>(p, y, yStride);
    if (work)
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

/// The dense [F][N/2][2][2] copy of the strided twiddles, or null when it
/// cannot be allocated (the factors then read the twiddles in place).
template <typename T, int Parts> T *makeTable(const Problem<T> &p) {
  int64_t half = p.n / 2;
  T *table = allocate<T>(p.factors * half * 4 * Parts + 1);
  if (!table)
    return nullptr;
  for (int64_t f = 0; f < p.factors; ++f)
    for (int64_t m = 0; m < half; ++m)
      readTwiddle<T, Parts>(p, f, m, table + (f * half + m) * 4 * Parts);
  return table;
}

/// Whether the shapes are ones the kernel computes: rank 1 to 8, a
/// power-of-two length n, twiddles [F, n / 2, 2, 2] with 2^F <= n.
bool isValidProblem(int64_t rank, int64_t axis, const int64_t *extents,
                    const int64_t *twExtents) {
  if (rank < 1 || rank > 8 || axis < 0 || axis >= rank)
    return false;
  int64_t n = extents[axis], factors = twExtents[0];
  return n >= 1 && (n & (n - 1)) == 0 && twExtents[1] == n / 2 &&
         twExtents[2] == 2 && twExtents[3] == 2 && factors >= 0 &&
         factors <= 62 && (int64_t(1) << factors) <= n;
}

/// Sets every element of `out` to zero.
template <typename T, int Parts>
void zeroOutput(int64_t rank, const int64_t *extents, T *out,
                const int64_t *outStrides) {
  int64_t count = 1;
  for (int64_t d = 0; d < rank; ++d)
    count *= extents[d] > 0 ? extents[d] : 0;
  for (int64_t e = 0; e < count; ++e) {
    int64_t offset = 0, rest = e;
    for (int64_t d = rank - 1; d >= 0; --d) {
      offset += (rest % extents[d]) * outStrides[d];
      rest /= extents[d];
    }
    for (int c = 0; c < Parts; ++c)
      out[offset * Parts + c] = T(0);
  }
}

/// The kernels' common body (see Kernels.h).
template <typename T, bool Complex>
void runButterfly(int64_t rank, int64_t axis, const int64_t *extents,
                  const T *in, const int64_t *inStrides, T *out,
                  const int64_t *outStrides, const int64_t *twExtents,
                  const T *twiddles, const int64_t *twStrides) {
  constexpr int kParts = Arith<T, Complex>::kParts;
  if (rank < 1 || rank > 8)
    return;
  int64_t vectors = 1;
  for (int64_t d = 0; d < rank; ++d) {
    if (extents[d] <= 0)
      return;
    if (d != axis)
      vectors *= extents[d];
  }
  // The compiler checks the shapes; a call it did not check gets zeros
  // rather than reads out of bounds.
  if (!isValidProblem(rank, axis, extents, twExtents))
    return zeroOutput<T, kParts>(rank, extents, out, outStrides);
  Problem<T> p{rank,       axis,     extents[axis], twExtents[0],
               extents,    in,       inStrides,     out,
               outStrides, twiddles, twStrides,     nullptr};
  T *table = makeTable<T, kParts>(p);
  p.table = table;
  int threads = tessera_get_num_threads();
  if (double(vectors) * double(p.n) * double(p.factors + 1) < (1 << 16) ||
      vectors < 2)
    threads = 1;
#ifdef _OPENMP
  if (threads > 1 && omp_in_parallel())
    threads = 1;
#endif
  int64_t chunks = threads < vectors ? threads : vectors;
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    T *work = allocate<T>(p.n * kParts);
    runRange<T, Complex>(p, work, vectors * chunk / chunks,
                         vectors * (chunk + 1) / chunks);
    std::free(work);
  }
  std::free(table);
}

} // namespace

extern "C" void
tessera_butterfly_f32(int64_t rank, int64_t axis, const int64_t *extents,
                      const float *in, const int64_t *inStrides, float *out,
                      const int64_t *outStrides, const int64_t *twExtents,
                      const float *twiddles, const int64_t *twStrides) {
  runButterfly<float, false>(rank, axis, extents, in, inStrides, out,
                             outStrides, twExtents, twiddles, twStrides);
}

extern "C" void
tessera_butterfly_f64(int64_t rank, int64_t axis, const int64_t *extents,
                      const double *in, const int64_t *inStrides, double *out,
                      const int64_t *outStrides, const int64_t *twExtents,
                      const double *twiddles, const int64_t *twStrides) {
  runButterfly<double, false>(rank, axis, extents, in, inStrides, out,
                              outStrides, twExtents, twiddles, twStrides);
}

extern "C" void
tessera_butterfly_c64(int64_t rank, int64_t axis, const int64_t *extents,
                      const float *in, const int64_t *inStrides, float *out,
                      const int64_t *outStrides, const int64_t *twExtents,
                      const float *twiddles, const int64_t *twStrides) {
  runButterfly<float, true>(rank, axis, extents, in, inStrides, out, outStrides,
                            twExtents, twiddles, twStrides);
}

extern "C" void
tessera_butterfly_c128(int64_t rank, int64_t axis, const int64_t *extents,
                       const double *in, const int64_t *inStrides, double *out,
                       const int64_t *outStrides, const int64_t *twExtents,
                       const double *twiddles, const int64_t *twStrides) {
  runButterfly<double, true>(rank, axis, extents, in, inStrides, out,
                             outStrides, twExtents, twiddles, twStrides);
}
