//===- TessDialect.cpp - The tess dialect ---------------------------------===//

#include "tessera/Dialect/Tess/IR/TessDialect.h"
#include "tessera/Dialect/Tess/IR/TessOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace tessera::tess;

#include "tessera/Dialect/Tess/IR/TessDialect.cpp.inc"

void TessDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "tessera/Dialect/Tess/IR/TessOps.cpp.inc"
      >();
}

Operation *TessDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  if (!ConstantOp::isBuildableWith(value, type))
    return nullptr;
  return ConstantOp::create(builder, loc, type, value);
}
