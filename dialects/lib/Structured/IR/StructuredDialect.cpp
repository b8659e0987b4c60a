//===- StructuredDialect.cpp - The structured dialect ---------------------===//

#include "tessera/Dialect/Structured/IR/StructuredDialect.h"
#include "tessera/Dialect/Structured/IR/StructuredOps.h"

using namespace mlir;
using namespace tessera::structured;

#include "tessera/Dialect/Structured/IR/StructuredDialect.cpp.inc"

void StructuredDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "tessera/Dialect/Structured/IR/StructuredOps.cpp.inc"
      >();
}
