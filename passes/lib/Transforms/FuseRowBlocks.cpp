//===- FuseRowBlocks.cpp - Row-wise chains one block of rows at a time ----===//
//
// Attention computes scores, normalizes each row (a max, a sum of
// exponentials, a division) and contracts the result with v. Run one after
// the other, each step streams the whole B*H*T*S scores tensor through
// memory, several times. This pass tiles the final contraction by blocks of
// rows and fuses the row-wise chain that produces its operand into the
// block's loop, so that the intermediate exists one cache-sized block at a
// time. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "FusedSlices.h"
#include "tessera/Transforms/ElementBytes.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/SetVector.h"

namespace tessera {
#define GEN_PASS_DEF_TESSFUSEROWBLOCKSPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;

namespace {

/// The ops to fuse into the blocks of one consumer, and how to tile it.
struct RowBlockPlan {
  linalg::LinalgOp consumer;
  /// The consumer operand whose producer chain is fused.
  OpOperand *operand = nullptr;
  /// The consumer loops that are tiled (parallel loops that index both the
  /// operand and the result).
  SmallVector<unsigned> tiledLoops;
  /// The producers computed per block.
  llvm::SetVector<Operation *> fused;
};

/// The loops of `op` that the tensor dimensions `dims` of operand `operand`
/// index, or nothing if one of them is not a plain loop index.
std::optional<SmallVector<unsigned>>
loopsOfDims(linalg::LinalgOp op, OpOperand *operand, ArrayRef<unsigned> dims) {
  AffineMap map = op.getMatchingIndexingMap(operand);
  SmallVector<unsigned> loops;
  for (unsigned dim : dims) {
    auto expr = dyn_cast<AffineDimExpr>(map.getResult(dim));
    if (!expr)
      return std::nullopt;
    loops.push_back(expr.getPosition());
  }
  return loops;
}

/// The dimensions of `operand` that index the loops `loops` of `op`, if each
/// of those loops indexes one (so that distinct blocks of the loops read
/// distinct parts of the operand), else nothing.
std::optional<SmallVector<unsigned>>
dimsOfLoops(linalg::LinalgOp op, OpOperand *operand, ArrayRef<unsigned> loops) {
  AffineMap map = op.getMatchingIndexingMap(operand);
  SmallVector<unsigned> dims;
  for (unsigned loop : loops) {
    std::optional<unsigned> found;
    for (unsigned r = 0, e = map.getNumResults(); r != e; ++r)
      if (map.getResult(r) == getAffineDimExpr(loop, op.getContext()))
        found = r;
    if (!found)
      return std::nullopt;
    dims.push_back(*found);
  }
  return dims;
}

/// Whether `op` is a linalg op on tensors that tiling can slice along
/// `loops`: each of them parallel, the results indexed by plain loops.
bool canSliceAlong(linalg::LinalgOp op, ArrayRef<unsigned> loops) {
  if (!op || !op.hasPureTensorSemantics() || isa<linalg::FillOp>(op))
    return false;
  // A loop of static extent 0: nothing to run (and MLIR's tiling of such a
  // loop crashes).
  if (llvm::is_contained(op.getStaticLoopRanges(), 0))
    return false;
  for (unsigned loop : loops)
    if (op.getIteratorTypesArray()[loop] != utils::IteratorType::parallel)
      return false;
  return llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
    return map.isProjectedPermutation();
  });
}

/// Collects into `plan.fused` the producers of `plan.operand` (transitively)
/// whose block of results a block of the consumer's tiled loops determines,
/// so that fusing them computes each of their elements once.
void collectProducers(RowBlockPlan &plan) {
  std::optional<SmallVector<unsigned>> operandDims =
      dimsOfLoops(plan.consumer, plan.operand, plan.tiledLoops);
  SmallVector<std::pair<Value, SmallVector<unsigned>>> worklist;
  worklist.push_back({plan.operand->get(), *operandDims});
  DenseMap<Operation *, SmallVector<unsigned>> loopsOf;
  while (!worklist.empty()) {
    auto [value, dims] = worklist.pop_back_val();
    auto producer = value.getDefiningOp<linalg::LinalgOp>();
    if (!producer)
      continue;
    OpOperand *init =
        producer.getDpsInitOperand(cast<OpResult>(value).getResultNumber());
    std::optional<SmallVector<unsigned>> loops =
        loopsOfDims(producer, init, dims);
    if (!loops || !canSliceAlong(producer, *loops))
      continue;
    auto [it, inserted] = loopsOf.try_emplace(producer, *loops);
    if (!inserted) {
      // Reached twice: fusable only if both paths ask for the same blocks.
      if (it->second != *loops)
        plan.fused.remove(producer);
      continue;
    }
    plan.fused.insert(producer);
    for (OpOperand &operand : producer->getOpOperands())
      if (std::optional<SmallVector<unsigned>> operandDims =
              dimsOfLoops(producer, &operand, *loops))
        worklist.push_back({operand.get(), *operandDims});
  }
}

