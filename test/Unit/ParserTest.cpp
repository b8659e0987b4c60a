//===- ParserTest.cpp - Tests of the Tessera parser and AST printers ------===//

#include "tessera/Frontend/Parser.h"
#include "tessera/Frontend/AST.h"
#include "tessera/Frontend/Diagnostics.h"

#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <chrono>
#include <random>
#include <string>
#include <vector>

using namespace tessera;
using namespace tessera::ast;

namespace {

/// Records every diagnostic for inspection.
class CollectingSink : public DiagnosticSink {
public:
  struct Diag {
    SourceLoc loc;
    std::string message;
  };
  std::vector<Diag> errors;
  std::vector<Diag> notes;

  void note(SourceLoc loc, const llvm::Twine &message) override {
    notes.push_back({loc, message.str()});
  }

  /// All errors as "line:col: message", one per line, for failure output.
  std::string str() const {
    std::string out;
    for (const Diag &d : errors)
      out += std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col) +
             ": " + d.message + "\n";
    return out;
  }

protected:
  void emitError(SourceLoc loc, const llvm::Twine &message) override {
    errors.push_back({loc, message.str()});
  }
  void emitWarning(SourceLoc loc, const llvm::Twine &message) override {
    errors.push_back({loc, "warning: " + message.str()});
  }
};

std::unique_ptr<Module> parseOk(llvm::StringRef source) {
  CollectingSink sink;
  std::unique_ptr<Module> module = parseModule(source, "test.tess", sink);
  EXPECT_TRUE(module) << sink.str();
  EXPECT_TRUE(sink.errors.empty()) << sink.str();
  return module;
}

/// Parses `fn f() { <body> }` and returns the first statement's value.
const Expr *firstValue(const Module &module) {
  const Stmt &stmt = *module.functions.at(0)->body.at(0);
  if (const auto *s = llvm::dyn_cast<AssignStmt>(&stmt))
    return s->value.get();
  if (const auto *s = llvm::dyn_cast<IndexAssignStmt>(&stmt))
    return s->value.get();
  return llvm::cast<ReturnStmt>(stmt).values.at(0).get();
}

std::string render(llvm::StringRef body) {
  std::unique_ptr<Module> module = parseOk(("fn f() {\n" + body + "\n}").str());
  if (!module)
    return "<error>";
  return toString(*firstValue(*module));
}

std::string dumpOf(const Module &module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  dump(module, os);
  return text;
}

bool hasError(const CollectingSink &sink, unsigned line, unsigned col,
              llvm::StringRef fragment) {
  for (const auto &d : sink.errors)
    if (d.loc.line == line && d.loc.col == col &&
        llvm::StringRef(d.message).contains(fragment))
      return true;
  return false;
}

double secondsToParse(const std::string &source, CollectingSink &sink,
                      std::unique_ptr<Module> *result = nullptr) {
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Module> module = parseModule(source, "test.tess", sink);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (result)
    *result = std::move(module);
  return seconds;
}

const char *kLanguageExamples = R"(
# Scaled dot-product attention
fn attention(q: f32[B, H, T, D], k: f32[B, H, S, D], v: f32[B, H, S, D]) -> f32[B, H, T, D] {
  s[b, h, t, u] = q[b, h, t, d] * k[b, h, u, d] / sqrt(f32(D))
  p = softmax(s, 3)
  o[b, h, t, d] = p[b, h, t, u] * v[b, h, u, d]
  return o
}

# S4D convolution kernel (Vandermonde), zero-order hold
fn s4d_kernel(log_dt: f32[H], A: c64[H, N], C: c64[H, N], L: index) -> f32[H, L] {
  dtA[h, n] = A[h, n] * exp(log_dt[h])
  K[h, l] = 2.0 * re(C[h, n] * (exp(dtA[h, n]) - 1.0) / A[h, n] * exp(dtA[h, n] * l)) where l in 0..L
  return K
}

# Mamba selective scan: the (B, D, L, N) state is fused away, never stored
fn mamba_scan(u: f32[B, D, L], delta: f32[B, D, L], A: f32[D, N],
              Bm: f32[B, N, L], Cm: f32[B, N, L], Dv: f32[D]) -> f32[B, D, L] {
  dt[b, d, l] = softplus(delta[b, d, l])
  x[b, d, l, n] = exp(dt[b, d, l] * A[d, n]) * x[b, d, l - 1, n] + dt[b, d, l] * Bm[b, n, l] * u[b, d, l]
  y[b, d, l] = x[b, d, l, n] * Cm[b, n, l] + Dv[d] * u[b, d, l]
  return y
}

