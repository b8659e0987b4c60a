//===- SSMToTess.h - Recurrences as steps of contractions -------*- C++ -*-===//
//
// Patterns that write ssm.scan as an scf.for over the scan axis whose steps
// are tess.contract ops over the other dimensions.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_CONVERSION_SSMTOTESS_SSMTOTESS_H
#define TESSERA_CONVERSION_SSMTOTESS_SSMTOTESS_H

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace tessera {

/// Adds the pattern that rewrites ssm.scan (see the convert-ssm-to-tess
/// pass).
void populateSSMToTessPatterns(mlir::RewritePatternSet &patterns);

} // namespace tessera

#endif // TESSERA_CONVERSION_SSMTOTESS_SSMTOTESS_H
