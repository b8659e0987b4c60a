//===- HoistInvariantSubexpressions.cpp - Costly parts computed once ------===//
//
// A tess.contract body runs once per point of its loop nest. A part of it
// that reads only some of the loops (C[h, n] (exp(dtA[h, n]) - 1) / A[h, n]
// in the S4D kernel's sum over (h, l, n)) has the same value for every
// value of the other loops, yet would be computed again for each. When such
// a part is costly (a transcendental function or a division), it becomes a
// tess.contract of its own over just its loops, and the body reads its
// result. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "tessera/Transforms/Passes.h"

#include "tessera/Dialect/Tess/IR/TessOps.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Analysis/TopologicalSortUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace tessera {
#define GEN_PASS_DEF_TESSHOISTINVARIANTSUBEXPRESSIONSPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;
using namespace tessera;

namespace {

/// Loops as bits: loop d is bit d.
using LoopSet = uint64_t;

/// Whether `op` costs much more than an addition or a multiplication: a
/// transcendental function, a root, a power or a division (real, integer
/// or complex).
bool isCostly(Operation *op) {
  if (isa<arith::DivFOp, arith::RemFOp, arith::DivSIOp, arith::DivUIOp,
          arith::RemSIOp, arith::RemUIOp, complex::DivOp>(op))
    return true;
  if (isa<math::AbsFOp, math::AbsIOp, math::CopySignOp, math::FmaOp,
          math::FloorOp, math::CeilOp, math::RoundOp, math::RoundEvenOp,
          math::TruncOp, math::CountLeadingZerosOp, math::CountTrailingZerosOp,
          math::CtPopOp>(op))
    return false;
  if (isa<math::MathDialect>(op->getDialect()))
    return true;
  return isa<complex::ExpOp, complex::Expm1Op, complex::LogOp, complex::Log1pOp,
             complex::PowOp, complex::SqrtOp, complex::RsqrtOp, complex::SinOp,
             complex::CosOp, complex::TanOp, complex::TanhOp, complex::AbsOp,
             complex::AngleOp>(op);
}

/// The loops each value of `op`'s body depends on: those its inputs' maps
/// use, the tess.index loops, all of them for an op with regions or side
/// effects (never moved). Values from outside the body depend on none.
DenseMap<Value, LoopSet> getLoopSets(tess::ContractOp op, LoopSet all) {
  DenseMap<Value, LoopSet> loops;
  Block &body = op.getBody().front();
  for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
    LoopSet set = 0;
    AffineMap map = op.getInputMap(i);
    for (unsigned d = 0; d < map.getNumDims(); ++d)
      for (AffineExpr e : map.getResults())
        if (e.isFunctionOfDim(d))
          set |= LoopSet(1) << d;
    loops[arg] = set;
  }
  for (Operation &inner : body.without_terminator()) {
    LoopSet set = 0;
    if (auto index = dyn_cast<tess::IndexOp>(inner))
      set = LoopSet(1) << index.getDim();
    if (inner.getNumRegions() || !isPure(&inner))
      set = all;
    for (Value operand : inner.getOperands())
      set |= loops.lookup(operand);
    for (Value result : inner.getResults())
      loops[result] = set;
  }
  return loops;
}

/// The ops of `op`'s body that `root` is computed from, in body order.
SetVector<Operation *> getBodySlice(Operation *root, Block &body) {
  SetVector<Operation *> slice;
  BackwardSliceOptions options;
  options.filter = [&](Operation *o) { return o->getBlock() == &body; };
  options.inclusive = true;
  (void)getBackwardSlice(root, &slice, options);
  return mlir::topologicalSort(slice);
}

/// Values worth computing once: results of single-result ops whose loops
/// are some but not all of the contraction's, that some user needs with
/// more loops, and whose slice has a costly op.
SmallVector<Value> findCandidates(tess::ContractOp op,
                                  const DenseMap<Value, LoopSet> &loops,
                                  LoopSet all) {
  SmallVector<Value> candidates;
  Block &body = op.getBody().front();
  for (Operation &inner : body.without_terminator()) {
    if (inner.getNumResults() != 1)
      continue;
    Value v = inner.getResult(0);
    LoopSet set = loops.lookup(v);
    if (set == 0 || set == all)
      continue;
    bool needed = llvm::any_of(v.getUsers(), [&](Operation *user) {
      return isa<tess::YieldOp>(user) ||
             llvm::any_of(user->getResults(),
                          [&](Value r) { return loops.lookup(r) != set; });
    });
    if (needed && llvm::any_of(getBodySlice(&inner, body), isCostly))
      candidates.push_back(v);
  }
  return candidates;
}

/// The loops in `set`, in increasing order.
SmallVector<unsigned> getLoops(LoopSet set, unsigned numLoops) {
  SmallVector<unsigned> dims;
  for (unsigned d = 0; d < numLoops; ++d)
    if (set & (LoopSet(1) << d))
      dims.push_back(d);
  return dims;
}