# Monarch layer
fn monarch_mlp(x: f32[B, 1024], w1: f32[32, 32, 32], w2: f32[32, 32, 32]) -> f32[B, 1024] {
  return gelu(monarch(w1, w2, x, 1))
}
)";

//===----------------------------------------------------------------------===//
// Well-formed programs
//===----------------------------------------------------------------------===//

TEST(ParserTest, LanguageExamples) {
  std::unique_ptr<Module> module = parseOk(kLanguageExamples);
  ASSERT_TRUE(module);
  EXPECT_EQ(module->filename, "test.tess");
  ASSERT_EQ(module->functions.size(), 4u);
  EXPECT_TRUE(module->constants.empty());

  // attention: signature and the einsum-style contraction.
  const FnDecl &attention = *module->functions[0];
  EXPECT_EQ(attention.name, "attention");
  EXPECT_EQ(attention.loc.line, 3u);
  EXPECT_EQ(attention.loc.col, 1u);
  ASSERT_EQ(attention.params.size(), 3u);
  EXPECT_EQ(attention.params[1].name, "k");
  EXPECT_EQ(attention.params[1].type.dtype, "f32");
  EXPECT_TRUE(attention.params[1].type.isTensor);
  ASSERT_EQ(attention.params[1].type.dims.size(), 4u);
  EXPECT_EQ(toString(*attention.params[1].type.dims[2]), "S");
  ASSERT_EQ(attention.results.size(), 1u);
  EXPECT_EQ(attention.results[0].dims.size(), 4u);
  ASSERT_EQ(attention.body.size(), 4u);
  const auto *s = llvm::dyn_cast<IndexAssignStmt>(attention.body[0].get());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->target, "s");
  EXPECT_EQ(s->indices, (std::vector<std::string>{"b", "h", "t", "u"}));
  EXPECT_EQ(s->indexLocs[3].col, 14u);
  const auto *div = llvm::dyn_cast<BinaryExpr>(s->value.get());
  ASSERT_TRUE(div);
  EXPECT_EQ(div->op, BinaryExpr::Op::Div);
  const auto *mul = llvm::dyn_cast<BinaryExpr>(div->lhs.get());
  ASSERT_TRUE(mul);
  EXPECT_EQ(mul->op, BinaryExpr::Op::Mul);
  const auto *q = llvm::dyn_cast<SubscriptExpr>(mul->lhs.get());
  ASSERT_TRUE(q);
  EXPECT_EQ(llvm::cast<NameExpr>(*q->base).name, "q");
  EXPECT_EQ(q->indices.size(), 4u);
  const auto *sqrtCall = llvm::dyn_cast<CallExpr>(div->rhs.get());
  ASSERT_TRUE(sqrtCall);
  EXPECT_EQ(sqrtCall->callee, "sqrt");
  ASSERT_EQ(sqrtCall->args.size(), 1u);
  const auto *cast = llvm::dyn_cast<CallExpr>(sqrtCall->args[0].get());
  ASSERT_TRUE(cast);
  EXPECT_EQ(cast->callee, "f32");
  EXPECT_TRUE(llvm::isa<AssignStmt>(attention.body[1].get()));
  EXPECT_TRUE(llvm::isa<ReturnStmt>(attention.body[3].get()));

  // s4d_kernel: `L: index` and the where clause.
  const FnDecl &s4d = *module->functions[1];
  EXPECT_EQ(s4d.params[3].type.dtype, "index");
  EXPECT_FALSE(s4d.params[3].type.isTensor);
  EXPECT_EQ(s4d.params[1].type.dtype, "c64");
  const auto *k = llvm::dyn_cast<IndexAssignStmt>(s4d.body[1].get());
  ASSERT_TRUE(k);
  EXPECT_EQ(k->target, "K");
  ASSERT_EQ(k->ranges.size(), 1u);
  EXPECT_EQ(k->ranges[0].index, "l");
  EXPECT_EQ(k->ranges[0].loc.line, 13u);
  EXPECT_EQ(k->ranges[0].loc.col, 93u);
  EXPECT_EQ(toString(*k->ranges[0].lo), "0");
  EXPECT_EQ(toString(*k->ranges[0].hi), "L");
  EXPECT_FALSE(k->init);

  // mamba_scan: the recurrence reads x[b, d, l - 1, n].
  const FnDecl &mamba = *module->functions[2];
  EXPECT_EQ(mamba.params.size(), 6u);
  const auto *x = llvm::dyn_cast<IndexAssignStmt>(mamba.body[1].get());
  ASSERT_TRUE(x);
  EXPECT_EQ(toString(*x->value),
            "(exp(dt[b, d, l] * A[d, n]) * x[b, d, l - 1, n]) + "
            "((dt[b, d, l] * Bm[b, n, l]) * u[b, d, l])");

  // monarch_mlp: nested calls in a return.
  const auto *ret =
      llvm::dyn_cast<ReturnStmt>(module->functions[3]->body[0].get());
  ASSERT_TRUE(ret);
  ASSERT_EQ(ret->values.size(), 1u);
  const auto *gelu = llvm::dyn_cast<CallExpr>(ret->values[0].get());
  ASSERT_TRUE(gelu);
  const auto *monarch = llvm::dyn_cast<CallExpr>(gelu->args[0].get());
  ASSERT_TRUE(monarch);
  EXPECT_EQ(monarch->callee, "monarch");
  EXPECT_EQ(monarch->args.size(), 4u);
}

