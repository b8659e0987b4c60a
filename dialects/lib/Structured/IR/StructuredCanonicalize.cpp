//===- StructuredCanonicalize.cpp - Canonicalizations of structured ops ---===//
//
// Rewrites that remove work: a transform applied twice where that is a
// scaling, two permutations that compose into one, two block-diagonal
// matrices that multiply into one. (Involutions and inverse pairs fold in
// StructuredOps.cpp.)
//
//===----------------------------------------------------------------------===//

#include "tessera/Dialect/Structured/IR/StructuredOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace tessera::structured;

namespace {

/// Whether the transform of length `n` is its own inverse up to the factor
/// n: its matrix is symmetric for powers of two (Sylvester) and 12 times
/// one (the Paley factor is symmetric); the 20, 28 and 40 factors are not.
static bool isSymmetricHadamard(int64_t n) {
  return n > 0 && (llvm::isPowerOf2_64(n) ||
                   (n % 12 == 0 && llvm::isPowerOf2_64(n / 12)));
}

/// fwht(fwht(x)) along one axis = N x, written `arith.mulf x, splat(N)`,
/// for static lengths whose matrix is symmetric.
struct FwhtTwiceIsScaling : OpRewritePattern<FwhtOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(FwhtOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<FwhtOp>();
    RankedTensorType type = op.getType();
    auto element = dyn_cast<FloatType>(type.getElementType());
    if (!inner || inner.getAxis() != op.getAxis() || !element)
      return failure();
    // A length known only at run time may be one whose square is not a
    // scaling (20, 28, 40 times a power of two).
    int64_t length = type.getDimSize(op.getAxis());
    if (ShapedType::isDynamic(length) || !isSymmetricHadamard(length))
      return failure();
    Location loc = op.getLoc();
    Value x = inner.getInput();
    Value n = arith::ConstantOp::create(
        rewriter, loc,
        rewriter.getFloatAttr(element, static_cast<double>(length)));
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        dynamicSizes.push_back(tensor::DimOp::create(rewriter, loc, x, d));
    Value splat = tensor::SplatOp::create(rewriter, loc, n, type, dynamicSizes);
    rewriter.replaceOpWithNewOp<arith::MulFOp>(op, x, splat);
    return success();
  }
};

/// permute(permute(x, p), q) along one axis = permute(x, r) with
/// r = permute(p, q) {out_of_range = -1}: y[i] = x[p[q[i]]], and zero where
/// q[i] or p[q[i]] is out of range (r[i] = -1 keeps the first case out of
/// range, where reading p would give 0).
struct ComposePermutations : OpRewritePattern<PermuteOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(PermuteOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<PermuteOp>();
    if (!inner || inner.getAxis() != op.getAxis())
      return failure();
    Value composed = PermuteOp::create(
        rewriter, op.getLoc(), inner.getPerm().getType(), inner.getPerm(),
        op.getPerm(), rewriter.getI64IntegerAttr(0),
        rewriter.getI64IntegerAttr(-1));
    rewriter.replaceOpWithNewOp<PermuteOp>(op, inner.getInput(), composed,
                                           op.getAxis());
    return success();
  }
};

/// blockdiag(w2, blockdiag(w1, x)) along one axis, with as many blocks in
/// both and w2's blocks as wide as w1's are tall, = blockdiag(w, x) with
/// w[b] = w2[b] w1[b]; computed as blockdiag(w2, w1 read as NB * BO1 rows).
/// Only when the product is no more work per vector than the two factors.
struct MultiplyBlockDiagonals : OpRewritePattern<BlockDiagOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BlockDiagOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<BlockDiagOp>();
    if (!inner || inner.getAxis() != op.getAxis())
      return failure();
    RankedTensorType w1 = inner.getWeights().getType();
    RankedTensorType w2 = op.getWeights().getType();
    if (!w1.hasStaticShape() || !w2.hasStaticShape())
      return failure();
    int64_t blocks = w1.getDimSize(0), bo1 = w1.getDimSize(1),
            bi1 = w1.getDimSize(2), bo2 = w2.getDimSize(1);
    if (w2.getDimSize(0) != blocks || w2.getDimSize(2) != bo1)
      return failure();
    if (bo2 * bi1 > bo1 * bi1 + bo2 * bo1)
      return failure();
    Location loc = op.getLoc();
    Type element = w1.getElementType();
    SmallVector<ReassociationIndices> rows = {{0, 1}, {2}};
    Value stacked = tensor::CollapseShapeOp::create(
        rewriter, loc, RankedTensorType::get({blocks * bo1, bi1}, element),
        inner.getWeights(), rows);
    Value product = BlockDiagOp::create(
        rewriter, loc, RankedTensorType::get({blocks * bo2, bi1}, element),
        op.getWeights(), stacked, /*axis=*/0);
    Value weights = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get({blocks, bo2, bi1}, element),
        product, rows);
    rewriter.replaceOpWithNewOp<BlockDiagOp>(op, op.getType(), weights,
                                             inner.getInput(), op.getAxis());
    return success();
  }
};

} // namespace

void FwhtOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<FwhtTwiceIsScaling>(context);
}

void PermuteOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<ComposePermutations>(context);
}

void BlockDiagOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<MultiplyBlockDiagonals>(context);
}
