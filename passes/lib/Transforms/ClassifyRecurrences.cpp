//===- ClassifyRecurrences.cpp - What each ssm.scan computes --------------===//
//
// See Passes.td (ssm-classify-recurrences).
//
//===----------------------------------------------------------------------===//

#include "tessera/Dialect/SSM/IR/SSMOps.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Complex/IR/Complex.h"

namespace tessera {
#define GEN_PASS_DEF_SSMCLASSIFYRECURRENCESPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;
using namespace tessera;

namespace {

/// Decides, with memoization, whether values of a scan body depend on the
/// previous state and whether they are affine in it.
class AffinityAnalysis {
public:
  explicit AffinityAnalysis(Value previous) : previous(previous) {}

  /// Whether `v` is computed without the previous state.
  bool isFree(Value v) {
    if (v == previous)
      return false;
    Operation *def = v.getDefiningOp();
    if (!def || def->getBlock() != previous.getParentBlock())
      return true; // A block argument (an input) or a value from outside.
    auto [it, inserted] = free.try_emplace(v, true);
    if (!inserted)
      return it->second;
    bool result = llvm::all_of(def->getOperands(),
                               [&](Value operand) { return isFree(operand); });
    free[v] = result;
    return result;
  }

  /// Whether `v` is a * previous + b with a and b free of it.
  bool isAffine(Value v) {
    if (v == previous || isFree(v))
      return true;
    Operation *def = v.getDefiningOp();
    if (isa<arith::AddFOp, arith::SubFOp, arith::AddIOp, arith::SubIOp,
            complex::AddOp, complex::SubOp>(def))
      return isAffine(def->getOperand(0)) && isAffine(def->getOperand(1));
    if (isa<arith::MulFOp, arith::MulIOp, complex::MulOp>(def)) {
      Value x = def->getOperand(0), y = def->getOperand(1);
      return (isFree(x) && isAffine(y)) || (isFree(y) && isAffine(x));
    }
    if (isa<arith::DivFOp, complex::DivOp>(def))
      return isAffine(def->getOperand(0)) && isFree(def->getOperand(1));
    if (isa<arith::NegFOp, complex::NegOp>(def))
      return isAffine(def->getOperand(0));
    return false;
  }

private:
  Value previous;
  DenseMap<Value, bool> free;
};

struct ClassifyRecurrencesPass
    : tessera::impl::SSMClassifyRecurrencesPassBase<ClassifyRecurrencesPass> {
  void runOnOperation() override {
    getOperation()->walk([](ssm::ScanOp scan) {
      AffinityAnalysis analysis(scan.getPreviousState());
      bool linear = analysis.isAffine(scan.getYieldOp().getValue());
      scan.setKindAttr(ssm::RecurrenceKindAttr::get(
          scan.getContext(),
          linear ? ssm::RecurrenceKind::Linear : ssm::RecurrenceKind::General));
    });
  }
};

} // namespace