TEST(ParserTest, LogSumExpReductions) {
  std::unique_ptr<Module> module = parseOk(R"(
fn lse(x: f32[N, M]) -> f32[N] {
  mx[i] = max[j](x[i, j])
  lse[i] = log(sum[j](exp(x[i, j] - mx[i]))) + mx[i]
  t = prod[i, j](x[i, j]) + min[j](x[0, j])
  return lse
})");
  ASSERT_TRUE(module);
  const auto &body = module->functions[0]->body;
  const auto *mx = llvm::cast<IndexAssignStmt>(body[0].get());
  const auto *max = llvm::dyn_cast<ReduceExpr>(mx->value.get());
  ASSERT_TRUE(max);
  EXPECT_EQ(max->op, ReduceExpr::Op::Max);
  EXPECT_EQ(max->indices, std::vector<std::string>{"j"});
  EXPECT_EQ(max->getLoc().col, 11u);
  EXPECT_EQ(max->indexLocs[0].col, 15u);
  EXPECT_TRUE(llvm::isa<SubscriptExpr>(max->body.get()));

  const auto *lse = llvm::cast<IndexAssignStmt>(body[1].get());
  const auto *plus = llvm::cast<BinaryExpr>(lse->value.get());
  const auto *log = llvm::cast<CallExpr>(plus->lhs.get());
  const auto *sum = llvm::dyn_cast<ReduceExpr>(log->args[0].get());
  ASSERT_TRUE(sum);
  EXPECT_EQ(sum->op, ReduceExpr::Op::Sum);
  EXPECT_EQ(toString(*sum), "sum[j](exp(x[i, j] - mx[i]))");

  const auto *t = llvm::cast<AssignStmt>(body[2].get());
  const auto *add = llvm::cast<BinaryExpr>(t->value.get());
  const auto *prod = llvm::cast<ReduceExpr>(add->lhs.get());
  EXPECT_EQ(prod->op, ReduceExpr::Op::Prod);
  EXPECT_EQ(prod->indices, (std::vector<std::string>{"i", "j"}));
  EXPECT_EQ(llvm::cast<ReduceExpr>(add->rhs.get())->op, ReduceExpr::Op::Min);
}

