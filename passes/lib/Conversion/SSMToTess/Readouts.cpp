//===- Readouts.cpp - Consumers of a scan computed by its steps -----------===//
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

/// Whether `value` is available where `scan` is: defined before it in its
/// block, or outside the block.
static bool isAvailableAt(Value value, Operation *scan) {
  Operation *def = value.getDefiningOp();
  if (!def)
    return true; // An argument of the scan's block or of an enclosing one.
  return def->getBlock() != scan->getBlock() || def->isBeforeInBlock(scan);
}

/// The readout that `user` is, if any (see Readout).
static std::optional<Readout> matchReadout(ssm::ScanOp scan, Operation *user) {
  auto op = dyn_cast<tess::ContractOp>(user);
  if (!op || op->getBlock() != scan->getBlock())
    return std::nullopt;
  unsigned scanDim = scan.getScanDim();
  std::optional<unsigned> dim;
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    if (input != scan.getResult()) {
      if (!isAvailableAt(input, scan))
        return std::nullopt;
      continue;
    }
    AffineMap map = op.getInputMap(i);
    auto plain = dyn_cast<AffineDimExpr>(map.getResult(scanDim));
    if (!plain || getPlainResult(map, plain.getPosition()) != int(scanDim) ||
        (dim && *dim != plain.getPosition()))
      return std::nullopt;
    dim = plain.getPosition();
  }
  if (!dim)
    return std::nullopt;
  for (Value v : llvm::concat<Value>(op.getBounds(), op.getSymbols()))
    if (!isAvailableAt(v, scan))
      return std::nullopt;
  int resultDim = getPlainResult(op.getResultMap(), *dim);
  if (resultDim < 0)
    return std::nullopt; // Summed over the scan index: not a step's value.
  return Readout{op, *dim, unsigned(resultDim)};
}

SmallVector<Readout> tessera::findReadouts(ssm::ScanOp scan) {
  SmallVector<Readout> readouts;
  for (Operation *user : scan.getResult().getUsers()) {
    if (llvm::any_of(readouts, [&](const Readout &r) { return r.op == user; }))
      continue;
    if (std::optional<Readout> readout = matchReadout(scan, user))
      readouts.push_back(*readout);
  }
  return readouts;
}

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
                                Value state, Value position, Value carried) {
  tess::ContractOp op = readout.op;
  unsigned dim = readout.dim;
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    AffineMap map = op.getInputMap(i);
    if (input == scanResult) {
      inputs.push_back(state);
      maps.push_back(getStepMap(map, dim).dropResult(getPlainResult(map, dim)));
      continue;
    }
    auto [restricted, restrictedMap] =
        restrictInput(b, loc, input, map, dim, position);
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
