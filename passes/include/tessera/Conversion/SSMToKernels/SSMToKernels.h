//===- SSMToKernels.h - ssm ops to runtime kernels --------------*- C++ -*-===//
//
// Patterns that lower ssm ops on tensors to calls of runtime kernels: the
// dense discretization ssm.discretize to tessera_ssm_discretize_f32/f64.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_CONVERSION_SSMTOKERNELS_SSMTOKERNELS_H
#define TESSERA_CONVERSION_SSMTOKERNELS_SSMTOKERNELS_H

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace tessera {

/// Adds the pattern that rewrites ssm.discretize (see the
/// convert-ssm-to-kernels pass).
void populateSSMToKernelsPatterns(mlir::RewritePatternSet &patterns);

} // namespace tessera

#endif // TESSERA_CONVERSION_SSMTOKERNELS_SSMTOKERNELS_H
