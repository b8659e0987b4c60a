//===- ScanSteps.h - One position of a loop dimension -----------*- C++ -*-===//
//
// Internal to convert-ssm-to-tess: restricting an op with indexing maps
// (ssm.scan, tess.contract) to one position of one of its loop dimensions,
// as the steps of a scan's loop compute it, and the consumers of a scan that
// its loop computes too (Readouts.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_CONVERSION_SSMTOTESS_SCANSTEPS_H
#define TESSERA_CONVERSION_SSMTOTESS_SCANSTEPS_H

#include "tessera/Dialect/SSM/IR/SSMOps.h"
#include "tessera/Dialect/SSM/Utils/Readouts.h"
#include "tessera/Dialect/Tess/IR/TessOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"

namespace tessera {

/// `map` with loop dimension `dim` replaced by a new last symbol (the step's
/// position) and the dimensions after it moved down by one.
mlir::AffineMap getStepMap(mlir::AffineMap map, unsigned dim);

/// The slice of `tensor` at `position` along `dim` (that dimension dropped).
mlir::Value extractStep(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value tensor, unsigned dim, mlir::Value position);

/// Inserts `slice` into `into` at `position` along `dim`; `sizes` are the
/// extents of `into`.
mlir::Value insertStep(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value slice, mlir::Value into, unsigned dim,
                       mlir::Value position, mlir::ValueRange sizes);

/// An input of an op restricted to `position` of its loop `dim`: sliced
/// there when the input reads `dim` plainly (its map loses that result),
/// else whole, reading the position through the map's new last symbol.
std::pair<mlir::Value, mlir::AffineMap>
restrictInput(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
              mlir::AffineMap map, unsigned dim, mlir::Value position);

/// The slice of `input` for a step at a position of loop `scanLoop`
/// (`slice`: restrictInput of `map`, now read through `stepMap`),
/// copied into a contiguous tensor with the vector loop `vectorLoop` (a
/// loop of the step) innermost, when the step would otherwise read it
/// strided along that loop: it reads the vector loop, and in `input`'s
/// layout that is not the innermost dimension (Mamba's `dt[b, d, l]`, its
/// steps vectorized along `d`). The copy costs one pass over the slice per
/// step; the step's innermost loop then vectorizes with unit stride.
/// Returns the value to read and its map.
std::pair<mlir::Value, mlir::AffineMap>
makeContiguous(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
               mlir::AffineMap map, unsigned scanLoop, mlir::Value slice,
               mlir::AffineMap stepMap, int vectorLoop);

/// Clones the body `source` (of an ssm.scan or a tess.contract) into the
/// block `b` inserts into, whose arguments are the same: ssm.index and
/// tess.index of loop `dim` become `position`, of later loops tess.index one
/// less (then renumbered by `order`, new position per remaining loop, when
/// given); ssm.yield becomes tess.yield.
void cloneStepBody(mlir::OpBuilder &b, mlir::Block &source, unsigned dim,
                   mlir::Value position, llvm::ArrayRef<unsigned> order = {});

/// The order of a scan's step loops (its dimensions but the scan dimension):
/// the dimension the steps vectorize along (ssm.scan's getStepVectorDim)
/// last, the others in order. The state carried between steps is laid out
/// in this order, so that each step's innermost loop is unit-stride.
struct StepOrder {
  /// Per step loop, in the new order: its original position.
  llvm::SmallVector<unsigned> loops;
  /// Per original step loop: its new position.
  llvm::SmallVector<unsigned> positions;

  explicit StepOrder(ssm::ScanOp scan);
  bool isIdentity() const;
  /// `map` (over the original step loops) over the loops in the new order.
  mlir::AffineMap apply(mlir::AffineMap map) const;
  /// `values` (one per original step loop) in the new order.
  llvm::SmallVector<mlir::Value> permute(mlir::ValueRange values) const;
};

/// The tensor a readout's steps are inserted into, before the loop.
mlir::Value createReadoutResult(mlir::OpBuilder &b, mlir::Location loc,
                                const Readout &readout);

/// One step of `readout` at `position`, reading `state` (the scan's state
/// there, laid out in `stateOrder`) where it read the scan's result
/// `scanResult`; returns the readout's result with that step inserted into
/// `carried`.
mlir::Value buildReadoutStep(mlir::OpBuilder &b, mlir::Location loc,
                             const Readout &readout, mlir::Value scanResult,
                             mlir::Value state, const StepOrder &stateOrder,
                             mlir::Value position, mlir::Value carried);

/// ssm.recurrence -> scf.for over the scan axis of its body's steps
/// (SliceRecurrences.cpp); part of populateSSMToTessPatterns.
void populateRecurrenceToLoopPatterns(mlir::RewritePatternSet &patterns);

} // namespace tessera

#endif // TESSERA_CONVERSION_SSMTOTESS_SCANSTEPS_H
