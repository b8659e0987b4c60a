//===- WriteLoopStepsInPlace.cpp - Loop steps into their result slice -----===//
//
// See Passes.td (tess-write-loop-steps-in-place).
//
//===----------------------------------------------------------------------===//

#include "tessera/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

namespace tessera {
#define GEN_PASS_DEF_TESSWRITELOOPSTEPSINPLACEPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;

namespace {

/// Makes the op that computes `insert`'s source write into the slice of the
/// destination it is inserted at, when that is safe (see Passes.td).
void writeInPlace(tensor::InsertSliceOp insert) {
  auto dest = dyn_cast<BlockArgument>(insert.getDest());
  auto loop =
      dest ? dyn_cast<scf::ForOp>(dest.getOwner()->getParentOp()) : nullptr;
  if (!loop || !llvm::is_contained(loop.getRegionIterArgs(), dest))
    return;
  auto source = dyn_cast<OpResult>(insert.getSource());
  auto step = source ? dyn_cast<DestinationStyleOpInterface>(source.getOwner())
                     : nullptr;
  if (!step || step->getBlock() != insert->getBlock() ||
      !step.hasPureTensorSemantics())
    return;
  OpOperand *init = step.getTiedOpOperand(source);
  auto empty = init ? init->get().getDefiningOp<tensor::EmptyOp>() : nullptr;
  if (!empty || !empty->hasOneUse() ||
      empty.getType() != insert.getSourceType())
    return;
  // The slice's offsets and sizes must be available where the step is.
  for (Value v : insert->getOperands().drop_front(2)) {
    Operation *def = v.getDefiningOp();
    if (def && def->getBlock() == step->getBlock() &&
        !def->isBeforeInBlock(step))
      return;
  }
  OpBuilder b(step);
  Value slice = tensor::ExtractSliceOp::create(
      b, insert.getLoc(), insert.getSourceType(), insert.getDest(),
      insert.getMixedOffsets(), insert.getMixedSizes(),
      insert.getMixedStrides());
  init->set(slice);
  empty->erase();
}

/// Makes the step whose result `copy` copies into its loop's carried tensor
/// write there itself, when the step reads that tensor only element by
/// element where it writes it (a scan's new state from the previous one):
/// one buffer for the state, no copy per step.
void writeCarriedInPlace(linalg::CopyOp copy) {
  auto carried = dyn_cast<BlockArgument>(copy.getOutputs()[0]);
  auto loop = carried ? dyn_cast<scf::ForOp>(carried.getOwner()->getParentOp())
                      : nullptr;
  if (!loop || !llvm::is_contained(loop.getRegionIterArgs(), carried) ||
      !copy->hasOneUse() || !isa<scf::YieldOp>(*copy->getUsers().begin()))
    return;
  auto step = copy.getInputs()[0].getDefiningOp<linalg::GenericOp>();
  if (!step || step->getBlock() != copy->getBlock() ||
      step->getNumResults() != 1 || !step.hasPureTensorSemantics() ||
      step.getNumLoops() != step.getNumParallelLoops())
    return;
  OpOperand *init = step.getDpsInitOperand(0);
  auto empty = init->get().getDefiningOp<tensor::EmptyOp>();
  if (!empty || empty.getType() != carried.getType())
    return;
  AffineMap written = step.getMatchingIndexingMap(init);
  for (OpOperand *input : step.getDpsInputOperands())
    if (input->get() == carried &&
        step.getMatchingIndexingMap(input) != written)
      return;
  // Nothing else may read the carried tensor once the step overwrites it.
  for (Operation *user : carried.getUsers())
    if (user != step && user != copy)
      return;
  init->set(carried);
  if (empty->use_empty()) // CSE may have merged it with other empties.
    empty->erase();
  copy.getResult(0).replaceAllUsesWith(step->getResult(0));
  copy->erase();
}

/// The operands that give the initial tensor of what produces `value`: the
/// initial value of the scf.for result, the init of a destination-style
/// op's result, or those of the values an scf.if yields for it (through
/// tensor.cast: a peeled tile's static-shaped branch).
void collectProducerInits(Value value, SmallVectorImpl<OpOperand *> &inits) {
  if (auto cast = value.getDefiningOp<tensor::CastOp>())
    value = cast.getSource();
  auto result = dyn_cast<OpResult>(value);
  if (!result)
    return;
  Operation *owner = result.getOwner();
  if (auto loop = dyn_cast<scf::ForOp>(owner)) {
    inits.push_back(&loop.getInitArgsMutable()[result.getResultNumber()]);
  } else if (auto dps = dyn_cast<DestinationStyleOpInterface>(owner)) {
    if (dps.hasPureTensorSemantics())
      inits.push_back(dps.getTiedOpOperand(result));
  } else if (auto branch = dyn_cast<scf::IfOp>(owner)) {
    for (Region *region : {&branch.getThenRegion(), &branch.getElseRegion()})
      if (!region->empty())
        collectProducerInits(region->front().getTerminator()->getOperand(
                                 result.getResultNumber()),
                             inits);
  }
}

/// Makes what produces the tile a forall inserts into its shared output (a
/// loop, a destination-style op) build it in the shared output's slice:
/// its initial tensor, a `tensor.empty`, becomes the slice.
void buildTileInPlace(tensor::ParallelInsertSliceOp insert) {
  auto shared = dyn_cast<BlockArgument>(insert.getDest());
  if (!shared || !shared.hasOneUse())
    return;
  SmallVector<OpOperand *> inits;
  collectProducerInits(insert.getSource(), inits);
  for (OpOperand *init : inits) {
    Operation *producer = init->getOwner();
    auto empty = init->get().getDefiningOp<tensor::EmptyOp>();
    if (!empty)
      continue;
    // The slice's offsets must be available at the producer.
    bool available = llvm::all_of(insert.getOffsets(), [&](Value v) {
      Operation *def = v.getDefiningOp();
      if (def && def->getBlock() == producer->getBlock())
        return def->isBeforeInBlock(producer);
      return v.getParentRegion()->isAncestor(producer->getParentRegion());
    });
    if (!available)
      continue;
    OpBuilder b(producer);
    Value slice = tensor::ExtractSliceOp::create(
        b, insert.getLoc(), empty.getType(), shared, insert.getMixedOffsets(),
        empty.getMixedSizes(), insert.getMixedStrides());
    init->set(slice);
    if (empty->use_empty())
      empty->erase();
  }
}

struct WriteLoopStepsInPlacePass
    : tessera::impl::TessWriteLoopStepsInPlacePassBase<
          WriteLoopStepsInPlacePass> {
  void runOnOperation() override {
    SmallVector<tensor::InsertSliceOp> inserts;
    getOperation()->walk(
        [&](tensor::InsertSliceOp op) { inserts.push_back(op); });
    for (tensor::InsertSliceOp insert : inserts)
      writeInPlace(insert);
    SmallVector<linalg::CopyOp> copies;
    getOperation()->walk([&](linalg::CopyOp op) { copies.push_back(op); });
    for (linalg::CopyOp copy : copies)
      writeCarriedInPlace(copy);
    SmallVector<tensor::ParallelInsertSliceOp> tiles;
    getOperation()->walk(
        [&](tensor::ParallelInsertSliceOp op) { tiles.push_back(op); });
    for (tensor::ParallelInsertSliceOp insert : tiles)
      buildTileInPlace(insert);
  }
};

} // namespace
