//===- EntrySignature.h - Entry signatures from func ops --------*- C++ -*-===//
//
// Reads the calling signature of a front-end function from the attributes
// that MLIRGen puts on it:
//   - `tess.entry` (unit) on the func marks an entry;
//   - `tess.dims` on each tensor argument and result: an array with one entry
//     per dimension, an i64 IntegerAttr for a literal extent, a StringAttr
//     naming a size symbol, or an ArrayAttr holding a size expression tree
//     `[op, operands...]` (op "+", "-", "*", "/", "neg" or "log2"; each
//     operand a literal, a symbol or a tree: `N / 2 + 1` is
//     ["+", ["/", "N", 2], 1]); without it, static dims read as literals.
//     Every symbol of an expression must be bound by a parameter;
//   - `tess.size = "L"` on each `index` argument: the size symbol it binds;
//   - `tess.name = "a"` (optional) on arguments and results: the source name
//     used in error messages; otherwise a NameLoc on the argument, otherwise
//     "arg<i>" / "result<i>".
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_TRANSFORMS_ENTRYSIGNATURE_H
#define TESSERA_TRANSFORMS_ENTRYSIGNATURE_H

#include "tessera/Runtime/Signature.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <vector>

namespace tessera {

/// Attribute names shared by MLIRGen and the entry machinery.
inline constexpr llvm::StringLiteral kEntryAttrName = "tess.entry";
inline constexpr llvm::StringLiteral kDimsAttrName = "tess.dims";
inline constexpr llvm::StringLiteral kSizeAttrName = "tess.size";
inline constexpr llvm::StringLiteral kNameAttrName = "tess.name";

/// The DType of a tensor element type (i1 -> Bool, complex<f32> -> C64, ...),
/// or std::nullopt for a type the ABI does not carry.
std::optional<DType> getDTypeForElementType(mlir::Type type);

/// The element type of `dtype` in `context`.
mlir::Type getElementTypeForDType(mlir::MLIRContext *context, DType dtype);

/// The signature of `func`. Emits an error at the function (or argument) and
/// fails if an argument or result type or a `tess.*` attribute is malformed.
mlir::FailureOr<EntrySignature> signatureFromFunc(mlir::func::FuncOp func);

/// The signatures of all functions in `module` marked `tess.entry`, in
/// module order. Fails (after reporting) if any of them is malformed.
mlir::FailureOr<std::vector<EntrySignature>>
collectEntrySignatures(mlir::ModuleOp module);

} // namespace tessera

#endif // TESSERA_TRANSFORMS_ENTRYSIGNATURE_H
