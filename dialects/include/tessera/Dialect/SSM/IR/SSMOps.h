//===- SSMOps.h - ssm operations --------------------------------*- C++ -*-===//
//
// Declares the ops of the ssm dialect; see SSMOps.td for their semantics.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_SSM_IR_SSMOPS_H
#define TESSERA_DIALECT_SSM_IR_SSMOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "tessera/Dialect/SSM/IR/SSMDialect.h"

#define GET_OP_CLASSES
#include "tessera/Dialect/SSM/IR/SSMOps.h.inc"

#endif // TESSERA_DIALECT_SSM_IR_SSMOPS_H
