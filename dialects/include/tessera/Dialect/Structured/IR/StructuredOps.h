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

#define GET_OP_CLASSES
#include "tessera/Dialect/Structured/IR/StructuredOps.h.inc"

#endif // TESSERA_DIALECT_STRUCTURED_IR_STRUCTUREDOPS_H
