//===- CheckAllocations.cpp - Checked allocation of intermediates ---------===//
//
// Every memref.alloc of an exported entry checks its byte size before it
// runs and its result after: a size that overflows int64_t or a failed
// malloc fills the entry's error record and makes the entry return an error
// status instead of crashing. See Passes.td and docs/abi.md.
//
//===----------------------------------------------------------------------===//

#include "RuntimeChecks.h"

#include "tessera/Runtime/EntryABI.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/IR/Builders.h"

namespace tessera {
#define GEN_PASS_DEF_TESSCHECKALLOCATIONSPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;
using namespace tessera;

namespace {

/// An allocation's extents (index values) and how its error record names it.
struct AllocInfo {
  SmallVector<Value> dims;
  TensorDescription desc;
  int64_t elementBytes = 1;
};

/// Rewrites one entry so that each of its allocations is checked.
class AllocationChecker {
public:
  AllocationChecker(func::FuncOp func, Value record, ErrorRecordWriter &writer)
      : func(func), record(record), writer(writer), b(func.getContext()) {}

  LogicalResult run();

private:
  /// Checks the allocations in [it, terminator) of `block` and returns the
  /// status of that range (an i32 built in `block`), or a null Value when
  /// nothing in it can fail. With `preflight`, first checks the sizes of the
  /// allocations of the block whose extents are defined outside it.
  FailureOr<Value> checkRange(Block &block, Block::iterator it, bool preflight);
  FailureOr<Value> checkPreflight(Block &block);
  FailureOr<Value> checkAlloc(memref::AllocOp alloc);
  FailureOr<Value> checkNestedIf(scf::IfOp ifOp);
  /// A sequential loop: each iteration runs only while the status carried
  /// from the previous ones is 0; the rest of the block only if the loop's
  /// final status is.
  FailureOr<Value> checkFor(scf::ForOp loop);
  /// Runs the rest of the block after `op` only if `status` is 0, and
  /// checks it; returns the status of the whole.
  FailureOr<Value> guardAfter(Operation *op, Value status);
  FailureOr<Value> checkParallel(scf::ParallelOp loop);

  /// Writes the error record for a failed allocation and returns `status`.
  /// Inside a parallel loop, only the first iteration to fail (of the whole
  /// entry) writes it and the status: the one that sets `parallelClaim`.
  Value reportFailure(Location loc, int32_t status, const AllocInfo &info,
                      Value bytes);

  /// Moves [first, terminator) of `block` into the else-region of a new
  /// `scf.if %failed` whose then-region runs `onFailure`, which returns the
  /// status to yield. The new op yields (status, the values the terminator
  /// takes from the moved ops); its else-region yields status 0 until
  /// `setRestStatus` replaces it.
  scf::IfOp guardRest(Block &block, Block::iterator first, Value failed,
                      function_ref<Value()> onFailure);
  /// Continues checking in the else-region of `guard` (created by guardRest)
  /// and yields the status found there. Returns the guard's status.
  FailureOr<Value> checkRest(scf::IfOp guard, bool preflight);

  AllocInfo describe(memref::AllocOp alloc);
  Value i32(int64_t value) {
    return arith::ConstantIntOp::create(b, func.getLoc(), b.getI32Type(),
                                        value);
  }

