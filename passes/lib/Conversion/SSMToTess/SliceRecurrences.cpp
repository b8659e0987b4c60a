//===- SliceRecurrences.cpp - ssm.recurrence as a loop of its steps -------===//
//
// ssm.recurrence becomes an scf.for over the scan axis (backwards for
// `reverse`) that carries the previous slice (in a buffer of its own) and
// the result: each iteration clones the body with the position and the
// previous slice, inserts the new slice into the result at the position and
// copies it into the carried slice.
//
//===----------------------------------------------------------------------===//

#include "ScanSteps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace tessera;

namespace {

struct RecurrenceToLoop : OpRewritePattern<ssm::RecurrenceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ssm::RecurrenceOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    unsigned scanDim = op.getScanDim(), rank = type.getRank();
    Value length = op.getLength();
    // The result's extents: the initial slice's, with the length inserted
    // (static ones as constants, which the steps' slices keep in their
    // types).
    SmallVector<Value> sizes;
    for (unsigned d = 0; d < rank; ++d) {
      unsigned sliceDim = d < scanDim ? d : d - 1;
      if (d == scanDim)
        sizes.push_back(length);
      else if (type.isDynamicDim(d))
        sizes.push_back(
            tensor::DimOp::create(rewriter, loc, op.getInit(), sliceDim));
      else
        sizes.push_back(
            arith::ConstantIndexOp::create(rewriter, loc, type.getDimSize(d)));
    }
    SmallVector<Value> dynamicSizes;
    for (unsigned d = 0; d < rank; ++d)
      if (type.isDynamicDim(d))
        dynamicSizes.push_back(sizes[d]);
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType(), dynamicSizes);
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Block &body = op.getBody().front();
    auto loop = scf::ForOp::create(
        rewriter, loc, zero, length, one, ValueRange{op.getInit(), empty},
        [&](OpBuilder &b, Location l, Value i, ValueRange carried) {
          Value position = i;
          if (op.getReverse())
            position = arith::SubIOp::create(
                b, l, arith::SubIOp::create(b, l, length, one), i);
          IRMapping mapping;
          mapping.map(op.getPosition(), position);
          mapping.map(op.getPrevious(), carried[0]);
          for (Operation &inner : body.without_terminator())
            b.clone(inner, mapping);
          Value slice = mapping.lookupOrDefault(
              cast<ssm::YieldOp>(body.getTerminator()).getValue());
          Value result =
              insertStep(b, l, slice, carried[1], scanDim, position, sizes);
          // The state is carried in a buffer of its own (bufferization wants
          // a loop's yield equivalent to its argument): the step, which may
          // read the previous slice anywhere, writes a new one, copied.
          Value next =
              linalg::CopyOp::create(b, l, slice, carried[0]).getResult(0);
          scf::YieldOp::create(b, l, ValueRange{next, result});
        });
    // The steps work on one slice (one channel's, after
    // ssm-parallelize-recurrences): loops beat a kernel call per step.
    loop->setAttr(ssm::kScanStepsAttrName, rewriter.getUnitAttr());
    rewriter.replaceOp(op, loop.getResult(1));
    return success();
  }
};

} // namespace

void tessera::populateRecurrenceToLoopPatterns(RewritePatternSet &patterns) {
  patterns.add<RecurrenceToLoop>(patterns.getContext());
}
