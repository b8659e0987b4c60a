//===- StructuredToTess.cpp - Block transforms to contractions ------------===//
//
// blockdiag(w, x) along axis a: x is viewed with its axis split into
// [NB, BI] (tensor.expand_shape), y[.., b, o, ..] = sum_i w[b, o, i]
// x[.., b, i, ..] is a tess.contract, and its [NB, BO] dimensions merge back
// (tensor.collapse_shape). monarch(w1, w2, x) is two such products with the
// middle terms read as [R, L] and transposed by the second contraction's
// maps, as fly's blockdiag_butterfly_multiply does with two bmm calls.
//
//===----------------------------------------------------------------------===//

#include "tessera/Conversion/StructuredToTess/StructuredToTess.h"
#include "tessera/Conversion/Passes.h"
#include "tessera/Dialect/Structured/IR/StructuredOps.h"
#include "tessera/Dialect/Tess/IR/TessDialect.h"
#include "tessera/Dialect/Tess/IR/TessOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace tessera {
#define GEN_PASS_DEF_CONVERTSTRUCTUREDTOTESS
#include "tessera/Conversion/Passes.h.inc"
} // namespace tessera

using namespace mlir;
using namespace tessera;

namespace {

/// The reassociation that splits (or merges) dimension `axis` of a rank
/// `rank` tensor into two.
SmallVector<ReassociationIndices> splitAxis(int64_t rank, int64_t axis) {
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0, e = 0; d < rank; ++d, ++e) {
    if (d == axis) {
      groups.push_back({e, e + 1});
      ++e;
    } else {
      groups.push_back({e});
    }
  }
  return groups;
}

/// `x` with dimension `axis` split into [outer, inner].
Value splitDimension(OpBuilder &b, Location loc, Value x, int64_t axis,
                     OpFoldResult outer, OpFoldResult inner) {
  auto type = cast<RankedTensorType>(x.getType());
  // The split needs the axis static exactly when both parts are (the
  // verifier checked that the extents agree where both are known).
  std::optional<int64_t> o = getConstantIntValue(outer),
                         i = getConstantIntValue(inner);
  int64_t axisExtent = o && i ? *o * *i : ShapedType::kDynamic;
  if (type.getDimSize(axis) != axisExtent) {
    SmallVector<int64_t> shape(type.getShape());
    shape[axis] = axisExtent;
    type = RankedTensorType::get(shape, type.getElementType());
    x = tensor::CastOp::create(b, loc, type, x);
  }
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, x);
  sizes[axis] = inner;
  sizes.insert(sizes.begin() + axis, outer);
  SmallVector<int64_t> shape;
  SmallVector<Value> dynamic;
  dispatchIndexOpFoldResults(sizes, dynamic, shape);
  auto result = RankedTensorType::get(shape, type.getElementType());
  if (!ShapedType::isDynamic(shape[axis]) ||
      !ShapedType::isDynamic(shape[axis + 1]))
    return tensor::ExpandShapeOp::create(
        b, loc, result, x, splitAxis(type.getRank(), axis), sizes);
  // Two dynamic extents from one: a copy that reads x[.., o * inner + i, ..]
  // (a reshape would become a memref.expand_shape with two dynamic extents
  // in one group, which LLVM 22's expand-strided-metadata cannot handle).
  SmallVector<Value> bounds;
  for (OpFoldResult size : sizes)
    bounds.push_back(getValueOrCreateConstantIndexOp(b, loc, size));
  int64_t rank = result.getRank();
  Value innerExtent = bounds[axis + 1];
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  return tess::ContractOp::create(
      b, loc, result, tess::ReductionKind::sum, ValueRange{}, bounds,
      ArrayRef<AffineMap>{identity},
      [&](OpBuilder &nb, Location l, ValueRange) {
        SmallVector<Value> indices;
        for (int64_t d = 0; d < rank; ++d) {
          Value index = tess::IndexOp::create(nb, l, d);
          if (d == axis + 1)
            indices.back() = arith::AddIOp::create(
                nb, l,
                arith::MulIOp::create(nb, l, indices.back(), innerExtent),
                index);
          else
            indices.push_back(index);
        }
        tess::YieldOp::create(nb, l,
                              tensor::ExtractOp::create(nb, l, x, indices));
      });
}

/// `x` with dimensions `axis` and `axis + 1` merged.
Value mergeDimensions(OpBuilder &b, Location loc, Value x, int64_t axis) {
  auto type = cast<RankedTensorType>(x.getType());
  return tensor::CollapseShapeOp::create(b, loc, x,
                                         splitAxis(type.getRank() - 1, axis));
}

/// `a * b` of two scalars of a float or complex type.
Value multiply(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<ComplexType>(x.getType()))
    return complex::MulOp::create(b, loc, x, y);
  return arith::MulFOp::create(b, loc, x, y);
}

