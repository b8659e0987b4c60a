//===- SSMDialect.cpp - The ssm dialect -----------------------------------===//

#include "tessera/Dialect/SSM/IR/SSMDialect.h"
#include "tessera/Dialect/SSM/IR/SSMOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/Transforms/InliningUtils.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace tessera::ssm;

#include "tessera/Dialect/SSM/IR/SSMDialect.cpp.inc"
#include "tessera/Dialect/SSM/IR/SSMEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "tessera/Dialect/SSM/IR/SSMAttrs.cpp.inc"

namespace {

/// Lets MLIR's inliner move ssm ops into callers: they have value semantics
/// and refer to nothing but their operands.
struct SSMInlinerInterface : public DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;

  bool isLegalToInline(Operation *op, Region *dest, bool wouldBeCloned,
                       IRMapping &valueMapping) const final {
    return true;
  }
  bool isLegalToInline(Region *dest, Region *src, bool wouldBeCloned,
                       IRMapping &valueMapping) const final {
    return true;
  }
};

} // namespace

void SSMDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "tessera/Dialect/SSM/IR/SSMAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "tessera/Dialect/SSM/IR/SSMOps.cpp.inc"
      >();
  addInterfaces<SSMInlinerInterface>();
}
