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

namespace tessera::ssm {

/// A unit attribute on the scf.for that runs the steps of a scan
/// (convert-ssm-to-tess): each step works on one tile's slice, so later
/// passes keep its contractions as loops rather than calling a kernel per
/// step.
inline constexpr llvm::StringLiteral kScanStepsAttrName = "ssm.scan_steps";

/// Whether `kind` is a first-order linear recurrence (an associative scan).
inline bool isLinear(RecurrenceKind kind) {
  return kind != RecurrenceKind::Unclassified &&
         kind != RecurrenceKind::General;
}

} // namespace tessera::ssm

#endif // TESSERA_DIALECT_SSM_IR_SSMOPS_H
