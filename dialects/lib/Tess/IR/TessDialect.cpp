//===- TessDialect.cpp - The tess dialect ---------------------------------===//

#include "tessera/Dialect/Tess/IR/TessDialect.h"
#include "tessera/Dialect/Tess/IR/TessOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;
using namespace tessera::tess;

#include "tessera/Dialect/Tess/IR/TessDialect.cpp.inc"

namespace {

/// Lets MLIR's inliner inline `tess.call` and clone tess ops into callers.
/// Every tess op has value semantics and refers to nothing outside its
/// operands and (for tess.call) its callee, so inlining is always legal. A
/// tess op is never the terminator of a callable region (callees are
/// func.func, ended by func.return), so no terminator handling is needed.
struct TessInlinerInterface : public DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;

  /// A tess.call may be inlined into any caller.
  bool isLegalToInline(Operation *call, Operation *callable,
                       bool wouldBeCloned) const final {
    return true;
  }

  /// Any tess op may be moved or cloned into the caller.
  bool isLegalToInline(Operation *op, Region *dest, bool wouldBeCloned,
                       IRMapping &valueMapping) const final {
    return true;
  }

  /// A region may be inlined into the body of a tess op.
  bool isLegalToInline(Region *dest, Region *src, bool wouldBeCloned,
                       IRMapping &valueMapping) const final {
    return true;
  }
};

} // namespace

void TessDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "tessera/Dialect/Tess/IR/TessOps.cpp.inc"
      >();
  addInterfaces<TessInlinerInterface>();
}

Operation *TessDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  if (!ConstantOp::isBuildableWith(value, type))
    return nullptr;
  return ConstantOp::create(builder, loc, type, value);
}