  func::FuncOp func;
  Value record;
  ErrorRecordWriter &writer;
  OpBuilder b;
  /// The sizes already computed (and checked) at the start of a block.
  DenseMap<Operation *, TensorSize> checkedSizes;
  /// For the parallel loops of the entry (created for the first one), two
  /// memref<i32> on the stack: a flag that the first failing iteration sets
  /// (atomically), and the status it stores, 0 until then.
  Value parallelClaim, parallelStatus;
  /// How many parallel loops enclose the code being checked.
  unsigned parallelDepth = 0;
};

/// A value of `type` for a branch that failed, which nothing reads: a
/// buffer on the stack with every dynamic extent 0 for a memref (so that
/// buffer deallocation sees a valid buffer it does not own), else poison.
Value createPlaceholder(OpBuilder &b, Location loc, Type type) {
  auto memrefType = dyn_cast<MemRefType>(type);
  if (!memrefType)
    return ub::PoisonOp::create(b, loc, type);
  auto identity =
      MemRefType::get(memrefType.getShape(), memrefType.getElementType(),
                      AffineMap(), memrefType.getMemorySpace());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  SmallVector<Value> sizes(memrefType.getNumDynamicDims(), zero);
  Value buffer = memref::AllocaOp::create(b, loc, identity, sizes);
  if (identity == memrefType)
    return buffer;
  return memref::CastOp::create(b, loc, memrefType, buffer);
}

bool containsAlloc(Operation *op) {
  return op->walk([](memref::AllocOp) { return WalkResult::interrupt(); })
      .wasInterrupted();
}

AllocInfo AllocationChecker::describe(memref::AllocOp alloc) {
  // Static extents become constants at the current insertion point.
  AllocInfo info;
  for (OpFoldResult size : alloc.getMixedSizes())
    info.dims.push_back(
        getValueOrCreateConstantIndexOp(b, alloc.getLoc(), size));
  auto [name, where] = describeLocation(alloc.getLoc());
  info.desc.what =
      name.empty() ? "intermediate value" : "intermediate '" + name + "'";
  info.desc.where = where;
  auto [dtype, bytes] =
      describeElementType(alloc, alloc.getType().getElementType());
  info.desc.dtype = dtype;
  info.elementBytes = bytes;
  return info;
}

scf::IfOp AllocationChecker::guardRest(Block &block, Block::iterator first,
                                       Value failed,
                                       function_ref<Value()> onFailure) {
  Operation *terminator = block.getTerminator();
  Location loc = first->getLoc();
  SmallVector<Value> escaping;
  for (Value operand : terminator->getOperands()) {
    Operation *def = operand.getDefiningOp();
    if (def && def->getBlock() == &block && !def->isBeforeInBlock(&*first) &&
        !llvm::is_contained(escaping, operand))
      escaping.push_back(operand);
  }
  SmallVector<Type> types = {b.getI32Type()};
  for (Value value : escaping)
    types.push_back(value.getType());

  // The placeholder status lives outside the moved range, so that a later
  // guard in the else-region does not take it for a value to yield.
  b.setInsertionPoint(&block, first);
  Value zero = i32(0);
  auto ifOp = scf::IfOp::create(b, loc, types, failed, /*withElse=*/true);
  Block *rest = ifOp.elseBlock();
  rest->getOperations().splice(rest->end(), block.getOperations(), first,
                               Block::iterator(terminator));
  b.setInsertionPointToEnd(rest);
  SmallVector<Value> restYield = {zero};
  llvm::append_range(restYield, escaping);
  scf::YieldOp::create(b, loc, restYield);

  b.setInsertionPointToStart(ifOp.thenBlock());
  SmallVector<Value> failureYield = {onFailure()};
  for (Value value : escaping)
    failureYield.push_back(createPlaceholder(b, loc, value.getType()));
  scf::YieldOp::create(b, loc, failureYield);

  for (auto [i, value] : llvm::enumerate(escaping))
    terminator->replaceUsesOfWith(value, ifOp.getResult(i + 1));
  return ifOp;
}

FailureOr<Value> AllocationChecker::checkRest(scf::IfOp guard, bool preflight) {
  Block *rest = guard.elseBlock();
  FailureOr<Value> status = checkRange(*rest, rest->begin(), preflight);
  if (failed(status))
    return failure();
  if (*status)
    rest->getTerminator()->setOperand(0, *status);
  return guard.getResult(0);
}

FailureOr<Value> AllocationChecker::checkPreflight(Block &block) {
  // The allocations whose extents are known when the block starts: block
  // arguments or values from outside.
  SmallVector<memref::AllocOp> allocs;
  for (auto alloc : block.getOps<memref::AllocOp>())
    if (llvm::none_of(alloc.getDynamicSizes(), [&](Value size) {
          Operation *def = size.getDefiningOp();
          return def && def->getBlock() == &block;
        }))
      allocs.push_back(alloc);
  if (allocs.empty())
    return checkRange(block, block.begin(), /*preflight=*/false);

  // All sizes first, at the start of the block (in creation order, before
  // the block's first operation); then one guard per size in allocation
  // order, each holding the rest of the block.
  SmallVector<AllocInfo> infos;
  b.setInsertionPointToStart(&block);
  for (memref::AllocOp alloc : allocs) {
    infos.push_back(describe(alloc));
    checkedSizes[alloc] = buildTensorSize(b, alloc.getLoc(), infos.back().dims,
                                          infos.back().elementBytes);
  }
  Block::iterator first = b.getInsertionPoint();
  Block *current = &block;
  Value status;
  scf::IfOp previous;
  for (unsigned i = 0, e = allocs.size(); i != e; ++i) {
    memref::AllocOp alloc = allocs[i];
    const TensorSize &size = checkedSizes[alloc];
    scf::IfOp guard = guardRest(*current, first, size.tooLarge, [&] {
      return reportFailure(alloc.getLoc(), kStatusTooLarge, infos[i],
                           size.bytes);
    });
    if (previous)
      current->getTerminator()->setOperand(0, guard.getResult(0));
    else
      status = guard.getResult(0);
    previous = guard;
    current = guard.elseBlock();
    first = current->begin();
  }
  if (failed(checkRest(previous, /*preflight=*/false)))
    return failure();
  return status;
}

FailureOr<Value> AllocationChecker::checkAlloc(memref::AllocOp alloc) {
  Block &block = *alloc->getBlock();
  Location loc = alloc.getLoc();
  b.setInsertionPoint(alloc);
  AllocInfo info = describe(alloc);
  auto it = checkedSizes.find(alloc);
  scf::IfOp sizeGuard;
  TensorSize size;
  if (it != checkedSizes.end()) {
    size = it->second;
  } else {
    size = buildTensorSize(b, loc, info.dims, info.elementBytes);
    sizeGuard = guardRest(block, Block::iterator(alloc), size.tooLarge, [&] {
      return reportFailure(loc, kStatusTooLarge, info, size.bytes);
    });
  }

  // A null result for a nonzero size is a failure (malloc(0) may be null).
  b.setInsertionPointAfter(alloc);
  Value address = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, alloc);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value isNull =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, address, zero);
  Value nonEmpty = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::ne, size.bytes,
      arith::ConstantIntOp::create(b, loc, b.getI64Type(), 0));
  Value failedAlloc = arith::AndIOp::create(b, loc, isNull, nonEmpty);
  Block &allocBlock = *alloc->getBlock();
  scf::IfOp nullGuard = guardRest(
      allocBlock, std::next(Block::iterator(failedAlloc.getDefiningOp())),
      failedAlloc,
      [&] { return reportFailure(loc, kStatusOutOfMemory, info, size.bytes); });
  FailureOr<Value> status = checkRest(nullGuard, /*preflight=*/false);
  if (failed(status) || !sizeGuard)
    return status;
  sizeGuard.elseBlock()->getTerminator()->setOperand(0, *status);
  return sizeGuard.getResult(0);
}