TEST(ParserTest, OperatorPrecedence) {
  EXPECT_EQ(render("y = -x ** 2"), "-(x ** 2)");
  EXPECT_EQ(render("y = 2 ** -1"), "2 ** (-1)");
  EXPECT_EQ(render("y = 2 ** -x ** 2"), "2 ** (-(x ** 2))");
  EXPECT_EQ(render("y = a ** b ** c"), "a ** (b ** c)");
  EXPECT_EQ(render("y = (a ** b) ** c"), "(a ** b) ** c");
  EXPECT_EQ(render("y = a - b - c"), "(a - b) - c");
  EXPECT_EQ(render("y = a / b * c"), "(a / b) * c");
  EXPECT_EQ(render("y = a + b * c"), "a + (b * c)");
  EXPECT_EQ(render("y = -a * b"), "(-a) * b");
  EXPECT_EQ(render("y = a - -b"), "a - (-b)");
  EXPECT_EQ(render("y = a + 1 < b * 2"), "(a + 1) < (b * 2)");
  EXPECT_EQ(render("y = a == b"), "a == b");
  EXPECT_EQ(render("y = (a < b) == (c >= d)"), "(a < b) == (c >= d)");
  EXPECT_EQ(render("y = a != b"), "a != b");
  EXPECT_EQ(render("y = a <= b"), "a <= b");
  EXPECT_EQ(render("y = a > b"), "a > b");

  std::unique_ptr<Module> module = parseOk("fn f() { y = -x ** 2 }");
  ASSERT_TRUE(module);
  const auto *neg = llvm::dyn_cast<UnaryExpr>(firstValue(*module));
  ASSERT_TRUE(neg);
  EXPECT_EQ(neg->op, UnaryExpr::Op::Neg);
  EXPECT_EQ(neg->getLoc().col, 14u);
  const auto *pow = llvm::dyn_cast<BinaryExpr>(neg->operand.get());
  ASSERT_TRUE(pow);
  EXPECT_EQ(pow->op, BinaryExpr::Op::Pow);
  // A binary expression is located at its first token.
  EXPECT_EQ(pow->getLoc().col, 15u);
}

TEST(ParserTest, StatementsAndClauses) {
  std::unique_ptr<Module> module = parseOk(R"(
const EPS = 1e-5
fn scan(a: f32[B, T, N], x: f32[B, T, N], h0: f32[B, N],) -> (f32[B, T, N], f32[B]) {
  h[b, t, n] = a[b, t, n] * h[b, t - 1, n] + x[b, t, n] init h0[b, n]
  g[b, t] = h[b, t, 0] where t in 0..T, b in 0..B init 0.0; lo, hi = split(g)
  k[t] = x[0, t, 0] init 1.0 where t in 1..T - 1
  return h, lo
}
const TWO = 2
)");
  ASSERT_TRUE(module);
  ASSERT_EQ(module->constants.size(), 2u);
  EXPECT_EQ(module->constants[0]->name, "EPS");
  EXPECT_EQ(module->constants[0]->loc.line, 2u);
  EXPECT_EQ(module->constants[1]->name, "TWO");

  const FnDecl &fn = *module->functions[0];
  EXPECT_EQ(fn.params.size(), 3u);
  ASSERT_EQ(fn.results.size(), 2u);
  EXPECT_EQ(fn.results[1].dims.size(), 1u);
  ASSERT_EQ(fn.body.size(), 5u);

  const auto *h = llvm::cast<IndexAssignStmt>(fn.body[0].get());
  ASSERT_TRUE(h->init);
  EXPECT_EQ(toString(*h->init), "h0[b, n]");
  EXPECT_TRUE(h->ranges.empty());

  const auto *g = llvm::cast<IndexAssignStmt>(fn.body[1].get());
  ASSERT_EQ(g->ranges.size(), 2u);
  EXPECT_EQ(g->ranges[1].index, "b");
  EXPECT_EQ(toString(*g->ranges[1].hi), "B");
  ASSERT_TRUE(g->init);
  EXPECT_EQ(toString(*g->init), "0.0");

  // `a, b = f(x)`, after a ';' on the same line.
  const auto *split = llvm::dyn_cast<AssignStmt>(fn.body[2].get());
  ASSERT_TRUE(split);
  EXPECT_EQ(split->targets, (std::vector<std::string>{"lo", "hi"}));
  EXPECT_EQ(split->targetLocs[1].col, 65u);
  EXPECT_TRUE(llvm::isa<CallExpr>(split->value.get()));

  // Clauses in the other order; a range bound is an expression.
  const auto *k = llvm::cast<IndexAssignStmt>(fn.body[3].get());
  ASSERT_TRUE(k->init);
  ASSERT_EQ(k->ranges.size(), 1u);
  EXPECT_EQ(toString(*k->ranges[0].hi), "T - 1");

  const auto *ret = llvm::cast<ReturnStmt>(fn.body[4].get());
  EXPECT_EQ(ret->values.size(), 2u);
  EXPECT_EQ(ret->getLoc().line, 7u);
  EXPECT_EQ(ret->getLoc().col, 3u);
}

