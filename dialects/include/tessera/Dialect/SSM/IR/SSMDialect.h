//===- SSMDialect.h - The ssm dialect ---------------------------*- C++ -*-===//
//
// Declares the ssm dialect class (tessera::ssm::SSMDialect) and its
// attributes.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_SSM_IR_SSMDIALECT_H
#define TESSERA_DIALECT_SSM_IR_SSMDIALECT_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/Dialect.h"

#include "tessera/Dialect/SSM/IR/SSMDialect.h.inc"
#include "tessera/Dialect/SSM/IR/SSMEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "tessera/Dialect/SSM/IR/SSMAttrs.h.inc"

#endif // TESSERA_DIALECT_SSM_IR_SSMDIALECT_H
