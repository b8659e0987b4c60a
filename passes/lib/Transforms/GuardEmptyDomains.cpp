//===- GuardEmptyDomains.cpp - Skip linalg ops with no iterations ---------===//
//
// A linalg op on buffers lowers to a loop nest that walks its outer loops in
// full even when an inner loop is empty. This pass runs each such op only
// when none of its loops is empty. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "tessera/Transforms/Passes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Builders.h"

namespace tessera {
#define GEN_PASS_DEF_TESSGUARDEMPTYDOMAINSPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;
using namespace tessera;

namespace {

/// What to do with one linalg op.
enum class Action { Keep, Erase, Guard };

/// Whether `op` needs a guard (two or more loops, one of dynamic extent),
/// can go (a static zero extent) or stays as it is.
Action classify(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics())
    return Action::Keep;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::is_contained(ranges, 0))
    return Action::Erase;
  if (ranges.size() < 2 || !llvm::is_contained(ranges, ShapedType::kDynamic))
    return Action::Keep;
  return Action::Guard;
}

/// Wraps `op` in `scf.if` on "every dynamic loop extent is nonzero" (or
/// erases it if an extent folds to zero).
void guard(OpBuilder &b, linalg::LinalgOp op) {
  Location loc = op.getLoc();
  b.setInsertionPoint(op);
  SmallVector<Range> ranges = op.createLoopRanges(b, loc);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value nonEmpty;
  for (const Range &range : ranges) {
    if (std::optional<int64_t> extent = getConstantIntValue(range.size)) {
      if (*extent == 0) {
        op->erase();
        return;
      }
      continue;
    }
    Value size = getValueOrCreateConstantIndexOp(b, loc, range.size);
    Value cond =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, size, zero);
    nonEmpty = nonEmpty ? arith::AndIOp::create(b, loc, nonEmpty, cond) : cond;
  }
  if (!nonEmpty)
    return;
  auto ifOp = scf::IfOp::create(b, loc, nonEmpty, /*withElseRegion=*/false);
  op->moveBefore(ifOp.thenBlock()->getTerminator());
}

struct TessGuardEmptyDomainsPass
    : public tessera::impl::TessGuardEmptyDomainsPassBase<
          TessGuardEmptyDomainsPass> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, Action>> work;
    getOperation().walk([&](linalg::LinalgOp op) {
      Action action = classify(op);
      if (action != Action::Keep)
        work.push_back({op, action});
    });
    OpBuilder b(&getContext());
    for (auto [op, action] : work) {
      if (action == Action::Erase)
        op->erase();
      else
        guard(b, op);
    }
  }
};

} // namespace
