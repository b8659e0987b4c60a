//===- StructuredOps.cpp - structured operations --------------------------===//

#include "tessera/Dialect/Structured/IR/StructuredOps.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace tessera::structured;

bool tessera::structured::isHadamardLength(int64_t extent) {
  if (extent <= 0)
    return false;
  for (int64_t factor : {1, 12, 20, 28, 40})
    if (extent % factor == 0 && llvm::isPowerOf2_64(extent / factor))
      return true;
  return false;
}

/// Checks that `axis` is a dimension of `type`; returns its static extent
/// (ShapedType::kDynamic when unknown).
static FailureOr<int64_t> verifyAxis(Operation *op, RankedTensorType type,
                                     int64_t axis) {
  if (axis >= type.getRank())
    return op->emitOpError("axis ")
           << axis << " is out of range for a tensor of rank "
           << type.getRank();
  return type.getDimSize(axis);
}

LogicalResult FwhtOp::verify() {
  FailureOr<int64_t> extent =
      verifyAxis(*this, getInput().getType(), getAxis());
  if (failed(extent))
    return failure();
  if (!ShapedType::isDynamic(*extent) && !isHadamardLength(*extent))
    return emitOpError("length ")
           << *extent
           << " along the axis is not a power of two, nor 12, 20, 28 or 40 "
              "times one";
  return success();
}

LogicalResult BitReverseOp::verify() {
  FailureOr<int64_t> extent =
      verifyAxis(*this, getInput().getType(), getAxis());
  if (failed(extent))
    return failure();
  if (!ShapedType::isDynamic(*extent) && !llvm::isPowerOf2_64(*extent))
    return emitOpError("length ")
           << *extent << " along the axis is not a power of two";
  return success();
}

OpFoldResult BitReverseOp::fold(FoldAdaptor) {
  // The permutation is an involution.
  if (auto inner = getInput().getDefiningOp<BitReverseOp>())
    if (inner.getAxis() == getAxis())
      return inner.getInput();
  return {};
}

LogicalResult FftOp::verify() {
  return verifyAxis(*this, getInput().getType(), getAxis());
}

LogicalResult IfftOp::verify() {
  return verifyAxis(*this, getInput().getType(), getAxis());
}

/// Checks that `real` and `complex` have the same precision, and the same
/// extents but along `axis`, where the complex one may have `n / 2 + 1` for
/// the real one's `n`.
static LogicalResult verifyRealComplexPair(Operation *op, RankedTensorType real,
                                           RankedTensorType complex,
                                           int64_t axis) {
  if (failed(verifyAxis(op, real, axis)))
    return failure();
  auto element = cast<ComplexType>(complex.getElementType());
  if (element.getElementType() != real.getElementType())
    return op->emitOpError("complex element type ")
           << complex.getElementType() << " does not match the real "
           << real.getElementType();
  if (real.getRank() != complex.getRank())
    return op->emitOpError("real and complex tensors have ranks ")
           << real.getRank() << " and " << complex.getRank();
  for (int64_t d = 0, e = real.getRank(); d != e; ++d) {
    int64_t r = real.getDimSize(d), c = complex.getDimSize(d);
    if (ShapedType::isDynamic(r) || ShapedType::isDynamic(c))
      continue;
    int64_t expected = d == axis ? r / 2 + 1 : r;
    if (c != expected)
      return op->emitOpError("dimension ")
             << d << " of the complex tensor is " << c << " but must be "
             << expected << (d == axis ? " (n / 2 + 1 for n = " : "")
             << (d == axis ? std::to_string(r) + ")" : "");
  }
  return success();
}

LogicalResult RfftOp::verify() {
  return verifyRealComplexPair(*this, getInput().getType(),
                               getResult().getType(), getAxis());
}

LogicalResult IrfftOp::verify() {
  return verifyRealComplexPair(*this, getResult().getType(),
                               getInput().getType(), getAxis());
}

#define GET_OP_CLASSES
#include "tessera/Dialect/Structured/IR/StructuredOps.cpp.inc"
