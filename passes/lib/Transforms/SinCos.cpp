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
//    position e - 24 on matter modulo 4, a 96-bit window W of them read from
//    a table (byte-aligned 32-bit words, the bit offset carried by shifting
//    m); the top 64 bits of m W mod 2^96 are n (2 bits) and the fraction of
//    a quadrant (62 bits), exact to 2^-62.
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
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"

#include <cmath>

using namespace mlir;

namespace {

/// Bits 1 to 192 of 2 / pi (0.A2F9836E...) in 32-bit words starting every
/// 8 bits: word j holds bits 8 j + 1 to 8 j + 32.
constexpr uint32_t kTwoOverPiWords[] = {
    0xA2F9836E, 0xF9836E4E, 0x836E4E44, 0x6E4E4415, 0x4E441529, 0x441529FC,
    0x1529FC27, 0x29FC2757, 0xFC2757D1, 0x2757D1F5, 0x57D1F534, 0xD1F534DD,
    0xF534DDC0, 0x34DDC0DB, 0xDDC0DB62, 0xC0DB6295, 0xDB629599, 0x6295993C,
    0x95993C43, 0x993C4390, 0x3C439041};
constexpr int64_t kNumWords = sizeof(kTwoOverPiWords) / sizeof(uint32_t);

constexpr StringLiteral kTableName = "__tessera_two_over_pi_words";

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

/// The constant global holding kTwoOverPiWords (as i64), created once per
/// module.
memref::GlobalOp getTable(ModuleOp module) {
  if (auto existing = module.lookupSymbol<memref::GlobalOp>(kTableName))
    return existing;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto type = RankedTensorType::get({kNumWords}, b.getI64Type());
  SmallVector<int64_t> words(std::begin(kTwoOverPiWords),
                             std::end(kTwoOverPiWords));
  return memref::GlobalOp::create(b, module.getLoc(), kTableName,
                                  b.getStringAttr("private"),
                                  MemRefType::get({kNumWords}, b.getI64Type()),
                                  DenseElementsAttr::get(type, ArrayRef(words)),
                                  /*constant=*/true, b.getI64IntegerAttr(64));
}

/// The reduction of a finite |x| >= 2^25 whose f32 bits are `bits` (i32):
/// the quadrant n (i64, of |x|) and the fraction of a quadrant as a signed
/// 62-bit fixed-point number (i64). Lanes with other x compute garbage from
/// in-range table reads.
std::pair<Value, Value> reduceLarge(Arith &c, Value bits, Value table) {
  OpBuilder &b = c.b;
  Type i64 = b.getI64Type();
  Value wide = arith::ExtUIOp::create(b, c.loc, i64, bits);
  // |x| = m 2^(e - 150), e the biased exponent; the bits of 2 / pi from
  // s = e - 151 on matter (earlier ones give multiples of 4).
  Value m = arith::OrIOp::create(b, c.loc, c.bitAnd(wide, c.i64(0x7FFFFF)),
                                 c.i64(0x800000));
  Value e = c.bitAnd(c.shr(wide, c.i64(23)), c.i64(0xFF));
  Value offset = arith::MaxSIOp::create(b, c.loc, c.sub(e, c.i64(152)),
                                        c.i64(0)); // s - 1, 0 off range
  Value word = c.shr(offset, c.i64(3));
  m = c.shl(m, c.bitAnd(offset, c.i64(7)));
  auto load = [&](int64_t skip) {
    Value index = arith::IndexCastOp::create(b, c.loc, b.getIndexType(),
                                             c.add(word, c.i64(skip)));
    return Value(memref::LoadOp::create(b, c.loc, table, ValueRange{index}));
  };
  // The top 64 of the 96 low bits of m (w2 w1 w0).
  Value hi =
      c.add(c.add(c.shl(c.mul(m, load(0)), c.i64(32)), c.mul(m, load(4))),
            c.shr(c.mul(m, load(8)), c.i64(32)));
  // Round to the nearest quadrant; the rest is the signed fraction.
  Value n = c.shr(c.add(hi, c.i64(int64_t(1) << 61)), c.i64(62));
  Value fraction = c.sub(hi, c.shl(n, c.i64(62)));
  return {n, fraction};
}

} // namespace

Value tessera::buildSinCosF32(OpBuilder &b, Location loc, Value x, bool cosine,
                              ModuleOp module) {
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
  Value table = memref::GetGlobalOp::create(
      b, loc, MemRefType::get({kNumWords}, i64), getTable(module).getSymName());
  auto [nLarge, fraction] = reduceLarge(c, bits, table);
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
