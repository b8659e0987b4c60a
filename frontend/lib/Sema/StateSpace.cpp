//===- StateSpace.cpp - HiPPO matrices and the expansions' machinery ------===//
//
// The state-space building blocks: `hippo_legs(N)`, `hippo_legt(N)` and
// `hippo_fourier(N)` are index notation over [N, N] and [N] whose bodies
// compute the matrices' entries from the indices (in f64, rounded once to
// the result's dtype), and the machinery that `discretize_*`
// (Discretization.cpp) and `selective_scan` (SelectiveScan.cpp) share:
// hidden names and statements written as AST (Synthesized.h).
//
// The HiPPO matrices are those of HazyResearch's state-spaces repository,
// src/models/hippo/hippo.py, transition(measure, N) (docs/language.md
// writes them out).
//
//===----------------------------------------------------------------------===//

#include "Analyzer.h"
#include "Synthesized.h"

#include "tessera/Frontend/ASTVisitor.h"

#include "llvm/Support/MathExtras.h"

using namespace tessera;
using namespace tessera::sema;
using ast::SourceLoc;
using llvm::dyn_cast;

std::optional<std::vector<ValueRef>>
FunctionAnalyzer::evalStateSpace(const ast::CallExpr &call) {
  llvm::StringRef name = call.callee;
  if (name.starts_with("hippo_"))
    return evalHippo(call);
  if (name.starts_with("discretize_"))
    return evalDiscretize(call);
  auto v = evalSelectiveScan(call);
  if (!v)
    return std::nullopt;
  return std::vector<ValueRef>{*v};
}

bool FunctionAnalyzer::isConstantExpr(const ast::Expr &e) const {
  return ast::walk(e, [&](const ast::Expr &x) {
    if (llvm::isa<ast::NumberExpr, ast::UnaryExpr, ast::BinaryExpr>(x))
      return ast::WalkAction::Advance;
    auto *n = dyn_cast<ast::NameExpr>(&x);
    if (n && (m.constants.count(n->name) || n->name == "inf"))
      return ast::WalkAction::Advance;
    return ast::WalkAction::Interrupt;
  });
}

ast::ExprPtr Synthesizer::cloneConstant(const ast::Expr &e) const {
  if (auto *n = dyn_cast<ast::NumberExpr>(&e))
    return std::make_unique<ast::NumberExpr>(loc, n->text, n->isInteger,
                                             n->isImaginary);
  if (auto *n = dyn_cast<ast::NameExpr>(&e))
    return name(n->name);
  if (auto *u = dyn_cast<ast::UnaryExpr>(&e)) {
    ast::ExprPtr x = cloneConstant(*u->operand);
    return x ? std::make_unique<ast::UnaryExpr>(loc, u->op, std::move(x))
             : nullptr;
  }
  if (auto *b = dyn_cast<ast::BinaryExpr>(&e)) {
    ast::ExprPtr l = cloneConstant(*b->lhs), r = cloneConstant(*b->rhs);
    return l && r ? binary(b->op, std::move(l), std::move(r)) : nullptr;
  }
  return nullptr;
}

std::string FunctionAnalyzer::bindHidden(const std::string &what,
                                         ValueRef value,
                                         std::vector<std::string> &hidden) {
  std::string name = hiddenName(what + "." + std::to_string(numHidden++));
  names[name] = Binding{Binding::Kind::Value, value, typeOf(value), {}};
  hidden.push_back(name);
  return name;
}

std::optional<ValueRef>
FunctionAnalyzer::analyzeSynthesized(std::unique_ptr<ast::IndexAssignStmt> s) {
  const ast::IndexAssignStmt &stmt = *s;
  synthesized.push_back(std::move(s));
  if (isRecurrence(stmt))
    return buildRecurrence(stmt);
  return buildStatement(stmt.getLoc(), stmt.indices, stmt.indexLocs,
                        *stmt.value, stmt.ranges);
}

namespace {

/// Builds typed scalar expressions at one location with the typing rules
/// of the language (untyped literals and indices, explicit casts).
class Formula {
public:
  using Op = ast::BinaryExpr::Op;

  Formula(TypeRules &types, SourceLoc loc) : types(types), loc(loc) {}

