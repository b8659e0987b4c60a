//===- StructuredDialect.h - The structured dialect -------------*- C++ -*-===//
//
// Declares the structured dialect class
// (tessera::structured::StructuredDialect).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_STRUCTURED_IR_STRUCTUREDDIALECT_H
#define TESSERA_DIALECT_STRUCTURED_IR_STRUCTUREDDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "tessera/Dialect/Structured/IR/StructuredDialect.h.inc"

#endif // TESSERA_DIALECT_STRUCTURED_IR_STRUCTUREDDIALECT_H
