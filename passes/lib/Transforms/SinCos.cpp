//===- SinCos.cpp - f32 sine and cosine as vectorizable arithmetic --------===//
//
// sin(x) and cos(x) of a scalar f32 x in f64 arithmetic, branch-free, so
// that LLVM's loop vectorizer widens loops that apply them (a libm call runs
// one element at a time). x = n pi / 2 + r with |r| <= pi / 4:
//
//  * |x| < 2^25: n = roundeven(x 2 / pi) and r = x - n P1 - n P2 (two fused
//    multiply-adds, P1 + P2 = pi / 2 to 106 bits), r accurate to about
//    2^-50 relative even where x is closest to a multiple of pi / 2;
//  * larger finite |x| = m 2^(e - 23) (m the 24-bit significand, e the
//    exponent): Payne and Hanek's reduction. Only the bits of 2 / pi from
//    position e - 24 on matter modulo 4: a 96-bit window W of them, shifted
//    out of the three of four 64-bit constants that hold it (selects and
//    shifts, no memory); the top 64 bits of m W mod 2^96 are n (2 bits) and
//    the fraction of a quadrant (62 bits), exact to 2^-62.
//
// Then sin r = r + r^3 (-1/3! + r^2 (1/5! - ...)) to r^11 and cos r = 1 -
// r^2 / 2! + ... to r^12 (Taylor series; the first terms left out are below
// 2^-36 relative for |r| <= pi / 4), the quadrant picks one and its sign,
// and the f64 result rounds once to f32: within 0.5002 ULP of the exact
// value (0.50012 measured over all 2^32 inputs). Infinities and NaN give
// NaN.
//
//===----------------------------------------------------------------------===//

#include "SinCos.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;

namespace {

/// Bits 1 to 256 of 2 / pi (0.A2F9836E...), 64 to a word.
constexpr uint64_t kTwoOverPi[] = {0xA2F9836E4E441529, 0xFC2757D1F534DDC0,
                                   0xDB6295993C439041, 0xFE5163ABDEBBC561};

/// Builds arithmetic at one point.
struct Arith {
  OpBuilder &b;
  Location loc;

