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

#include "ScanSteps.h"
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

AffineMap tessera::getStepMap(AffineMap map, unsigned dim) {
  MLIRContext *ctx = map.getContext();
  unsigned numDims = map.getNumDims(), numSymbols = map.getNumSymbols();
  SmallVector<AffineExpr> dims, symbols;
  for (unsigned d = 0; d < numDims; ++d)
    dims.push_back(d == dim ? getAffineSymbolExpr(numSymbols, ctx)
                            : getAffineDimExpr(d < dim ? d : d - 1, ctx));
  for (unsigned s = 0; s < numSymbols; ++s)
    symbols.push_back(getAffineSymbolExpr(s, ctx));
  return map.replaceDimsAndSymbols(dims, symbols, numDims - 1, numSymbols + 1);
}

Value tessera::extractStep(OpBuilder &b, Location loc, Value tensor,
                           unsigned dim, Value position) {
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

Value tessera::insertStep(OpBuilder &b, Location loc, Value slice, Value into,
                          unsigned dim, Value position, ValueRange sizes) {
  unsigned rank = sizes.size();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), mixedSizes,
      strides(rank, b.getIndexAttr(1));
  offsets[dim] = getAsOpFoldResult(position);
  for (unsigned d = 0; d < rank; ++d)
    mixedSizes.push_back(d == dim ? OpFoldResult(b.getIndexAttr(1))
                                  : getAsOpFoldResult(sizes[d]));
  return tensor::InsertSliceOp::create(b, loc, slice, into, offsets, mixedSizes,
                                       strides);
}

std::pair<Value, AffineMap> tessera::restrictInput(OpBuilder &b, Location loc,
                                                   Value input, AffineMap map,
                                                   unsigned dim,
                                                   Value position) {
  AffineMap stepMap = getStepMap(map, dim);
  int result = getPlainResult(map, dim);
  if (result < 0)
    return {input, stepMap};
  return {extractStep(b, loc, input, result, position),
          stepMap.dropResult(result)};
}

std::pair<Value, AffineMap>
tessera::makeContiguous(OpBuilder &b, Location loc, Value input, AffineMap map,
                        unsigned scanLoop, Value slice, AffineMap stepMap,
                        int vectorLoop) {
  if (vectorLoop < 0 || slice == input)
    return {slice, stepMap};
  int result = getPlainResult(stepMap, vectorLoop);
  unsigned rank = stepMap.getNumResults();
  if (result < 0)
    return {slice, stepMap};
  // Unit-stride already: the vector loop reads the input's innermost
  // dimension (the slice kept it: the scan position was not innermost).
  unsigned inputRank = map.getNumResults();
  bool keptInnermost = getPlainResult(map, scanLoop) != int(inputRank) - 1;
  if (keptInnermost && unsigned(result) + 1 == rank)
    return {slice, stepMap};
  auto type = cast<RankedTensorType>(slice.getType());
  SmallVector<int64_t> permutation, shape;
  SmallVector<AffineExpr> results;
  SmallVector<Value> dynamicSizes;
  for (unsigned r = 0; r < rank; ++r)
    if (int(r) != result)
      permutation.push_back(r);
  permutation.push_back(result);
  for (int64_t r : permutation) {
    shape.push_back(type.getDimSize(r));
    results.push_back(stepMap.getResult(r));
    if (type.isDynamicDim(r))
      dynamicSizes.push_back(tensor::DimOp::create(b, loc, slice, r));
  }
  Value empty = tensor::EmptyOp::create(b, loc, shape, type.getElementType(),
                                        dynamicSizes);
  Value copy =
      unsigned(result) + 1 == rank
          ? linalg::CopyOp::create(b, loc, slice, empty).getResult(0)
          : linalg::TransposeOp::create(b, loc, slice, empty, permutation)
                .getResult()[0];
  return {copy, AffineMap::get(stepMap.getNumDims(), stepMap.getNumSymbols(),
                               results, b.getContext())};
}

