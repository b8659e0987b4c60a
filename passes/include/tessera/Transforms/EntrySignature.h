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
//     "arg<i>" / "result<i>";
//   - `tess.size_constraints` (optional) on the func: an array of the
//     rules its sizes must satisfy (SizeConstraint), each a dictionary
//     {rule = "power_of_two" | "fwht_length" | "at_most_log2", size = <size
//     tree as in tess.dims>, bound = <size tree> (at_most_log2 only), what =
//     "fwht length", axis = 1 (optional), where = "f.tess:3:10"
//     (optional)}; their symbols must be bound by parameters.
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
inline constexpr llvm::StringLiteral kSizeConstraintsAttrName =
    "tess.size_constraints";

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
