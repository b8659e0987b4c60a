//===- ExpandArith.cpp - arith-expand, min/max excepted -------------------===//
//
// Expands the arith ops that have no LLVM lowering, leaving the float min and
// max ops to become LLVM intrinsics that vectorize as reductions. See
// Passes.td.
//
//===----------------------------------------------------------------------===//

#include "tessera/Transforms/Passes.h"

#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tessera {
#define GEN_PASS_DEF_TESSEXPANDARITHPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;

namespace {

struct ExpandArithPass
    : tessera::impl::TessExpandArithPassBase<ExpandArithPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    arith::populateCeilFloorDivExpandOpsPatterns(patterns);
    arith::populateExpandScalingExtTruncPatterns(patterns);
    arith::populateExpandBFloat16Patterns(patterns);
    // Like arith-expand (a partial conversion), rewrite only: no folding and
    // no region simplification of the whole module.
    GreedyRewriteConfig config;
    config.enableFolding(false);
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
