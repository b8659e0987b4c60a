//===- ScalarLowering.cpp - AST expressions -> ScalarExpr -----------------===//
//
// Lowers the right-hand side of a statement, at one point of its loop nest,
// into the ScalarExpr body of a Contraction: tensor reads become operands
// with affine subscripts, index names become loop values, and operators and
// built-ins are combined by the typing rules of Typing.cpp.
//
//===----------------------------------------------------------------------===//

#include "Analyzer.h"

#include <cmath>

using namespace tessera;
using namespace tessera::sema;
using ast::SourceLoc;
using llvm::dyn_cast;
using llvm::isa;

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

Typed FunctionAnalyzer::lowerScalar(
    const ast::Expr &e, Contraction &c,
    const std::map<unsigned, unsigned> &loopOf) {
  SourceLoc loc = e.getLoc();
  auto h = st.hoisted.find(&e);
  if (h != st.hoisted.end())
    return lowerLeafValue(h->second, loc, c, loopOf);
  auto term = st.summedTerms.find(&e);
  if (term != st.summedTerms.end()) {
    std::vector<unsigned> summed = std::move(term->second);
    st.summedTerms.erase(term);
    return lowerSummedTerm(e, summed, c, loopOf);
  }
  if (auto *n = dyn_cast<ast::NumberExpr>(&e)) {
    auto v = parseNumber(*n, diag());
    return v ? types.constant(*v, loc) : Typed();
  }
  if (isa<ast::StringExpr>(&e)) {
    error(loc, "a string is only valid as the first argument of einsum");
    return {};
  }
  if (isa<ast::ListExpr>(&e)) {
    error(loc, "a list is not a value here");
    return {};
  }
  if (isPoisoned(e))
    return {};
  if (auto *n = dyn_cast<ast::NameExpr>(&e))
    return lowerName(*n, c, loopOf);
  if (auto *s = dyn_cast<ast::SubscriptExpr>(&e))
    return lowerTensorRead(*s, c, loopOf);
  if (auto *r = dyn_cast<ast::ReduceExpr>(&e))
    return lowerReduce(*r, c, loopOf);
  if (auto *u = dyn_cast<ast::UnaryExpr>(&e))
    return types.negate(lowerScalar(*u->operand, c, loopOf), loc);
  if (auto *b = dyn_cast<ast::BinaryExpr>(&e)) {
    Typed l = lowerScalar(*b->lhs, c, loopOf);
    Typed r = lowerScalar(*b->rhs, c, loopOf);
    return types.binary(b->op, std::move(l), std::move(r), loc,
                        b->lhs->getLoc());
  }
  if (auto *call = dyn_cast<ast::CallExpr>(&e))
    return lowerCallScalar(*call, c, loopOf);
  error(loc, "unsupported expression");
  return {};
}

Typed FunctionAnalyzer::lowerName(const ast::NameExpr &n, Contraction &c,
                                  const std::map<unsigned, unsigned> &loopOf) {
  SourceLoc loc = n.getLoc();
  auto idx = st.indexOfName.find(&n);
  if (idx != st.indexOfName.end()) {
    auto l = loopOf.find(idx->second);
    if (l == loopOf.end()) {
      error(loc, "index '" + n.name + "' is not in scope here");
      return {};
    }
    return types.loopIndex(l->second, loc);
  }
  auto constant = m.constants.find(n.name);
  if (constant != m.constants.end())
    return types.constant(constant->second, loc);
  auto it = names.find(n.name);
  if (it == names.end()) {
    if (n.name == "inf")
      return types.constant(ConstValue::real(INFINITY), loc);
    if (parseDTypeName(n.name) || n.name == "index")
      error(loc, "the type '" + n.name + "' is not a value");
    else if (lookupBuiltin(n.name) || m.signatures.count(n.name))
      error(loc, "'" + n.name + "' is a function; call it");
    else
      errorUnknownName(loc, n.name, "name");
    return {};
  }
  const Binding &b = it->second;
  if (b.kind == Binding::Kind::Symbol || b.kind == Binding::Kind::IndexParam)
    return types.sizeValue(b.symbol, loc);
  return lowerLeafValue(b.ref, loc, c, loopOf);
}

