//===- ComplexGen.cpp - Complex scalar operations for MLIRGen -------------===//

#include "ComplexGen.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Complex/IR/Complex.h"

using namespace mlir;
using namespace tessera;
using BinaryOp = sema::ScalarExpr::BinaryOp;

Value mlirgen::genComplexConstant(OpBuilder &b, Location l, ComplexType type,
                                  double re, double im) {
  Type part = type.getElementType();
  return complex::ConstantOp::create(
      b, l, type,
      b.getArrayAttr({b.getFloatAttr(part, re), b.getFloatAttr(part, im)}));
}

Value mlirgen::genComplexUnary(OpBuilder &b, Location l, UnaryFn fn, Value x) {
  switch (fn) {
  case UnaryFn::Neg:
    return complex::NegOp::create(b, l, x);
  case UnaryFn::Exp:
    return complex::ExpOp::create(b, l, x);
  case UnaryFn::Log:
    return complex::LogOp::create(b, l, x);
  case UnaryFn::Sqrt:
    return complex::SqrtOp::create(b, l, x);
  case UnaryFn::Rsqrt:
    return complex::RsqrtOp::create(b, l, x);
  case UnaryFn::Sin:
    return complex::SinOp::create(b, l, x);
  case UnaryFn::Cos:
    return complex::CosOp::create(b, l, x);
  case UnaryFn::Tanh:
    return complex::TanhOp::create(b, l, x);
  case UnaryFn::Abs:
    return complex::AbsOp::create(b, l, x);
  case UnaryFn::Re:
    return complex::ReOp::create(b, l, x);
  case UnaryFn::Im:
    return complex::ImOp::create(b, l, x);
  case UnaryFn::Conj:
    return complex::ConjOp::create(b, l, x);
  default:
    return {};
  }
}

Value mlirgen::genRealPart(OpBuilder &b, Location l, UnaryFn fn, Value x) {
  if (fn != UnaryFn::Im)
    return x;
  return arith::ConstantOp::create(b, l, b.getFloatAttr(x.getType(), 0.0));
}

Value mlirgen::genComplexBinary(OpBuilder &b, Location l, BinaryOp op, Value x,
                                Value y) {
  switch (op) {
  case BinaryOp::Add:
    return complex::AddOp::create(b, l, x, y);
  case BinaryOp::Sub:
    return complex::SubOp::create(b, l, x, y);
  case BinaryOp::Mul:
    return complex::MulOp::create(b, l, x, y);
  case BinaryOp::Div:
    return complex::DivOp::create(b, l, x, y);
  case BinaryOp::Pow:
    return complex::PowOp::create(b, l, x, y);
  case BinaryOp::Eq:
    return complex::EqualOp::create(b, l, x, y);
  case BinaryOp::Ne:
    return complex::NotEqualOp::create(b, l, x, y);
  case BinaryOp::Complex:
    return complex::CreateOp::create(b, l, ComplexType::get(x.getType()), x, y);
  default:
    return {};
  }
}

Value mlirgen::genComplexIntPower(OpBuilder &b, Location l, Value x,
                                  int64_t n) {
  auto type = cast<ComplexType>(x.getType());
  Value one = genComplexConstant(b, l, type, 1.0, 0.0);
  // NumPy squares repeatedly up to |n| = 100, and uses pow beyond.
  if (n < -100 || n > 100) {
    Value exponent = genComplexConstant(b, l, type, static_cast<double>(n), 0);
    return complex::PowOp::create(b, l, x, exponent);
  }
  uint64_t k = n < 0 ? -static_cast<uint64_t>(n) : n;
  Value result, square = x;
  for (; k; k >>= 1) {
    if (k & 1)
      result =
          result ? Value(complex::MulOp::create(b, l, result, square)) : square;
    if (k > 1)
      square = complex::MulOp::create(b, l, square, square);
  }
  if (!result)
    return one;
  return n < 0 ? Value(complex::DivOp::create(b, l, one, result)) : result;
}
