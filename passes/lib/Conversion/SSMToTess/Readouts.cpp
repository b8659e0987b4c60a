//===- Readouts.cpp - The steps of a scan's readouts
//-----------------------===//
//
// `y[b, d, l] = x[b, d, l, n] * c[b, n, l]` after the scan `x` along `l`
// reads each step's state once, at the same `l`: the scan's loop computes
// it step by step from the state of that step, and when nothing else reads
// the scan's result, the state sequence is never stored.
//
//===----------------------------------------------------------------------===//

#include "ScanSteps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace tessera;

Value tessera::createReadoutResult(OpBuilder &b, Location loc,
                                   const Readout &readout) {
  tess::ContractOp op = readout.op;
  RankedTensorType type = op.getType();
  AffineMap resultMap = op.getResultMap();
  SmallVector<Value> dynamicSizes;
  for (unsigned j = 0; j < type.getRank(); ++j)
    if (type.isDynamicDim(j))
      dynamicSizes.push_back(op.getBounds()[resultMap.getDimPosition(j)]);
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(),
                                 dynamicSizes);
}

Value tessera::buildReadoutStep(OpBuilder &b, Location loc,
                                const Readout &readout, Value scanResult,
                                Value state, const StepOrder &stateOrder,
                                Value position, Value carried) {
  tess::ContractOp op = readout.op;
  unsigned dim = readout.dim;
  // The readout's loop (a step loop) that reads the state's vector
  // dimension: its inputs are read unit-stride along it.
  int vectorLoop = -1;
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    if (input != scanResult || stateOrder.loops.empty())
      continue;
    AffineMap stepMap = getStepMap(op.getInputMap(i), dim)
                            .dropResult(getPlainResult(op.getInputMap(i), dim));
    if (auto plain =
            dyn_cast<AffineDimExpr>(stepMap.getResult(stateOrder.loops.back())))
      vectorLoop = plain.getPosition();
  }
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    AffineMap map = op.getInputMap(i);
    if (input == scanResult) {
      // The state's dimensions are in the steps' order.
      AffineMap stepMap =
          getStepMap(map, dim).dropResult(getPlainResult(map, dim));
      SmallVector<AffineExpr> results;
      for (unsigned from : stateOrder.loops)
        results.push_back(stepMap.getResult(from));
      inputs.push_back(state);
      maps.push_back(AffineMap::get(stepMap.getNumDims(),
                                    stepMap.getNumSymbols(), results,
                                    b.getContext()));
      continue;
    }
    auto [slice, sliceMap] = restrictInput(b, loc, input, map, dim, position);
    auto [restricted, restrictedMap] =
        makeContiguous(b, loc, input, map, dim, slice, sliceMap, vectorLoop);
    inputs.push_back(restricted);
    maps.push_back(restrictedMap);
  }
  maps.push_back(
      getStepMap(op.getResultMap(), dim).dropResult(readout.resultDim));
  SmallVector<Value> bounds(op.getBounds());
  bounds.erase(bounds.begin() + dim);
  SmallVector<Value> symbols(op.getSymbols());
  symbols.push_back(position);
  SmallVector<int64_t> shape(op.getType().getShape());
  shape.erase(shape.begin() + readout.resultDim);
  auto type = RankedTensorType::get(shape, op.getType().getElementType());
  auto step = tess::ContractOp::create(
      b, loc, type, op.getKind(), inputs, bounds, symbols, maps,
      [&](OpBuilder &body, Location, ValueRange) {
        cloneStepBody(body, op.getBody().front(), dim, position);
      });
  SmallVector<Value> sizes;
  AffineMap resultMap = op.getResultMap();
  for (unsigned j = 0; j < resultMap.getNumResults(); ++j)
    sizes.push_back(op.getBounds()[resultMap.getDimPosition(j)]);
  return insertStep(b, loc, step.getResult(), carried, readout.resultDim,
                    position, sizes);
}