/// A block product along dimensions (axis, axis + 1) of the split `xv`:
/// y[.., b, o, ..] = sum_i w[b, o, i] xv[.., b, i, ..], or, with
/// `blockLast`, the same sum of xv[.., i, b, ..].
Value multiplyBlocks(OpBuilder &b, Location loc, Value w, Value xv,
                     int64_t axis, bool blockLast) {
  auto xType = cast<RankedTensorType>(xv.getType());
  int64_t rank = xType.getRank(), numLoops = rank + 1;
  // Loops: the result's dimensions (block, then row at axis, axis + 1),
  // then the reduction over a block's columns.
  int64_t blockLoop = axis, rowLoop = axis + 1, columnLoop = rank;
  MLIRContext *ctx = b.getContext();
  auto dim = [&](int64_t d) { return getAffineDimExpr(d, ctx); };
  SmallVector<AffineExpr> xExprs, yExprs;
  for (int64_t d = 0; d < rank; ++d) {
    yExprs.push_back(dim(d));
    xExprs.push_back(dim(d));
  }
  xExprs[blockLast ? axis + 1 : axis] = dim(blockLoop);
  xExprs[blockLast ? axis : axis + 1] = dim(columnLoop);
  SmallVector<AffineMap> maps = {
      AffineMap::get(numLoops, 0,
                     {dim(blockLoop), dim(rowLoop), dim(columnLoop)}, ctx),
      AffineMap::get(numLoops, 0, xExprs, ctx),
      AffineMap::get(numLoops, 0, yExprs, ctx)};
  SmallVector<Value> bounds;
  SmallVector<int64_t> shape;
  auto wType = cast<RankedTensorType>(w.getType());
  for (int64_t d = 0; d < rank; ++d) {
    bool fromWeights = d == blockLoop || d == rowLoop;
    int64_t wDim = d == blockLoop ? 0 : 1;
    bounds.push_back(fromWeights ? tensor::DimOp::create(b, loc, w, wDim)
                                 : tensor::DimOp::create(b, loc, xv, d));
    shape.push_back(fromWeights ? wType.getDimSize(wDim) : xType.getDimSize(d));
  }
  bounds.push_back(tensor::DimOp::create(b, loc, w, 2));
  auto resultType = RankedTensorType::get(shape, xType.getElementType());
  return tess::ContractOp::create(
      b, loc, resultType, tess::ReductionKind::sum, ValueRange{w, xv}, bounds,
      maps, [&](OpBuilder &nb, Location l, ValueRange args) {
        tess::YieldOp::create(nb, l, multiply(nb, l, args[0], args[1]));
      });
}

/// `x` with dimensions `axis` and `axis + 1` exchanged (a copy: the block
/// products write whole rows, the transposition is one pass).
Value swapDimensions(OpBuilder &b, Location loc, Value x, int64_t axis) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> in, out;
  SmallVector<Value> bounds;
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t from = d == axis ? axis + 1 : d == axis + 1 ? axis : d;
    out.push_back(getAffineDimExpr(d, ctx));
    in.push_back(getAffineDimExpr(from, ctx));
    bounds.push_back(tensor::DimOp::create(b, loc, x, from));
    shape.push_back(type.getDimSize(from));
  }
  // Loop d runs over result dimension d; the input is read transposed.
  SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, in, ctx),
                                 AffineMap::get(rank, 0, out, ctx)};
  return tess::ContractOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()),
      tess::ReductionKind::sum, ValueRange{x}, bounds, maps,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        tess::YieldOp::create(nb, l, args[0]);
      });
}

/// structured.blockdiag -> expand_shape, tess.contract, collapse_shape.
struct BlockDiagToContract : OpRewritePattern<structured::BlockDiagOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(structured::BlockDiagOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value w = op.getWeights();
    int64_t axis = op.getAxis();
    Value xv = splitDimension(rewriter, loc, op.getInput(), axis,
                              tensor::getMixedSize(rewriter, loc, w, 0),
                              tensor::getMixedSize(rewriter, loc, w, 2));
    Value y = multiplyBlocks(rewriter, loc, w, xv, axis, /*blockLast=*/false);
    rewriter.replaceOpWithNewOp<tensor::CastOp>(
        op, op.getType(), mergeDimensions(rewriter, loc, y, axis));
    return success();
  }
};

/// structured.monarch -> the first block product, its K * Q terms read as
/// [R, L], the second product reading the block index last, and the
/// transposition of its [L, S] result into S * L terms.
struct MonarchToContracts : OpRewritePattern<structured::MonarchOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(structured::MonarchOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value w1 = op.getW1(), w2 = op.getW2();
    int64_t axis = op.getAxis();
    Value xv = splitDimension(rewriter, loc, op.getInput(), axis,
                              tensor::getMixedSize(rewriter, loc, w1, 0),
                              tensor::getMixedSize(rewriter, loc, w1, 2));
    Value t = mergeDimensions(
        rewriter, loc,
        multiplyBlocks(rewriter, loc, w1, xv, axis, /*blockLast=*/false), axis);
    Value tv = splitDimension(rewriter, loc, t, axis,
                              tensor::getMixedSize(rewriter, loc, w2, 2),
                              tensor::getMixedSize(rewriter, loc, w2, 0));
    // u[.., l, s] = sum_r w2[l, s, r] tv[.., r, l], then y = u^T: the
    // product writes contiguous rows (fly's bmm into (l, batch, s) and its
    // permute).
    Value u = multiplyBlocks(rewriter, loc, w2, tv, axis, /*blockLast=*/true);
    Value y = swapDimensions(rewriter, loc, u, axis);
    rewriter.replaceOpWithNewOp<tensor::CastOp>(
        op, op.getType(), mergeDimensions(rewriter, loc, y, axis));
    return success();
  }
};

struct ConvertStructuredToTessPass
    : tessera::impl::ConvertStructuredToTessBase<ConvertStructuredToTessPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateStructuredToTessPatterns(patterns);
    ConversionTarget target(getContext());
    target.addIllegalOp<structured::BlockDiagOp, structured::MonarchOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void tessera::populateStructuredToTessPatterns(RewritePatternSet &patterns) {
  patterns.add<BlockDiagToContract, MonarchToContracts>(patterns.getContext());
}