FailureOr<Value> AllocationChecker::checkNestedIf(scf::IfOp ifOp) {
  Location loc = ifOp.getLoc();
  SmallVector<Value> regionStatus;
  for (Region *region : {&ifOp.getThenRegion(), &ifOp.getElseRegion()}) {
    if (region->empty()) {
      regionStatus.push_back(Value());
      continue;
    }
    FailureOr<Value> status =
        checkRange(region->front(), region->front().begin(), true);
    if (failed(status))
      return failure();
    regionStatus.push_back(*status);
  }

  // The same op with one more result: the status of the branch taken.
  SmallVector<Type> types(ifOp.getResultTypes());
  types.push_back(b.getI32Type());
  b.setInsertionPoint(ifOp);
  auto newIf = scf::IfOp::create(b, loc, types, ifOp.getCondition(),
                                 /*withElseRegion=*/false);
  newIf.getThenRegion().takeBody(ifOp.getThenRegion());
  if (ifOp.getElseRegion().empty()) {
    b.createBlock(&newIf.getElseRegion());
    scf::YieldOp::create(b, loc);
  } else {
    newIf.getElseRegion().takeBody(ifOp.getElseRegion());
  }
  for (auto [region, status] : llvm::zip(newIf->getRegions(), regionStatus)) {
    Operation *yield = region.front().getTerminator();
    b.setInsertionPoint(yield);
    yield->insertOperands(yield->getNumOperands(), status ? status : i32(0));
  }
  ifOp.replaceAllUsesWith(newIf.getResults().drop_back());
  ifOp.erase();

  // The rest of the block runs only if the branch succeeded.
  return guardAfter(newIf, newIf.getResults().back());
}

