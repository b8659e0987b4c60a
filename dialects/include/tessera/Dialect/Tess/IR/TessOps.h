//===- TessOps.h - tess operations ------------------------------*- C++ -*-===//
//
// Declares the ops of the tess dialect. Include this header to build them:
// see TessOps.td for the semantics and the custom builders of each op.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_TESS_IR_TESSOPS_H
#define TESSERA_DIALECT_TESS_IR_TESSOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "tessera/Dialect/Tess/IR/TessDialect.h"
#include "tessera/Dialect/Tess/IR/TessTypes.h"

namespace tessera::tess {
class YieldOp;

/// True if `expr` is a subscript tess.contract can read: pure affine in the
/// loop dimensions and symbols (every product has a constant factor), with
/// every floordiv/ceildiv/mod by a positive constant. The verifier enforces
/// it and the lowering relies on it.
bool isSupportedSubscript(mlir::AffineExpr expr);

/// The type in which a `kind` reduction (tess.contract, tess.reduce) of
/// `elementType` values accumulates: f32 for sum and prod of f16 and bf16,
/// `elementType` otherwise. When it differs from `elementType`, each value is
/// extended before it is combined and the result is rounded to
/// `elementType` once, after the reduction.
mlir::Type getAccumulatorType(ReductionKind kind, mlir::Type elementType);
} // namespace tessera::tess

#define GET_OP_CLASSES
#include "tessera/Dialect/Tess/IR/TessOps.h.inc"

#endif // TESSERA_DIALECT_TESS_IR_TESSOPS_H