void tessera::cloneStepBody(OpBuilder &b, Block &source, unsigned dim,
                            Value position, ArrayRef<unsigned> order) {
  IRMapping mapping;
  for (auto [from, to] :
       llvm::zip(source.getArguments(), b.getInsertionBlock()->getArguments()))
    mapping.map(from, to);
  for (Operation &inner : source) {
    std::optional<uint64_t> index;
    if (auto op = dyn_cast<ssm::IndexOp>(inner))
      index = op.getDim();
    else if (auto op = dyn_cast<tess::IndexOp>(inner))
      index = op.getDim();
    if (index) {
      unsigned stepIndex = *index < dim ? *index : *index - 1;
      if (!order.empty() && *index != dim)
        stepIndex = order[stepIndex];
      Value value =
          *index == dim
              ? position
              : tess::IndexOp::create(b, inner.getLoc(), stepIndex).getResult();
      mapping.map(inner.getResult(0), value);
    } else if (auto yield = dyn_cast<ssm::YieldOp>(inner)) {
      tess::YieldOp::create(b, yield.getLoc(),
                            mapping.lookup(yield.getValue()));
    } else {
      b.clone(inner, mapping);
    }
  }
}

StepOrder::StepOrder(ssm::ScanOp scan) {
  unsigned numLoops = scan.getNumLoops() - 1, scanDim = scan.getScanDim();
  int vectorDim = scan.getStepVectorDim();
  int vector = vectorDim < 0 ? -1
                             : (unsigned(vectorDim) < scanDim ? vectorDim
                                                              : vectorDim - 1);
  for (unsigned d = 0; d < numLoops; ++d)
    if (int(d) != vector)
      loops.push_back(d);
  if (vector >= 0)
    loops.push_back(vector);
  positions.resize(numLoops);
  for (auto [to, from] : llvm::enumerate(loops))
    positions[from] = to;
}

bool StepOrder::isIdentity() const {
  return llvm::all_of(llvm::enumerate(loops), [](auto entry) {
    return entry.index() == entry.value();
  });
}

AffineMap StepOrder::apply(AffineMap map) const {
  SmallVector<AffineExpr> dims;
  for (unsigned d = 0; d < positions.size(); ++d)
    dims.push_back(getAffineDimExpr(positions[d], map.getContext()));
  return map.replaceDimsAndSymbols(dims, {}, map.getNumDims(),
                                   map.getNumSymbols());
}

SmallVector<Value> StepOrder::permute(ValueRange values) const {
  SmallVector<Value> result;
  for (unsigned from : loops)
    result.push_back(values[from]);
  return result;
}

namespace {

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

/// The state before the first step, laid out in `order`: `init`, or zeros
/// of the slice's shape (`sliceType`, `sliceSizes`: in that order).
Value getInitialState(OpBuilder &b, Location loc, ssm::ScanOp op,
                      const StepOrder &order, RankedTensorType sliceType,
                      ValueRange sliceSizes) {
  if (op.getInit())
    return order.isIdentity()
               ? op.getInit()
               : transposeTensor(b, loc, op.getInit(), order.loops);
  SmallVector<Value> dynamicSizes;
  for (auto [d, size] : llvm::enumerate(sliceSizes))
    if (sliceType.isDynamicDim(d))
      dynamicSizes.push_back(size);
  Value zero = getZero(b, loc, sliceType.getElementType());
  return tess::SplatOp::create(b, loc, sliceType, zero, dynamicSizes);
}

/// One step of `op` at `position`: the state there, from `previous`, both
/// laid out in `order` (the step's loops run in that order).
Value buildScanStep(OpBuilder &b, Location loc, ssm::ScanOp op,
                    const StepOrder &order, Value position, Value previous) {
  RankedTensorType type = op.getType();
  unsigned scanDim = op.getScanDim();
  SmallVector<Value> sizes(op.getBounds());
  sizes.erase(sizes.begin() + scanDim);
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + scanDim);
  SmallVector<int64_t> orderedShape;
  for (unsigned from : order.loops)
    orderedShape.push_back(shape[from]);
  auto sliceType = RankedTensorType::get(orderedShape, type.getElementType());
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  int vectorLoop = order.loops.empty() ? -1 : int(order.loops.back());
  for (unsigned k = 0; k < op.getInputs().size(); ++k) {
    Value original = op.getInputs()[k];
    AffineMap originalMap = op.getInputMap(k);
    auto [slice, sliceMap] =
        restrictInput(b, loc, original, originalMap, scanDim, position);
    auto [input, map] = makeContiguous(b, loc, original, originalMap, scanDim,
                                       slice, sliceMap, vectorLoop);
    inputs.push_back(input);
    maps.push_back(order.apply(map));
  }
  AffineMap sliceMap =
      AffineMap::getMultiDimIdentityMap(type.getRank() - 1, op.getContext())
          .shiftSymbols(op.getSymbols().size() + 1);
  inputs.push_back(previous);
  maps.append({sliceMap, sliceMap});
  SmallVector<Value> symbols(op.getSymbols());
  symbols.push_back(position);
  return tess::ContractOp::create(b, loc, sliceType, tess::ReductionKind::sum,
                                  inputs, order.permute(sizes), symbols, maps,
                                  [&](OpBuilder &body, Location, ValueRange) {
                                    cloneStepBody(body, op.getBody().front(),
                                                  op.getScanDim(), position,
                                                  order.positions);
                                  })
      .getResult();
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
    // The state between steps, laid out with the vectorized dimension last.
    StepOrder order(op);
    SmallVector<Value> sliceSizes = bounds;
    sliceSizes.erase(sliceSizes.begin() + scanDim);
    sliceSizes = order.permute(sliceSizes);
    SmallVector<int64_t> shape(type.getShape()), sliceShape;
    shape.erase(shape.begin() + scanDim);
    for (unsigned from : order.loops)
      sliceShape.push_back(shape[from]);
    auto sliceType = RankedTensorType::get(sliceShape, type.getElementType());

