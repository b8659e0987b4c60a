//===- SemaTest.cpp - The explicit form Sema produces ---------------------===//

#include "tessera/Frontend/Sema.h"
#include "tessera/Frontend/Parser.h"

#include "gtest/gtest.h"

using namespace tessera;
using namespace tessera::sema;

namespace {

class Sink : public DiagnosticSink {
public:
  std::string text;
  void note(ast::SourceLoc, const llvm::Twine &) override {}

protected:
  void emitError(ast::SourceLoc loc, const llvm::Twine &message) override {
    text += std::to_string(loc.line) + ":" + std::to_string(loc.col) + ": " +
            message.str() + "\n";
  }
  void emitWarning(ast::SourceLoc loc, const llvm::Twine &message) override {
    warnings += std::to_string(loc.line) + ":" + std::to_string(loc.col) +
                ": " + message.str() + "\n";
  }

public:
  std::string warnings;
};

std::unique_ptr<Program> analyzeOk(llvm::StringRef source) {
  Sink sink;
  auto module = parseModule(source, "t.tess", sink);
  EXPECT_TRUE(module) << sink.text;
  if (!module)
    return nullptr;
  auto program = analyze(*module, sink);
  EXPECT_TRUE(program) << sink.text;
  return program;
}

std::string analyzeErrors(llvm::StringRef source) {
  Sink sink;
  auto module = parseModule(source, "t.tess", sink);
  if (module)
    EXPECT_FALSE(analyze(*module, sink));
  return sink.text;
}

/// The contraction that defines the value returned first.
const Contraction &returned(const Program &p) {
  const Function &f = p.functions.back();
  return *f.values[f.returns.at(0).id].contraction;
}

TEST(SemaTest, MatmulIsOneContractionWithImplicitSum) {
  auto p = analyzeOk("fn mm(a: f32[M, K], b: f32[K, N]) -> f32[M, N] {\n"
                     "  c[m, n] = a[m, k] * b[k, n]\n  return c\n}\n");
  ASSERT_TRUE(p);
  const Contraction &c = returned(*p);
  EXPECT_EQ(c.loopNames, (std::vector<std::string>{"m", "n", "k"}));
  EXPECT_EQ(c.resultLoops, (std::vector<unsigned>{0, 1}));
  EXPECT_EQ(c.kind, ReduceKind::Sum);
  ASSERT_EQ(c.operands.size(), 2u);
  EXPECT_EQ(c.operands[0].subscripts[0].getPlainLoop(), 0);
  EXPECT_EQ(c.operands[0].subscripts[1].getPlainLoop(), 2);
  EXPECT_EQ(c.operands[1].subscripts[0].getPlainLoop(), 2);
  EXPECT_EQ(c.operands[1].subscripts[1].getPlainLoop(), 1);
  EXPECT_EQ(c.loopExtents[2], Extent::sym("K"));
  EXPECT_EQ(p->functions.back().symbols,
            (std::vector<std::string>{"M", "K", "N"}));
}

TEST(SemaTest, NestedReducerBecomesItsOwnContraction) {
  auto p = analyzeOk("fn lse(x: f32[N, M]) -> f32[N] {\n"
                     "  mx[i] = max[j](x[i, j])\n"
                     "  l[i] = log(sum[j](exp(x[i, j] - mx[i]))) + mx[i]\n"
                     "  return l\n}\n");
  ASSERT_TRUE(p);
  const Function &f = p->functions.back();
  const Contraction &outer = returned(*p);
  EXPECT_EQ(outer.loopNames, (std::vector<std::string>{"i"}));
  // The outer body reads the hoisted sum through the free index i.
  const Contraction *inner = nullptr;
  for (const ContractionOperand &op : outer.operands) {
    const Value &v = f.values[op.value.id];
    if (v.kind == Value::Kind::Contraction &&
        v.contraction->kind == ReduceKind::Sum &&
        v.contraction->loopExtents.size() == 2)
      inner = v.contraction.get();
  }
  ASSERT_NE(inner, nullptr);
  EXPECT_EQ(inner->resultLoops, (std::vector<unsigned>{0}));
  EXPECT_EQ(inner->loopExtents[1], Extent::sym("M"));
}

TEST(SemaTest, AffineSubscriptsAndWhereRanges) {
  auto p = analyzeOk("fn conv(x: f32[N], w: f32[K]) -> f32[N] {\n"
                     "  y[t] = w[k] * x[2 * t - k + 1] where t in 0..N\n"
                     "  return y\n}\n");
  ASSERT_TRUE(p);
  const Contraction &c = returned(*p);
  ASSERT_EQ(c.operands.size(), 2u);
  const AffineSubscript &s = c.operands[1].subscripts[0];
  EXPECT_EQ(s.coeffs, (std::vector<int64_t>{2, -1}));
  EXPECT_EQ(s.constant, 1);
  EXPECT_EQ(s.getPlainLoop(), -1);
}

TEST(SemaTest, EinsumImplicitOutputIsAlphabetical) {
  auto p = analyzeOk("fn e(a: f32[I, J], b: f32[J, K]) -> f32[I, K] {\n"
                     "  return einsum(\"ij,jk\", a, b)\n}\n");
  ASSERT_TRUE(p);
  const Contraction &c = returned(*p);
  EXPECT_EQ(c.loopNames, (std::vector<std::string>{"i", "k", "j"}));
  EXPECT_EQ(c.resultLoops, (std::vector<unsigned>{0, 1}));
}

TEST(SemaTest, WholeValueExpressionsAreElementwise) {
  auto p = analyzeOk("fn g(x: f32[B, D], s: f32) -> f32[B, D] {\n"
                     "  y = gelu(x) * s + 1\n  return y\n}\n");
  ASSERT_TRUE(p);
  const Contraction &c = returned(*p);
  EXPECT_EQ(c.resultLoops, (std::vector<unsigned>{0, 1}));
  ASSERT_EQ(c.operands.size(), 2u);
  EXPECT_EQ(c.operands[1].subscripts.size(), 0u); // the scalar s
  EXPECT_EQ(c.body->dtype, DType::F32);
}

TEST(SemaTest, LiteralsAndIndicesTakeTheSurroundingType) {
  auto p = analyzeOk("fn k(a: f64[H], L: index) -> f64[H, L] {\n"
                     "  r[h, l] = a[h] * l + 2 where l in 0..L\n"
                     "  return r\n}\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(returned(*p).body->dtype, DType::F64);
}

TEST(SemaTest, ErrorsAreLocatedAndIndependent) {
  std::string errors =
      analyzeErrors("fn f(a: f32[M, K], b: f32[N, K]) -> f32[M, N] {\n"
                    "  c[m, n] = a[m, k] * b[k, n]\n"
                    "  d = nope\n"
                    "  return c\n}\n");
  EXPECT_NE(errors.find("2:25: index 'k' has extent K in a (dim 1) but N in "
                        "b (dim 0)"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("3:7: unknown name 'nope'"), std::string::npos)
      << errors;
  // 'c' failed to define: returning it does not add an error.
  EXPECT_EQ(std::count(errors.begin(), errors.end(), '\n'), 2) << errors;
}

} // namespace
