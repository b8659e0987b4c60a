//===- DType.cpp - Element types of Tessera tensors -----------------------===//

#include "tessera/Runtime/DType.h"

#include "llvm/Support/ErrorHandling.h"

using namespace tessera;

namespace {
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
