//===- Readouts.cpp - Consumers of a scan that its loop computes ----------===//
//
// See Readouts.h.
//
//===----------------------------------------------------------------------===//

#include "tessera/Dialect/SSM/Utils/Readouts.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace tessera;

int tessera::getPlainResult(AffineMap map, unsigned dim) {
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
  // A sum whose result also runs over loops that do not index the state
  // multiplies each step's state by a matrix: one matrix product over all
  // steps after the scan beats a small one inside every step.
  llvm::SmallBitVector readsState(op.getNumLoops());
  for (auto [i, input] : llvm::enumerate(op.getInputs()))
    if (input == scan.getResult())
      for (AffineExpr e : op.getInputMap(i).getResults())
        if (auto d = dyn_cast<AffineDimExpr>(e))
          readsState.set(d.getPosition());
  AffineMap resultMap = op.getResultMap();
  bool sums = resultMap.getNumResults() < op.getNumLoops();
  if (sums && llvm::any_of(resultMap.getResults(), [&](AffineExpr e) {
        return !readsState.test(cast<AffineDimExpr>(e).getPosition());
      }))
    return std::nullopt;
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

Value tessera::transposeTensor(OpBuilder &b, Location loc, Value tensor,
                               ArrayRef<unsigned> from) {
  auto type = cast<RankedTensorType>(tensor.getType());
  unsigned rank = type.getRank();
  SmallVector<Value> bounds;
  for (unsigned d = 0; d < rank; ++d)
    bounds.push_back(getValueOrCreateConstantIndexOp(
        b, loc, tensor::getMixedSize(b, loc, tensor, d)));
  SmallVector<int64_t> shape;
  SmallVector<AffineExpr> results;
  for (unsigned d : from) {
    shape.push_back(type.getDimSize(d));
    results.push_back(b.getAffineDimExpr(d));
  }
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 AffineMap::get(rank, 0, results, ctx)};
  return tess::ContractOp::create(
             b, loc, RankedTensorType::get(shape, type.getElementType()),
             tess::ReductionKind::sum, ValueRange{tensor}, bounds, maps,
             [](OpBuilder &body, Location l, ValueRange args) {
               tess::YieldOp::create(body, l, args[0]);
             })
      .getResult();
}
