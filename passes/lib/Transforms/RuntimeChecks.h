//===- RuntimeChecks.h - Size checks and error records in IR ----*- C++ -*-===//
//
// What tess-expose-entries and tess-check-allocations share: the IR that
// computes a tensor's byte size with overflow detection, and the IR that
// fills an entry's error record (tessera::EntryErrorRecord, EntryABI.h) when
// a check fails. Private to the Transforms library.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_TRANSFORMS_RUNTIMECHECKS_H
#define TESSERA_TRANSFORMS_RUNTIMECHECKS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/StringMap.h"

#include <string>

namespace tessera {

/// How an error record names a tensor.
struct TensorDescription {
  std::string what;  ///< "parameter 'q'", "output 'o'", "intermediate 's'"
  std::string where; ///< "f.tess:3:3" or ""
  std::string dtype; ///< "f32"
};

/// The byte size of a dense tensor, computed at run time.
struct TensorSize {
  /// i1: the element count or byte size does not fit in int64_t (and no
  /// extent is zero: an empty tensor is never too large).
  mlir::Value tooLarge;
  /// i64: the byte size; -1 when tooLarge.
  mlir::Value bytes;
};

/// Builds the byte size of a tensor with extents `dims` (index values, all
/// non-negative) of `elementBytes` bytes each, with overflow detection
/// (arith.mului_extended on i64).
TensorSize buildTensorSize(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::ValueRange dims, int64_t elementBytes);

/// The dtype spelling and byte size of a tensor element type: a Tessera
/// dtype where there is one, else the printed type and its data layout size.
std::pair<std::string, int64_t> describeElementType(mlir::Operation *scope,
                                                    mlir::Type type);

/// The source name (the innermost NameLoc) and "file:line:col" (the
/// innermost FileLineColLoc: the callee's, for inlined code) of `loc`;
/// either may be empty.
std::pair<std::string, std::string> describeLocation(mlir::Location loc);

/// The error record argument of `func`: its last argument if `func` carries
/// kErrorRecordAttrName, else a null Value.
mlir::Value getErrorRecordArgument(mlir::func::FuncOp func);

/// Writes error records from compiled code. Their strings become private
/// constant globals of the module, one per distinct text.
class ErrorRecordWriter {
public:
  explicit ErrorRecordWriter(mlir::ModuleOp module) : module(module) {}

  /// Emits, at `b`'s insertion point: if `record` (an `!llvm.ptr`) is not
  /// null, store `status`, the rank and first extents of `dims` (index
  /// values), `bytes` (i64) and the strings of `desc` into it.
  void write(mlir::OpBuilder &b, mlir::Location loc, mlir::Value record,
             int32_t status, const TensorDescription &desc, mlir::Value bytes,
             mlir::ValueRange dims);

private:
  /// The address of a NUL-terminated copy of `text`.
  mlir::Value getString(mlir::OpBuilder &b, mlir::Location loc,
                        llvm::StringRef text);

  mlir::ModuleOp module;
  llvm::StringMap<mlir::LLVM::GlobalOp> strings;
  unsigned nextString = 0;
};

} // namespace tessera

#endif // TESSERA_TRANSFORMS_RUNTIMECHECKS_H
