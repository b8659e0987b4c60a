//===- ParallelRegions.cpp - Threads for the outermost parallel loops -----===//
//
// Two passes around MLIR's convert-scf-to-openmp (see Passes.td):
//   tess-serialize-nested-parallel  scf.parallel inside another scf.parallel
//                                   becomes scf.for loops, so that only the
//                                   outermost parallel loop of a nest forks;
//   tess-configure-parallel-regions each omp.parallel asks the runtime for
//                                   its thread count and forks only when its
//                                   loops do enough work.
//
//===----------------------------------------------------------------------===//

#include "RuntimeFunctions.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

namespace tessera {
#define GEN_PASS_DEF_TESSSERIALIZENESTEDPARALLELPASS
#define GEN_PASS_DEF_TESSCONFIGUREPARALLELREGIONSPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;

namespace {

/// Replaces `parallel` by a nest of scf.for loops with the same bounds and
/// body (its scf.reduce terminator has no operands: the loops linalg emits
/// carry no reductions).
void serialize(scf::ParallelOp parallel) {
  OpBuilder b(parallel);
  Location loc = parallel.getLoc();
  SmallVector<Value> ivs;
  for (auto [lower, upper, step] :
       llvm::zip(parallel.getLowerBound(), parallel.getUpperBound(),
                 parallel.getStep())) {
    auto loop = scf::ForOp::create(b, loc, lower, upper, step);
    ivs.push_back(loop.getInductionVar());
    b.setInsertionPoint(loop.getBody()->getTerminator());
  }
  Block &body = parallel.getRegion().front();
  body.getTerminator()->erase();
  Block *innermost = b.getInsertionBlock();
  innermost->getOperations().splice(b.getInsertionPoint(),
                                    body.getOperations());
  for (auto [arg, iv] : llvm::zip(body.getArguments(), ivs))
    arg.replaceAllUsesWith(iv);
  parallel.erase();
}

/// Rewrites the n-dimensional `parallel` as an (n-1)-dimensional one around
/// an scf.for over its last dimension.
void serializeInnermostDim(scf::ParallelOp parallel) {
  OpBuilder b(parallel);
  Location loc = parallel.getLoc();
  unsigned last = parallel.getNumLoops() - 1;
  auto outer = scf::ParallelOp::create(
      b, loc, parallel.getLowerBound().drop_back(),
      parallel.getUpperBound().drop_back(), parallel.getStep().drop_back());
  b.setInsertionPoint(outer.getBody()->getTerminator());
  auto inner = scf::ForOp::create(b, loc, parallel.getLowerBound()[last],
                                  parallel.getUpperBound()[last],
                                  parallel.getStep()[last]);
  Block &body = parallel.getRegion().front();
  body.getTerminator()->erase();
  inner.getBody()->getOperations().splice(
      inner.getBody()->getTerminator()->getIterator(), body.getOperations());
  for (unsigned d = 0; d < last; ++d)
    body.getArgument(d).replaceAllUsesWith(outer.getInductionVars()[d]);
  body.getArgument(last).replaceAllUsesWith(inner.getInductionVar());
  parallel.erase();
}

struct TessSerializeNestedParallelPass
    : public tessera::impl::TessSerializeNestedParallelPassBase<
          TessSerializeNestedParallelPass> {
  void runOnOperation() override {
    SmallVector<scf::ParallelOp> nested;
    getOperation()->walk([&](scf::ParallelOp op) {
      // Inside another loop, a region would fork once per iteration of it
      // (a column reduction: once per row), and the outlined body would
      // not vectorize.
      if (op->getParentOfType<scf::ParallelOp>() ||
          op->getParentOfType<scf::ForOp>() || !op.getInitVals().empty())
        nested.push_back(op);
    });
    // Post-order: inner loops first, so each is still intact when visited.
    for (scf::ParallelOp op : nested)
      if (op.getInitVals().empty())
        serialize(op);
    // What stays parallel is work-shared as one collapsed loop, whose
    // indices OpenMP recovers with a division per iteration: the innermost
    // dimension, usually the contiguous one, runs sequentially inside.
    SmallVector<scf::ParallelOp> outer;
    getOperation()->walk([&](scf::ParallelOp op) {
      if (op.getNumLoops() > 1 && op.getInitVals().empty())
        outer.push_back(op);
    });
    for (scf::ParallelOp op : outer)
      serializeInnermostDim(op);
  }
};

/// Whether `value` is available before `op` (defined outside of it).
bool isDefinedAbove(Value value, Operation *op) {
  return !op->isAncestor(value.getParentRegion()->getParentOp());
}

/// Trip count of a loop with bounds `lower`, `upper`, `step` (step > 0),
/// built before `b`'s insertion point; zero when upper <= lower.
Value buildTripCount(OpBuilder &b, Location loc, Value lower, Value upper,
                     Value step) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value span = arith::SubIOp::create(b, loc, upper, lower);
  Value positive = arith::MaxSIOp::create(b, loc, span, zero);
  return arith::CeilDivSIOp::create(b, loc, positive, step);
}

/// Estimated iterations of the innermost bodies of `region`'s loop nest:
/// the product of the trip counts of the omp loop and of every scf.for
/// inside whose bounds are known before `region` starts, saturated at `cap`
/// (a deep nest, such as a tiled scan's, would overflow the product).
Value buildWorkEstimate(OpBuilder &b, omp::ParallelOp region, int64_t cap) {
  Location loc = region.getLoc();
  Value work = arith::ConstantIndexOp::create(b, loc, 1);
  Value limit = arith::ConstantIndexOp::create(b, loc, cap);
  auto multiply = [&](Value lower, Value upper, Value step) {
    Value trips = buildTripCount(b, loc, lower, upper, step);
    trips = arith::MinUIOp::create(b, loc, trips, limit);
    work = arith::MinUIOp::create(
        b, loc, arith::MulIOp::create(b, loc, work, trips), limit);
  };
  region.walk([&](Operation *op) {
    if (auto nest = dyn_cast<omp::LoopNestOp>(op)) {
      for (auto [lower, upper, step] :
           llvm::zip(nest.getLoopLowerBounds(), nest.getLoopUpperBounds(),
                     nest.getLoopSteps()))
        if (isDefinedAbove(lower, region) && isDefinedAbove(upper, region) &&
            isDefinedAbove(step, region))
          multiply(lower, upper, step);
    } else if (auto loop = dyn_cast<scf::ForOp>(op)) {
      if (isDefinedAbove(loop.getLowerBound(), region) &&
          isDefinedAbove(loop.getUpperBound(), region) &&
          isDefinedAbove(loop.getStep(), region))
        multiply(loop.getLowerBound(), loop.getUpperBound(), loop.getStep());
    }
  });
  return work;
}

/// Inlines the memref.alloca_scope that convert-scf-to-openmp wraps around
/// each loop body when the body allocates nothing on the stack: the scope
/// would be a single block that SCF-to-CF cannot lower into.
void inlineEmptyAllocaScopes(omp::ParallelOp region) {
  SmallVector<memref::AllocaScopeOp> scopes;
  region.walk([&](memref::AllocaScopeOp scope) {
    bool allocates = false;
    // A buffer with an extent 0 (tess-check-allocations' placeholder for a
    // failed branch) takes no stack.
    scope.walk([&](memref::AllocaOp alloca) {
      bool empty = llvm::is_contained(alloca.getType().getShape(), 0) ||
                   llvm::any_of(alloca.getDynamicSizes(), [](Value size) {
                     return matchPattern(size, m_Zero());
                   });
      allocates |= !empty;
    });
    if (!allocates && scope.getNumResults() == 0)
      scopes.push_back(scope);
  });
  for (memref::AllocaScopeOp scope : scopes) {
    Block &body = scope.getBodyRegion().front();
    body.getTerminator()->erase();
    scope->getBlock()->getOperations().splice(Block::iterator(scope),
                                              body.getOperations());
    scope.erase();
  }
}

/// The loop nest of `region` when the region is exactly one work-shared
/// loop (omp.wsloop around omp.loop_nest, nothing else), else null.
omp::LoopNestOp getSoleLoopNest(omp::ParallelOp region) {
  Block &block = region.getRegion().front();
  if (block.getOperations().size() != 2)
    return nullptr;
  auto wsloop = dyn_cast<omp::WsloopOp>(block.front());
  if (!wsloop || wsloop.getRegion().front().getOperations().size() != 1)
    return nullptr;
  return dyn_cast<omp::LoopNestOp>(wsloop.getRegion().front().front());
}

/// Replaces `region` by `scf.if %fork { region } else { the same loops as
/// scf.for }`, so that a region too small to fork never enters libomp (a
/// serialized region still costs several runtime calls). Returns false,
/// changing nothing, when the region is not one plain loop nest.
bool branchAroundRegion(omp::ParallelOp region, Value fork) {
  omp::LoopNestOp nest = getSoleLoopNest(region);
  if (!nest || nest.getRegion().getBlocks().size() != 1 ||
      nest.getLoopInclusive())
    return false;
  OpBuilder b(region);
  Location loc = region.getLoc();
  auto branch = scf::IfOp::create(b, loc, fork, /*withElseRegion=*/true);
  region->moveBefore(branch.thenBlock()->getTerminator());
  b.setInsertionPoint(branch.elseBlock()->getTerminator());
  IRMapping mapping;
  Block &body = nest.getRegion().front();
  for (auto [lower, upper, step, iv] :
       llvm::zip(nest.getLoopLowerBounds(), nest.getLoopUpperBounds(),
                 nest.getLoopSteps(), body.getArguments())) {
    auto loop = scf::ForOp::create(b, loc, lower, upper, step);
    mapping.map(iv, loop.getInductionVar());
    b.setInsertionPoint(loop.getBody()->getTerminator());
  }
  for (Operation &op : body.without_terminator())
    b.clone(op, mapping);
  return true;
}

struct TessConfigureParallelRegionsPass
    : public tessera::impl::TessConfigureParallelRegionsPassBase<
          TessConfigureParallelRegionsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<omp::ParallelOp> regions;
    module.walk([&](omp::ParallelOp op) { regions.push_back(op); });
    if (regions.empty())
      return;
    func::FuncOp getThreads = tessera::getNumThreadsDecl(module);
    for (omp::ParallelOp region : regions) {
      OpBuilder b(region);
      Location loc = region.getLoc();
      Value threads = func::CallOp::create(b, loc, getThreads).getResult(0);
      Value work = buildWorkEstimate(b, region, minWork);
      Value threshold = arith::ConstantIndexOp::create(b, loc, minWork);
      Value enough = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                           work, threshold);
      Value one = arith::ConstantIntOp::create(b, loc, 1, 32);
      Value several = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt,
                                            threads, one);
      Value fork = arith::AndIOp::create(b, loc, enough, several);
      region.getNumThreadsMutable().assign(threads);
      inlineEmptyAllocaScopes(region);
      if (!branchAroundRegion(region, fork))
        region.getIfExprMutable().assign(fork);
    }
  }
};

} // namespace