TEST(ParserTest, Literals) {
  std::unique_ptr<Module> module = parseOk(R"(fn f() {
  a = 3
  b = 2.5
  c = 1e-3
  d = 2.5e+3
  e = 2.0j
  f = 3j
  g = einsum("bhtd,bhsd->bhts", q, k)
  h = "q\"uote\\ tab\t nl\n"
  i = 123456789012345678901234567890123456789
  j = 1.5e999999
})");
  ASSERT_TRUE(module);
  const auto &body = module->functions[0]->body;
  auto number = [&](size_t i) {
    return llvm::dyn_cast<NumberExpr>(
        llvm::cast<AssignStmt>(body[i].get())->value.get());
  };
  struct Expect {
    const char *text;
    bool isInteger, isImaginary;
  } expected[] = {{"3", true, false},     {"2.5", false, false},
                  {"1e-3", false, false}, {"2.5e+3", false, false},
                  {"2.0", false, true},   {"3", true, true}};
  for (size_t i = 0; i < std::size(expected); ++i) {
    const NumberExpr *n = number(i);
    ASSERT_TRUE(n) << i;
    EXPECT_EQ(n->text, expected[i].text);
    EXPECT_EQ(n->isInteger, expected[i].isInteger) << n->text;
    EXPECT_EQ(n->isImaginary, expected[i].isImaginary) << n->text;
  }
  EXPECT_EQ(toString(*number(4)), "2.0j");

  const auto *einsum =
      llvm::cast<CallExpr>(llvm::cast<AssignStmt>(body[6].get())->value.get());
  EXPECT_EQ(einsum->callee, "einsum");
  ASSERT_EQ(einsum->args.size(), 3u);
  const auto *spec = llvm::dyn_cast<StringExpr>(einsum->args[0].get());
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->value, "bhtd,bhsd->bhts");
  EXPECT_EQ(spec->getLoc().col, 14u);

  const auto *escaped = llvm::cast<StringExpr>(
      llvm::cast<AssignStmt>(body[7].get())->value.get());
  EXPECT_EQ(escaped->value, "q\"uote\\ tab\t nl\n");

  // Huge literals are kept as written; Sema judges them.
  EXPECT_EQ(number(8)->text, "123456789012345678901234567890123456789");
  EXPECT_EQ(number(9)->text, "1.5e999999");
}

TEST(ParserTest, PrimaryForms) {
  std::unique_ptr<Module> module = parseOk(R"(fn f(x: f32[N]) -> f32[N] {
  z = zeros(f32[N])
  r = reshape(x, [2, N / 2])
  w = where(x > 0, x, -x)
  s = sum[j]
  e = f32[]
  return where(z < r, w, e)
})");
  ASSERT_TRUE(module);
  const auto &body = module->functions[0]->body;
  auto value = [&](size_t i) {
    return llvm::cast<AssignStmt>(body[i].get())->value.get();
  };
  const auto *zeros = llvm::cast<CallExpr>(value(0));
  const auto *type = llvm::dyn_cast<SubscriptExpr>(zeros->args[0].get());
  ASSERT_TRUE(type);
  EXPECT_EQ(llvm::cast<NameExpr>(*type->base).name, "f32");

  const auto *reshape = llvm::cast<CallExpr>(value(1));
  const auto *list = llvm::dyn_cast<ListExpr>(reshape->args[1].get());
  ASSERT_TRUE(list);
  EXPECT_EQ(list->elements.size(), 2u);
  EXPECT_EQ(list->getLoc().col, 18u);

  const auto *select = llvm::dyn_cast<CallExpr>(value(2));
  ASSERT_TRUE(select);
  EXPECT_EQ(select->callee, "where");
  EXPECT_EQ(select->calleeLoc.col, 7u);
  EXPECT_EQ(select->args.size(), 3u);

  // Without an argument list, `sum[j]` is an ordinary subscript.
  EXPECT_TRUE(llvm::isa<SubscriptExpr>(value(3)));
  EXPECT_TRUE(llvm::cast<SubscriptExpr>(value(4))->indices.empty());
  const auto *ret = llvm::cast<ReturnStmt>(body[5].get());
  EXPECT_EQ(llvm::cast<CallExpr>(ret->values[0].get())->callee, "where");
}

TEST(ParserTest, WhitespaceCommentsAndSeparators) {
  std::unique_ptr<Module> module = parseOk(
      "# leading comment\r\nfn f(\n  a: f32[N], # trailing\n) -> f32[N] { "
      "b = a; ; c = b\n\n\treturn c # done\n};\nconst X = 1 # end");
  ASSERT_TRUE(module);
  ASSERT_EQ(module->functions.size(), 1u);
  EXPECT_EQ(module->functions[0]->body.size(), 3u);
  EXPECT_EQ(module->functions[0]->body[2]->getLoc().line, 6u);
  EXPECT_EQ(module->functions[0]->body[2]->getLoc().col, 2u);
  EXPECT_EQ(module->constants.size(), 1u);
}

