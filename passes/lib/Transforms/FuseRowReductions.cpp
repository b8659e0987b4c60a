//===- FuseRowReductions.cpp - Dependent row reductions row by row --------===//
//
// Softmax and log-sum-exp reduce each row twice (max, then a sum that reads
// the max). This pass puts both reductions and what maps their results into
// one loop over the rows, so that each row is read from memory once. See
// Passes.td.
//
//===----------------------------------------------------------------------===//

#include "FusedSlices.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace tessera {
#define GEN_PASS_DEF_TESSFUSEROWREDUCTIONSPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;

namespace {

/// Whether `op` is a linalg op on tensors with one reduction loop, its
/// innermost one (a reduction along the contiguous axis).
bool isRowReduction(linalg::LinalgOp op) {
  if (!op || !op.hasPureTensorSemantics() || op.getNumReductionLoops() != 1)
    return false;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  return iterators.back() == utils::IteratorType::reduction;
}

/// The reduction that `op` (a row reduction) reads and shares an input with:
/// R1 of the pair (R1, R2 = op), or null.
linalg::LinalgOp findFirstReduction(linalg::LinalgOp op) {
  for (OpOperand *input : op.getDpsInputOperands()) {
    auto producer = input->get().getDefiningOp<linalg::LinalgOp>();
    if (!isRowReduction(producer) || producer == op)
      continue;
    for (OpOperand *shared : producer.getDpsInputOperands())
      if (llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *other) {
            return other->get() == shared->get();
          }))
        return producer;
  }
  return {};
}

/// The op to tile: the only user of `second` if that is an all-parallel
/// linalg op on tensors, else `second` itself.
linalg::LinalgOp chooseConsumer(linalg::LinalgOp second) {
  Value result = second->getResult(0);
  if (second->getNumResults() == 1 && result.hasOneUse()) {
    auto user = dyn_cast<linalg::LinalgOp>(*result.getUsers().begin());
    if (user && user.hasPureTensorSemantics() &&
        user.getNumLoops() == user.getNumParallelLoops() &&
        user->getNumResults() == 1)
      return user;
  }
  return second;
}

/// Tiles `consumer` by 1 along every loop but the innermost of a loop nest
/// as deep as `second`'s (the reduced axis), fusing only `first`, `second`
/// and linalg.fill producers.
LogicalResult fuseRows(RewriterBase &rewriter, linalg::LinalgOp consumer,
                       linalg::LinalgOp first, linalg::LinalgOp second) {
  unsigned loops = consumer.getNumLoops();
  bool reducedAxisInside = loops == second.getNumLoops();
  SmallVector<OpFoldResult> tileSizes(loops, rewriter.getIndexAttr(1));
  if (reducedAxisInside)
    tileSizes.back() = rewriter.getIndexAttr(0);
  else if (loops + 1 != second.getNumLoops())
    return failure();
  scf::SCFTilingOptions tiling;
  tiling.setTileSizes(tileSizes);
  tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tiling);
  options.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer,
          bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        Operation *op = producer.getOwner();
        if (op == first || op == second || isa<linalg::FillOp>(op))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });
  rewriter.setInsertionPoint(consumer);
  FailureOr<scf::SCFTileAndFuseResult> result =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(consumer.getOperation()), options);
  if (failed(result))
    return failure();
  tessera::reuseFusedSlices(rewriter, *result);
  for (OpResult old : consumer->getResults())
    if (Value replacement = result->replacements.lookup(old))
      rewriter.replaceAllUsesWith(old, replacement);
  return success();
}

struct FuseRowReductionsPass
    : tessera::impl::TessFuseRowReductionsPassBase<FuseRowReductionsPass> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, linalg::LinalgOp>> pairs;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (!isRowReduction(op))
        return;
      if (linalg::LinalgOp first = findFirstReduction(op))
        pairs.push_back({first, op});
    });
    IRRewriter rewriter(&getContext());
    for (auto [first, second] : pairs) {
      linalg::LinalgOp consumer = chooseConsumer(second);
      // A failure leaves the ops as they were; they still compute the same.
      (void)fuseRows(rewriter, consumer, first, second);
    }
  }
};

} // namespace
