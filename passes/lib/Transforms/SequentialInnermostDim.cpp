//===- SequentialInnermostDim.cpp - Innermost parallel dim as scf.for -----===//
//
// Keeps the innermost dimension of a multi-dimensional scf.parallel out of
// OpenMP's loop collapsing, so that LLVM vectorizes it. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "tessera/Transforms/Passes.h"

namespace tessera {
#define GEN_PASS_DEF_TESSSEQUENTIALINNERMOSTDIMPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;

namespace {

/// Replaces `parallel` (two or more dimensions, no reductions) by an
/// scf.parallel over its leading dimensions around an scf.for over the last.
void splitLastDim(scf::ParallelOp parallel) {
  OpBuilder b(parallel);
  Location loc = parallel.getLoc();
  auto lower = parallel.getLowerBound();
  auto upper = parallel.getUpperBound();
  auto step = parallel.getStep();
  auto outer = scf::ParallelOp::create(b, loc, lower.drop_back(),
                                       upper.drop_back(), step.drop_back());
  b.setInsertionPoint(outer.getBody()->getTerminator());
  auto inner =
      scf::ForOp::create(b, loc, lower.back(), upper.back(), step.back());
  Block &body = parallel.getRegion().front();
  body.getTerminator()->erase();
  Block *innerBody = inner.getBody();
  innerBody->getOperations().splice(innerBody->getTerminator()->getIterator(),
                                    body.getOperations());
  for (auto [arg, iv] :
       llvm::zip(body.getArguments().drop_back(), outer.getInductionVars()))
    arg.replaceAllUsesWith(iv);
  body.getArguments().back().replaceAllUsesWith(inner.getInductionVar());
  parallel.erase();
}

struct SequentialInnermostDimPass
    : tessera::impl::TessSequentialInnermostDimPassBase<
          SequentialInnermostDimPass> {
  void runOnOperation() override {
    SmallVector<scf::ParallelOp> loops;
    getOperation()->walk([&](scf::ParallelOp op) {
      if (op.getNumLoops() >= 2 && op.getInitVals().empty())
        loops.push_back(op);
    });
    for (scf::ParallelOp op : loops)
      splitLastDim(op);
  }
};

} // namespace
