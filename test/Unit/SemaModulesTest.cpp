//===- SemaModulesTest.cpp - Constants, typing rules, built-ins, walks ----===//

#include "tessera/Frontend/ASTVisitor.h"
#include "tessera/Frontend/Builtins.h"
#include "tessera/Frontend/Parser.h"
#include "tessera/Frontend/Sema.h"
#include "tessera/Frontend/Sema/Constants.h"
#include "tessera/Frontend/Sema/Typing.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace tessera;
using namespace tessera::sema;
using ast::BinaryExpr;

namespace {

/// Collects diagnostics as "error: ..." / "warning: ..." lines.
class Sink : public DiagnosticSink {
public:
  std::string text;
  void note(ast::SourceLoc, const llvm::Twine &) override {}

protected:
  void emitError(ast::SourceLoc, const llvm::Twine &message) override {
    text += "error: " + message.str() + "\n";
  }
  void emitWarning(ast::SourceLoc, const llvm::Twine &message) override {
    text += "warning: " + message.str() + "\n";
  }
};

const ast::SourceLoc here{1, 1};

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

TEST(ConstantsTest, LiteralsHaveTheirKind) {
  Sink sink;
  auto i = parseNumber(ast::NumberExpr(here, "42", true, false), sink);
  auto f = parseNumber(ast::NumberExpr(here, "2.5", false, false), sink);
  auto c = parseNumber(ast::NumberExpr(here, "3.0", false, true), sink);
  ASSERT_TRUE(i && f && c) << sink.text;
  EXPECT_TRUE(i->isInt());
  EXPECT_EQ(i->i, 42);
  EXPECT_EQ(f->kind, ConstValue::Kind::Float);
  EXPECT_EQ(f->re, 2.5);
  EXPECT_TRUE(c->isComplex());
  EXPECT_EQ(c->re, 0.0);
  EXPECT_EQ(c->im, 3.0);
  EXPECT_FALSE(parseNumber(
      ast::NumberExpr(here, "99999999999999999999", true, false), sink));
  EXPECT_NE(sink.text.find("does not fit in 64 bits"), std::string::npos);
}

TEST(ConstantsTest, IntegerFoldingChecksOverflowAndDivision) {
  Sink sink;
  auto seven = ConstValue::integer(7), two = ConstValue::integer(2);
  EXPECT_EQ(foldBinary(BinaryExpr::Op::Div, seven, two, here, sink)->i, 3);
  EXPECT_EQ(foldBinary(BinaryExpr::Op::Pow, two, seven, here, sink)->i, 128);
  auto half =
      foldBinary(BinaryExpr::Op::Pow, two, ConstValue::integer(-1), here, sink);
  ASSERT_TRUE(half);
  EXPECT_EQ(half->kind, ConstValue::Kind::Float);
  EXPECT_EQ(half->re, 0.5);
  EXPECT_TRUE(sink.text.empty()) << sink.text;
  EXPECT_FALSE(foldBinary(BinaryExpr::Op::Div, seven, ConstValue::integer(0),
                          here, sink));
  EXPECT_FALSE(foldBinary(BinaryExpr::Op::Mul, ConstValue::integer(INT64_MAX),
                          two, here, sink));
  EXPECT_FALSE(foldNeg(ConstValue::integer(INT64_MIN), here, sink));
  EXPECT_NE(sink.text.find("integer division by zero"), std::string::npos);
  EXPECT_NE(sink.text.find("overflows 64 bits"), std::string::npos);
}

TEST(ConstantsTest, ComplexValuesFold) {
  Sink sink;
  auto i = ConstValue::complex(0, 1);
  auto sq = foldBinary(BinaryExpr::Op::Mul, i, i, here, sink);
  ASSERT_TRUE(sq);
  EXPECT_TRUE(sq->isComplex());
  EXPECT_DOUBLE_EQ(sq->re, -1.0);
  EXPECT_DOUBLE_EQ(sq->im, 0.0);
  auto mixed =
      foldBinary(BinaryExpr::Op::Add, ConstValue::integer(2), i, here, sink);
  EXPECT_EQ(mixed->re, 2.0);
  EXPECT_EQ(mixed->im, 1.0);
  auto neg = foldNeg(ConstValue::complex(1, -2), here, sink);
  EXPECT_EQ(neg->re, -1.0);
  EXPECT_EQ(neg->im, 2.0);
}

//===----------------------------------------------------------------------===//
// Typing rules
//===----------------------------------------------------------------------===//

TEST(TypingTest, WeakLiteralsTakeTheOtherOperandsType) {
  Sink sink;
  TypeRules rules(sink);
  Typed x = rules.read(0, DType::F16, here);
  Typed two = rules.constant(ConstValue::integer(2), here);
  Typed product = rules.binary(BinaryExpr::Op::Mul, std::move(x),
                               std::move(two), here, here);
  ASSERT_TRUE(product) << sink.text;
  EXPECT_FALSE(product.weak);
  EXPECT_EQ(product.e->dtype, DType::F16);
  EXPECT_EQ(product.e->args[1]->dtype, DType::F16);
  EXPECT_EQ(product.e->args[1]->floatValue, 2.0);
}

TEST(TypingTest, TwoWeakValuesStayWeakAndFloatWins) {
  Sink sink;
  TypeRules rules(sink);
  Typed i = rules.loopIndex(0, here);
  Typed half = rules.constant(ConstValue::real(0.5), here);
  Typed sum = rules.binary(BinaryExpr::Op::Add, std::move(i), std::move(half),
                           here, here);
  ASSERT_TRUE(sum) << sink.text;
  EXPECT_TRUE(sum.weak);
  EXPECT_EQ(sum.e->dtype, DType::F32);
  // The index is converted once, at the leaf.
  EXPECT_EQ(sum.e->args[0]->kind, ScalarExpr::Kind::Cast);
  EXPECT_TRUE(rules.coerce(sum, DType::F64, here));
  EXPECT_EQ(sum.e->dtype, DType::F64);
  EXPECT_EQ(sum.e->args[0]->dtype, DType::F64);
}

TEST(TypingTest, LiteralsFoldAndStrongTypesMustAgree) {
  Sink sink;
  TypeRules rules(sink);
  Typed folded = rules.binary(
      BinaryExpr::Op::Mul, rules.constant(ConstValue::integer(6), here),
      rules.constant(ConstValue::integer(7), here), here, here);
  ASSERT_TRUE(folded);
  EXPECT_EQ(folded.e->kind, ScalarExpr::Kind::Constant);
  EXPECT_EQ(folded.e->intValue, 42);
  Typed bad = rules.binary(BinaryExpr::Op::Add, rules.read(0, DType::F32, here),
                           rules.read(1, DType::F64, here), here, here);
  EXPECT_FALSE(bad);
  EXPECT_NE(sink.text.find("dtype mismatch in '+': f32 and f64"),
            std::string::npos);
}

TEST(TypingTest, ComparisonsGiveBoolAndBoolHasNoArithmetic) {
  Sink sink;
  TypeRules rules(sink);
  Typed cmp =
      rules.binary(BinaryExpr::Op::Lt, rules.read(0, DType::I32, here),
                   rules.constant(ConstValue::integer(3), here), here, here);
  ASSERT_TRUE(cmp);
  EXPECT_EQ(cmp.e->dtype, DType::Bool);
  EXPECT_FALSE(rules.binary(BinaryExpr::Op::Add, std::move(cmp),
                            rules.read(1, DType::Bool, here), here, here));
  EXPECT_NE(sink.text.find("not defined on bool values"), std::string::npos);
}

TEST(TypingTest, CastsAndBuiltins) {
  Sink sink;
  TypeRules rules(sink);
  Typed truncated = rules.cast(
      DType::I32, rules.constant(ConstValue::real(-2.7), here), here);
  ASSERT_TRUE(truncated);
  EXPECT_EQ(truncated.e->intValue, -2);
  Typed e =
      rules.unaryFn(UnaryFn::Exp, rules.read(0, DType::I64, here), here, here);
  EXPECT_FALSE(e);
  EXPECT_NE(sink.text.find("'exp' expects a floating-point value, got i64"),
            std::string::npos);
  Typed m = rules.minMax(true, rules.read(0, DType::F32, here),
                         rules.constant(ConstValue::integer(0), here), here);
  ASSERT_TRUE(m);
  EXPECT_EQ(m.e->binaryOp, ScalarExpr::BinaryOp::Max);
  EXPECT_EQ(m.e->dtype, DType::F32);
}

TEST(TypingTest, ComplexRules) {
  Sink sink;
  TypeRules rules(sink);
  // A weak imaginary literal with a strong f32 makes both c64.
  Typed s =
      rules.binary(ast::BinaryExpr::Op::Mul, rules.read(0, DType::F32, here),
                   rules.constant(ConstValue::complex(0, 1), here), here, here);
  ASSERT_TRUE(s);
  EXPECT_EQ(s.e->dtype, DType::C64);
  EXPECT_EQ(s.e->args[0]->kind, ScalarExpr::Kind::Cast);
  // f64 meets c128 as c128; abs and re give the part type.
  Typed w =
      rules.binary(ast::BinaryExpr::Op::Add, rules.read(0, DType::C128, here),
                   rules.read(1, DType::F64, here), here, here);
  ASSERT_TRUE(w);
  EXPECT_EQ(w.e->dtype, DType::C128);
  Typed a = rules.unaryFn(UnaryFn::Abs, std::move(w), here, here);
  ASSERT_TRUE(a);
  EXPECT_EQ(a.e->dtype, DType::F64);
  Typed c = rules.makeComplex(rules.read(0, DType::F64, here),
                              rules.constant(ConstValue::real(1), here), here);
  ASSERT_TRUE(c);
  EXPECT_EQ(c.e->dtype, DType::C128);
  EXPECT_TRUE(sink.text.empty()) << sink.text;
  // Precision never changes implicitly, and complex to real is refused.
  EXPECT_FALSE(rules.binary(ast::BinaryExpr::Op::Add,
                            rules.read(0, DType::C64, here),
                            rules.read(1, DType::F64, here), here, here));
  EXPECT_FALSE(rules.cast(DType::F32, rules.read(0, DType::C64, here), here));
  EXPECT_NE(sink.text.find("would drop the imaginary part"), std::string::npos);
}

//===----------------------------------------------------------------------===//
// Built-ins
//===----------------------------------------------------------------------===//

TEST(BuiltinsTest, OneTableForEveryStage) {
  const Builtin *exp = lookupBuiltin("exp");
  ASSERT_TRUE(exp);
  EXPECT_EQ(exp->kind, BuiltinKind::UnaryMath);
  EXPECT_EQ(exp->unary, UnaryFn::Exp);
  EXPECT_EQ(getUnaryFnName(UnaryFn::Sigmoid), "sigmoid");
  EXPECT_EQ(getUnaryFnName(UnaryFn::Neg), "neg");
  EXPECT_FALSE(lookupBuiltin("neg"));
  for (llvm::StringRef r : {"sum", "mean", "max", "min", "prod"})
    EXPECT_TRUE(isReducerName(r)) << r.str();
  EXPECT_FALSE(isReducerName("exp"));
  EXPECT_TRUE(isTensorBuiltin("softmax"));
  EXPECT_TRUE(isTensorBuiltin("einsum"));
  EXPECT_FALSE(isTensorBuiltin("where"));
  EXPECT_TRUE(isTensorBuiltin("fft"));
  EXPECT_TRUE(isTensorBuiltin("monarch"));
  EXPECT_EQ(lookupBuiltin("complex")->kind, BuiltinKind::MakeComplex);
  EXPECT_EQ(lookupBuiltin("causal_conv")->kind, BuiltinKind::AxisTransform);
  EXPECT_EQ(lookupBuiltin("reshape")->kind, BuiltinKind::Planned);
  EXPECT_EQ(lookupBuiltin("selective_scan")->kind, BuiltinKind::StateSpace);
  EXPECT_TRUE(isTensorBuiltin("hippo_legs"));
  for (const Builtin &b : getBuiltins())
    if (b.kind == BuiltinKind::UnaryMath)
      EXPECT_EQ(getUnaryFnName(b.unary), b.name);
}

TEST(BuiltinsTest, SuggestsCloseNames) {
  EXPECT_EQ(suggestName("sigmod"), "sigmoid");
  EXPECT_EQ(suggestName("sofmax"), "softmax");
  EXPECT_EQ(suggestName("wieghts", {"weights", "x"}), "weights");
  EXPECT_FALSE(suggestName("zz"));
  EXPECT_FALSE(suggestName("completely_different"));
}

//===----------------------------------------------------------------------===//
// Walking the AST
//===----------------------------------------------------------------------===//

TEST(ASTVisitorTest, WalksEveryKindInPreOrder) {
  Sink sink;
  auto module =
      parseModule("fn f(x: f32[N]) -> f32 {\n"
                  "  t = max[p in 0..2](x[2 * p] + exp(x[0])) - -x[1]\n"
                  "  return t\n}\n",
                  "t.tess", sink);
  ASSERT_TRUE(module) << sink.text;
  const auto &stmt =
      llvm::cast<ast::AssignStmt>(*module->functions[0]->body[0]);
  std::vector<std::string> names;
  ast::walk(*stmt.value, [&](const ast::Expr &e) {
    if (auto *n = llvm::dyn_cast<ast::NameExpr>(&e))
      names.push_back(n->name);
    return ast::WalkAction::Advance;
  });
  EXPECT_EQ(names, (std::vector<std::string>{"x", "p", "x", "x"}));
  // Skip leaves a reduction's body alone; Interrupt stops at the first hit.
  unsigned visited = 0;
  ast::walk(*stmt.value, [&](const ast::Expr &e) {
    ++visited;
    return llvm::isa<ast::ReduceExpr>(e) ? ast::WalkAction::Skip
                                         : ast::WalkAction::Advance;
  });
  EXPECT_EQ(visited, 6u); // -, max[..](..), neg, x[1], x, 1
  EXPECT_TRUE(ast::anyOf(*stmt.value, [](const ast::Expr &e) {
    return llvm::isa<ast::NumberExpr>(e);
  }));
}

TEST(SemaRulesTest, EinsteinSumPerTerm) {
  Sink sink;
  auto module = parseModule("fn f(x: f32[I], w: f32[O, I], b: f32[O]) -> "
                            "f32[O] {\n  y[o] = x[i] * w[o, i] + b[o]\n"
                            "  return y\n}\n",
                            "t.tess", sink);
  ASSERT_TRUE(module);
  auto program = analyze(*module, sink);
  ASSERT_TRUE(program) << sink.text;
  const Function &f = program->functions[0];
  const Contraction &y = *f.values[f.returns[0].id].contraction;
  // y adds pointwise: its loop is o alone, and x * w is summed on its own.
  EXPECT_EQ(y.loopNames, (std::vector<std::string>{"o"}));
  ASSERT_EQ(y.operands.size(), 2u);
  const Contraction &xw = *f.values[y.operands[0].value.id].contraction;
  EXPECT_EQ(xw.loopNames, (std::vector<std::string>{"o", "i"}));
  EXPECT_EQ(xw.resultLoops, (std::vector<unsigned>{0}));
}

} // namespace
