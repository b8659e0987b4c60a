//===- Readouts.h - Consumers of a scan that its loop computes --*- C++ -*-===//
//
// `y[b, d, l] = x[b, d, l, n] * c[b, n, l]` after the scan `x` along `l`
// reads each step's state once, at the same `l`: whatever runs the scan's
// steps can compute it step by step, and when nothing else reads the scan's
// result, the state sequence is never stored (ssm-tile-scans and
// convert-ssm-to-tess both use this).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_SSM_UTILS_READOUTS_H
#define TESSERA_DIALECT_SSM_UTILS_READOUTS_H

#include "tessera/Dialect/SSM/IR/SSMOps.h"
#include "tessera/Dialect/Tess/IR/TessOps.h"

#include "mlir/IR/Builders.h"

namespace tessera {

/// The result of `map` that is the plain dimension `dim`, when no other
/// result uses `dim`; else -1.
int getPlainResult(mlir::AffineMap map, unsigned dim);

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

/// `tensor` with its dimensions reordered: dimension `i` of the result is
/// dimension `from[i]` of `tensor` (a tess.contract copy, which the CPU
/// pipeline hands to the runtime's transpose kernel). Used to lay out a
/// scan's state and staged inputs for its steps.
mlir::Value transposeTensor(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value tensor, llvm::ArrayRef<unsigned> from);

} // namespace tessera

#endif // TESSERA_DIALECT_SSM_UTILS_READOUTS_H