/// A new tess.contract before `op` computing `v` over the loops `dims`
/// alone, reading the inputs `v` needs through their maps renumbered.
Value computeSeparately(OpBuilder &b, tess::ContractOp op, Value v,
                        ArrayRef<unsigned> dims) {
  MLIRContext *ctx = op.getContext();
  unsigned numLoops = op.getNumLoops(), numSymbols = op.getSymbols().size();
  Block &body = op.getBody().front();
  // Loop d of `op` is loop position[d] of the new contract.
  SmallVector<AffineExpr> renumber(numLoops, getAffineConstantExpr(0, ctx));
  SmallVector<AffineExpr> symbols;
  for (unsigned s = 0; s < numSymbols; ++s)
    symbols.push_back(getAffineSymbolExpr(s, ctx));
  SmallVector<Value> bounds;
  SmallVector<int64_t> shape;
  for (auto [k, d] : llvm::enumerate(dims)) {
    renumber[d] = getAffineDimExpr(k, ctx);
    bounds.push_back(op.getBounds()[d]);
    std::optional<int64_t> extent = getConstantIntValue(bounds.back());
    shape.push_back(extent ? *extent : ShapedType::kDynamic);
  }
  SmallVector<Operation *> slice =
      getBodySlice(v.getDefiningOp(), body).takeVector();
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  SmallVector<BlockArgument> args;
  for (BlockArgument arg : body.getArguments()) {
    if (llvm::none_of(arg.getUsers(), [&](Operation *user) {
          return llvm::is_contained(slice, user);
        }))
      continue;
    args.push_back(arg);
    inputs.push_back(op.getInputs()[arg.getArgNumber()]);
    maps.push_back(
        op.getInputMap(arg.getArgNumber())
            .replaceDimsAndSymbols(renumber, symbols, dims.size(), numSymbols));
  }
  SmallVector<AffineExpr> identity;
  for (unsigned k = 0; k < dims.size(); ++k)
    identity.push_back(getAffineDimExpr(k, ctx));
  maps.push_back(AffineMap::get(dims.size(), numSymbols, identity, ctx));
  auto type = RankedTensorType::get(shape, v.getType());
  auto separate = tess::ContractOp::create(
      b, op.getLoc(), type, tess::ReductionKind::sum, inputs, bounds,
      op.getSymbols(), maps, [&](OpBuilder &nb, Location loc, ValueRange vs) {
        IRMapping mapping;
        for (auto [arg, value] : llvm::zip(args, vs))
          mapping.map(arg, value);
        for (Operation *inner : slice) {
          if (auto index = dyn_cast<tess::IndexOp>(inner)) {
            auto d = static_cast<unsigned>(index.getDim());
            mapping.map(
                index.getResult(),
                tess::IndexOp::create(nb, index.getLoc(),
                                      llvm::find(dims, d) - dims.begin()));
            continue;
          }
          nb.clone(*inner, mapping);
        }
        tess::YieldOp::create(nb, loc, mapping.lookup(v));
      });
  return separate.getResult();
}

/// Makes `op` read `tensor` (over the loops `dims`) for `v`, and drops the
/// ops of its body that nothing uses any more.
void readInstead(tess::ContractOp op, Value v, Value tensor,
                 ArrayRef<unsigned> dims) {
  MLIRContext *ctx = op.getContext();
  SmallVector<AffineExpr> results;
  for (unsigned d : dims)
    results.push_back(getAffineDimExpr(d, ctx));
  SmallVector<Attribute> maps(op.getIndexingMaps().getValue());
  maps.insert(maps.end() - 1,
              AffineMapAttr::get(AffineMap::get(
                  op.getNumLoops(), op.getSymbols().size(), results, ctx)));
  op.getInputsMutable().append(tensor);
  op.setIndexingMapsAttr(ArrayAttr::get(ctx, maps));
  Block &body = op.getBody().front();
  v.replaceAllUsesWith(body.addArgument(v.getType(), v.getLoc()));
  SmallVector<Operation *> ops;
  for (Operation &inner : body.without_terminator())
    ops.push_back(&inner);
  for (Operation *inner : llvm::reverse(ops))
    if (inner->use_empty() && isPure(inner))
      inner->erase();
}

/// Computes the costly partly invariant values of `op` separately.
void hoist(tess::ContractOp op) {
  unsigned numLoops = op.getNumLoops();
  if (numLoops < 2 || numLoops > 63)
    return;
  LoopSet all = (LoopSet(1) << numLoops) - 1;
  DenseMap<Value, LoopSet> loops = getLoopSets(op, all);
  OpBuilder b(op);
  for (Value v : findCandidates(op, loops, all)) {
    SmallVector<unsigned> dims = getLoops(loops.lookup(v), numLoops);
    // Nothing to save when the other loops run once.
    bool repeated = llvm::any_of(llvm::seq(numLoops), [&](unsigned d) {
      std::optional<int64_t> extent = getConstantIntValue(op.getBounds()[d]);
      return !llvm::is_contained(dims, d) && (!extent || *extent > 1);
    });
    if (repeated)
      readInstead(op, v, computeSeparately(b, op, v, dims), dims);
  }
}

struct HoistInvariantSubexpressionsPass
    : tessera::impl::TessHoistInvariantSubexpressionsPassBase<
          HoistInvariantSubexpressionsPass> {
  void runOnOperation() override {
    // The contractions of the function body itself: one inside a loop (a
    // scan's step) would compute its part once per step anyway.
    SmallVector<tess::ContractOp> ops;
    for (Operation &op : getOperation().getBody().getOps())
      if (auto contract = dyn_cast<tess::ContractOp>(op))
        ops.push_back(contract);
    for (tess::ContractOp op : ops)
      hoist(op);
  }
};

} // namespace
