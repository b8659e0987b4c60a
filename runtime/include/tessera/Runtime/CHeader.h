//===- CHeader.h - C header for compiled entries ----------------*- C++ -*-===//
//
// `tessc --emit=lib` ships a shared library with a self-contained C header
// (it includes only <stdint.h>). For each entry `f` the header declares
//
//   int32_t _mlir_ciface_f(tessera_memref2 *a, ..., int64_t L, ...,
//                          tessera_memref2 *result0, ...);
//   int32_t _tess_errinfo_f(<the same>, tessera_error *error);
//
// and defines three static inline helpers:
//
//   int32_t tessera_f(const float *a, ..., int64_t L, ..., float *result0,
//                     ..., int64_t M, int64_t K, ...);
//   int32_t tessera_f_errinfo(<the same>, tessera_error *error);
//   const char *tessera_f_strerror(int32_t status);
//
// tessera_f takes bare row-major data pointers for the tensor parameters in
// order, then the index parameters in order, then the caller-allocated
// output buffers in order, then one int64_t per size symbol that no index
// parameter binds, in order of first occurrence. It fills the memref
// descriptors and calls the entry. The header also declares the error record
// `tessera_error` and the negative statuses TESSERA_STATUS_TOO_LARGE and
// TESSERA_STATUS_OUT_OF_MEMORY. docs/abi.md has the details.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_CHEADER_H
#define TESSERA_RUNTIME_CHEADER_H

#include "tessera/Runtime/Signature.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace tessera {

/// The C element type used for `dtype` in generated headers: uint8_t for
/// bool (one byte, 0 or 1), uint16_t (raw bits) for f16 and bf16,
/// tessera_c64 / tessera_c128 (structs of re, im) for complex.
llvm::StringRef getCElementTypeName(DType dtype);

/// A self-contained C header for `entries`. `libraryName` names the include
/// guard (TESSERA_<LIBRARYNAME>_H) and appears in the banner.
std::string generateCHeader(llvm::ArrayRef<EntrySignature> entries,
                            llvm::StringRef libraryName);

} // namespace tessera

#endif // TESSERA_RUNTIME_CHEADER_H