Typed FunctionAnalyzer::lowerTensorRead(
    const ast::SubscriptExpr &s, Contraction &c,
    const std::map<unsigned, unsigned> &loopOf) {
  SourceLoc loc = s.getLoc();
  auto *base = dyn_cast<ast::NameExpr>(s.base.get());
  if (!base) {
    error(loc, "only named tensors can be subscripted");
    return {};
  }
  if (recurrence && base->name == recurrence->target &&
      !names.count(base->name))
    return lowerPreviousState(s, c, loopOf);
  auto it = names.find(base->name);
  if (it == names.end() || it->second.kind != Binding::Kind::Value) {
    if (suspendedRecurrence == base->name)
      error(loc, "the recurrence '" + base->name +
                     "' reads its previous state inside a call: it can only "
                     "read it element by element");
    else if (parseDTypeName(base->name))
      error(loc, "a type such as '" + ast::toString(s) +
                     "' is only valid as an argument of zeros/ones");
    else if (it == names.end())
      errorUnknownName(base->getLoc(), base->name, "name");
    else
      error(base->getLoc(), "'" + base->name + "' cannot be subscripted");
    return {};
  }
  const TensorType &t = it->second.type;
  if (static_cast<int64_t>(s.indices.size()) != t.getRank()) {
    error(loc, "'" + base->name + "' has type " + t.str() + " (rank " +
                   std::to_string(t.getRank()) + ") but is subscripted with " +
                   std::to_string(s.indices.size()) + " index(es)");
    return {};
  }
  std::vector<AffineSubscript> subs;
  for (size_t d = 0; d < s.indices.size(); ++d) {
    const ast::Expr &i = *s.indices[d];
    auto sub = lowerSubscript(i, loopOf, c.loopExtents.size());
    if (!sub)
      return {};
    // `i + 0` reads like `i`: it needs the same extent (plain subscripts
    // are never bounds-checked).
    int plain = sub->getPlainLoop();
    if (plain >= 0 && !isa<ast::NameExpr>(&i) &&
        c.loopExtents[plain] != t.shape[d]) {
      error(i.getLoc(), "index '" + c.loopNames[plain] + "' has extent " +
                            c.loopExtents[plain].str() + " but '" +
                            ast::toString(i) + "' subscripts " + base->name +
                            " (dim " + std::to_string(d) + ") of extent " +
                            t.shape[d].str());
      return {};
    }
    checkConstantSubscript(*sub, t.shape[d], i, base->name, d);
    subs.push_back(std::move(*sub));
  }
  return types.read(addOperand(c, it->second.ref, std::move(subs)), t.dtype,
                    loc);
}

Typed FunctionAnalyzer::lowerLeafValue(
    ValueRef ref, SourceLoc loc, Contraction &c,
    const std::map<unsigned, unsigned> &loopOf) {
  const TensorType &t = typeOf(ref);
  std::vector<AffineSubscript> subs;
  if (!t.shape.empty()) {
    if (st.implicitLoops.size() != t.shape.size()) {
      error(loc, "a tensor of type " + t.str() +
                     " is used without subscripts in index notation; write "
                     "its indices (e.g. x[i, j])");
      return {};
    }
    for (unsigned id : st.implicitLoops) {
      AffineSubscript s;
      s.coeffs.assign(c.loopExtents.size(), 0);
      s.coeffs[loopOf.at(id)] = 1;
      subs.push_back(s);
    }
  }
  return types.read(addOperand(c, ref, std::move(subs)), t.dtype, loc);
}

unsigned FunctionAnalyzer::addOperand(Contraction &c, ValueRef v,
                                      std::vector<AffineSubscript> subs) {
  for (size_t i = 0; i < c.operands.size(); ++i)
    if (c.operands[i].value == v && c.operands[i].subscripts == subs)
      return static_cast<unsigned>(i);
  c.operands.push_back(ContractionOperand{v, std::move(subs)});
  return static_cast<unsigned>(c.operands.size() - 1);
}

