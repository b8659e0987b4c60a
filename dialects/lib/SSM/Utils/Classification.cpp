//===- Classification.cpp - What a recurrence's step computes -------------===//

#include "tessera/Dialect/SSM/Utils/Classification.h"
#include "tessera/Dialect/Tess/IR/TessOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace tessera;
using namespace tessera::ssm;

namespace {

/// Decides, with memoization, whether the values of one block depend on
/// some of its "state" values and whether they are affine in them.
class AffinityAnalysis {
public:
  AffinityAnalysis(Block *block, ArrayRef<Value> states)
      : block(block), states(states.begin(), states.end()) {}

  /// Whether `v` is computed without the states.
  bool isFree(Value v) {
    if (states.contains(v))
      return false;
    Operation *def = v.getDefiningOp();
    if (!def || def->getBlock() != block)
      return true; // Another block argument or a value from outside.
    auto [it, inserted] = free.try_emplace(v, true);
    if (!inserted)
      return it->second;
    bool result = llvm::all_of(def->getOperands(),
                               [&](Value operand) { return isFree(operand); });
    free[v] = result;
    return result;
  }

  /// Whether `v` is a sum of the states times free coefficients plus a free
  /// term; adds the free factors that multiply (or divide) a state to
  /// `coefficients`.
  bool isAffine(Value v, SetVector<Value> &coefficients) {
    if (states.contains(v) || isFree(v))
      return true;
    Operation *def = v.getDefiningOp();
    if (isa<arith::AddFOp, arith::SubFOp, arith::AddIOp, arith::SubIOp,
            complex::AddOp, complex::SubOp>(def))
      return isAffine(def->getOperand(0), coefficients) &&
             isAffine(def->getOperand(1), coefficients);
    if (isa<arith::MulFOp, arith::MulIOp, complex::MulOp>(def)) {
      Value x = def->getOperand(0), y = def->getOperand(1);
      if (isFree(y))
        std::swap(x, y);
      if (!isFree(x))
        return false; // A product of two values that depend on the state.
      coefficients.insert(x);
      return isAffine(y, coefficients);
    }
    if (isa<arith::DivFOp, complex::DivOp>(def)) {
      if (!isFree(def->getOperand(1)))
        return false;
      coefficients.insert(def->getOperand(1));
      return isAffine(def->getOperand(0), coefficients);
    }
    if (isa<arith::NegFOp, complex::NegOp>(def))
      return isAffine(def->getOperand(0), coefficients);
    return false;
  }

  /// The arguments of the block and the loop indices (`ssm.index`,
  /// `tess.index`) that `v`, a free value, is computed from.
  void collectLeaves(Value v, SetVector<Value> &leaves) {
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (arg.getOwner() == block)
        leaves.insert(v);
      return;
    }
    Operation *def = v.getDefiningOp();
    if (def->getBlock() != block)
      return;
    if (isa<ssm::IndexOp, tess::IndexOp>(def)) {
      leaves.insert(v);
      return;
    }
    for (Value operand : def->getOperands())
      collectLeaves(operand, leaves);
  }

private:
  Block *block;
  llvm::SmallPtrSet<Value, 4> states;
  DenseMap<Value, bool> free;
};

/// The loop dimensions that the coefficients read: through the maps of the
/// block arguments they are computed from (`maps[i]` for argument `i`), or
/// as loop indices.
llvm::SmallBitVector coefficientLoops(AffinityAnalysis &analysis,
                                      const SetVector<Value> &coefficients,
                                      ArrayRef<AffineMap> maps,
                                      unsigned numLoops) {
  llvm::SmallBitVector loops(numLoops);
  SetVector<Value> leaves;
  for (Value coefficient : coefficients)
    analysis.collectLeaves(coefficient, leaves);
  for (Value leaf : leaves) {
    if (auto arg = dyn_cast<BlockArgument>(leaf)) {
      if (arg.getArgNumber() >= maps.size())
        continue;
      for (AffineExpr expr : maps[arg.getArgNumber()].getResults())
        expr.walk([&](AffineExpr e) {
          if (auto dim = dyn_cast<AffineDimExpr>(e))
            loops.set(dim.getPosition());
        });
    } else if (auto index = leaf.getDefiningOp<ssm::IndexOp>()) {
      loops.set(index.getDim());
    } else if (auto index = leaf.getDefiningOp<tess::IndexOp>()) {
      loops.set(index.getDim());
    }
  }
  return loops;
}