/// Drops from `plan.fused` every op with a user outside the fused set and
/// the consumer (it is computed in full anyway, and fusing would compute it
/// twice), then what only those ops used, until nothing changes.
void dropSharedProducers(RowBlockPlan &plan) {
  bool changed = true;
  while (changed) {
    changed = false;
    for (Operation *op : llvm::to_vector(plan.fused)) {
      bool shared = llvm::any_of(op->getUsers(), [&](Operation *user) {
        return user != plan.consumer && !plan.fused.contains(user);
      });
      if (shared) {
        plan.fused.remove(op);
        changed = true;
      }
    }
  }
}

/// Whether the fused chain normalizes rows: one of its ops reads a fused
/// value broadcast along a loop (a row statistic: the max and sum that
/// softmax divides by, layer norm's mean and variance). Only then does
/// computing the chain per block save memory traffic that fusing elementwise
/// ops has not already saved.
bool normalizesRows(RowBlockPlan &plan) {
  for (Operation *op : plan.fused) {
    auto user = cast<linalg::LinalgOp>(op);
    for (OpOperand *input : user.getDpsInputOperands()) {
      Operation *producer = input->get().getDefiningOp();
      if (!producer || !plan.fused.contains(producer))
        continue;
      AffineMap map = user.getMatchingIndexingMap(input);
      if (map.getNumResults() < user.getNumParallelLoops())
        return true;
    }
  }
  return false;
}

/// The plan for `consumer`, a contraction on tensors, if one of its operands
/// comes from a row-normalizing chain worth computing per block.
std::optional<RowBlockPlan> planConsumer(linalg::LinalgOp consumer) {
  if (!consumer.hasPureTensorSemantics() ||
      consumer.getNumReductionLoops() == 0 || consumer->getNumResults() != 1 ||
      !isa<TilingInterface>(consumer.getOperation()) ||
      llvm::is_contained(consumer.getStaticLoopRanges(), 0))
    return std::nullopt;
  AffineMap resultMap =
      consumer.getMatchingIndexingMap(consumer.getDpsInitOperand(0));
  for (OpOperand *input : consumer.getDpsInputOperands()) {
    if (!input->get().getDefiningOp<linalg::LinalgOp>())
      continue;
    RowBlockPlan plan;
    plan.consumer = consumer;
    plan.operand = input;
    AffineMap map = consumer.getMatchingIndexingMap(input);
    for (unsigned loop = 0, e = consumer.getNumLoops(); loop != e; ++loop) {
      AffineExpr dim = getAffineDimExpr(loop, consumer.getContext());
      if (consumer.getIteratorTypesArray()[loop] ==
              utils::IteratorType::parallel &&
          llvm::is_contained(map.getResults(), dim) &&
          llvm::is_contained(resultMap.getResults(), dim))
        plan.tiledLoops.push_back(loop);
    }
    if (plan.tiledLoops.empty() ||
        !dimsOfLoops(consumer, input, plan.tiledLoops))
      continue;
    collectProducers(plan);
    dropSharedProducers(plan);
    if (normalizesRows(plan))
      return plan;
  }
  return std::nullopt;
}

