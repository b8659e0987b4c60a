//===- ComplexGen.h - Complex scalar operations for MLIRGen -----*- C++ -*-===//
//
// Internal to MLIRGen: the complex-dialect ops for the scalar operations of
// a contraction body whose operands are complex.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_FRONTEND_MLIRGEN_COMPLEXGEN_H
#define TESSERA_FRONTEND_MLIRGEN_COMPLEXGEN_H

#include "tessera/Frontend/Sema.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace tessera {
namespace mlirgen {

/// The constant `re + im i` of complex type `type`.
mlir::Value genComplexConstant(mlir::OpBuilder &b, mlir::Location l,
                               mlir::ComplexType type, double re, double im);

/// `fn(x)` for a complex `x`; null for a function not defined on complex
/// numbers (Sema refuses those).
mlir::Value genComplexUnary(mlir::OpBuilder &b, mlir::Location l, UnaryFn fn,
                            mlir::Value x);

/// `re(x)`, `im(x)`, `conj(x)` for a real `x`: x, 0, x.
mlir::Value genRealPart(mlir::OpBuilder &b, mlir::Location l, UnaryFn fn,
                        mlir::Value x);

/// `op(x, y)` for complex `x` and `y`, or `complex(x, y)` for real ones.
mlir::Value genComplexBinary(mlir::OpBuilder &b, mlir::Location l,
                             sema::ScalarExpr::BinaryOp op, mlir::Value x,
                             mlir::Value y);

/// `x ** n` for a complex `x` and an integer `n`: repeated squaring up to
/// |n| = 100, as numpy computes integer powers of complex numbers.
mlir::Value genComplexIntPower(mlir::OpBuilder &b, mlir::Location l,
                               mlir::Value x, int64_t n);

} // namespace mlirgen
} // namespace tessera

#endif // TESSERA_FRONTEND_MLIRGEN_COMPLEXGEN_H
