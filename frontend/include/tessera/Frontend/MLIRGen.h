//===- MLIRGen.h - Checked program to the tess dialect ----------*- C++ -*-===//
//
// Translates a program checked by Sema into a builtin.module of func.func
// operations on tensors whose bodies use the tess dialect. Every operation
// carries the FileLineColLoc of the source construct it came from.
//
// Conventions consumed by the passes (see docs/abi.md):
//  * each `fn` is a public func.func with the unit attribute `tess.entry`;
//  * tensor parameters/results carry `tess.dims`: one entry per dimension,
//    an i64 IntegerAttr for a literal extent, a StringAttr size symbol, or
//    an ArrayAttr size expression tree such as ["+", ["/", "N", 2], 1];
//  * `L: index` parameters have type index and `tess.size = "L"`.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_FRONTEND_MLIRGEN_H
#define TESSERA_FRONTEND_MLIRGEN_H

#include "tessera/Frontend/Sema.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace tessera {

/// Loads the dialects MLIRGen emits into `context`.
void loadFrontendDialects(mlir::MLIRContext &context);

/// Builds the tess-dialect module for `program`. Returns null (after emitting
/// diagnostics on the context) if the generated IR fails to verify.
mlir::OwningOpRef<mlir::ModuleOp> generateModule(mlir::MLIRContext &context,
                                                 const sema::Program &program);

} // namespace tessera

#endif // TESSERA_FRONTEND_MLIRGEN_H
