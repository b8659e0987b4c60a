//===- SizeConstraintTest.cpp - Size rules of transform lengths -----------===//
//
// The one definition of the lengths fwht, bitreverse, butterfly and
// fft_twiddles accept (SizeRules.h) against the kernel's predicate and an
// independent definition; the size checks of an entry's constraints
// (EntryABI.h: their place in the check list, their messages, host-side
// binding); and a program with symbolic lengths through the embedding API:
// its signature (read back from the MLIR), one compiled module run at
// several lengths, a length that breaks the rule.
//
//===----------------------------------------------------------------------===//

#include "tessera/Driver/Compiler.h"
#include "tessera/InitAllDialects.h"
#include "tessera/Runtime/EntryABI.h"
#include "tessera/Runtime/Kernels.h"
#include "tessera/Runtime/SizeExpr.h"
#include "tessera/Runtime/SizeRules.h"
#include "tessera/Transforms/EntrySignature.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"

#include "gtest/gtest.h"

using namespace tessera;

namespace {

SizeOp lit(int64_t v) { return SizeOp{SizeOp::Kind::Literal, v, ""}; }
SizeOp sym(const char *s) { return SizeOp{SizeOp::Kind::Symbol, 0, s}; }
SizeOp op(SizeOp::Kind k) { return SizeOp{k, 0, ""}; }

/// fwht's lengths by their definition: 2^k, or m 2^k with m in {12, 20,
/// 28, 40}, i.e. an odd part 3, 5 or 7 with at least 2^2 beside it.
bool isFwhtLengthByDefinition(int64_t n) {
  if (n < 1)
    return false;
  int64_t odd = n;
  while (odd % 2 == 0)
    odd /= 2;
  return odd == 1 || ((odd == 3 || odd == 5 || odd == 7) && n % (4 * odd) == 0);
}

TEST(SizeRulesTest, FwhtLengthIsTheKernelsPredicate) {
  std::vector<int64_t> lengths;
  for (int64_t n = -5; n <= 5000; ++n)
    lengths.push_back(n);
  for (int64_t big : {int64_t(1) << 62, int64_t(12) << 58, int64_t(40) << 56,
                      (int64_t(1) << 62) + 1, INT64_MAX, INT64_MIN})
    lengths.push_back(big);
  for (int64_t n : lengths) {
    EXPECT_EQ(isFwhtLength(n), isFwhtLengthByDefinition(n)) << n;
    EXPECT_EQ(tessera_fwht_length_supported(n), isFwhtLength(n) ? 1 : 0) << n;
    EXPECT_EQ(satisfiesSizeRule(SizeRule::FwhtLength, n), isFwhtLength(n));
  }
}

TEST(SizeRulesTest, PowersOfTwoAndFactorBounds) {
  for (int64_t n = -3; n <= 1100; ++n) {
    bool power = n > 0 && llvm::popcount(static_cast<uint64_t>(n)) == 1;
    EXPECT_EQ(isPowerOfTwoLength(n), power) << n;
  }
  EXPECT_TRUE(isPowerOfTwoLength(int64_t(1) << 62));
  EXPECT_FALSE(isPowerOfTwoLength(INT64_MIN));
  // 2^F <= N.
  EXPECT_TRUE(fitsLog2Bound(0, 1));
  EXPECT_TRUE(fitsLog2Bound(3, 8));
  EXPECT_TRUE(fitsLog2Bound(3, 9));
  EXPECT_FALSE(fitsLog2Bound(4, 8));
  EXPECT_FALSE(fitsLog2Bound(0, 0));
  EXPECT_FALSE(fitsLog2Bound(-1, 8));
  EXPECT_FALSE(fitsLog2Bound(63, INT64_MAX));
  EXPECT_TRUE(fitsLog2Bound(62, INT64_MAX));
  EXPECT_STREQ(getSizeRuleName(SizeRule::AtMostLog2), "at_most_log2");
}

/// f(x: f32[B, N], z: f32[M], y: f32[N / M], t: f32[F, N / 2, 2, 2]) ->
/// f32[B, N] with the rules fwht(N), power of two (N / M), 2^F <= N and a
/// power of two (N / 2 / M).
EntrySignature constrainedSignature() {
  auto symbol = [](const char *s) {
    DimSpec d;
    d.isSymbol = true;
    d.symbol = s;
    return d;
  };
  auto literal = [](int64_t v) {
    DimSpec d;
    d.extent = v;
    return d;
  };
  auto expr = [](std::vector<SizeOp> steps) {
    DimSpec d;
    d.expr = std::move(steps);
    return d;
  };
  using K = SizeOp::Kind;
  std::vector<SizeOp> ratio = {sym("N"), sym("M"), op(K::FloorDiv)};
  std::vector<SizeOp> half = {sym("N"), lit(2), op(K::FloorDiv)};
  EntrySignature sig;
  sig.name = "f";
  ValueSpec x, z, y, t, r;
  x.name = "x";
  x.dims = {symbol("B"), symbol("N")};
  z.name = "z";
  z.dims = {symbol("M")};
  y.name = "y";
  y.dims = {expr(ratio)};
  t.name = "t";
  t.dims = {symbol("F"), expr(half), literal(2), literal(2)};
  r.name = "r";
  r.dims = {symbol("B"), symbol("N")};
  sig.params = {x, z, y, t};
  sig.results = {r};
  auto rule = [](SizeRule rule, std::vector<SizeOp> size, const char *what,
                 int64_t axis, std::vector<SizeOp> bound = {}) {
    SizeConstraint c;
    c.rule = rule;
    c.expr = std::move(size);
    c.bound = std::move(bound);
    c.what = what;
    c.axis = axis;
    c.where = "f.tess:3:10";
    return c;
  };
  std::vector<SizeOp> quarter = {sym("N"), lit(2), op(K::FloorDiv), sym("M"),
                                 op(K::FloorDiv)};
  sig.constraints = {
      rule(SizeRule::FwhtLength, {sym("N")}, "fwht length", 1),
      rule(SizeRule::PowerOfTwo, ratio, "bitreverse length", 0),
      rule(SizeRule::AtMostLog2, {sym("F")}, "butterfly factor count", 0,
           {sym("N")}),
      rule(SizeRule::PowerOfTwo, quarter, "fft_twiddles length", -1)};
  return sig;
}

TEST(SizeConstraintTest, ChecksFollowTheParametersAndPrecedeTheOutputs) {
  EntrySignature sig = constrainedSignature();
  std::vector<SizeCheck> checks = computeSizeChecks(sig);
  std::vector<std::pair<SizeCheck::Kind, std::string>> got;
  for (const SizeCheck &check : checks)
    got.push_back({check.kind, check.message});
  using K = SizeCheck::Kind;
  std::vector<std::pair<SizeCheck::Kind, std::string>> want = {
      {K::Literal, "parameter 't' dim 2 must be 2"},
      {K::Literal, "parameter 't' dim 3 must be 2"},
      {K::DivisorNonZero,
       "parameter 'y' dim 0 (N / M): division by zero, M is 0"},
      {K::Expr, "parameter 'y' dim 0 must be N / M (N from parameter 'x' dim "
                "1, M from parameter 'z' dim 0)"},
      {K::Expr, "parameter 't' dim 1 must be N / 2 (N from parameter 'x' dim "
                "1)"},
      {K::Constraint, "fwht length N along axis 1 (f.tess:3:10) must be 2^k "
                      "or 12, 20, 28 or 40 times 2^k"},
      // N / M was checked for y already.
      {K::Constraint, "bitreverse length N / M along axis 0 (f.tess:3:10) "
                      "must be a power of two"},
      {K::Constraint, "butterfly factor count F along axis 0 (f.tess:3:10) "
                      "must be at most log2(N)"},
      {K::DivisorNonZero, "fft_twiddles length N / 2 / M (f.tess:3:10): "
                          "division by zero, M is 0"},
      {K::Constraint, "fft_twiddles length N / 2 / M (f.tess:3:10) must be "
                      "a power of two"},
      {K::Symbol, "size symbol B: parameter 'x' dim 0 does not match output "
                  "'r' dim 0"},
      {K::Symbol, "size symbol N: parameter 'x' dim 1 does not match output "
                  "'r' dim 1"}};
  EXPECT_EQ(got, want);
  ASSERT_EQ(checks.size(), want.size());
  EXPECT_EQ(checks[5].rule, SizeRule::FwhtLength);
  EXPECT_EQ(checks[7].rule, SizeRule::AtMostLog2);
  EXPECT_EQ(formatSizeExpr(checks[7].bound), "N");
  EXPECT_EQ(describeEntryStatus(sig, 6), want[5].second);
}

/// bindSizes' error for the shapes x: [1, n], z: [m], y: [n / m],
/// t: [f, n / 2, 2, 2], or "" when they fit.
std::string bind(int64_t n, int64_t m, int64_t f) {
  EntrySignature sig = constrainedSignature();
  std::vector<int64_t> x{1, n}, z{m}, y{m ? n / m : 0}, t{f, n / 2, 2, 2};
  std::vector<llvm::ArrayRef<int64_t>> shapes{x, z, y, t};
  auto bound = bindSizes(sig, shapes, {});
  return bound ? "" : llvm::toString(bound.takeError());
}

TEST(SizeConstraintTest, BindSizesNamesTheRuleAndTheValues) {
  EXPECT_EQ(bind(16, 2, 4), "");
  EXPECT_EQ(bind(48, 3, 5), "");
  EXPECT_EQ(bind(100, 2, 1),
            "fwht length N = 100 along axis 1 (f.tess:3:10) must be 2^k or "
            "12, 20, 28 or 40 times 2^k");
  EXPECT_EQ(bind(36, 2, 1),
            "fwht length N = 36 along axis 1 (f.tess:3:10) must be 2^k or "
            "12, 20, 28 or 40 times 2^k");
  EXPECT_EQ(bind(48, 4, 1),
            "bitreverse length N / M = 12 with N = 48, M = 4 along axis 0 "
            "(f.tess:3:10) must be a power of two");
  EXPECT_EQ(bind(16, 2, 5),
            "butterfly factor count F = 5 along axis 0 (f.tess:3:10) must be "
            "at most log2(N) with N = 16");
  EXPECT_EQ(bind(16, 16, 0),
            "fft_twiddles length N / 2 / M = 0 with N = 16, M = 16 "
            "(f.tess:3:10) must be a power of two");
}

const char *kRotate = "fn rotate(x: f64[B, N]) -> f64[B, N] {\n"
                      "  return fwht(x, 1)\n"
                      "}\n"
                      "fn twice(x: f64[2 * M], m: f64[M]) -> f64[2 * M] {\n"
                      "  y[b, i] = x[i] where b in 0..1\n"
                      "  z = rotate(y)\n"
                      "  w[i] = z[0, i]\n"
                      "  return w\n"
                      "}\n";

TEST(SizeConstraintTest, SignaturesCarryTheRules) {
  Compiler compiler;
  ASSERT_TRUE(compiler.loadSource("rot.tess", kRotate));
  const EntrySignature *rotate = compiler.getSignature("rotate");
  const EntrySignature *twice = compiler.getSignature("twice");
  ASSERT_TRUE(rotate && twice);
  ASSERT_EQ(rotate->constraints.size(), 1u);
  EXPECT_EQ(describeSizeConstraint(rotate->constraints[0]),
            "fwht length N along axis 1 (rot.tess:2:10) must be 2^k or 12, "
            "20, 28 or 40 times 2^k");
  ASSERT_EQ(twice->constraints.size(), 1u);
  EXPECT_EQ(describeSizeConstraint(twice->constraints[0]),
            "fwht length 2 * M along axis 1 (rot.tess:2:10, called at "
            "rot.tess:6:7) must be 2^k or 12, 20, 28 or 40 times 2^k");

  // The same signatures from the MLIR module (tess.size_constraints).
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("size-rules", "mlir", path));
  llvm::FileRemover remove(path);
  ASSERT_TRUE(compiler.emit(EmitKind::MLIR, path));
  auto buffer = llvm::MemoryBuffer::getFile(path);
  ASSERT_TRUE(static_cast<bool>(buffer));
  std::string mlirText = (*buffer)->getBuffer().str();
  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(mlirText, &context);
  ASSERT_TRUE(module) << mlirText;
  auto sigs = collectEntrySignatures(*module);
  ASSERT_TRUE(mlir::succeeded(sigs));
  ASSERT_EQ(sigs->size(), 2u);
  const SizeConstraint &c = (*sigs)[1].constraints.at(0);
  EXPECT_EQ(c.rule, SizeRule::FwhtLength);
  EXPECT_EQ(formatSizeExpr(c.expr), "2 * M");
  EXPECT_EQ(c.axis, 1);
  EXPECT_EQ(describeSizeConstraint(c),
            describeSizeConstraint(twice->constraints[0]));
}

