//===- SSMToTess.cpp - Recurrences as steps of tess.contract --------------===//
//
// ssm.scan becomes an scf.for over the scan axis whose body computes the
// state at one position of the axis for every other index at once: a
// tess.contract over the remaining dimensions whose inputs are the scan's
// inputs (the scan index a symbol of their maps) and the previous state,
// carried between the steps; each step's state is inserted into the result.
// The contraction machinery then vectorizes and threads each step across
// the channels, and reads out of range as zero.
//
//===----------------------------------------------------------------------===//

#include "tessera/Conversion/Passes.h"
#include "tessera/Dialect/SSM/IR/SSMOps.h"
#include "tessera/Dialect/Tess/IR/TessOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tessera {
#define GEN_PASS_DEF_CONVERTSSMTOTESS
#include "tessera/Conversion/Passes.h.inc"
} // namespace tessera

using namespace mlir;
using namespace tessera;

namespace {

/// The maps of one step: dimension `scanDim` becomes a new last symbol and
/// the dimensions after it move down by one.
AffineMap getStepMap(AffineMap map, unsigned scanDim, MLIRContext *ctx) {
  unsigned numDims = map.getNumDims(), numSymbols = map.getNumSymbols();
  SmallVector<AffineExpr> dims, symbols;
  for (unsigned d = 0; d < numDims; ++d)
    dims.push_back(d == scanDim
                       ? getAffineSymbolExpr(numSymbols, ctx)
                       : getAffineDimExpr(d < scanDim ? d : d - 1, ctx));
  for (unsigned s = 0; s < numSymbols; ++s)
    symbols.push_back(getAffineSymbolExpr(s, ctx));
  return map.replaceDimsAndSymbols(dims, symbols, numDims - 1, numSymbols + 1);
}

Value extractStep(OpBuilder &b, Location loc, Value tensor, unsigned dim,
                  Value position);

/// The result of `map` that is the plain dimension `dim`, when no other
/// result uses `dim`; else -1.
int getPlainResult(AffineMap map, unsigned dim) {
  int found = -1;
  for (auto [j, expr] : llvm::enumerate(map.getResults())) {
    if (!expr.isFunctionOfDim(dim))
      continue;
    auto plain = dyn_cast<AffineDimExpr>(expr);
    if (found >= 0 || !plain)
      return -1;
    found = int(j);
  }
  return found;
}

/// One input of a step: an input read at the plain scan index is sliced at
/// the step's position (its map loses that result); others keep the whole
/// tensor and read the position through a symbol (so that out-of-range
/// reads are zero).
std::pair<Value, AffineMap> getStepInput(OpBuilder &b, Location loc,
                                         ssm::ScanOp op, unsigned i,
                                         Value position) {
  Value input = op.getInputs()[i];
  unsigned scanDim = op.getScanDim();
  AffineMap map = getStepMap(op.getInputMap(i), scanDim, op.getContext());
  int result = getPlainResult(op.getInputMap(i), scanDim);
  if (result < 0)
    return {input, map};
  Value slice = extractStep(b, loc, input, result, position);
  return {slice, map.dropResult(result)};
}

/// The state before the first step: `init`, or zeros of the slice's shape.
Value getInitialState(OpBuilder &b, Location loc, ssm::ScanOp op,
                      RankedTensorType sliceType, ValueRange sliceSizes);

/// The zero of a scalar type (real or complex).
Value getZero(OpBuilder &b, Location loc, Type type) {
  if (auto complexType = dyn_cast<ComplexType>(type)) {
    Attribute part = b.getZeroAttr(complexType.getElementType());
    return complex::ConstantOp::create(b, loc, complexType,
                                       b.getArrayAttr({part, part}));
  }
  return arith::ConstantOp::create(b, loc,
                                   cast<TypedAttr>(b.getZeroAttr(type)));
}

/// The slice of `tensor` at `position` along `dim` (that dimension dropped).
Value extractStep(OpBuilder &b, Location loc, Value tensor, unsigned dim,
                  Value position) {
  auto type = cast<RankedTensorType>(tensor.getType());
  unsigned rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
      strides(rank, b.getIndexAttr(1));
  offsets[dim] = getAsOpFoldResult(position);
  SmallVector<int64_t> shape;
  for (unsigned j = 0; j < rank; ++j) {
    sizes.push_back(j == dim ? OpFoldResult(b.getIndexAttr(1))
                             : tensor::getMixedSize(b, loc, tensor, j));
    if (j != dim)
      shape.push_back(type.getDimSize(j));
  }
  auto sliceType = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, sliceType, tensor, offsets,
                                        sizes, strides);
}

Value getInitialState(OpBuilder &b, Location loc, ssm::ScanOp op,
                      RankedTensorType sliceType, ValueRange sliceSizes) {
  if (op.getInit())
    return op.getInit();
  SmallVector<Value> dynamicSizes;
  for (auto [d, size] : llvm::enumerate(sliceSizes))
    if (sliceType.isDynamicDim(d))
      dynamicSizes.push_back(size);
  Value zero = getZero(b, loc, sliceType.getElementType());
  return tess::SplatOp::create(b, loc, sliceType, zero, dynamicSizes);
}

