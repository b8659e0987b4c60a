//===- SinCos.h - f32 sine and cosine as arithmetic ------------*- C++ -*-===//
//
// Internal to tess-approximate-math (ApproximateMath.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_TRANSFORMS_SINCOS_H
#define TESSERA_TRANSFORMS_SINCOS_H

#include "mlir/IR/Builders.h"

namespace tessera {

/// sin(x), or cos(x) when `cosine`, of the scalar f32 `x` as branch-free
/// arithmetic in f64 and integer operations, rounded once to f32 (within
/// 0.5002 ULP for every x; SinCos.cpp).
mlir::Value buildSinCosF32(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value x, bool cosine);

} // namespace tessera

#endif // TESSERA_TRANSFORMS_SINCOS_H
