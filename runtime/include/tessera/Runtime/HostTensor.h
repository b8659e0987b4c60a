//===- HostTensor.h - Dense tensors owned by the host -----------*- C++ -*-===//
//
// The runtime's currency: a dense, C-ordered, 64-byte aligned buffer with a
// dtype (DType.h, included here) and a shape. .npy files, the seeded generator,
// the printer and the JIT calling convention all exchange HostTensors.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_HOSTTENSOR_H
#define TESSERA_RUNTIME_HOSTTENSOR_H

#include "tessera/Runtime/DType.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tessera {

/// Number of elements of `shape`, or std::nullopt when a dimension is
/// negative or the element count (or its size in bytes for the largest dtype)
/// overflows int64_t. An empty shape (rank 0) has one element.
std::optional<int64_t> computeNumElements(llvm::ArrayRef<int64_t> shape);

/// A dense row-major tensor. A rank-0 tensor holds one element.
class HostTensor {
public:
  HostTensor() = default;
  /// Allocates a zero-filled tensor. The shape must be valid (see
  /// computeNumElements); an allocation failure is fatal, as for `new`.
  HostTensor(DType dtype, std::vector<int64_t> shape);

  /// False only for a default-constructed (or moved-from) tensor, which has no
  /// storage and reports zero elements. Every constructed tensor, including
  /// one with zero elements, has non-null 64-byte aligned storage.
  /// Like the constructor, but a shape whose size overflows or memory that
  /// cannot be allocated is an error instead of a fatal failure (sizes come
  /// from users: `--size N=100000000000`).
  static llvm::Expected<HostTensor> create(DType dtype,
                                           std::vector<int64_t> shape);
  bool hasStorage() const { return storage != nullptr; }
  /// A deep copy (HostTensor itself is move-only).
  HostTensor clone() const;

  DType getDType() const { return dtype; }
  llvm::ArrayRef<int64_t> getShape() const { return shape; }
  int64_t getRank() const { return static_cast<int64_t>(shape.size()); }
  int64_t getNumElements() const;
  size_t getNumBytes() const { return getNumElements() * getDTypeSize(dtype); }
  void *data() { return storage.get(); }
  const void *data() const { return storage.get(); }
  template <typename T> T *dataAs() { return static_cast<T *>(data()); }
  template <typename T> const T *dataAs() const {
    return static_cast<const T *>(data());
  }

private:
  struct AlignedFree {
    void operator()(void *p) const;
  };
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::unique_ptr<void, AlignedFree> storage;
};

} // namespace tessera

#endif // TESSERA_RUNTIME_HOSTTENSOR_H