/// Clones the scan's body into a step's tess.contract body (the same block
/// arguments: the inputs, then the previous state): ssm.index of the scan
/// dimension becomes the step's position, other ssm.index ops tess.index,
/// ssm.yield tess.yield.
void cloneBody(OpBuilder &b, ssm::ScanOp op, Block &target, Value position) {
  IRMapping mapping;
  Block &source = op.getBody().front();
  for (auto [from, to] :
       llvm::zip(source.getArguments(), target.getArguments()))
    mapping.map(from, to);
  unsigned scanDim = op.getScanDim();
  for (Operation &inner : source) {
    if (auto index = dyn_cast<ssm::IndexOp>(inner)) {
      unsigned dim = index.getDim();
      Value value = dim == scanDim
                        ? position
                        : tess::IndexOp::create(b, index.getLoc(),
                                                dim < scanDim ? dim : dim - 1)
                              .getResult();
      mapping.map(index.getResult(), value);
    } else if (auto yield = dyn_cast<ssm::YieldOp>(inner)) {
      tess::YieldOp::create(b, yield.getLoc(),
                            mapping.lookup(yield.getValue()));
    } else {
      b.clone(inner, mapping);
    }
  }
}

struct ScanToSteps : OpRewritePattern<ssm::ScanOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ssm::ScanOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    unsigned scanDim = op.getScanDim(), rank = type.getRank();
    SmallVector<Value> bounds(op.getBounds());
    Value length = bounds[scanDim];
    SmallVector<Value> sliceSizes = bounds;
    sliceSizes.erase(sliceSizes.begin() + scanDim);
    SmallVector<int64_t> sliceShape(type.getShape());
    sliceShape.erase(sliceShape.begin() + scanDim);
    auto sliceType = RankedTensorType::get(sliceShape, type.getElementType());

    SmallVector<Value> dynamicSizes;
    for (unsigned d = 0; d < rank; ++d)
      if (type.isDynamicDim(d))
        dynamicSizes.push_back(bounds[d]);
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType(), dynamicSizes);
    unsigned numSymbols = op.getSymbols().size() + 1;
    AffineMap sliceMap =
        AffineMap::getMultiDimIdentityMap(rank - 1, op.getContext())
            .shiftSymbols(numSymbols);

    Value state = getInitialState(rewriter, loc, op, sliceType, sliceSizes);
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    // Carried: the result, and the state in a buffer of its own (so that
    // each step writes its slice of the result in place while it reads the
    // previous state; tess-write-loop-steps-in-place).
    auto loop = scf::ForOp::create(
        rewriter, loc, zero, length, one, ValueRange{empty, state},
        [&](OpBuilder &b, Location l, Value i, ValueRange carried) {
          Value position = i;
          if (op.getReverse())
            position = arith::SubIOp::create(
                b, l, arith::SubIOp::create(b, l, length, one), i);
          SmallVector<Value> inputs;
          SmallVector<AffineMap> maps;
          for (unsigned k = 0; k < op.getInputs().size(); ++k) {
            auto [input, map] = getStepInput(b, l, op, k, position);
            inputs.push_back(input);
            maps.push_back(map);
          }
          inputs.push_back(carried[1]);
          maps.append({sliceMap, sliceMap});
          SmallVector<Value> symbols(op.getSymbols());
          symbols.push_back(position);
          auto contract = tess::ContractOp::create(
              b, l, sliceType, tess::ReductionKind::sum, inputs, sliceSizes,
              symbols, maps, [&](OpBuilder &body, Location, ValueRange) {
                cloneBody(body, op, *body.getInsertionBlock(), position);
              });
          SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
              strides(rank, b.getIndexAttr(1));
          offsets[scanDim] = getAsOpFoldResult(position);
          for (unsigned d = 0; d < rank; ++d)
            sizes.push_back(d == scanDim ? OpFoldResult(b.getIndexAttr(1))
                                         : getAsOpFoldResult(bounds[d]));
          Value result = tensor::InsertSliceOp::create(
              b, l, contract.getResult(), carried[0], offsets, sizes, strides);
          Value current = tensor::ExtractSliceOp::create(
              b, l, sliceType, result, offsets, sizes, strides);
          Value next =
              linalg::CopyOp::create(b, l, current, carried[1]).getResult(0);
          scf::YieldOp::create(b, l, ValueRange{result, next});
        });
    rewriter.replaceOp(op, loop.getResult(0));
    return success();
  }
};

struct ConvertSSMToTessPass
    : tessera::impl::ConvertSSMToTessBase<ConvertSSMToTessPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateSSMToTessPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void tessera::populateSSMToTessPatterns(RewritePatternSet &patterns) {
  patterns.add<ScanToSteps>(patterns.getContext());
}