TEST(ParserTest, DumpFormat) {
  std::unique_ptr<Module> module = parseOk(R"(const S = 2
fn mm(a: f32[M, K], b: f32[K, N]) -> f32[M, N] {
  c[m, n] = a[m, k] * b[k, n] where m in 0..M init -1
  return c
})");
  ASSERT_TRUE(module);
  EXPECT_EQ(dumpOf(*module), R"(Module
  Const S @1:1
    Number 2 @1:11
  Fn mm @2:1
    Param a : f32[M, K] @2:7
    Param b : f32[K, N] @2:21
    Result f32[M, N] @2:38
    IndexAssign c[m, n] @3:3
      Binary * @3:13
        Subscript a @3:13
          Name m @3:15
          Name k @3:18
        Subscript b @3:23
          Name k @3:25
          Name n @3:28
      Range m @3:37
        Number 0 @3:42
        Name M @3:45
      Init
        Unary - @3:52
          Number 1 @3:53
    Return @4:3
      Name c @4:10
)");
}

//===----------------------------------------------------------------------===//
// Syntax errors
//===----------------------------------------------------------------------===//

TEST(ParserTest, ReportsSeveralErrorsWithLocations) {
  CollectingSink sink;
  std::unique_ptr<Module> module = parseModule(R"(fn f(x: f32[N]) -> f32[N] {
  y = (x + 1
  z[i] = x[i] $ 2
  w = 1 < 2 < 3
  return y,
}
fn g(a f32) { return a }
const C = "open
)",
                                               "errors.tess", sink);
  EXPECT_FALSE(module);
  EXPECT_EQ(sink.errors.size(), 6u) << sink.str();
  EXPECT_TRUE(hasError(sink, 3, 3, "expected ')' but found 'z'")) << sink.str();
  EXPECT_TRUE(hasError(sink, 3, 15, "unexpected character '$'")) << sink.str();
  EXPECT_TRUE(hasError(sink, 4, 13, "comparison operators cannot be chained"))
      << sink.str();
  EXPECT_TRUE(hasError(sink, 6, 1, "expected an expression but found '}'"))
      << sink.str();
  EXPECT_TRUE(hasError(sink, 7, 8, "expected ':' but found 'f32'"))
      << sink.str();
  EXPECT_TRUE(hasError(sink, 8, 11, "unterminated string literal"))
      << sink.str();
  // Reported in source order.
  for (size_t i = 1; i < sink.errors.size(); ++i)
    EXPECT_LE(sink.errors[i - 1].loc.line, sink.errors[i].loc.line);
}

TEST(ParserTest, StructuralErrors) {
  CollectingSink sink;
  std::unique_ptr<Module> module = parseModule(R"(fn f(x: f32[N, N]) {
  a[i] = foo[j](x[i, j])
  b[i + 1] = x[i, i]
  c[i] = sum[j + 1](x[i, j])
  d[i] = x[i, 0] where i in 0..N where i in 0..N
  e[i] = x[i, 0] init 0 init 1
  g = sum[](x)
})",
                                               "structure.tess", sink);
  EXPECT_FALSE(module);
  EXPECT_EQ(sink.errors.size(), 6u) << sink.str();
  EXPECT_TRUE(hasError(sink, 2, 10,
                       "only sum, mean, max, min and prod take an index list "
                       "before their argument"))
      << sink.str();
  EXPECT_TRUE(hasError(sink, 3, 5, "indices on the left of '='")) << sink.str();
  EXPECT_TRUE(hasError(sink, 4, 14, "reduction indices must be plain names"))
      << sink.str();
  EXPECT_TRUE(hasError(sink, 5, 34, "duplicate 'where' clause")) << sink.str();
  EXPECT_TRUE(hasError(sink, 6, 25, "duplicate 'init' clause")) << sink.str();
  EXPECT_TRUE(hasError(sink, 7, 7, "a reduction needs at least one index"))
      << sink.str();
}