    // Consumers that read each step's state once are computed by the loop;
    // the state sequence is stored only when something else reads it.
    SmallVector<Readout> readouts = findReadouts(op);
    bool storeStates = llvm::any_of(op.getResult().getUsers(), [&](auto *u) {
      return llvm::none_of(readouts,
                           [&](const Readout &r) { return r.op == u; });
    });
    // Carried: the state in a buffer of its own (so that each step writes
    // its slices of the results in place while it reads the previous state;
    // tess-write-loop-steps-in-place), the results.
    SmallVector<Value> inits = {
        getInitialState(rewriter, loc, op, order, sliceType, sliceSizes)};
    if (storeStates) {
      SmallVector<Value> dynamicSizes;
      for (unsigned d = 0; d < rank; ++d)
        if (type.isDynamicDim(d))
          dynamicSizes.push_back(bounds[d]);
      inits.push_back(tensor::EmptyOp::create(
          rewriter, loc, type.getShape(), type.getElementType(), dynamicSizes));
    }
    for (const Readout &readout : readouts)
      inits.push_back(createReadoutResult(rewriter, loc, readout));

    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    auto loop = scf::ForOp::create(
        rewriter, loc, zero, length, one, inits,
        [&](OpBuilder &b, Location l, Value i, ValueRange carried) {
          Value position = i;
          if (op.getReverse())
            position = arith::SubIOp::create(
                b, l, arith::SubIOp::create(b, l, length, one), i);
          Value state = buildScanStep(b, l, op, order, position, carried[0]);
          SmallVector<Value> results;
          unsigned next = 1;
          if (storeStates) {
            // The result is laid out as the scan's dimensions are.
            Value step = order.isIdentity()
                             ? state
                             : transposeTensor(b, l, state, order.positions);
            results.push_back(insertStep(b, l, step, carried[next++], scanDim,
                                         position, bounds));
          }
          for (const Readout &readout : readouts)
            results.push_back(buildReadoutStep(b, l, readout, op.getResult(),
                                               state, order, position,
                                               carried[next++]));
          Value copied =
              linalg::CopyOp::create(b, l, state, carried[0]).getResult(0);
          results.insert(results.begin(), copied);
          scf::YieldOp::create(b, l, results);
        });
    loop->setAttr(ssm::kScanStepsAttrName, rewriter.getUnitAttr());
    unsigned next = 1;
    if (storeStates)
      rewriter.replaceAllUsesWith(op.getResult(), loop.getResult(next++));
    for (const Readout &readout : readouts)
      rewriter.replaceOp(readout.op, loop.getResult(next++));
    rewriter.eraseOp(op);
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
  populateRecurrenceToLoopPatterns(patterns);
}