FailureOr<Value> AllocationChecker::guardAfter(Operation *op, Value status) {
  Block &block = *op->getBlock();
  auto next = std::next(Block::iterator(op));
  if (&*next == block.getTerminator())
    return status;
  Location loc = op->getLoc();
  b.setInsertionPointAfter(op);
  Value failedBefore =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, status, i32(0));
  scf::IfOp guard =
      guardRest(block, std::next(Block::iterator(failedBefore.getDefiningOp())),
                failedBefore, [&] { return status; });
  return checkRest(guard, /*preflight=*/false);
}

FailureOr<Value> AllocationChecker::checkFor(scf::ForOp loop) {
  Location loc = loop.getLoc();
  // The same loop with one more carried value, the status; its body is the
  // old body inside `scf.if %status == 0`, which passes the carried values
  // through once an iteration has failed.
  SmallVector<Value> inits(loop.getInitArgs());
  b.setInsertionPoint(loop);
  inits.push_back(i32(0));
  auto newLoop =
      scf::ForOp::create(b, loc, loop.getLowerBound(), loop.getUpperBound(),
                         loop.getStep(), inits);
  Block *body = newLoop.getBody();
  Value carriedStatus = body->getArguments().back();
  b.setInsertionPointToStart(body);
  Value ok = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                   carriedStatus, i32(0));
  SmallVector<Type> types(loop.getResultTypes());
  types.push_back(b.getI32Type());
  auto guard = scf::IfOp::create(b, loc, types, ok, /*withElseRegion=*/true);
  Block &old = *loop.getBody();
  for (auto [from, to] :
       llvm::zip(old.getArguments(), body->getArguments().drop_back()))
    from.replaceAllUsesWith(to);
  Block *then = guard.thenBlock();
  then->getOperations().splice(then->begin(), old.getOperations());
  Operation *oldYield = then->getTerminator();
  b.setInsertionPoint(oldYield);
  SmallVector<Value> thenYield(oldYield->getOperands());
  thenYield.push_back(i32(0));
  auto newYield = scf::YieldOp::create(b, loc, thenYield);
  oldYield->erase();
  b.setInsertionPointToStart(guard.elseBlock());
  scf::YieldOp::create(b, loc, body->getArguments().drop_front());
  b.setInsertionPointToEnd(body);
  scf::YieldOp::create(b, loc, guard.getResults());

  FailureOr<Value> status = checkRange(*then, then->begin(), true);
  if (failed(status))
    return failure();
  if (*status)
    newYield->setOperand(newYield->getNumOperands() - 1, *status);
  loop.replaceAllUsesWith(newLoop.getResults().drop_back());
  loop.erase();
  return guardAfter(newLoop, newLoop.getResults().back());
}