/// `n` ones as the one row of an f64[1, n].
HostTensor ones(int64_t n) {
  HostTensor t(DType::F64, {1, n});
  for (int64_t i = 0; i < n; ++i)
    t.dataAs<double>()[i] = 1.0;
  return t;
}

TEST(SizeConstraintTest, OneModuleRunsAtSeveralLengths) {
  Compiler compiler;
  ASSERT_TRUE(compiler.loadSource("rot.tess", kRotate));
  // fwht of ones: a vector of squared norm n^2 (H^T H = n I), for 2^k the
  // length in element 0 and zeros elsewhere.
  for (int64_t n : {1, 4, 12, 64, 20}) {
    CallArguments args;
    args.tensors.emplace("x", ones(n));
    auto results = compiler.run("rotate", args);
    ASSERT_TRUE(static_cast<bool>(results))
        << n << ": " << llvm::toString(results.takeError());
    const double *y = (*results)[0].dataAs<double>();
    double norm = 0;
    for (int64_t i = 0; i < n; ++i)
      norm += y[i] * y[i];
    EXPECT_EQ(norm, static_cast<double>(n * n)) << n;
    if (isPowerOfTwoLength(n))
      EXPECT_EQ(y[0], static_cast<double>(n)) << n;
  }
  CallArguments bad;
  bad.tensors.emplace("x", ones(6));
  auto results = compiler.run("rotate", bad);
  ASSERT_FALSE(static_cast<bool>(results));
  EXPECT_EQ(llvm::toString(results.takeError()),
            "fwht length N = 6 along axis 1 (rot.tess:2:10) must be 2^k or "
            "12, 20, 28 or 40 times 2^k");
}

} // namespace
