//===- Lowering.h - Shared pieces of the tess-to-linalg lowering -*- C++
//-*-===//
//
// Private to passes/lib/Conversion/TessToLinalg: the scalar helpers that
// TessToLinalg.cpp defines and the contraction lowering (Contraction.cpp)
// uses, and the description of a contraction that the tess.contract and
// tess.map patterns hand to buildContraction.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_LIB_CONVERSION_TESSTOLINALG_LOWERING_H
#define TESSERA_LIB_CONVERSION_TESSTOLINALG_LOWERING_H

#include "tessera/Dialect/Tess/IR/TessOps.h"

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

namespace tessera::tesstolinalg {

/// Zero of a tess element type (the value of an out-of-bounds read).
mlir::Value createZero(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type);

/// Identity of reduction `kind` on `type`.
mlir::Value createIdentity(mlir::OpBuilder &b, mlir::Location loc,
                           tess::ReductionKind kind, mlir::Type type);

/// Combines `value` into the accumulator `acc` with `kind`.
mlir::Value combine(mlir::OpBuilder &b, mlir::Location loc,
                    tess::ReductionKind kind, mlir::Value acc,
                    mlir::Value value);

/// Extends `value` to the accumulator type `accType` (a no-op when equal).
mlir::Value extendToAccumulator(mlir::OpBuilder &b, mlir::Location loc,
                                mlir::Value value, mlir::Type accType);

/// Rounds every element of `acc` (an f32 accumulator tensor) into `init`,
/// a tensor of the same shape and the final element type, once.
mlir::Value createTruncation(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value acc, mlir::Value init);

/// The pieces of a tess.contract or tess.map that the lowering needs.
struct ContractionSpec {
  mlir::ValueRange inputs;
  llvm::SmallVector<mlir::AffineMap> inputMaps;
  mlir::AffineMap resultMap;
  mlir::RankedTensorType resultType;
  /// Dynamic sizes of the result, in order.
  llvm::SmallVector<mlir::Value> resultDynamicSizes;
  /// Loop bounds, one per loop dimension (empty for tess.map, whose loops
  /// are the dimensions of its identically indexed inputs).
  mlir::ValueRange bounds;
  /// The values of the maps' symbols (the result map uses none).
  mlir::ValueRange symbols;
  tess::ReductionKind kind;
  mlir::Block *body;
};

/// Builds the linalg ops of a contraction and returns its result: one
/// linalg.generic, or one per piece of a peeled iteration space when
/// compound subscripts allow it (AffineReads.h).
mlir::Value buildContraction(mlir::PatternRewriter &rewriter,
                             mlir::Location loc, const ContractionSpec &spec);

} // namespace tessera::tesstolinalg

#endif // TESSERA_LIB_CONVERSION_TESSTOLINALG_LOWERING_H
