//===- BlockColumnReductions.cpp - Column reductions by column blocks -----===//
//
// A reduction over rows, `s[j] = sum[i](x[i, j])`, loops over i outside and
// j inside, so that the inner loop is unit-stride and vectorizes. Its only
// parallel loop is then inside a sequential one, where forking threads per
// row would cost more than it gains, so it ran on one thread. This pass
// splits the columns into blocks, one scf.forall iteration each, which the
// pipeline runs on the threads; each block keeps the row loop outside and
// its columns inside. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "RuntimeFunctions.h"
#include "tessera/Transforms/ElementBytes.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tessera {
#define GEN_PASS_DEF_TESSBLOCKCOLUMNREDUCTIONSPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;

namespace {

/// Bytes of each row per block of columns on several threads (512 f32):
/// 4096 x 4096 column sums took 2.0-2.4 ms on two threads against 2.8 on
/// one (memory-bound), the best of the widths tried (0.5 to 4 KiB).
constexpr int64_t kBlockBytes = 2048;

/// Whether `op`'s body is `out + a * b` (or `a * b + out`): a contraction,
/// which tess-contractions-to-kernels hands to the threaded GEMM kernels.
bool isProductSum(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  if (yield.getNumOperands() != 1 || op.getNumDpsInputs() != 2)
    return false;
  Operation *add = yield.getOperand(0).getDefiningOp();
  if (!add || !isa<arith::AddFOp, arith::AddIOp>(add))
    return false;
  return llvm::any_of(add->getOperands(), [](Value operand) {
    Operation *mul = operand.getDefiningOp();
    return mul && isa<arith::MulFOp, arith::MulIOp>(mul);
  });
}

/// The loop whose blocks become the parallel iterations: the innermost
/// parallel loop of `op`, if `op` is a linalg op on tensors whose outermost
/// loop is a reduction (so that no parallel loop encloses the nest).
std::optional<unsigned> findColumnLoop(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumLoops() < 2 ||
      op.getNumParallelLoops() == 0 || isa<linalg::FillOp>(op) ||
      !isa<TilingInterface>(op.getOperation()) || isProductSum(op))
    return std::nullopt;
  // A loop of static extent 0: nothing to run (and MLIR's tiling of such a
  // loop crashes).
  if (llvm::is_contained(op.getStaticLoopRanges(), 0))
    return std::nullopt;
  // Slices of operands read through affine subscripts (x[i, j - k]) would
  // need bounds that tiling does not compute.
  if (!llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isProjectedPermutation(); }))
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (iterators.front() != utils::IteratorType::reduction)
    return std::nullopt;
  for (unsigned loop = iterators.size(); loop-- > 0;)
    if (iterators[loop] == utils::IteratorType::parallel)
      return loop;
  return std::nullopt;
}

/// The width of a block of columns: on one thread, all of them (the plain
/// loop nest, which streams whole rows); on several, kBlockBytes of
/// elements.
Value buildBlockWidth(OpBuilder &b, Location loc, OpFoldResult columns,
                      int64_t elementBytes, func::FuncOp numThreads) {
  Value extent = getValueOrCreateConstantIndexOp(b, loc, columns);
  Value threads = func::CallOp::create(b, loc, numThreads).getResult(0);
  Value one = arith::ConstantIntOp::create(b, loc, b.getI32Type(), 1);
  Value serial =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, threads, one);
  Value block = arith::ConstantIndexOp::create(
      b, loc, std::max<int64_t>(1, kBlockBytes / elementBytes));
  Value width = arith::SelectOp::create(b, loc, serial, extent, block);
  // A zero-width tile would be an empty step.
  return arith::MaxSIOp::create(b, loc, width,
                                arith::ConstantIndexOp::create(b, loc, 1));
}

/// Tiles `op` with scf.forall: blocks of the column loop, one iteration per
/// other parallel loop, reductions whole.
FailureOr<scf::ForallOp> blockColumns(RewriterBase &rewriter,
                                      linalg::LinalgOp op, unsigned column,
                                      func::FuncOp numThreads) {
  rewriter.setInsertionPoint(op);
  int64_t elementBytes = 4;
  if (auto type = dyn_cast<ShapedType>(op.getDpsInits()[0].getType()))
    elementBytes = tessera::getElementBytes(type.getElementType());
  SmallVector<Range> domain =
      cast<TilingInterface>(op.getOperation()).getIterationDomain(rewriter);
  SmallVector<OpFoldResult> sizes;
  for (auto [loop, iterator] : llvm::enumerate(op.getIteratorTypesArray())) {
    if (iterator != utils::IteratorType::parallel)
      sizes.push_back(rewriter.getIndexAttr(0));
    else if (loop == column)
      sizes.push_back(buildBlockWidth(rewriter, op.getLoc(), domain[loop].size,
                                      elementBytes, numThreads));
    else
      sizes.push_back(rewriter.getIndexAttr(1));
  }
  scf::SCFTilingOptions options;
  options.setTileSizes(sizes);
  options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  FailureOr<scf::SCFTilingResult> result = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(result) || result->loops.size() != 1)
    return failure();
  rewriter.replaceOp(op, result->replacements);
  return cast<scf::ForallOp>(result->loops.front().getOperation());
}

struct BlockColumnReductionsPass
    : tessera::impl::TessBlockColumnReductionsPassBase<
          BlockColumnReductionsPass> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, unsigned>> candidates;
    getOperation()->walk([&](linalg::LinalgOp op) {
      // Only ops not already inside a loop (a block of rows, say).
      if (op->getParentOfType<LoopLikeOpInterface>())
        return;
      if (std::optional<unsigned> column = findColumnLoop(op))
        candidates.push_back({op, *column});
    });
    if (candidates.empty())
      return;
    func::FuncOp numThreads = tessera::getNumThreadsDecl(getOperation());
    IRRewriter rewriter(&getContext());
    SmallVector<scf::ForallOp> loops;
    for (auto [op, column] : candidates) {
      // A failure leaves the op as it was; it still computes the same.
      FailureOr<scf::ForallOp> loop =
          blockColumns(rewriter, op, column, numThreads);
      if (succeeded(loop))
        loops.push_back(*loop);
    }
    // The last block's width (affine.min) as arith ops, which keep the
    // function inlinable into its entry (see tess-fuse-row-blocks).
    RewritePatternSet patterns(&getContext());
    populateAffineToStdConversionPatterns(patterns);
    FrozenRewritePatternSet frozen(std::move(patterns));
    for (scf::ForallOp loop : loops)
      if (failed(applyPatternsGreedily(loop, frozen)))
        return signalPassFailure();
  }
};

} // namespace
