//===- FusedSlices.cpp - Reuse what tile-and-fuse computed ----------------===//

#include "FusedSlices.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace {

/// The slice of its accumulator that the tiled op `tiled` starts from
/// (through a fused linalg.fill), or null.
tensor::ExtractSliceOp getInitSlice(linalg::LinalgOp tiled) {
  if (tiled.getNumDpsInits() != 1)
    return {};
  Value init = tiled.getDpsInits()[0];
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    init = fill.getDpsInits()[0];
  return init.getDefiningOp<tensor::ExtractSliceOp>();
}

/// The value a linalg.fill writes into `init`, or null.
Value getFillValue(Value init) {
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    return fill.getDpsInputs()[0];
  return Value();
}

/// Whether `tiled` computes slice `slice` of the untiled `producer`: the
/// same computation (name, indexing maps, iterators, body), its inputs are
/// slices of the producer's inputs and its accumulator is the same slice of
/// the producer's accumulator, filled with the same value if it was filled.
/// (Two reductions of one input into one shared empty tensor, a max and a
/// sum, differ only in their bodies and fill values.)
bool computesSlice(linalg::LinalgOp tiled, linalg::LinalgOp producer,
                   tensor::ExtractSliceOp slice) {
  if (tiled->getName() != producer->getName() ||
      tiled.getNumDpsInputs() != producer.getNumDpsInputs() ||
      tiled.getIndexingMapsArray() != producer.getIndexingMapsArray() ||
      tiled.getIteratorTypesArray() != producer.getIteratorTypesArray() ||
      !OperationEquivalence::isRegionEquivalentTo(
          &tiled->getRegion(0), &producer->getRegion(0),
          OperationEquivalence::IgnoreLocations) ||
      getFillValue(tiled.getDpsInits()[0]) !=
          getFillValue(producer.getDpsInits()[0]))
    return false;
  for (auto [t, p] :
       llvm::zip(tiled.getDpsInputOperands(), producer.getDpsInputOperands())) {
    auto inputSlice = t->get().getDefiningOp<tensor::ExtractSliceOp>();
    if (t->get() != p->get() &&
        !(inputSlice && inputSlice.getSource() == p->get()))
      return false;
  }
  tensor::ExtractSliceOp init = getInitSlice(tiled);
  if (!init)
    return false;
  Value producerInit = producer.getDpsInits()[0];
  auto fill = producerInit.getDefiningOp<linalg::FillOp>();
  if (init.getSource() != producerInit &&
      !(fill && init.getSource() == fill.getDpsInits()[0]))
    return false;
  return isEqualConstantIntOrValueArray(init.getMixedOffsets(),
                                        slice.getMixedOffsets()) &&
         isEqualConstantIntOrValueArray(init.getMixedSizes(),
                                        slice.getMixedSizes()) &&
         isEqualConstantIntOrValueArray(init.getMixedStrides(),
                                        slice.getMixedStrides());
}

} // namespace

void tessera::reuseFusedSlices(RewriterBase &rewriter,
                               const scf::SCFTileAndFuseResult &result) {
  for (Operation *producerOp : result.fusedProducers) {
    auto producer = dyn_cast<linalg::LinalgOp>(producerOp);
    if (!producer || producer->getNumResults() != 1)
      continue;
    SmallVector<tensor::ExtractSliceOp> slices;
    for (Operation *user : producer->getResult(0).getUsers())
      if (auto slice = dyn_cast<tensor::ExtractSliceOp>(user))
        slices.push_back(slice);
    for (tensor::ExtractSliceOp slice : slices) {
      for (Operation *op : result.tiledAndFusedOps) {
        auto tiled = dyn_cast<linalg::LinalgOp>(op);
        if (!tiled || tiled->getBlock() != slice->getBlock() ||
            !tiled->isBeforeInBlock(slice) ||
            !computesSlice(tiled, producer, slice) ||
            tiled->getResult(0).getType() != slice.getType())
          continue;
        rewriter.replaceOp(slice, tiled->getResult(0));
        break;
      }
    }
  }
}