Value AllocationChecker::reportFailure(Location loc, int32_t status,
                                       const AllocInfo &info, Value bytes) {
  if (parallelDepth == 0) {
    writer.write(b, loc, record, status, info.desc, bytes, info.dims);
    return i32(status);
  }
  // An atomic or, not a compare-and-swap loop: buffer deallocation does not
  // know memref.generic_atomic_rmw's region.
  Value code = i32(status);
  Value previous = memref::AtomicRMWOp::create(
      b, loc, arith::AtomicRMWKind::ori, i32(1), parallelClaim, ValueRange());
  Value first =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, previous, i32(0));
  auto firstFailure = scf::IfOp::create(b, loc, first, /*withElse=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(firstFailure.thenBlock());
  // Atomic, as the read after a nested loop may run beside it.
  memref::AtomicRMWOp::create(b, loc, arith::AtomicRMWKind::assign, code,
                              parallelStatus, ValueRange());
  writer.write(b, loc, record, status, info.desc, bytes, info.dims);
  return code;
}

FailureOr<Value> AllocationChecker::checkParallel(scf::ParallelOp loop) {
  Location loc = loop.getLoc();
  // Iterations cannot return: a failing one records the failure in
  // parallelStatus and skips the rest of its body; the others run on. After
  // the loop, a nonzero status skips the rest of the block.
  if (!parallelStatus) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&func.getBody().front());
    auto type = MemRefType::get({}, b.getI32Type());
    parallelClaim = memref::AllocaOp::create(b, loc, type);
    parallelStatus = memref::AllocaOp::create(b, loc, type);
    memref::StoreOp::create(b, loc, i32(0), parallelClaim);
    memref::StoreOp::create(b, loc, i32(0), parallelStatus);
  }
  Block &body = *loop.getBody();
  ++parallelDepth;
  FailureOr<Value> bodyStatus = checkRange(body, body.begin(), true);
  --parallelDepth;
  if (failed(bodyStatus))
    return failure();
  if (!*bodyStatus)
    return Value();
  // An atomic read (or with 0): inside an outer parallel loop, another
  // iteration may be storing a failure.
  b.setInsertionPointAfter(loop);
  Value status = memref::AtomicRMWOp::create(
      b, loc, arith::AtomicRMWKind::ori, i32(0), parallelStatus, ValueRange());
  Block &block = *loop->getBlock();
  auto next = std::next(Block::iterator(status.getDefiningOp()));
  if (&*next == block.getTerminator())
    return status;
  Value failedLoop =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, status, i32(0));
  scf::IfOp guard =
      guardRest(block, std::next(Block::iterator(failedLoop.getDefiningOp())),
                failedLoop, [&] { return status; });
  return checkRest(guard, /*preflight=*/false);
}

FailureOr<Value> AllocationChecker::checkRange(Block &block, Block::iterator it,
                                               bool preflight) {
  if (preflight && it == block.begin())
    return checkPreflight(block);
  for (; it != block.end(); ++it) {
    Operation *op = &*it;
    if (auto alloc = dyn_cast<memref::AllocOp>(op))
      return checkAlloc(alloc);
    if (op->getNumRegions() == 0 || !containsAlloc(op))
      continue;
    if (auto loop = dyn_cast<scf::ParallelOp>(op))
      return checkParallel(loop);
    if (auto loop = dyn_cast<scf::ForOp>(op))
      return checkFor(loop);
    auto ifOp = dyn_cast<scf::IfOp>(op);
    if (!ifOp)
      return op->emitError("cannot check the allocations inside '")
             << op->getName() << "': only scf.if, scf.for and scf.parallel "
             << "may enclose them";
    return checkNestedIf(ifOp);
  }
  return Value();
}

LogicalResult AllocationChecker::run() {
  if (!func.getBody().hasOneBlock() || func.getNumResults() != 1 ||
      !func.getResultTypes()[0].isInteger(32))
    return func.emitError("an entry with an error record must have one block "
                          "and return one i32 status");
  Block &body = func.getBody().front();
  FailureOr<Value> status = checkRange(body, body.begin(), true);
  if (failed(status))
    return failure();
  if (!*status)
    return success();
  // The first nonzero of the checks' status and the old return value.
  Operation *ret = body.getTerminator();
  Location loc = ret->getLoc();
  b.setInsertionPoint(ret);
  Value failedChecks =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, *status, i32(0));
  ret->setOperand(0, arith::SelectOp::create(b, loc, failedChecks, *status,
                                             ret->getOperand(0)));
  return success();
}

struct TessCheckAllocationsPass
    : public tessera::impl::TessCheckAllocationsPassBase<
          TessCheckAllocationsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    ErrorRecordWriter writer(module);
    SmallVector<func::FuncOp> entries;
    for (auto func : module.getOps<func::FuncOp>())
      if (Value record = getErrorRecordArgument(func))
        entries.push_back(func);
    for (func::FuncOp func : entries) {
      Value record = getErrorRecordArgument(func);
      if (failed(AllocationChecker(func, record, writer).run()))
        return signalPassFailure();
    }
  }
};

} // namespace
