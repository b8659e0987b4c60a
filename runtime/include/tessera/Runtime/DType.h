//===- DType.h - Element types of Tessera tensors ---------------*- C++ -*-===//
//
// The element-type vocabulary every layer shares: the front end types values
// with it, entry signatures (Signature.h) describe parameters with it, and
// host tensors (HostTensor.h) store it. Plain C++ over LLVMSupport.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_DTYPE_H
#define TESSERA_RUNTIME_DTYPE_H

#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <optional>

namespace tessera {

/// Element types a tensor can hold. Bool is stored as one byte (0 or 1).
enum class DType { Bool, I32, I64, F16, BF16, F32, F64, C64, C128 };

/// Size of one element in bytes.
size_t getDTypeSize(DType dtype);
/// Language spelling: "bool", "i32", ..., "c128".
llvm::StringRef getDTypeName(DType dtype);
/// Inverse of getDTypeName; std::nullopt for an unknown spelling.
std::optional<DType> parseDTypeName(llvm::StringRef name);
/// True for I32 and I64.
bool isIntegerDType(DType dtype);
/// True for the real floating-point types F16, BF16, F32 and F64.
bool isFloatDType(DType dtype);
/// True for C64 and C128.
bool isComplexDType(DType dtype);

} // namespace tessera

#endif // TESSERA_RUNTIME_DTYPE_H