/// At most `rows`, and few enough rows of the innermost tiled loop that the
/// blocks number at least `kMinBlocks` in all (each index of the other tiled
/// loops is a block of its own), so that few long rows still make blocks
/// for every thread.
Value capForBlocks(OpBuilder &b, RowBlockPlan &plan, Value rows) {
  constexpr int64_t kMinBlocks = 16;
  Location loc = plan.consumer.getLoc();
  SmallVector<Range> domain =
      cast<TilingInterface>(plan.consumer.getOperation()).getIterationDomain(b);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value outer = one;
  for (unsigned loop : ArrayRef(plan.tiledLoops).drop_back())
    outer = arith::MulIOp::create(
        b, loc, outer,
        getValueOrCreateConstantIndexOp(b, loc, domain[loop].size));
  Value wanted = arith::CeilDivUIOp::create(
      b, loc, arith::ConstantIndexOp::create(b, loc, kMinBlocks),
      arith::MaxUIOp::create(b, loc, outer, one));
  Value inner = getValueOrCreateConstantIndexOp(
      b, loc, domain[plan.tiledLoops.back()].size);
  Value share = arith::CeilDivUIOp::create(b, loc, inner, wanted);
  return arith::MinUIOp::create(b, loc, rows,
                                arith::MaxUIOp::create(b, loc, share, one));
}

/// The tile sizes: 1 for every tiled loop but the innermost, which takes as
/// many rows as fit `kBlockBytes` of the operand, no more than leaves
/// capForBlocks' number of blocks, and at least `kMinRows`; 0 (untiled) for
/// the other loops.
SmallVector<OpFoldResult> computeTileSizes(OpBuilder &b, RowBlockPlan &plan) {
  constexpr int64_t kBlockBytes = 128 * 1024;
  constexpr int64_t kMinRows = 8;
  Location loc = plan.consumer.getLoc();
  Value operand = plan.operand->get();
  auto type = cast<RankedTensorType>(operand.getType());
  std::optional<SmallVector<unsigned>> tiledDims =
      dimsOfLoops(plan.consumer, plan.operand, plan.tiledLoops);
  // Elements per row: the product of the operand's untiled dimensions.
  Value rowElements = arith::ConstantIndexOp::create(b, loc, 1);
  for (unsigned d = 0, e = type.getRank(); d != e; ++d) {
    if (llvm::is_contained(*tiledDims, d))
      continue;
    Value extent = tensor::DimOp::create(b, loc, operand, d);
    rowElements = arith::MulIOp::create(b, loc, rowElements, extent);
  }
  int64_t elementBytes = tessera::getElementBytes(type.getElementType());
  Value budget =
      arith::ConstantIndexOp::create(b, loc, kBlockBytes / elementBytes);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  rowElements = arith::MaxUIOp::create(b, loc, rowElements, one);
  Value rows = arith::DivUIOp::create(b, loc, budget, rowElements);
  rows = capForBlocks(b, plan, rows);
  rows = arith::MaxUIOp::create(
      b, loc, rows, arith::ConstantIndexOp::create(b, loc, kMinRows));

  SmallVector<OpFoldResult> sizes(plan.consumer.getNumLoops(),
                                  b.getIndexAttr(0));
  for (unsigned loop : plan.tiledLoops)
    sizes[loop] = b.getIndexAttr(1);
  sizes[plan.tiledLoops.back()] = rows;
  return sizes;
}

/// Whether the consumer's result has elements: every parallel loop it does
/// not tile (`d` of attention's `o[b, h, t, d]`) has a non-zero extent. (A
/// tiled loop of extent 0 runs no block anyway.)
Value buildNonEmptyCheck(OpBuilder &b, RowBlockPlan &plan) {
  Location loc = plan.consumer.getLoc();
  SmallVector<Range> domain =
      cast<TilingInterface>(plan.consumer.getOperation()).getIterationDomain(b);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value nonEmpty = arith::ConstantIntOp::create(b, loc, 1, 1);
  AffineMap resultMap =
      plan.consumer.getMatchingIndexingMap(plan.consumer.getDpsInitOperand(0));
  for (auto [loop, range] : llvm::enumerate(domain)) {
    if (plan.consumer.getIteratorTypesArray()[loop] !=
            utils::IteratorType::parallel ||
        llvm::is_contained(plan.tiledLoops, loop) ||
        !llvm::is_contained(resultMap.getResults(),
                            getAffineDimExpr(loop, plan.consumer.getContext())))
      continue;
    Value extent = getValueOrCreateConstantIndexOp(b, loc, range.size);
    Value positive =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, extent, zero);
    nonEmpty = arith::AndIOp::create(b, loc, nonEmpty, positive);
  }
  return nonEmpty;
}

