//===- FactorsToKernels.cpp - Butterfly products and FFT twiddles ---------===//
//
// structured.butterfly becomes a call of tessera_butterfly_<t> (runtime/,
// one pass over each vector per factor); structured.fft_twiddles becomes a
// linalg.generic that builds each 2x2 matrix from its indices, reading the
// roots of unity from a constant table computed here when N is known, and
// computing them otherwise.
//
//===----------------------------------------------------------------------===//

#include "tessera/Conversion/StructuredToKernels/KernelCalls.h"
#include "tessera/Conversion/StructuredToKernels/StructuredToKernels.h"
#include "tessera/Dialect/Structured/IR/StructuredOps.h"
#include "tessera/Runtime/UnitRoots.h"

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

/// The table of w_N^k = e^(-2 pi i k / N) for k < N / 2, as [N / 2, 2]
/// (re, im) in `part`, computed in long double and rounded once.
Value buildRootTable(OpBuilder &b, Location loc, int64_t n, FloatType part) {
  auto type = RankedTensorType::get({n / 2, 2}, part);
  std::vector<long double> roots(2 * unitRootEntries(n));
  fillUnitRoots(n, roots.data());
  SmallVector<APFloat> values;
  for (int64_t k = 0; k < n / 2; ++k) {
    long double c, s;
    lookUpUnitRoot(roots.data(), n, k, -1, &c, &s);
    for (long double v : {c, s})
      values.push_back(part.isF32() ? APFloat(float(v)) : APFloat(double(v)));
  }
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(type, values));
}

/// The root w^k of fft_twiddles at (f, m), s = 2^f, k = m mod s, w = exp(-i
/// pi / s), as (re, im) in `part`: read from `table` (buildRootTable of N,
/// at k N / (2 s)) when there is one, else computed in f64 and rounded once.
std::pair<Value, Value> buildRoot(OpBuilder &b, Location loc, Value f, Value m,
                                  Value table, int64_t n, FloatType part) {
  Type i64 = b.getI64Type(), f64 = b.getF64Type();
  Value one = arith::ConstantIntOp::create(b, loc, i64, 1);
  Value s = arith::ShLIOp::create(b, loc, one, f);
  Value k =
      arith::AndIOp::create(b, loc, m, arith::SubIOp::create(b, loc, s, one));
  if (table) {
    Value half = arith::ConstantIntOp::create(b, loc, i64, n / 2);
    Value at = arith::MulIOp::create(b, loc, k,
                                     arith::ShRUIOp::create(b, loc, half, f));
    Value row = arith::IndexCastOp::create(b, loc, b.getIndexType(), at);
    auto part = [&](int64_t column) -> Value {
      return tensor::ExtractOp::create(
          b, loc, table,
          ValueRange{row, arith::ConstantIndexOp::create(b, loc, column)});
    };
    return {part(0), part(1)};
  }
  Value angle = arith::DivFOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, arith::SIToFPOp::create(b, loc, f64, k),
                            arith::ConstantOp::create(
                                b, loc, b.getF64FloatAttr(-llvm::numbers::pi))),
      arith::SIToFPOp::create(b, loc, f64, s));
  Value re = math::CosOp::create(b, loc, angle);
  Value im = math::SinOp::create(b, loc, angle);
  if (part != f64) {
    re = arith::TruncFOp::create(b, loc, part, re);
    im = arith::TruncFOp::create(b, loc, part, im);
  }
  return {re, im};
}

/// The body of fft_twiddles at (f, m, a, b): 1 in column 0, and w^k, -w^k
/// in column 1 (rows 0, 1), w^k from buildRoot.
Value buildTwiddle(OpBuilder &b, Location loc, ComplexType type, Value table,
                   int64_t n) {
  Type i64 = b.getI64Type();
  auto part = cast<FloatType>(type.getElementType());
  auto index = [&](int64_t d) {
    return arith::IndexCastOp::create(b, loc, i64,
                                      linalg::IndexOp::create(b, loc, d));
  };
  Value f = index(0), m = index(1), row = index(2), column = index(3);
  auto [re, im] = buildRoot(b, loc, f, m, table, n, part);
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
      b, loc, first,
      arith::ConstantOp::create(b, loc, b.getFloatAttr(part, 1.0)), re);
  im = arith::SelectOp::create(
      b, loc, first,
      arith::ConstantOp::create(b, loc, b.getFloatAttr(part, 0.0)), im);
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
    auto complexType = cast<ComplexType>(type.getElementType());
    // A length known here gets its roots computed here.
    int64_t length = type.isDynamicDim(1) ? 0 : 2 * type.getDimSize(1);
    Value table =
        length ? buildRootTable(rewriter, loc, length,
                                cast<FloatType>(complexType.getElementType()))
               : Value();
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange(), ValueRange{init},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(4)}, iterators,
        [&](OpBuilder &b, Location l, ValueRange) {
          linalg::YieldOp::create(
              b, l, buildTwiddle(b, l, complexType, table, length));
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void tessera::populateFactorsToKernelsPatterns(RewritePatternSet &patterns) {
  patterns.add<ButterflyToKernel, FftTwiddlesToGeneric>(patterns.getContext());
}
