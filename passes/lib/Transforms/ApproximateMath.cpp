//===- ApproximateMath.cpp - f32 math as vectorizable polynomials ---------===//
//
// Rewrites f32 math functions into arithmetic, so that LLVM's loop vectorizer
// widens the loops that apply them instead of calling libm per element. See
// Passes.td and the error table in docs/language.md.
//
//===----------------------------------------------------------------------===//

#include "SinCos.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>

namespace tessera {
#define GEN_PASS_DEF_TESSAPPROXIMATEMATHPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;

namespace {

/// Whether MLIR's polynomial approximation of the op named `name` is used.
/// sin and cos are not: their range reduction loses all precision beyond a
/// few multiples of pi (SinCos.cpp computes them).
bool isApproximated(StringRef name) {
  name.consume_front("math.");
  return llvm::StringSwitch<bool>(name)
      .Cases({"exp", "expm1", "log", "log2", "log1p", "tanh", "erf", "erfc"},
             true)
      .Default(false);
}

/// Marks a math op whose argument was already moved into the range where
/// MLIR's approximation is accurate.
constexpr StringLiteral kScaledAttr = "tess.scaled";

/// Whether `op` computes on f32 (scalars or vectors) and is not yet scaled.
bool needsScaling(Operation *op) {
  return getElementTypeOrSelf(op->getResult(0).getType()).isF32() &&
         !op->hasAttr(kScaledAttr);
}

/// An f32 constant of the shape of `like`.
Value splatConstant(PatternRewriter &rewriter, Location loc, Value like,
                    float value) {
  Type type = like.getType();
  auto attr = rewriter.getF32FloatAttr(value);
  if (auto vector = dyn_cast<VectorType>(type))
    return arith::ConstantOp::create(rewriter, loc,
                                     DenseElementsAttr::get(vector, value));
  return arith::ConstantOp::create(rewriter, loc, attr);
}

/// exp(x) for |x| > 87: MLIR's approximation builds 2^k from the exponent
/// bits; it returns 0 where the result is subnormal (x in [-103.97, -87.34])
/// and loses a few ULPs next to overflow. There it computes exp(x / 2)^2
/// instead: x / 2 is exact and the square rounds once (into the subnormal
/// range, or to infinity).
struct ScaledExp : OpRewritePattern<math::ExpOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(math::ExpOp op,
                                PatternRewriter &rewriter) const override {
    if (!needsScaling(op))
      return failure();
    Location loc = op.getLoc();
    Value x = op.getOperand();
    Value far = arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::OGT,
                                      math::AbsFOp::create(rewriter, loc, x),
                                      splatConstant(rewriter, loc, x, 87));
    Value half = arith::MulFOp::create(rewriter, loc, x,
                                       splatConstant(rewriter, loc, x, 0.5f));
    Value arg = arith::SelectOp::create(rewriter, loc, far, half, x);
    auto exp = math::ExpOp::create(rewriter, loc, arg, op.getFastmath());
    exp->setAttr(kScaledAttr, rewriter.getUnitAttr());
    Value square = arith::MulFOp::create(rewriter, loc, exp, exp);
    rewriter.replaceOpWithNewOp<arith::SelectOp>(op, far, square, exp);
    return success();
  }
};

/// log(x) for subnormal x: MLIR's approximation reads the exponent bits as
/// if x were normal and returns log(2^-126). Such x is scaled by 2^24 first
/// and 24 ln 2 subtracted from the result.
struct SubnormalLog : OpRewritePattern<math::LogOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(math::LogOp op,
                                PatternRewriter &rewriter) const override {
    if (!needsScaling(op))
      return failure();
    Location loc = op.getLoc();
    Value x = op.getOperand();
    Value tiny =
        arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::OLT, x,
                              splatConstant(rewriter, loc, x, 0x1p-126f));
    Value scaled = arith::MulFOp::create(
        rewriter, loc, x, splatConstant(rewriter, loc, x, 0x1p24f));
    Value arg = arith::SelectOp::create(rewriter, loc, tiny, scaled, x);
    auto log = math::LogOp::create(rewriter, loc, arg, op.getFastmath());
    log->setAttr(kScaledAttr, rewriter.getUnitAttr());
    Value shifted = arith::SubFOp::create(
        rewriter, loc, log,
        splatConstant(rewriter, loc, x, static_cast<float>(24 * M_LN2)));
    rewriter.replaceOpWithNewOp<arith::SelectOp>(op, tiny, shifted, log);
    return success();
  }
};

/// Replaces scalar f32 math.sin and math.cos in `root` by the arithmetic of
/// buildSinCosF32. Vectors keep their libm calls.
void expandSinCos(Operation *root) {
  SmallVector<Operation *> ops;
  root->walk([&](Operation *op) {
    if (isa<math::SinOp, math::CosOp>(op) && op->getResult(0).getType().isF32())
      ops.push_back(op);
  });
  for (Operation *op : ops) {
    OpBuilder b(op);
    op->getResult(0).replaceAllUsesWith(tessera::buildSinCosF32(
        b, op->getLoc(), op->getOperand(0), isa<math::CosOp>(op)));
    op->erase();
  }
}

struct ApproximateMathPass
    : tessera::impl::TessApproximateMathPassBase<ApproximateMathPass> {
  void runOnOperation() override {
    expandSinCos(getOperation());
    // Only the selected ops and what their rewrites create: a greedy rewrite
    // of the whole module would revisit every op of a long function.
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa_and_nonnull<math::MathDialect>(op->getDialect()) &&
          isApproximated(op->getName().getStringRef()))
        ops.push_back(op);
    });
    if (ops.empty())
      return;
    RewritePatternSet patterns(&getContext());
    // The range fixes first (higher benefit), then MLIR's approximations.
    patterns.add<ScaledExp, SubnormalLog>(&getContext(), /*benefit=*/2);
    populateMathPolynomialApproximationPatterns(patterns, isApproximated);
    populatePolynomialApproximateErfcPattern(patterns);
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    config.enableFolding(false);
    if (failed(applyOpPatternsGreedily(ops, std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
