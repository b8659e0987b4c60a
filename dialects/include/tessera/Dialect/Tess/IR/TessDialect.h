//===- TessDialect.h - The tess dialect -------------------------*- C++ -*-===//
//
// Declares the tess dialect class (tessera::tess::TessDialect).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_TESS_IR_TESSDIALECT_H
#define TESSERA_DIALECT_TESS_IR_TESSDIALECT_H

#include "mlir/IR/Dialect.h"

#include "tessera/Dialect/Tess/IR/TessDialect.h.inc"

#endif // TESSERA_DIALECT_TESS_IR_TESSDIALECT_H
