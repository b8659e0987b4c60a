//===- Vectors.h - Vectors along one axis of a strided tensor ---*- C++ -*-===//
//
// Internal: how the transform kernels (FWHT, FFT, butterfly) number the
// vectors along their axis and find each one in a strided buffer.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_KERNELS_VECTORS_H
#define TESSERA_RUNTIME_KERNELS_VECTORS_H

#include <cstdint>

namespace tessera::kernels {

/// The tensors of one call: rank, the transformed axis and the extents
/// (every other dimension is a batch dimension).
struct Shape {
  int64_t rank, axis;
  const int64_t *extents;
};

/// The offset, in elements, of the first element of vector `v` (vectors
/// numbered in row-major order over every dimension but the axis).
inline int64_t vectorOffset(const Shape &shape, const int64_t *strides,
                            int64_t v) {
  int64_t offset = 0;
  for (int64_t d = shape.rank - 1; d >= 0; --d) {
    if (d == shape.axis)
      continue;
    int64_t extent = shape.extents[d];
    offset += (v % extent) * strides[d];
    v /= extent;
  }
  return offset;
}

} // namespace tessera::kernels

#endif // TESSERA_RUNTIME_KERNELS_VECTORS_H
