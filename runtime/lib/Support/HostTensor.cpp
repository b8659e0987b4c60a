//===- HostTensor.cpp - Dense tensors owned by the host -------------------===//

#include "tessera/Runtime/HostTensor.h"

#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/MathExtras.h"

#include <cassert>
#include <cstdlib>
#include <cstring>

using namespace tessera;

namespace {
constexpr size_t kAlignment = 64;
} // namespace

std::optional<int64_t>
tessera::computeNumElements(llvm::ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0)
      return std::nullopt;
    if (llvm::MulOverflow(count, dim, count))
      return std::nullopt;
  }
  // Keep the byte size of the largest element type representable as well, so
  // callers may multiply by getDTypeSize without checking again.
  int64_t bytes;
  if (llvm::MulOverflow(count, int64_t(16), bytes))
    return std::nullopt;
  return count;
}

void HostTensor::AlignedFree::operator()(void *p) const { std::free(p); }

HostTensor::HostTensor(DType dtype, std::vector<int64_t> shape)
    : dtype(dtype), shape(std::move(shape)) {
  std::optional<int64_t> count = computeNumElements(this->shape);
  assert(count && "invalid tensor shape");
  size_t bytes = static_cast<size_t>(count.value_or(0)) * getDTypeSize(dtype);
  // aligned_alloc wants a multiple of the alignment; never allocate zero bytes
  // so that even an empty tensor has a distinct non-null data pointer.
  size_t allocBytes = llvm::alignTo(bytes == 0 ? 1 : bytes, kAlignment);
  void *p = std::aligned_alloc(kAlignment, allocBytes);
  if (!p)
    llvm::report_bad_alloc_error("HostTensor allocation failed");
  std::memset(p, 0, allocBytes);
  storage.reset(p);
}

llvm::Expected<HostTensor> HostTensor::create(DType dtype,
                                              std::vector<int64_t> shape) {
  auto describe = [&] {
    std::string s = getDTypeName(dtype).str() + "[";
    for (size_t i = 0; i < shape.size(); ++i)
      s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
  };
  std::optional<int64_t> count = computeNumElements(shape);
  if (!count)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "invalid tensor shape " + describe());
  size_t bytes = static_cast<size_t>(*count) * getDTypeSize(dtype);
  size_t allocBytes = llvm::alignTo(bytes == 0 ? 1 : bytes, kAlignment);
  void *p = std::aligned_alloc(kAlignment, allocBytes);
  if (!p)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot allocate " + std::to_string(bytes) +
                                       " bytes for a tensor " + describe());
  std::memset(p, 0, allocBytes);
  HostTensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.storage.reset(p);
  return std::move(t);
}

int64_t HostTensor::getNumElements() const {
  if (!storage)
    return 0;
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

HostTensor HostTensor::clone() const {
  if (!storage)
    return HostTensor();
  HostTensor copy(dtype, shape);
  std::memcpy(copy.data(), data(), getNumBytes());
  return copy;
}
