//===- Classification.h - What a recurrence's step computes -----*- C++ -*-===//
//
// The analysis behind ssm-classify-recurrences: whether a step is linear in
// the previous state, what its coefficient is (scalar, diagonal, complex
// diagonal, a dense or block-diagonal transition) and, for a step over a
// whole slice, which of the slice's dimensions are independent channels
// (ssm-parallelize-recurrences runs those in parallel).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_SSM_UTILS_CLASSIFICATION_H
#define TESSERA_DIALECT_SSM_UTILS_CLASSIFICATION_H

#include "tessera/Dialect/SSM/IR/SSMOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallBitVector.h"

namespace tessera::ssm {

/// The kind of an ssm.scan's step: `scalar`, `diagonal` or
/// `complex_diagonal` when the new state is `a * prev + b` (`a` and `b`
/// computed without `prev`), else `general`.
RecurrenceKind classifyScan(ScanOp scan);

/// What the step of an ssm.recurrence computes from the previous slice.
struct RecurrenceClassification {
  RecurrenceKind kind = RecurrenceKind::General;
  /// Per slice dimension: whether it is an independent channel, along which
  /// every value the step derives from the previous slice is read and
  /// written at the same index (no contraction, shift or tess.index).
  llvm::SmallBitVector channels;
  /// For each value of the body derived from the previous slice (the
  /// previous slice included): the slice dimension that each of its
  /// dimensions runs along, -1 where none does. Empty when the step has an
  /// op the analysis does not follow.
  llvm::DenseMap<mlir::Value, llvm::SmallVector<int>> sliceDims;
};

/// Classifies `recurrence`'s step (see RecurrenceOp's `kind`).
RecurrenceClassification classifyRecurrence(RecurrenceOp recurrence);

} // namespace tessera::ssm

#endif // TESSERA_DIALECT_SSM_UTILS_CLASSIFICATION_H
