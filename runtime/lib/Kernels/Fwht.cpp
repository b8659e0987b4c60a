//===- Fwht.cpp - Walsh-Hadamard transform entry points -------------------===//
//
// tessera_fwht_f32/f64 (Kernels.h): for every vector along the transformed
// axis, copy it into the output (contiguously, or through a scratch vector
// when the output is strided), transform it in place with the ISA's kernel
// (FwhtKernel.inc), and split the vectors over the threads. Lengths are
// powers of two or m 2^k with m in {12, 20, 28, 40} (FwhtSpecial.h defines
// those transforms).
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include "FwhtKernel.h"
#include "FwhtSpecial.h"
#include "Isa.h"
#include "Vectors.h"

#include <cstdlib>
#include <cstring>

#ifdef _OPENMP
#include <omp.h>
#endif

using namespace tessera::kernels;

namespace {

template <typename T> using Transform = void (*)(T *, int64_t);

/// The kernel of the ISA in use.
template <typename T> Transform<T> getTransform();
template <> Transform<float> getTransform<float>() {
#ifdef TESSERA_KERNELS_X86
  switch (getIsa()) {
  case Isa::AVX512:
    return fwhtAVX512F32;
  case Isa::AVX2:
    return fwhtAVX2F32;
  default:
    break;
  }
#endif
  return fwhtGenericF32;
}
template <> Transform<double> getTransform<double>() {
#ifdef TESSERA_KERNELS_X86
  switch (getIsa()) {
  case Isa::AVX512:
    return fwhtAVX512F64;
  case Isa::AVX2:
    return fwhtAVX2F64;
  default:
    break;
  }
#endif
  return fwhtGenericF64;
}

/// The transform of the strided x[0], x[s], ..., x[(n - 1) s] in place (n
/// a supported length): the fallback when no scratch vector can be
/// allocated.
template <typename T> void transformStrided(T *x, int64_t n, int64_t s) {
  int64_t m = 1, p = n;
  splitFwhtLength(n, m, p);
  for (int64_t c = 0; c < m; ++c) {
    T *y = x + c * p * s;
    for (int64_t h = 1; h < p; h *= 2)
      for (int64_t i = 0; i < p; i += 2 * h)
        for (int64_t j = i; j < i + h; ++j) {
          T a = y[j * s], b = y[(j + h) * s];
          y[j * s] = a + b;
          y[(j + h) * s] = a - b;
        }
  }
  if (m == 1)
    return;
  T column[40];
  for (int64_t j = 0; j < p; ++j) {
    for (int64_t c = 0; c < m; ++c)
      column[c] = x[(c * p + j) * s];
    for (int64_t a = 0; a < m; ++a) {
      T sum = 0;
      for (int64_t c = 0; c < m; ++c)
        sum += hadamardMinus(m, a, c) ? -column[c] : column[c];
      x[(a * p + j) * s] = sum;
    }
  }
}

/// Vectors [begin, end) of out = H in.
template <typename T>
void transformRange(Transform<T> transform, const Shape &shape, const T *in,
                    const int64_t *inStrides, T *out, const int64_t *outStrides,
                    int64_t begin, int64_t end) {
  int64_t n = shape.extents[shape.axis];
  int64_t inStride = inStrides[shape.axis], outStride = outStrides[shape.axis];
  T *scratch = nullptr;
  if (outStride != 1)
    scratch = static_cast<T *>(
        std::aligned_alloc(64, (n * sizeof(T) + 63) / 64 * 64));
  for (int64_t v = begin; v < end; ++v) {
    const T *src = in + vectorOffset(shape, inStrides, v);
    T *dst = out + vectorOffset(shape, outStrides, v);
    if (outStride != 1 && !scratch) {
      for (int64_t j = 0; j < n; ++j)
        dst[j * outStride] = src[j * inStride];
      transformStrided(dst, n, outStride);
      continue;
    }
    T *work = outStride == 1 ? dst : scratch;
    if (inStride == 1 && src != work)
      std::memcpy(work, src, n * sizeof(T));
    else if (inStride != 1)
      for (int64_t j = 0; j < n; ++j)
        work[j] = src[j * inStride];
    transform(work, n);
    if (work == scratch)
      for (int64_t j = 0; j < n; ++j)
        dst[j * outStride] = work[j];
  }
  std::free(scratch);
}

/// Below this many element operations (n (log2 p + 1) per vector of
/// n = m p elements, plus n m for H_m when m > 1) the transform runs on the
/// calling thread.
constexpr double kMinParallelWork = 1 << 17;

template <typename T>
void runFwht(int64_t rank, int64_t axis, const int64_t *extents, const T *in,
             const int64_t *inStrides, T *out, const int64_t *outStrides) {
  // Rank 9: a complex tensor of rank 8 seen as reals (a trailing 2).
  if (rank < 1 || rank > 9 || axis < 0 || axis >= rank)
    return;
  Shape shape{rank, axis, extents};
  int64_t n = extents[axis], vectors = 1;
  for (int64_t d = 0; d < rank; ++d) {
    if (extents[d] <= 0)
      return;
    if (d != axis)
      vectors *= extents[d];
  }
  // Other lengths are refused before the call (at compile time); do
  // nothing rather than read out of bounds.
  int64_t m = 1, p = n;
  if (!splitFwhtLength(n, m, p))
    return;
  Transform<T> transform = getTransform<T>();
  int threads = tessera_get_num_threads();
  double work = double(vectors) * double(n) *
                double(64 - __builtin_clzll(p) + (m > 1 ? m : 0));
  if (work < kMinParallelWork || vectors < 2)
    threads = 1;
#ifdef _OPENMP
  if (threads > 1 && omp_in_parallel())
    threads = 1;
#endif
  if (threads <= 1)
    return transformRange(transform, shape, in, inStrides, out, outStrides, 0,
                          vectors);
  int64_t chunks = threads < vectors ? threads : vectors;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t chunk = 0; chunk < chunks; ++chunk)
    transformRange(transform, shape, in, inStrides, out, outStrides,
                   vectors * chunk / chunks, vectors * (chunk + 1) / chunks);
}

} // namespace

extern "C" void tessera_fwht_f32(int64_t rank, int64_t axis,
                                 const int64_t *extents, const float *in,
                                 const int64_t *inStrides, float *out,
                                 const int64_t *outStrides) {
  runFwht<float>(rank, axis, extents, in, inStrides, out, outStrides);
}

extern "C" void tessera_fwht_f64(int64_t rank, int64_t axis,
                                 const int64_t *extents, const double *in,
                                 const int64_t *inStrides, double *out,
                                 const int64_t *outStrides) {
  runFwht<double>(rank, axis, extents, in, inStrides, out, outStrides);
}

extern "C" int32_t tessera_fwht_length_supported(int64_t n) {
  return tessera::isFwhtLength(n) ? 1 : 0;
}