//===----------------------------------------------------------------------===//
// Subscripts
//===----------------------------------------------------------------------===//

/// The integer value of a literal or integer constant, if `e` is one.
static std::optional<int64_t>
asIntegerConstant(const ast::Expr &e,
                  const std::map<std::string, ConstValue> &constants) {
  if (auto *num = dyn_cast<ast::NumberExpr>(&e)) {
    int64_t v;
    if (!num->isInteger || num->isImaginary ||
        llvm::StringRef(num->text).getAsInteger(10, v))
      return std::nullopt;
    return v;
  }
  if (auto *n = dyn_cast<ast::NameExpr>(&e)) {
    auto c = constants.find(n->name);
    if (c != constants.end() && c->second.isInt())
      return c->second.i;
  }
  return std::nullopt;
}

/// Adds `scale * value` to `slot`; false on overflow.
static bool addScaled(int64_t &slot, int64_t scale, int64_t value) {
  int64_t term;
  return !__builtin_mul_overflow(scale, value, &term) &&
         !__builtin_add_overflow(slot, term, &slot);
}

/// Adds `scale` times the size symbol `symbol` to `s`.
static bool addSymbolTerm(AffineSubscript &s, const std::string &symbol,
                          int64_t scale) {
  for (auto &[sym, k] : s.symbolCoeffs)
    if (sym == symbol)
      return addScaled(k, scale, 1);
  s.symbolCoeffs.push_back({symbol, 0});
  return addScaled(s.symbolCoeffs.back().second, scale, 1);
}

bool FunctionAnalyzer::addSubscriptTerm(
    const ast::Expr &x, int64_t scale, const ast::Expr &whole,
    const std::map<unsigned, unsigned> &loopOf, AffineSubscript &s) {
  auto overflow = [&] {
    error(x.getLoc(), "subscript '" + ast::toString(whole) +
                          "' overflows 64-bit arithmetic");
    return false;
  };
  auto add = [&](const ast::Expr &y, int64_t k) {
    return addSubscriptTerm(y, k, whole, loopOf, s);
  };
  auto idx = st.indexOfName.find(&x);
  if (idx != st.indexOfName.end())
    return addScaled(s.coeffs[loopOf.at(idx->second)], scale, 1) || overflow();
  if (std::optional<int64_t> k = asIntegerConstant(x, m.constants))
    return addScaled(s.constant, scale, *k) || overflow();
  if (auto *n = dyn_cast<ast::NameExpr>(&x)) {
    auto it = names.find(n->name);
    if (it != names.end() && (it->second.kind == Binding::Kind::Symbol ||
                              it->second.kind == Binding::Kind::IndexParam))
      return addSymbolTerm(s, it->second.symbol, scale) || overflow();
    if (isPoisoned(x))
      return false; // its definition failed and was reported
    if (it != names.end())
      error(x.getLoc(), "'" + n->name +
                            "' is a value, not an index: subscripts must be "
                            "affine in index names");
    else
      errorUnknownName(x.getLoc(), n->name, "name");
    return false;
  }
  if (auto *num = dyn_cast<ast::NumberExpr>(&x)) {
    // Not an integer (asIntegerConstant took those) or too large.
    if (parseNumber(*num, diag()))
      error(x.getLoc(), "subscripts must be integers");
    return false;
  }
  if (auto *u = dyn_cast<ast::UnaryExpr>(&x))
    return add(*u->operand, -scale);
  if (auto *b = dyn_cast<ast::BinaryExpr>(&x)) {
    using Op = ast::BinaryExpr::Op;
    if (b->op == Op::Add)
      return add(*b->lhs, scale) && add(*b->rhs, scale);
    if (b->op == Op::Sub)
      return add(*b->lhs, scale) && add(*b->rhs, -scale);
    // A product needs a constant on one side.
    std::optional<int64_t> k = asIntegerConstant(*b->lhs, m.constants);
    const ast::Expr *other = b->rhs.get();
    if (!k) {
      k = asIntegerConstant(*b->rhs, m.constants);
      other = b->lhs.get();
    }
    int64_t scaled;
    if (b->op == Op::Mul && k)
      return __builtin_mul_overflow(scale, *k, &scaled) ? overflow()
                                                        : add(*other, scaled);
  }
  error(x.getLoc(), "subscript '" + ast::toString(x) +
                        "' is not affine in the indices (allowed: i, "
                        "i + 1, 2 * i - j, N - 1 - i, ...)");
  return false;
}