  Value f64(double v) {
    return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
  }
  Value i64(int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  }
  Value i32(int32_t v) {
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
  }
  Value add(Value x, Value y) {
    return isa<FloatType>(x.getType())
               ? Value(arith::AddFOp::create(b, loc, x, y))
               : Value(arith::AddIOp::create(b, loc, x, y));
  }
  Value sub(Value x, Value y) {
    return isa<FloatType>(x.getType())
               ? Value(arith::SubFOp::create(b, loc, x, y))
               : Value(arith::SubIOp::create(b, loc, x, y));
  }
  Value mul(Value x, Value y) {
    return isa<FloatType>(x.getType())
               ? Value(arith::MulFOp::create(b, loc, x, y))
               : Value(arith::MulIOp::create(b, loc, x, y));
  }
  Value fma(Value x, Value y, Value z) {
    return math::FmaOp::create(b, loc, x, y, z);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value shl(Value x, Value y) { return arith::ShLIOp::create(b, loc, x, y); }
  Value shr(Value x, Value y) { return arith::ShRUIOp::create(b, loc, x, y); }
  Value bitAnd(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  /// Horner's rule: c[0] + t (c[1] + t (c[2] + ...)).
  Value poly(Value t, ArrayRef<double> c) {
    Value acc = f64(c.back());
    for (double v : llvm::reverse(c.drop_back()))
      acc = fma(acc, t, f64(v));
    return acc;
  }
};

/// 1 / k! for the Taylor series.
double invFactorial(int k) { return 1.0 / std::tgamma(double(k) + 1); }

/// Bits o + 1 to o + 64 of 2 / pi, for o = 64 k + r with k = `high` (0 or
/// 1, an i1) and r < 64: the words k and k + 1 shifted together.
Value windowWord(Arith &c, Value high, Value r, int word) {
  Value first = c.select(high, c.i64(int64_t(kTwoOverPi[word + 1])),
                         c.i64(int64_t(kTwoOverPi[word])));
  Value second = c.select(high, c.i64(int64_t(kTwoOverPi[word + 2])),
                          c.i64(int64_t(kTwoOverPi[word + 1])));
  // second >> (64 - r), as two shifts that stay below 64 (r may be 0).
  Value spill = c.shr(c.shr(second, c.i64(1)), c.sub(c.i64(63), r));
  return arith::OrIOp::create(c.b, c.loc, c.shl(first, r), spill);
}

/// The reduction of a finite |x| >= 2^25 whose f32 bits are `bits` (i32):
/// the quadrant n (i64, of |x|) and the fraction of a quadrant as a signed
/// 62-bit fixed-point number (i64). Lanes with other x compute garbage
/// (never poison).
std::pair<Value, Value> reduceLarge(Arith &c, Value bits) {
  OpBuilder &b = c.b;
  Value wide = arith::ExtUIOp::create(b, c.loc, b.getI64Type(), bits);
  // |x| = m 2^(e - 150), e the biased exponent; the bits of 2 / pi from
  // s = e - 151 on matter (earlier ones give multiples of 4): the window
  // W = A 2^32 + B of bits s to s + 95, at offset o = s - 1 (0 off range).
  Value m = arith::OrIOp::create(b, c.loc, c.bitAnd(wide, c.i64(0x7FFFFF)),
                                 c.i64(0x800000));
  Value e = c.bitAnd(c.shr(wide, c.i64(23)), c.i64(0xFF));
  Value offset =
      arith::MaxSIOp::create(b, c.loc, c.sub(e, c.i64(152)), c.i64(0));
  Value high = c.cmp(arith::CmpIPredicate::sge, offset, c.i64(64));
  Value r = c.bitAnd(offset, c.i64(63));
  Value a = windowWord(c, high, r, 0);
  Value lowBits = c.shr(windowWord(c, high, r, 1), c.i64(32));
  // The top 64 of the 96 low bits of m W.
  Value hi = c.add(c.mul(m, a), c.shr(c.mul(m, lowBits), c.i64(32)));
  // Round to the nearest quadrant; the rest is the signed fraction.
  Value n = c.shr(c.add(hi, c.i64(int64_t(1) << 61)), c.i64(62));
  Value fraction = c.sub(hi, c.shl(n, c.i64(62)));
  return {n, fraction};
}

} // namespace

Value tessera::buildSinCosF32(OpBuilder &b, Location loc, Value x,
                              bool cosine) {
  Arith c{b, loc};
  Type f64 = b.getF64Type(), i64 = b.getI64Type();
  Value bits = arith::BitcastOp::create(b, loc, b.getI32Type(), x);
  Value magnitude = c.bitAnd(bits, c.i32(0x7FFFFFFF));
  Value negative = c.cmp(arith::CmpIPredicate::slt, bits, c.i32(0));
  // Finite |x| >= 2^25 (0x4C000000); NaN and the infinities take the first
  // reduction, which gives NaN.
  Value large = arith::AndIOp::create(
      b, loc, c.cmp(arith::CmpIPredicate::sge, magnitude, c.i32(0x4C000000)),
      c.cmp(arith::CmpIPredicate::slt, magnitude, c.i32(0x7F800000)));
  Value moderate =
      c.cmp(arith::CmpIPredicate::slt, magnitude, c.i32(0x4C000000));

  // |x| < 2^25: Cody and Waite's reduction in f64.
  const double p1 = 0x1.921fb54442d18p+0, p2 = 0x1.1a62633145c07p-54;
  Value xd = arith::ExtFOp::create(b, loc, f64, x);
  Value k = math::RoundEvenOp::create(b, loc, c.mul(xd, c.f64(2 / M_PI)));
  Value minusK = arith::NegFOp::create(b, loc, k);
  Value r = c.fma(minusK, c.f64(p2), c.fma(minusK, c.f64(p1), xd));
  Value n =
      arith::FPToSIOp::create(b, loc, i64, c.select(moderate, k, c.f64(0)));

  // Larger |x|: Payne and Hanek's, on |x|, then the sign.
  auto [nLarge, fraction] = reduceLarge(c, bits);
  Value rLarge = c.mul(arith::SIToFPOp::create(b, loc, f64, fraction),
                       c.f64(M_PI / 2 * 0x1p-62));
  rLarge = c.select(negative, arith::NegFOp::create(b, loc, rLarge), rLarge);
  nLarge = c.select(negative, c.sub(c.i64(0), nLarge), nLarge);
  r = c.select(large, rLarge, r);
  n = c.select(large, nLarge, n);

  // sin and cos of r, and the quadrant's choice: cos x = sin(x + pi / 2).
  Value r2 = c.mul(r, r);
  Value sinR =
      c.fma(c.mul(r, r2),
            c.poly(r2, {-invFactorial(3), invFactorial(5), -invFactorial(7),
                        invFactorial(9), -invFactorial(11)}),
            r);
  Value cosR =
      c.poly(r2, {1, -invFactorial(2), invFactorial(4), -invFactorial(6),
                  invFactorial(8), -invFactorial(10), invFactorial(12)});
  if (cosine)
    n = c.add(n, c.i64(1));
  Value odd = c.cmp(arith::CmpIPredicate::ne, c.bitAnd(n, c.i64(1)), c.i64(0));
  Value flip = c.cmp(arith::CmpIPredicate::ne, c.bitAnd(n, c.i64(2)), c.i64(0));
  Value v = c.select(odd, cosR, sinR);
  v = c.select(flip, arith::NegFOp::create(b, loc, v), v);
  return arith::TruncFOp::create(b, loc, b.getF32Type(), v);
}
