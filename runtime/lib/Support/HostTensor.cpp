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

struct DTypeInfo {
  DType dtype;
  const char *name;
  size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::Bool, "bool", 1},  {DType::I32, "i32", 4},
    {DType::I64, "i64", 8},    {DType::F16, "f16", 2},
    {DType::BF16, "bf16", 2},  {DType::F32, "f32", 4},
    {DType::F64, "f64", 8},    {DType::C64, "c64", 8},
    {DType::C128, "c128", 16},
};

const DTypeInfo &getInfo(DType dtype) {
  for (const DTypeInfo &info : kDTypes)
    if (info.dtype == dtype)
      return info;
  llvm_unreachable("unknown DType");
}
} // namespace

size_t tessera::getDTypeSize(DType dtype) { return getInfo(dtype).size; }

llvm::StringRef tessera::getDTypeName(DType dtype) {
  return getInfo(dtype).name;
}

std::optional<DType> tessera::parseDTypeName(llvm::StringRef name) {
  for (const DTypeInfo &info : kDTypes)
    if (name == info.name)
      return info.dtype;
  return std::nullopt;
}

bool tessera::isIntegerDType(DType dtype) {
  return dtype == DType::I32 || dtype == DType::I64;
}

bool tessera::isFloatDType(DType dtype) {
  return dtype == DType::F16 || dtype == DType::BF16 || dtype == DType::F32 ||
         dtype == DType::F64;
}

bool tessera::isComplexDType(DType dtype) {
  return dtype == DType::C64 || dtype == DType::C128;
}

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
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "cannot allocate " + std::to_string(bytes) + " bytes for a tensor " +
            describe());
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