std::optional<AffineSubscript>
FunctionAnalyzer::lowerSubscript(const ast::Expr &e,
                                 const std::map<unsigned, unsigned> &loopOf,
                                 size_t numLoops) {
  AffineSubscript s;
  s.coeffs.assign(numLoops, 0);
  if (!addSubscriptTerm(e, 1, e, loopOf, s))
    return std::nullopt;
  llvm::erase_if(s.symbolCoeffs, [](const auto &term) { return !term.second; });
  return s;
}

/// Warns about a subscript that is a constant outside its dimension: it
/// always reads zero, which is almost never what was meant.
void FunctionAnalyzer::checkConstantSubscript(const AffineSubscript &sub,
                                              const Extent &extent,
                                              const ast::Expr &e,
                                              llvm::StringRef tensor,
                                              size_t dim) {
  if (!sub.symbolCoeffs.empty() ||
      llvm::any_of(sub.coeffs, [](int64_t k) { return k != 0; }))
    return;
  bool below = sub.constant < 0;
  bool above = extent.isLiteral() && sub.constant >= extent.getValue();
  if (!below && !above)
    return;
  warning(e.getLoc(), "subscript " + std::to_string(sub.constant) +
                          " is always out of bounds of " + tensor + " (dim " +
                          std::to_string(dim) + " of extent " + extent.str() +
                          "): it reads zero");
}

//===----------------------------------------------------------------------===//
// Calls of built-ins
//===----------------------------------------------------------------------===//

Typed FunctionAnalyzer::lowerCallScalar(
    const ast::CallExpr &call, Contraction &c,
    const std::map<unsigned, unsigned> &loopOf) {
  SourceLoc loc = call.getLoc();
  const std::string &name = call.callee;
  auto arity = [&](size_t n) {
    if (call.args.size() == n)
      return true;
    error(loc, "'" + name + "' expects " + std::to_string(n) +
                   " argument(s) but " + std::to_string(call.args.size()) +
                   " were given");
    return false;
  };
  auto arg = [&](size_t i) { return lowerScalar(*call.args[i], c, loopOf); };

  if (std::optional<DType> dt = parseDTypeName(name)) {
    if (!arity(1))
      return {};
    return types.cast(*dt, arg(0), loc);
  }
  const Builtin *b = lookupBuiltin(name);
  if (!b) {
    errorUnknownName(call.calleeLoc, name, "function");
    return {};
  }
  switch (b->kind) {
  case BuiltinKind::UnaryMath:
    if (!arity(1))
      return {};
    return types.unaryFn(b->unary, arg(0), loc, call.args[0]->getLoc());
  case BuiltinKind::MakeComplex:
    if (!arity(2))
      return {};
    return types.makeComplex(arg(0), arg(1), loc);
  case BuiltinKind::Select:
    if (!arity(3))
      return {};
    return types.select(arg(0), arg(1), arg(2), loc, call.args[0]->getLoc());
  case BuiltinKind::MinMax:
    if (call.args.size() == 2)
      return types.minMax(name == "max", arg(0), arg(1), loc);
    [[fallthrough]];
  case BuiltinKind::Reducer:
    error(loc, "'" + name + "' needs its indices: write " + name +
                   "[j](expression)");
    return {};
  case BuiltinKind::Planned:
    error(call.calleeLoc, "'" + name +
                              "' is part of the language design but not "
                              "available in this version of the compiler");
    return {};
  case BuiltinKind::Softmax:
  case BuiltinKind::AxisTransform:
  case BuiltinKind::Splat:
  case BuiltinKind::Einsum:
  case BuiltinKind::StateSpace:
    break; // hoisted as whole values before lowering
  }
  error(call.calleeLoc, "unknown function '" + name + "'");
  return {};
}
