//===- StructuredOps.h - structured operations ------------------*- C++ -*-===//
//
// Declares the ops of the structured dialect; see StructuredOps.td for their
// semantics.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_STRUCTURED_IR_STRUCTUREDOPS_H
#define TESSERA_DIALECT_STRUCTURED_IR_STRUCTUREDOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "tessera/Dialect/Structured/IR/StructuredDialect.h"

namespace tessera::structured {
/// Whether `extent` is a length the fwht op accepts: a power of two, or 12,
/// 20, 28 or 40 times one.
bool isHadamardLength(int64_t extent);
} // namespace tessera::structured

#define GET_OP_CLASSES
#include "tessera/Dialect/Structured/IR/StructuredOps.h.inc"

#endif // TESSERA_DIALECT_STRUCTURED_IR_STRUCTUREDOPS_H
