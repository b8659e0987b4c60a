//===- SizeExprTest.cpp - Size expressions: runtime and front end ---------===//
//
// The runtime's evaluator and printer of size expressions (SizeExpr.h), the
// checks and bindings of entries with expression dims (EntryABI.h), and the
// front end's canonical form (Frontend/Sema/SizeExpr.h).
//
//===----------------------------------------------------------------------===//

#include "tessera/Frontend/Sema/SizeExpr.h"
#include "tessera/Runtime/EntryABI.h"
#include "tessera/Runtime/SizeExpr.h"

#include "llvm/Support/Error.h"

#include "gtest/gtest.h"

#include <map>

using namespace tessera;

namespace {

SizeOp lit(int64_t v) { return SizeOp{SizeOp::Kind::Literal, v, ""}; }
SizeOp sym(const char *s) { return SizeOp{SizeOp::Kind::Symbol, 0, s}; }
SizeOp op(SizeOp::Kind k) { return SizeOp{k, 0, ""}; }

using K = SizeOp::Kind;

/// Evaluates `expr` with N = n, M = m; the error text on failure.
std::string eval(std::vector<SizeOp> expr, int64_t n, int64_t m = 1) {
  std::map<std::string, int64_t> values{{"N", n}, {"M", m}};
  auto r = evaluateSizeExpr(expr, [&](llvm::StringRef s) {
    auto it = values.find(s.str());
    return it == values.end() ? std::nullopt
                              : std::optional<int64_t>(it->second);
  });
  if (!r)
    return "error: " + llvm::toString(r.takeError());
  return std::to_string(*r);
}

TEST(SizeExprTest, Evaluate) {
  // N / 2 + 1
  std::vector<SizeOp> half = {sym("N"), lit(2), op(K::FloorDiv), lit(1),
                              op(K::Add)};
  EXPECT_EQ(eval(half, 8), "5");
  EXPECT_EQ(eval(half, 9), "5");
  // Division rounds down, also below zero: (N - 9) / 2 for N = 0 is -5.
  EXPECT_EQ(eval({sym("N"), lit(9), op(K::Sub), lit(2), op(K::FloorDiv)}, 0),
            "-5");
  EXPECT_EQ(eval({sym("N"), sym("M"), op(K::FloorDiv)}, 8, 0),
            "error: division by zero");
  EXPECT_EQ(eval({sym("N"), op(K::Log2)}, 16), "4");
  EXPECT_EQ(eval({sym("N"), op(K::Log2)}, 12),
            "error: 12 is not a power of two");
  EXPECT_EQ(eval({sym("N"), op(K::Log2)}, 0), "error: 0 is not a power of two");
  EXPECT_EQ(eval({sym("N"), sym("N"), op(K::Mul)}, int64_t(1) << 40),
            "error: the value does not fit in 64 bits");
  EXPECT_EQ(eval({sym("Q")}, 1), "error: size symbol Q is not bound");
  EXPECT_EQ(eval({sym("N"), op(K::Neg)}, 3), "-3");
  EXPECT_FALSE(isWellFormedSizeExpr({sym("N"), op(K::Add)}));
  EXPECT_FALSE(isWellFormedSizeExpr({sym("N"), sym("M")}));
  EXPECT_EQ(eval({op(K::Add)}, 1), "error: malformed size expression");
}

TEST(SizeExprTest, Format) {
  EXPECT_EQ(
      formatSizeExpr({sym("N"), lit(2), op(K::FloorDiv), lit(1), op(K::Add)}),
      "N / 2 + 1");
  EXPECT_EQ(formatSizeExpr({lit(2), sym("L"), lit(1), op(K::Sub), op(K::Mul)}),
            "2 * (L - 1)");
  EXPECT_EQ(
      formatSizeExpr({sym("N"), sym("M"), sym("L"), op(K::Sub), op(K::Sub)}),
      "N - (M - L)");
  EXPECT_EQ(
      formatSizeExpr({sym("N"), sym("M"), op(K::Sub), sym("L"), op(K::Sub)}),
      "N - M - L");
  EXPECT_EQ(formatSizeExpr({sym("N"), sym("M"), op(K::Add), op(K::Neg)}),
            "-(N + M)");
  EXPECT_EQ(formatSizeExpr({sym("N"), lit(2), op(K::Mul), op(K::Log2)}),
            "log2(N * 2)");
}

/// f(x: f32[N], y: f32[N / M], z: f32[M]) -> f32[N - 4]
EntrySignature ratioSignature() {
  auto symbol = [](const char *s) {
    DimSpec d;
    d.isSymbol = true;
    d.symbol = s;
    return d;
  };
  auto expr = [](std::vector<SizeOp> steps) {
    DimSpec d;
    d.expr = std::move(steps);
    return d;
  };
  EntrySignature sig;
  sig.name = "f";
  ValueSpec x, y, z, r;
  x.name = "x";
  x.dims = {symbol("N")};
  y.name = "y";
  y.dims = {expr({sym("N"), sym("M"), op(K::FloorDiv)})};
  z.name = "z";
  z.dims = {symbol("M")};
  r.name = "r";
  r.dims = {expr({sym("N"), lit(4), op(K::Sub)})};
  sig.params = {x, y, z};
  sig.results = {r};
  return sig;
}

TEST(SizeExprTest, EntryChecks) {
  EntrySignature sig = ratioSignature();
  std::vector<SizeBinding> bindings = computeSizeBindings(sig);
  ASSERT_EQ(bindings.size(), 2u);
  EXPECT_EQ(bindings[1].symbol, "M");
  EXPECT_EQ(bindings[1].source.position, 2u);

  std::vector<SizeCheck> checks = computeSizeChecks(sig);
  ASSERT_EQ(checks.size(), 4u);
  EXPECT_EQ(checks[0].kind, SizeCheck::Kind::DivisorNonZero);
  EXPECT_EQ(checks[0].step, 2u);
  EXPECT_EQ(checks[0].message,
            "parameter 'y' dim 0 (N / M): division by zero, M is 0");
  EXPECT_EQ(checks[1].kind, SizeCheck::Kind::Expr);
  EXPECT_EQ(checks[1].message, "parameter 'y' dim 0 must be N / M (N from "
                               "parameter 'x' dim 0, M from parameter 'z' "
                               "dim 0)");
  EXPECT_EQ(checks[2].kind, SizeCheck::Kind::ExprNonNegative);
  EXPECT_EQ(checks[2].message, "output 'r' dim 0 (N - 4) is negative");
  EXPECT_EQ(checks[3].kind, SizeCheck::Kind::Expr);
  EXPECT_EQ(describeEntryStatus(sig, 1), checks[0].message);
}

TEST(SizeExprTest, BindSizes) {
  EntrySignature sig = ratioSignature();
  std::vector<int64_t> x{12}, y{4}, z{3}, zero{0};
  std::vector<llvm::ArrayRef<int64_t>> ok{x, y, z};
  auto bound = bindSizes(sig, ok, {});
  ASSERT_TRUE(static_cast<bool>(bound)) << llvm::toString(bound.takeError());
  auto shapes = resultShapes(sig, *bound);
  ASSERT_TRUE(static_cast<bool>(shapes));
  EXPECT_EQ((*shapes)[0], std::vector<int64_t>{8});

  std::vector<int64_t> y3{3};
  std::vector<llvm::ArrayRef<int64_t>> wrong{x, y3, z};
  auto mismatch = bindSizes(sig, wrong, {});
  ASSERT_FALSE(static_cast<bool>(mismatch));
  EXPECT_EQ(llvm::toString(mismatch.takeError()),
            "size mismatch for N / M: y has 3 (dim 0) but N / M = 4 with "
            "N = 12, M = 3");

  std::vector<llvm::ArrayRef<int64_t>> byZero{x, y, zero};
  auto divide = bindSizes(sig, byZero, {});
  ASSERT_FALSE(static_cast<bool>(divide));
  EXPECT_EQ(llvm::toString(divide.takeError()),
            "size error for y (dim 0): N / M with N = 12, M = 0: division by "
            "zero");

  std::vector<int64_t> x2{2}, y2{2}, z1{1};
  std::vector<llvm::ArrayRef<int64_t>> small{x2, y2, z1};
  auto smallBound = bindSizes(sig, small, {});
  ASSERT_TRUE(static_cast<bool>(smallBound));
  auto negative = resultShapes(sig, *smallBound);
  ASSERT_FALSE(static_cast<bool>(negative));
  EXPECT_EQ(llvm::toString(negative.takeError()),
            "size error for output 'r' (dim 0): N - 4 with N = 2 is -2, but "
            "a size cannot be negative");
}

//===----------------------------------------------------------------------===//
// The front end's canonical form.
//===----------------------------------------------------------------------===//

using sema::SizeExpr;
using sema::SizeExprPtr;
using SK = SizeExpr::Kind;

SizeExprPtr S(const char *s) { return SizeExpr::symbol(s); }
SizeExprPtr L(int64_t v) { return SizeExpr::literal(v); }
SizeExprPtr B(SK k, SizeExprPtr a, SizeExprPtr b) {
  return SizeExpr::binary(k, std::move(a), std::move(b));
}

/// The canonical text of `e`, or its error.
std::string canon(const SizeExprPtr &e) {
  sema::NormalizedSize n = sema::normalizeSizeExpr(e);
  return n.expr ? n.expr->str() : "error: " + n.error;
}

TEST(SizeExprTest, Normalize) {
  EXPECT_EQ(canon(B(SK::Mul, L(2), S("N"))), canon(B(SK::Add, S("N"), S("N"))));
  auto halfPlusOne = B(SK::Add, B(SK::FloorDiv, S("N"), L(2)), L(1));
  EXPECT_EQ(canon(halfPlusOne), "N / 2 + 1");
  EXPECT_EQ(canon(B(SK::Add, L(1), B(SK::FloorDiv, S("N"), L(2)))),
            "N / 2 + 1");
  EXPECT_EQ(canon(B(SK::FloorDiv, B(SK::Add, S("N"), L(2)), L(2))),
            "N / 2 + 1");
  // floor((2N + 1) / 2) = N; (2N) / 2 = N.
  EXPECT_EQ(
      canon(B(SK::FloorDiv, B(SK::Add, B(SK::Mul, L(2), S("N")), L(1)), L(2))),
      "N");
  // log2(2 * N) = 1 + log2(N).
  EXPECT_EQ(canon(SizeExpr::unary(SK::Log2, B(SK::Mul, L(2), S("N")))),
            canon(B(SK::Add, L(1), SizeExpr::unary(SK::Log2, S("N")))));
  // Products commute; N - N vanishes.
  EXPECT_EQ(canon(B(SK::Mul, S("N"), S("M"))),
            canon(B(SK::Mul, S("M"), S("N"))));
  EXPECT_EQ(canon(B(SK::Sub, S("N"), S("N"))), "0");
  // Not provably equal.
  EXPECT_NE(canon(B(SK::FloorDiv, S("N"), L(2))),
            canon(B(SK::FloorDiv, B(SK::Add, S("N"), L(1)), L(2))));
  EXPECT_EQ(canon(B(SK::FloorDiv, S("N"), L(0))), "error: division by zero");
  EXPECT_EQ(canon(SizeExpr::unary(SK::Log2, L(12))),
            "error: log2 of 12 is not exact (12 is not a power of two)");
  EXPECT_EQ(canon(SizeExpr::unary(SK::Log2, L(8))), "3");
  EXPECT_EQ(canon(B(SK::Mul, L(int64_t(1) << 62), L(4))),
            "error: the size does not fit in 64 bits");
}

} // namespace