/// Runs `forall` only if `nonEmpty`: an empty result needs none of the
/// fused intermediates, whose rows may still be long (attention with D = 0
/// has empty q, k, v and o, and S-long rows of scores). Returns the scf.if
/// whose results replace the loop's.
scf::IfOp guardLoop(RewriterBase &rewriter, scf::ForallOp forall,
                    Value nonEmpty) {
  Location loc = forall.getLoc();
  rewriter.setInsertionPointAfter(forall);
  auto guard = scf::IfOp::create(rewriter, loc, forall->getResultTypes(),
                                 nonEmpty, /*withElseRegion=*/true);
  rewriter.replaceAllUsesWith(forall->getResults(), guard->getResults());
  rewriter.setInsertionPointToStart(guard.thenBlock());
  scf::YieldOp::create(rewriter, loc, forall->getResults());
  rewriter.moveOpBefore(forall, guard.thenBlock(), guard.thenBlock()->begin());
  rewriter.setInsertionPointToStart(guard.elseBlock());
  scf::YieldOp::create(rewriter, loc, forall.getOutputs());
  return guard;
}

/// Tiles the consumer of `plan` into an scf.forall over blocks of rows and
/// fuses the planned producers (and the fills of accumulators) into it;
/// returns the loop.
FailureOr<scf::ForallOp> fuseRowBlocks(RewriterBase &rewriter,
                                       RowBlockPlan &plan) {
  rewriter.setInsertionPoint(plan.consumer);
  scf::SCFTilingOptions tiling;
  tiling.setTileSizes(computeTileSizes(rewriter, plan));
  tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tiling);
  options.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer,
          bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        Operation *op = producer.getOwner();
        if (plan.fused.contains(op) || isa<linalg::FillOp>(op))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });
  Value nonEmpty = buildNonEmptyCheck(rewriter, plan);
  FailureOr<scf::SCFTileAndFuseResult> result =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(plan.consumer.getOperation()),
          options);
  if (failed(result) || result->loops.size() != 1)
    return failure();
  tessera::reuseFusedSlices(rewriter, *result);
  auto forall = cast<scf::ForallOp>(result->loops.front().getOperation());
  scf::IfOp guard = guardLoop(rewriter, forall, nonEmpty);
  for (OpResult old : plan.consumer->getResults()) {
    Value replacement = result->replacements.lookup(old);
    if (!replacement)
      continue;
    auto loopResult = cast<OpResult>(replacement);
    if (loopResult.getOwner() == forall)
      replacement = guard->getResult(loopResult.getResultNumber());
    rewriter.replaceAllUsesWith(old, replacement);
  }
  return forall;
}

struct FuseRowBlocksPass
    : tessera::impl::TessFuseRowBlocksPassBase<FuseRowBlocksPass> {
  void runOnOperation() override {
    SmallVector<RowBlockPlan> plans;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (std::optional<RowBlockPlan> plan = planConsumer(op))
        plans.push_back(std::move(*plan));
    });
    IRRewriter rewriter(&getContext());
    DenseSet<Operation *> taken;
    SmallVector<scf::ForallOp> loops;
    for (RowBlockPlan &plan : plans) {
      // An op fused into one consumer's blocks is not planned again.
      if (taken.contains(plan.consumer) ||
          llvm::any_of(plan.fused,
                       [&](Operation *op) { return taken.contains(op); }))
        continue;
      // A failure leaves the ops as they were; they still compute the same.
      FailureOr<scf::ForallOp> loop = fuseRowBlocks(rewriter, plan);
      if (failed(loop))
        continue;
      loops.push_back(*loop);
      taken.insert(plan.consumer);
      taken.insert(plan.fused.begin(), plan.fused.end());
    }
    if (loops.empty())
      return;
    // A block's intermediates are new tensors of the block's size, not
    // slices of whole-size ones: bufferized, they are then buffers of one
    // block, reused from cache, rather than parts of a whole-size buffer.
    RewritePatternSet patterns(&getContext());
    tensor::populateFoldTensorEmptyPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
    // The size of the last block (affine.min) as arith ops: an affine op
    // whose operands stop being valid symbols once the function is inlined
    // into its entry's size-check branch would keep the inliner from
    // inlining it.
    RewritePatternSet affinePatterns(&getContext());
    populateAffineToStdConversionPatterns(affinePatterns);
    FrozenRewritePatternSet frozen(std::move(affinePatterns));
    for (scf::ForallOp loop : loops)
      if (failed(applyPatternsGreedily(loop, frozen)))
        signalPassFailure();
  }
};

} // namespace