/// The position of the result of `map` that is the plain dimension `loop`,
/// or -1.
int findPlainResult(AffineMap map, unsigned loop) {
  for (auto [q, expr] : llvm::enumerate(map.getResults()))
    if (auto dim = dyn_cast<AffineDimExpr>(expr))
      if (dim.getPosition() == loop)
        return int(q);
  return -1;
}

/// Follows the slice dimensions of the previous slice through the step of
/// an ssm.recurrence: which dimension of each value derived from it runs
/// along which slice dimension, which slice dimensions the step couples
/// and which ones its coefficients vary along.
class SliceFlow {
public:
  explicit SliceFlow(RecurrenceOp recurrence) : recurrence(recurrence) {
    unsigned rank = recurrence.getSliceType().getRank();
    coupled.resize(rank);
    coefficientDims.resize(rank);
    SmallVector<int> identity;
    for (unsigned s = 0; s < rank; ++s)
      identity.push_back(int(s));
    sliceDimsOf[recurrence.getPrevious()] = identity;
  }

  RecurrenceClassification run();

private:
  /// Visits one op of the body; false when it is not understood.
  bool visit(Operation &op);
  bool visitContract(tess::ContractOp contract);
  bool visitExtractSlice(tensor::ExtractSliceOp extract);

  RecurrenceOp recurrence;
  /// For each value derived from the previous slice: the slice dimension
  /// that each of its dimensions runs along (-1: none).
  DenseMap<Value, SmallVector<int>> sliceDimsOf;
  llvm::SmallBitVector coupled, coefficientDims;
  bool linear = true;
  RecurrenceClassification result;
};

bool SliceFlow::visitContract(tess::ContractOp contract) {
  Block &body = contract.getBody().front();
  SmallVector<Value> states;
  for (auto [k, input] : llvm::enumerate(contract.getInputs()))
    if (sliceDimsOf.count(input))
      states.push_back(body.getArgument(k));
  AffinityAnalysis analysis(&body, states);
  SetVector<Value> coefficients;
  if (!analysis.isAffine(contract.getYieldOp().getValue(), coefficients) ||
      (contract.hasReductionDims() &&
       contract.getKind() != tess::ReductionKind::sum))
    linear = false;

  AffineMap resultMap = contract.getResultMap();
  SmallVector<int> dims(resultMap.getNumResults(), -1);
  for (auto [k, input] : llvm::enumerate(contract.getInputs())) {
    auto it = sliceDimsOf.find(input);
    if (it == sliceDimsOf.end())
      continue;
    AffineMap map = contract.getInputMap(k);
    for (auto [p, s] : llvm::enumerate(it->second)) {
      if (s < 0)
        continue;
      auto dim = dyn_cast<AffineDimExpr>(map.getResult(p));
      int q = dim ? findPlainResult(resultMap, dim.getPosition()) : -1;
      if (q < 0) { // Contracted, shifted or otherwise remapped.
        coupled.set(s);
      } else if (dims[q] < 0) {
        dims[q] = s;
      } else if (dims[q] != s) {
        coupled.set(s);
        coupled.set(dims[q]);
      }
    }
  }
  // A slice dimension whose loop the body reads as an index is not a
  // channel: a tile of it would see other indices.
  contract.getBody().walk([&](tess::IndexOp index) {
    int q = findPlainResult(resultMap, index.getDim());
    if (q >= 0 && dims[q] >= 0)
      coupled.set(dims[q]);
  });
  llvm::SmallBitVector loops = coefficientLoops(
      analysis, coefficients, contract.getInputMaps(), contract.getNumLoops());
  for (auto [q, s] : llvm::enumerate(dims))
    if (s >= 0 &&
        loops.test(cast<AffineDimExpr>(resultMap.getResult(q)).getPosition()))
      coefficientDims.set(s);
  sliceDimsOf[contract.getResult()] = dims;
  return true;
}

