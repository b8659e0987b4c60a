//===- ReassociateReductions.cpp - reassoc on reduction combiners ---------===//
//
// Marks the addition or multiplication that accumulates a floating-point
// reduction (or the addition of a complex one) as reassociable, so that LLVM
// vectorizes the reduction loop with partial sums. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "tessera/Transforms/Passes.h"

#include "mlir/Dialect/Complex/IR/Complex.h"

namespace tessera {
#define GEN_PASS_DEF_TESSREASSOCIATEREDUCTIONSPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;

namespace {

/// Adds `reassoc` to `op` if it is an addf or mulf, or a complex add, with
/// `acc` as an operand (convert-complex-to-standard keeps the flag on the
/// two real additions). A complex product is not marked: reordering it
/// changes more than the rounding of a sum.
void markCombiner(Operation *op, Value acc) {
  if (!op || !llvm::is_contained(op->getOperands(), acc))
    return;
  auto fastmath = dyn_cast<arith::ArithFastMathInterface>(op);
  if (!fastmath || !isa<arith::AddFOp, arith::MulFOp, complex::AddOp>(op))
    return;
  arith::FastMathFlags flags = fastmath.getFastMathFlagsAttr().getValue() |
                               arith::FastMathFlags::reassoc;
  op->setAttr(fastmath.getFastMathAttrName(),
              arith::FastMathFlagsAttr::get(op->getContext(), flags));
}

struct ReassociateReductionsPass
    : tessera::impl::TessReassociateReductionsPassBase<
          ReassociateReductionsPass> {
  void runOnOperation() override {
    getOperation()->walk([](linalg::LinalgOp op) {
      if (op.getNumReductionLoops() == 0 || op->getNumRegions() != 1)
        return;
      Block *body = op.getBlock();
      auto yield = dyn_cast<linalg::YieldOp>(body->getTerminator());
      if (!yield)
        return;
      for (OpOperand &init : op.getDpsInitsMutable()) {
        unsigned result = init.getOperandNumber() - op.getNumDpsInputs();
        if (result >= yield.getNumOperands())
          continue;
        markCombiner(yield.getOperand(result).getDefiningOp(),
                     op.getMatchingBlockArgument(&init));
      }
    });
  }
};

} // namespace
