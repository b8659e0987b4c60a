//===- WriteLoopStepsInPlace.cpp - Loop steps into their result slice -----===//
//
// See Passes.td (tess-write-loop-steps-in-place).
//
//===----------------------------------------------------------------------===//

#include "tessera/Transforms/Passes.h"

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

struct WriteLoopStepsInPlacePass
    : tessera::impl::TessWriteLoopStepsInPlacePassBase<
          WriteLoopStepsInPlacePass> {
  void runOnOperation() override {
    SmallVector<tensor::InsertSliceOp> inserts;
    getOperation()->walk(
        [&](tensor::InsertSliceOp op) { inserts.push_back(op); });
    for (tensor::InsertSliceOp insert : inserts)
      writeInPlace(insert);
  }
};

} // namespace
