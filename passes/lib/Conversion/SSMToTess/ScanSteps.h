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
#include "tessera/Dialect/Tess/IR/TessOps.h"

#include "mlir/IR/Builders.h"

namespace tessera {

/// `map` with loop dimension `dim` replaced by a new last symbol (the step's
/// position) and the dimensions after it moved down by one.
mlir::AffineMap getStepMap(mlir::AffineMap map, unsigned dim);

/// The result of `map` that is the plain dimension `dim`, when no other
/// result uses `dim`; else -1.
int getPlainResult(mlir::AffineMap map, unsigned dim);

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

/// Clones the body `source` (of an ssm.scan or a tess.contract) into the
/// block `b` inserts into, whose arguments are the same: ssm.index and
/// tess.index of loop `dim` become `position`, of later loops tess.index one
/// less; ssm.yield becomes tess.yield.
void cloneStepBody(mlir::OpBuilder &b, mlir::Block &source, unsigned dim,
                   mlir::Value position);

/// A consumer of a scan that the scan's loop computes step by step: a
/// tess.contract in the scan's block that reads the scan's result at the
/// scan position through its loop `dim` (plainly), which indexes its result
/// at `resultDim`; everything else it reads is available before the scan.
struct Readout {
  tess::ContractOp op;
  unsigned dim;
  unsigned resultDim;
};

/// The consumers of `scan` that its loop can compute (see Readout).
llvm::SmallVector<Readout> findReadouts(ssm::ScanOp scan);

/// The tensor a readout's steps are inserted into, before the loop.
mlir::Value createReadoutResult(mlir::OpBuilder &b, mlir::Location loc,
                                const Readout &readout);

/// One step of `readout` at `position`, reading `state` (the scan's state
/// there) where it read the scan's result `scanResult`; returns the
/// readout's result with that step inserted into `carried`.
mlir::Value buildReadoutStep(mlir::OpBuilder &b, mlir::Location loc,
                             const Readout &readout, mlir::Value scanResult,
                             mlir::Value state, mlir::Value position,
                             mlir::Value carried);

} // namespace tessera

#endif // TESSERA_CONVERSION_SSMTOTESS_SCANSTEPS_H
