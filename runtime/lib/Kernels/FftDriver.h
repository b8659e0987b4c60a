//===- FftDriver.h - Batch walking shared by the FFT entry points -*- C++
//-*-===//
//
// Internal: the batch numbering, shape checks, scratch and thread split that
// Fft.cpp (complex) and FftReal.cpp (real) share.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_KERNELS_FFTDRIVER_H
#define TESSERA_RUNTIME_KERNELS_FFTDRIVER_H

#include "Vectors.h"
#include "tessera/Runtime/Kernels.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace tessera::kernels::fft {

/// Rows handed to the kernels at once.
constexpr int64_t kGroup = 32;

/// Rows per group for a complex length `len`.
inline int64_t groupSize(int64_t len) {
  int64_t group = 4096 / len;
  return group < 1 ? 1 : group > kGroup ? kGroup : group;
}

/// The offsets of vectors begin, begin + 1, ... without a division per
/// vector: within the innermost batch dimension the offset steps by its
/// stride.
class VectorWalker {
public:
  VectorWalker(const Shape &shape, const int64_t *strides, int64_t begin)
      : shape(shape), strides(strides), v(begin) {
    int64_t inner = shape.rank - 1 - (shape.axis == shape.rank - 1);
    extent = inner >= 0 ? shape.extents[inner] : 1;
    step = inner >= 0 ? strides[inner] : 0;
    offset = vectorOffset(shape, strides, v);
    pos = v % extent;
  }

  /// The offset of the current vector; moves to the next one.
  int64_t next() {
    int64_t current = offset;
    ++v;
    if (++pos == extent) {
      pos = 0;
      offset = vectorOffset(shape, strides, v);
    } else {
      offset += step;
    }
    return current;
  }

private:
  const Shape &shape;
  const int64_t *strides;
  int64_t v, extent, step, offset, pos;
};

/// The number of vectors, or 0 when the shape is empty or invalid.
inline int64_t countVectors(int64_t rank, int64_t axis,
                            const int64_t *extents) {
  if (rank < 1 || axis < 0 || axis >= rank || !extents)
    return 0;
  int64_t vectors = 1;
  for (int64_t d = 0; d < rank; ++d) {
    if (extents[d] <= 0)
      return 0;
    if (d != axis)
      vectors *= extents[d];
  }
  return vectors;
}

/// 64-byte aligned scratch of `complexElements` complex T, or null.
template <typename T> T *allocScratch(int64_t complexElements) {
  size_t bytes = (size_t(complexElements) * 2 * sizeof(T) + 63) / 64 * 64;
  return static_cast<T *>(std::aligned_alloc(64, bytes ? bytes : 64));
}

/// Splits vectors [0, vectors) over the threads when the work (n log n per
/// vector) is worth it, calling body(begin, end) for each part.
template <typename Body>
void parallelVectors(int64_t vectors, int64_t n, Body body) {
  int threads = tessera_get_num_threads();
  double work = double(vectors) * double(n) * std::log2(double(n) + 1);
  if (work < double(1 << 16) || vectors < 2)
    threads = 1;
#ifdef _OPENMP
  if (threads > 1 && omp_in_parallel())
    threads = 1;
#endif
  if (threads <= 1)
    return body(int64_t(0), vectors);
  int64_t chunks = threads < vectors ? threads : vectors;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t chunk = 0; chunk < chunks; ++chunk)
    body(vectors * chunk / chunks, vectors * (chunk + 1) / chunks);
}

} // namespace tessera::kernels::fft

#endif // TESSERA_RUNTIME_KERNELS_FFTDRIVER_H