TEST(ParserTest, LexicalErrors) {
  CollectingSink sink;
  EXPECT_FALSE(parseModule("fn f() {\n  x = \"a\\qb\" + .5 \x01\n}\n",
                           "lex.tess", sink));
  EXPECT_EQ(sink.errors.size(), 3u) << sink.str();
  EXPECT_TRUE(hasError(sink, 2, 9, "unknown escape sequence '\\q'"))
      << sink.str();
  EXPECT_TRUE(hasError(sink, 2, 16, "write 0.5")) << sink.str();
  EXPECT_TRUE(hasError(sink, 2, 19, "unexpected character '\\x01'"))
      << sink.str();
}

TEST(ParserTest, KeywordsAreNotNames) {
  CollectingSink sink;
  EXPECT_FALSE(parseModule("fn f() { in = 1 }", "kw.tess", sink));
  EXPECT_TRUE(hasError(sink, 1, 10, "but found 'in'")) << sink.str();
}

//===----------------------------------------------------------------------===//
// Robustness
//===----------------------------------------------------------------------===//

TEST(ParserRobustness, EmptyAndBlankInput) {
  for (const char *source :
       {"", "   \n\t\r\n", "# only a comment", ";;", "\xEF\xBB\xBF\n"}) {
    std::unique_ptr<Module> module = parseOk(source);
    ASSERT_TRUE(module) << source;
    EXPECT_TRUE(module->functions.empty());
    EXPECT_TRUE(module->constants.empty());
    EXPECT_EQ(dumpOf(*module), "Module\n");
  }
}

TEST(ParserRobustness, BinaryGarbage) {
  CollectingSink sink;
  std::string nuls("fn f() {\0\0 x = 1 }", 18);
  EXPECT_FALSE(parseModule(nuls, "nul.tess", sink));
  EXPECT_TRUE(hasError(sink, 1, 9, "unexpected character '\\x00'"))
      << sink.str();
  EXPECT_EQ(sink.errors.size(), 2u) << sink.str();

  // Invalid UTF-8, then a valid non-ASCII character reported once.
  CollectingSink utf8;
  EXPECT_FALSE(parseModule("const A = \xff\xc3\x28 1\nconst B = \xc3\xa9",
                           "utf8.tess", utf8));
  EXPECT_TRUE(hasError(utf8, 1, 11, "'\\xFF'")) << utf8.str();
  EXPECT_TRUE(hasError(utf8, 1, 12, "'\\xC3'")) << utf8.str();
  EXPECT_TRUE(hasError(utf8, 2, 11, "unexpected character '\xc3\xa9' (U+00E9)"))
      << utf8.str();

  // A megabyte of random bytes: a bounded number of errors, quickly.
  std::mt19937 rng(42);
  std::string random(1 << 20, '\0');
  for (char &c : random)
    c = static_cast<char>(rng());
  CollectingSink randomSink;
  double seconds = secondsToParse(random, randomSink);
  EXPECT_LT(seconds, 5.0);
  EXPECT_GT(randomSink.errors.size(), 0u);
  EXPECT_LE(randomSink.errors.size(), randomSink.errorLimit);

  // Random tokens from the language's own alphabet.
  const char alphabet[] = "abfnxyz_019.()[]{}<>=+-*/,;:#\"\n jrtuiwhe";
  std::string soup(1 << 20, ' ');
  for (char &c : soup)
    c = alphabet[rng() % (sizeof(alphabet) - 1)];
  CollectingSink soupSink;
  seconds = secondsToParse(soup, soupSink);
  EXPECT_LT(seconds, 5.0);
  EXPECT_GT(soupSink.errors.size(), 0u);
  EXPECT_LE(soupSink.errors.size(), soupSink.errorLimit);
}

TEST(ParserRobustness, DeepNesting) {
  const size_t depth = 100000;
  for (auto [open, close] : {std::pair<std::string, std::string>{"(", ")"},
                             {"[", "]"},
                             {"f(", ")"},
                             {"a[", "]"},
                             {"-", ""},
                             {"2 ** ", ""}}) {
    std::string source = "fn f() {\n  x = ";
    for (size_t i = 0; i < depth; ++i)
      source += open;
    source += "1";
    for (size_t i = 0; i < depth; ++i)
      source += close;
    source += "\n}\n";
    CollectingSink sink;
    double seconds = secondsToParse(source, sink);
    EXPECT_LT(seconds, 10.0) << open;
    ASSERT_EQ(sink.errors.size(), 1u) << open << "\n" << sink.str();
    EXPECT_EQ(sink.errors[0].loc.line, 2u);
    EXPECT_TRUE(
        llvm::StringRef(sink.errors[0].message).contains("nested too deeply"))
        << sink.errors[0].message;
  }

  // Unbalanced openers only.
  CollectingSink sink;
  EXPECT_FALSE(
      parseModule("fn f() { x = " + std::string(depth, '['), "o.tess", sink));
  EXPECT_EQ(sink.errors.size(), 1u) << sink.str();

  // Moderate nesting is fine and keeps its structure.
  std::string source = "fn f() { x = " + std::string(200, '(') + "1" +
                       std::string(200, ')') + " }";
  std::unique_ptr<Module> module = parseOk(source);
  ASSERT_TRUE(module);
  EXPECT_TRUE(llvm::isa<NumberExpr>(firstValue(*module)));
  source = "fn f() { x = ";
  for (int i = 0; i < 100; ++i)
    source += "g([";
  source += "1";
  for (int i = 0; i < 100; ++i)
    source += "])";
  source += " }";
  EXPECT_TRUE(parseOk(source));
}