bool SliceFlow::visitExtractSlice(tensor::ExtractSliceOp extract) {
  if (!llvm::all_of(extract.getMixedOffsets(), isZeroInteger) ||
      !llvm::all_of(extract.getMixedStrides(), isOneInteger))
    return false;
  llvm::SmallBitVector dropped = extract.getDroppedDims();
  SmallVector<int> dims;
  for (auto [p, s] : llvm::enumerate(sliceDimsOf[extract.getSource()]))
    if (!dropped.test(p))
      dims.push_back(s);
  sliceDimsOf[extract.getResult()] = dims;
  return true;
}

bool SliceFlow::visit(Operation &op) {
  if (llvm::none_of(op.getOperands(),
                    [&](Value v) { return sliceDimsOf.count(v); }))
    return true; // Free of the previous slice.
  if (isa<tensor::DimOp>(op))
    return true; // Shapes do not depend on values.
  if (auto contract = dyn_cast<tess::ContractOp>(op))
    return visitContract(contract);
  if (auto extract = dyn_cast<tensor::ExtractSliceOp>(op))
    return visitExtractSlice(extract);
  return false;
}

RecurrenceClassification SliceFlow::run() {
  Block &body = recurrence.getBody().front();
  bool understood = llvm::all_of(body.without_terminator(),
                                 [&](Operation &op) { return visit(op); });
  Value next = cast<YieldOp>(body.getTerminator()).getValue();
  auto it = sliceDimsOf.find(next);
  if (!understood || it == sliceDimsOf.end()) {
    coupled.set();
    linear = linear && understood;
  } else {
    for (auto [s, from] : llvm::enumerate(it->second))
      if (from != int(s)) {
        coupled.set(s);
        if (from >= 0)
          coupled.set(from);
      }
  }
  result.channels = ~coupled;
  bool complex = isa<ComplexType>(recurrence.getType().getElementType());
  if (!linear)
    result.kind = RecurrenceKind::General;
  else if (coupled.none())
    result.kind =
        complex ? RecurrenceKind::ComplexDiagonal : RecurrenceKind::Diagonal;
  else if ((coefficientDims & result.channels).any())
    result.kind = RecurrenceKind::BlockDiagonal;
  else
    result.kind = RecurrenceKind::Dense;
  if (understood)
    result.sliceDims = std::move(sliceDimsOf);
  return result;
}

} // namespace

RecurrenceKind tessera::ssm::classifyScan(ScanOp scan) {
  Block &body = scan.getBody().front();
  Value previous = scan.getPreviousState();
  AffinityAnalysis analysis(&body, {previous});
  SetVector<Value> coefficients;
  if (!analysis.isAffine(scan.getYieldOp().getValue(), coefficients))
    return RecurrenceKind::General;
  if (isa<ComplexType>(scan.getType().getElementType()))
    return RecurrenceKind::ComplexDiagonal;
  SmallVector<AffineMap> maps;
  for (unsigned i = 0, e = scan.getInputs().size(); i < e; ++i)
    maps.push_back(scan.getInputMap(i));
  llvm::SmallBitVector loops =
      coefficientLoops(analysis, coefficients, maps, scan.getNumLoops());
  loops.reset(scan.getScanDim());
  return loops.any() ? RecurrenceKind::Diagonal : RecurrenceKind::Scalar;
}

RecurrenceClassification
tessera::ssm::classifyRecurrence(RecurrenceOp recurrence) {
  return SliceFlow(recurrence).run();
}
