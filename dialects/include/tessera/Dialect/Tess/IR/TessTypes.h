//===- TessTypes.h - tess attributes and types ------------------*- C++ -*-===//
//
// Enums and attributes of the tess dialect (the reduction kind), and the
// helpers that tell which element types a reduction kind accepts.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_TESS_IR_TESSTYPES_H
#define TESSERA_DIALECT_TESS_IR_TESSTYPES_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include "tessera/Dialect/Tess/IR/TessEnums.h.inc"

namespace tessera::tess {

/// True if `type` may be a tess tensor element: signless integer of at least
/// one bit, index, float or complex of float.
bool isTessElementType(mlir::Type type);

/// True if reduction `kind` is defined on `elementType` (max/min are not
/// defined on complex numbers, nor on float formats without infinities).
bool isReductionKindSupported(ReductionKind kind, mlir::Type elementType);

} // namespace tessera::tess

#endif // TESSERA_DIALECT_TESS_IR_TESSTYPES_H