  Typed index(unsigned loop) { return types.loopIndex(loop, loc); }
  Typed integer(int64_t v) {
    return types.constant(ConstValue::integer(v), loc);
  }
  Typed real(double v) { return types.constant(ConstValue::real(v), loc); }
  Typed op(Op o, Typed a, Typed b) {
    return types.binary(o, std::move(a), std::move(b), loc, loc);
  }
  Typed f64(Typed x) { return types.cast(DType::F64, std::move(x), loc); }
  /// `x` computed in i64: a cast of an untyped expression would compute it
  /// in the cast's type, and integer division must stay one.
  Typed i64(Typed x) { return types.cast(DType::I64, std::move(x), loc); }
  Typed sqrt(Typed x) {
    return types.unaryFn(UnaryFn::Sqrt, std::move(x), loc, loc);
  }
  Typed neg(Typed x) { return types.negate(std::move(x), loc); }
  Typed select(Typed c, Typed a, Typed b) {
    return types.select(std::move(c), std::move(a), std::move(b), loc, loc);
  }
  /// `2 * i + 1` in f64.
  Typed oddOf(unsigned loop) {
    return f64(op(Op::Add, op(Op::Mul, integer(2), index(loop)), integer(1)));
  }
  /// `i - 2 * (i / 2)` in i64, i mod 2 for the non-negative integer `i()`.
  Typed parity(llvm::function_ref<Typed()> i) {
    Typed twice = op(Op::Mul, integer(2), op(Op::Div, i(), integer(2)));
    return i64(op(Op::Sub, i(), std::move(twice)));
  }
  /// `i() / 2` in i64.
  Typed half(llvm::function_ref<Typed()> i) {
    return i64(op(Op::Div, i(), integer(2)));
  }
  Typed parity(unsigned loop) {
    return parity([&] { return index(loop); });
  }

private:
  TypeRules &types;
  SourceLoc loc;
};

/// Entry (n, k) of the HiPPO matrix A of `measure` in f64 (n = loop 0, k =
/// loop 1), as hippo.py's transition() defines it.
Typed hippoA(llvm::StringRef measure, Formula &f) {
  using Op = Formula::Op;
  auto n = [&] { return f.index(0); };
  auto k = [&] { return f.index(1); };
  auto root = [&] { return f.sqrt(f.op(Op::Mul, f.oddOf(0), f.oddOf(1))); };
  if (measure == "legs") {
    // -sqrt((2n + 1)(2k + 1)) below the diagonal, -(n + 1) on it.
    Typed diagonal =
        f.select(f.op(Op::Eq, n(), k()),
                 f.neg(f.f64(f.op(Op::Add, n(), f.integer(1)))), f.real(0.0));
    return f.select(f.op(Op::Gt, n(), k()), f.neg(root()), std::move(diagonal));
  }
  if (measure == "legt") {
    // -1/2 sqrt((2n + 1)(2k + 1)) ((-1)^(n - k) above the diagonal, else 1).
    Typed sign = f.op(Op::Sub, f.integer(1),
                      f.op(Op::Mul, f.integer(2),
                           f.parity([&] { return f.op(Op::Add, n(), k()); })));
    Typed s =
        f.f64(f.select(f.op(Op::Lt, n(), k()), std::move(sign), f.integer(1)));
    return f.op(Op::Mul, f.op(Op::Mul, f.real(-0.5), root()), std::move(s));
  }
  // fourier: pi f rotations of the pairs (2f, 2f + 1), minus B B^T.
  auto b = [&](unsigned loop) {
    Typed even = f.select(f.op(Op::Eq, f.parity(loop), f.integer(0)),
                          f.sqrt(f.real(2.0)), f.real(0.0));
    return f.f64(f.select(f.op(Op::Eq, f.index(loop), f.integer(0)),
                          f.real(1.0), std::move(even)));
  };
  Typed below = f.select(
      f.op(Op::Eq, f.parity(0), f.integer(1)),
      f.op(Op::Mul, f.real(llvm::numbers::pi),
           f.f64(f.half([&] { return f.op(Op::Sub, n(), f.integer(1)); }))),
      f.real(0.0));
  Typed above = f.select(
      f.op(Op::Eq, f.parity(0), f.integer(0)),
      f.neg(f.op(Op::Mul, f.real(llvm::numbers::pi), f.f64(f.half(n)))),
      f.real(0.0));
  Typed rotation = f.select(
      f.op(Op::Eq, k(), f.op(Op::Sub, n(), f.integer(1))), std::move(below),
      f.select(f.op(Op::Eq, k(), f.op(Op::Add, n(), f.integer(1))),
               std::move(above), f.real(0.0)));
  return f.op(Op::Add, f.neg(f.op(Op::Mul, b(0), b(1))), std::move(rotation));
}

/// Entry n of the HiPPO vector B of `measure` in f64 (n = loop 0).
Typed hippoB(llvm::StringRef measure, Formula &f) {
  using Op = Formula::Op;
  if (measure == "legs")
    return f.sqrt(f.oddOf(0));
  if (measure == "legt")
    return f.op(Op::Mul, f.real(0.5), f.sqrt(f.oddOf(0)));
  Typed even = f.select(f.op(Op::Eq, f.parity(0), f.integer(0)),
                        f.sqrt(f.real(2.0)), f.real(0.0));
  return f.f64(f.select(f.op(Op::Eq, f.index(0), f.integer(0)), f.real(1.0),
                        std::move(even)));
}

} // namespace

std::optional<std::vector<ValueRef>>
FunctionAnalyzer::evalHippo(const ast::CallExpr &call) {
  llvm::StringRef measure = llvm::StringRef(call.callee).drop_front(6);
  if (call.args.empty() || call.args.size() > 2) {
    error(call.getLoc(),
          call.callee + " expects a size N and optionally f32 or f64 (" +
              call.callee + "(64), " + call.callee + "(N, f64)) but " +
              std::to_string(call.args.size()) + " arguments were given");
    return std::nullopt;
  }
  auto n = extentOfExpr(*call.args[0]);
  if (!n)
    return std::nullopt;
  DType dt = DType::F32;
  if (call.args.size() == 2) {
    auto *name = dyn_cast<ast::NameExpr>(call.args[1].get());
    std::optional<DType> named =
        name ? parseDTypeName(name->name) : std::nullopt;
    if (named != DType::F32 && named != DType::F64) {
      error(call.args[1]->getLoc(), "expected f32 or f64");
      return std::nullopt;
    }
    dt = *named;
  }
  std::vector<ValueRef> results;
  for (unsigned rank : {2u, 1u}) {
    auto c = std::make_unique<Contraction>();
    c->loopExtents.assign(rank, *n);
    c->loopNames = rank == 2 ? std::vector<std::string>{"n", "k"}
                             : std::vector<std::string>{"n"};
    c->resultLoops =
        rank == 2 ? std::vector<unsigned>{0, 1} : std::vector<unsigned>{0};
    Formula f(types, call.getLoc());
    Typed body = rank == 2 ? hippoA(measure, f) : hippoB(measure, f);
    if (dt != DType::F64)
      body = types.cast(dt, std::move(body), call.getLoc());
    if (!body)
      return std::nullopt;
    c->body = std::move(body.e);
    results.push_back(addContraction(std::move(c), call.getLoc()));
  }
  return results;
}
