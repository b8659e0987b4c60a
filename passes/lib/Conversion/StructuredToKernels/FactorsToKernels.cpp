//===- FactorsToKernels.cpp - Butterfly products and FFT twiddles ---------===//
//
// structured.butterfly becomes a call of tessera_butterfly_<t> (runtime/,
// one pass over each vector per factor); structured.fft_twiddles becomes a
// linalg.generic that computes each 2x2 matrix from its indices.
//
//===----------------------------------------------------------------------===//

#include "KernelCalls.h"
#include "tessera/Dialect/Structured/IR/StructuredOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace tessera;

namespace {

/// The runtime kernel for elements of type `type`.
StringRef getButterflyKernel(Type type) {
  if (auto complex = dyn_cast<ComplexType>(type))
    return complex.getElementType().isF32() ? "tessera_butterfly_c64"
                                            : "tessera_butterfly_c128";
  return type.isF32() ? "tessera_butterfly_f32" : "tessera_butterfly_f64";
}

/// butterfly -> `tessera_butterfly_<t>(..., twiddleExtents*, twiddles*,
/// twiddleStrides*)`.
struct ButterflyToKernel : OpRewritePattern<structured::ButterflyOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(structured::ButterflyOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getInput().getType();
    SmallVector<Value> extents = getExtents(rewriter, loc, op.getInput());
    Value twiddleExtents = getArrayPointer(
        rewriter, loc, getExtents(rewriter, loc, op.getTwiddles()));
    auto [twiddles, twiddleStrides] =
        getBufferArguments(rewriter, loc, op.getTwiddles());
    rewriter.replaceOp(
        op, createTransformCall(
                rewriter, loc, getButterflyKernel(type.getElementType()),
                op.getInput(), op.getAxis(), type, extents, extents, {},
                ValueRange{twiddleExtents, twiddles, twiddleStrides}));
    return success();
  }
};

/// The body of fft_twiddles at (f, m, a, b): 1 in column 0, and w^k, -w^k
/// in column 1 (rows 0, 1), with s = 2^f, k = m mod s, w = exp(-i pi / s);
/// computed in f64 and rounded once.
Value buildTwiddle(OpBuilder &b, Location loc, ComplexType type) {
  Type i64 = b.getI64Type(), f64 = b.getF64Type();
  auto index = [&](int64_t d) {
    return arith::IndexCastOp::create(b, loc, i64,
                                      linalg::IndexOp::create(b, loc, d));
  };
  Value f = index(0), m = index(1), row = index(2), column = index(3);
  Value one = arith::ConstantIntOp::create(b, loc, i64, 1);
  Value s = arith::ShLIOp::create(b, loc, one, f);
  Value k =
      arith::AndIOp::create(b, loc, m, arith::SubIOp::create(b, loc, s, one));
  Value angle = arith::DivFOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, arith::SIToFPOp::create(b, loc, f64, k),
                            arith::ConstantOp::create(
                                b, loc, b.getF64FloatAttr(-llvm::numbers::pi))),
      arith::SIToFPOp::create(b, loc, f64, s));
  Value re = math::CosOp::create(b, loc, angle);
  Value im = math::SinOp::create(b, loc, angle);
  Value zero64 = arith::ConstantIntOp::create(b, loc, i64, 0);
  Value lower =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, row, zero64);
  re = arith::SelectOp::create(b, loc, lower, arith::NegFOp::create(b, loc, re),
                               re);
  im = arith::SelectOp::create(b, loc, lower, arith::NegFOp::create(b, loc, im),
                               im);
  Value first =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, column, zero64);
  re = arith::SelectOp::create(
      b, loc, first, arith::ConstantOp::create(b, loc, b.getF64FloatAttr(1)),
      re);
  im = arith::SelectOp::create(
      b, loc, first, arith::ConstantOp::create(b, loc, b.getF64FloatAttr(0)),
      im);
  Type part = type.getElementType();
  if (part != f64) {
    re = arith::TruncFOp::create(b, loc, part, re);
    im = arith::TruncFOp::create(b, loc, part, im);
  }
  return complex::CreateOp::create(b, loc, type, re, im);
}

/// fft_twiddles -> a linalg.generic over [log2(N), N / 2, 2, 2].
struct FftTwiddlesToGeneric : OpRewritePattern<structured::FftTwiddlesOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(structured::FftTwiddlesOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    SmallVector<Value> dynamicSizes;
    Value n = op.getLength();
    if (type.isDynamicDim(0)) {
      // log2(n) = 63 - ctlz(n) for the power of two n.
      Value wide =
          arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(), n);
      Value zeros = math::CountLeadingZerosOp::create(rewriter, loc, wide);
      Value log2 =
          arith::SubIOp::create(rewriter, loc,
                                arith::ConstantIntOp::create(
                                    rewriter, loc, rewriter.getI64Type(), 63),
                                zeros);
      dynamicSizes.push_back(arith::IndexCastOp::create(
          rewriter, loc, rewriter.getIndexType(), log2));
    }
    if (type.isDynamicDim(1))
      dynamicSizes.push_back(arith::DivUIOp::create(
          rewriter, loc, n, arith::ConstantIndexOp::create(rewriter, loc, 2)));
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType(), dynamicSizes);
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange(), ValueRange{init},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(4)}, iterators,
        [&](OpBuilder &b, Location l, ValueRange) {
          linalg::YieldOp::create(
              b, l,
              buildTwiddle(b, l, cast<ComplexType>(type.getElementType())));
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void tessera::populateFactorsToKernelsPatterns(RewritePatternSet &patterns) {
  patterns.add<ButterflyToKernel, FftTwiddlesToGeneric>(patterns.getContext());
}
