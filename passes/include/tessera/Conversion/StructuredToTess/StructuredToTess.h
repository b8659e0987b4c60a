//===- StructuredToTess.h - Block transforms to contractions ----*- C++ -*-===//
//
// Patterns that write structured.blockdiag and structured.monarch as
// tess.contract ops over reshaped views, so that the contraction planner and
// the GEMM kernels treat them like any other batched matrix product.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_CONVERSION_STRUCTUREDTOTESS_STRUCTUREDTOTESS_H
#define TESSERA_CONVERSION_STRUCTUREDTOTESS_STRUCTUREDTOTESS_H

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace tessera {

/// Adds the patterns that rewrite structured.blockdiag and
/// structured.monarch (see the convert-structured-to-tess pass).
void populateStructuredToTessPatterns(mlir::RewritePatternSet &patterns);

} // namespace tessera

#endif // TESSERA_CONVERSION_STRUCTUREDTOTESS_STRUCTUREDTOTESS_H
