//===- StructuredDialect.cpp - The structured dialect ---------------------===//

#include "tessera/Dialect/Structured/IR/StructuredDialect.h"
#include "tessera/Dialect/Structured/IR/StructuredOps.h"

#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;
using namespace tessera::structured;

#include "tessera/Dialect/Structured/IR/StructuredDialect.cpp.inc"

namespace {

/// Lets MLIR's inliner move structured ops into callers: they have value
/// semantics and refer to nothing but their operands.
struct StructuredInlinerInterface : public DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;

  bool isLegalToInline(Operation *op, Region *dest, bool wouldBeCloned,
                       IRMapping &valueMapping) const final {
    return true;
  }
};

} // namespace

void StructuredDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "tessera/Dialect/Structured/IR/StructuredOps.cpp.inc"
      >();
  addInterfaces<StructuredInlinerInterface>();
}