TEST(ParserRobustness, LongChains) {
  std::string source = "fn f() {\n  x = 1";
  for (int i = 1; i < 200000; ++i)
    source += "+1";
  source += "\n  return x\n}\n";
  CollectingSink sink;
  double seconds = secondsToParse(source, sink);
  EXPECT_LT(seconds, 30.0);
  ASSERT_EQ(sink.errors.size(), 1u) << sink.str();
  EXPECT_TRUE(hasError(sink, 2, 7, "too long or nested too deeply"))
      << sink.str();

  // A long but reasonable chain parses, left-associated.
  source = "fn f() { x = 1";
  for (int i = 1; i < 500; ++i)
    source += " * 2";
  source += " }";
  std::unique_ptr<Module> module = parseOk(source);
  ASSERT_TRUE(module);
  const Expr *e = firstValue(*module);
  unsigned depth = 0;
  while (const auto *b = llvm::dyn_cast<BinaryExpr>(e)) {
    ++depth;
    EXPECT_TRUE(llvm::isa<NumberExpr>(b->rhs.get()));
    e = b->lhs.get();
  }
  EXPECT_EQ(depth, 499u);
}

TEST(ParserRobustness, LongLinesAndManyStatements) {
  std::string source = "fn f() { ";
  for (int i = 0; i < 50000; ++i)
    source += "x" + std::to_string(i) + " = " + std::to_string(i) + " ";
  source += "return x1 }";
  CollectingSink sink;
  std::unique_ptr<Module> module;
  double seconds = secondsToParse(source, sink, &module);
  EXPECT_LT(seconds, 30.0);
  ASSERT_TRUE(module) << sink.str();
  EXPECT_EQ(module->functions[0]->body.size(), 50001u);
  EXPECT_EQ(module->functions[0]->body.back()->getLoc().line, 1u);

  // A single megabyte-long name and literal.
  std::string longName(1 << 20, 'a');
  module = parseOk("const " + longName + " = " + std::string(1 << 20, '7'));
  ASSERT_TRUE(module);
  EXPECT_EQ(module->constants[0]->name.size(), size_t(1) << 20);
  EXPECT_EQ(llvm::cast<NumberExpr>(*module->constants[0]->value).text.size(),
            size_t(1) << 20);
}

TEST(ParserRobustness, ManyErrorsStopAtTheLimit) {
  std::string source = "fn f() {\n";
  for (int i = 0; i < 100000; ++i)
    source += "  x = = 1\n";
  source += "}\n";
  CollectingSink sink;
  double seconds = secondsToParse(source, sink);
  EXPECT_LT(seconds, 10.0);
  EXPECT_EQ(sink.errors.size(), sink.errorLimit);
  EXPECT_TRUE(hasError(sink, 2, 7, "expected an expression but found '='"))
      << sink.str();

  // With a higher limit, every independent error is reported.
  source = "fn f() {\n";
  for (int i = 0; i < 300; ++i)
    source += "  x = = 1\n";
  source += "}\n";
  CollectingSink all;
  all.errorLimit = 1000;
  EXPECT_FALSE(parseModule(source, "many.tess", all));
  EXPECT_EQ(all.errors.size(), 300u);

  // One bad character per line, 100000 lines.
  std::string bad;
  for (int i = 0; i < 100000; ++i)
    bad += "@\n";
  CollectingSink badSink;
  seconds = secondsToParse(bad, badSink);
  EXPECT_LT(seconds, 10.0);
  EXPECT_EQ(badSink.errors.size(), badSink.errorLimit);
}

} // namespace
