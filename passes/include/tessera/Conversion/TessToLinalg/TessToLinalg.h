//===- TessToLinalg.h - tess to linalg conversion ---------------*- C++ -*-===//
//
// Patterns that lower the tess dialect to linalg, tensor, arith, math,
// complex and func ops on tensors.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_CONVERSION_TESSTOLINALG_TESSTOLINALG_H
#define TESSERA_CONVERSION_TESSTOLINALG_TESSTOLINALG_H

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace tessera {

/// Adds the patterns that rewrite every tess op into upstream ops on
/// tensors. They are meant for a partial dialect conversion in which the
/// tess dialect is illegal (see the convert-tess-to-linalg pass).
void populateTessToLinalgPatterns(mlir::RewritePatternSet &patterns);

} // namespace tessera

#endif // TESSERA_CONVERSION_TESSTOLINALG_TESSTOLINALG_H
