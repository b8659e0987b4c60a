//===- ReorderReductionLoops.cpp - Unit-stride loop innermost -------------===//

#include "tessera/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace tessera {
#define GEN_PASS_DEF_TESSREORDERREDUCTIONLOOPSPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;

namespace {

/// How much loop `dim` favors unit-stride access when innermost: +1 for each
/// operand whose last index depends on it, -1 for each operand that uses it
/// in another index (a strided walk).
int64_t strideScore(linalg::LinalgOp op, unsigned dim) {
  int64_t score = 0;
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    unsigned numResults = map.getNumResults();
    for (unsigned r = 0; r != numResults; ++r) {
      if (!map.getResult(r).isFunctionOfDim(dim))
        continue;
      score += r + 1 == numResults ? 1 : -1;
    }
  }
  return score;
}

/// The loop permutation (new position -> old loop) that makes the best
/// parallel loop innermost, or an empty vector to leave `op` alone.
SmallVector<unsigned> choosePermutation(linalg::LinalgOp op) {
  unsigned numLoops = op.getNumLoops();
  if (numLoops < 2)
    return {};
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  unsigned innermost = numLoops - 1;
  if (iterators[innermost] != utils::IteratorType::reduction)
    return {};
  int64_t bestScore = strideScore(op, innermost);
  std::optional<unsigned> best;
  for (unsigned d = 0; d != innermost; ++d) {
    if (iterators[d] != utils::IteratorType::parallel)
      continue;
    int64_t score = strideScore(op, d);
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  if (!best)
    return {};
  SmallVector<unsigned> permutation;
  for (unsigned d = 0; d != numLoops; ++d)
    if (d != *best)
      permutation.push_back(d);
  permutation.push_back(*best);
  return permutation;
}

struct TessReorderReductionLoopsPass
    : public tessera::impl::TessReorderReductionLoopsPassBase<
          TessReorderReductionLoopsPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> candidates;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (!choosePermutation(op).empty())
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : candidates) {
      SmallVector<unsigned> permutation = choosePermutation(op);
      rewriter.setInsertionPoint(op);
      auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic) {
        FailureOr<linalg::GenericOp> generalized =
            linalg::generalizeNamedOp(rewriter, op);
        // A named op without a region builder keeps its loop order.
        if (failed(generalized))
          continue;
        generic = *generalized;
      }
      if (failed(linalg::interchangeGenericOp(rewriter, generic, permutation)))
        continue;
    }
  }
};

} // namespace
