//===- SizeExpr.cpp - Size expressions and their canonical form -----------===//
//
// Normalization turns an expression into a polynomial: a map from terms
// (products of atoms, sorted by their text) to integer coefficients. Atoms
// are symbols and the floor divisions and log2s that cannot be carried out;
// their operands are normalized first, so equal atoms print alike. The
// polynomial is then rebuilt as a tree in a fixed order.
//
//===----------------------------------------------------------------------===//

#include "tessera/Frontend/Sema/SizeExpr.h"
#include "tessera/Frontend/Sema.h"

#include "tessera/Runtime/SizeExpr.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <map>
#include <optional>

using namespace tessera;
using namespace tessera::sema;

SizeExprPtr SizeExpr::literal(int64_t value) {
  return SizeExprPtr(new SizeExpr(Kind::Literal, value, "", {}));
}

SizeExprPtr SizeExpr::symbol(std::string name) {
  return SizeExprPtr(new SizeExpr(Kind::Symbol, 0, std::move(name), {}));
}

SizeExprPtr SizeExpr::unary(Kind kind, SizeExprPtr x) {
  return SizeExprPtr(new SizeExpr(kind, 0, "", {std::move(x)}));
}

SizeExprPtr SizeExpr::binary(Kind kind, SizeExprPtr a, SizeExprPtr b) {
  return SizeExprPtr(new SizeExpr(kind, 0, "", {std::move(a), std::move(b)}));
}

void SizeExpr::appendSteps(std::vector<SizeOp> &out) const {
  for (const SizeExprPtr &x : operands)
    x->appendSteps(out);
  SizeOp op;
  op.value = value;
  op.symbol = name;
  switch (kind) {
  case Kind::Literal:
    op.kind = SizeOp::Kind::Literal;
    break;
  case Kind::Symbol:
    op.kind = SizeOp::Kind::Symbol;
    break;
  case Kind::Add:
    op.kind = SizeOp::Kind::Add;
    break;
  case Kind::Sub:
    op.kind = SizeOp::Kind::Sub;
    break;
  case Kind::Mul:
    op.kind = SizeOp::Kind::Mul;
    break;
  case Kind::FloorDiv:
    op.kind = SizeOp::Kind::FloorDiv;
    break;
  case Kind::Neg:
    op.kind = SizeOp::Kind::Neg;
    break;
  case Kind::Log2:
    op.kind = SizeOp::Kind::Log2;
    break;
  }
  out.push_back(std::move(op));
}

std::vector<SizeOp> SizeExpr::toSteps() const {
  std::vector<SizeOp> steps;
  appendSteps(steps);
  return steps;
}

std::string SizeExpr::str() const { return formatSizeExpr(toSteps()); }

void SizeExpr::collectSymbols(std::vector<std::string> &out) const {
  if (kind == Kind::Symbol && !llvm::is_contained(out, name))
    out.push_back(name);
  for (const SizeExprPtr &x : operands)
    x->collectSymbols(out);
}

SizeExprPtr sema::substituteSizeExpr(
    const SizeExprPtr &e,
    llvm::function_ref<SizeExprPtr(const std::string &)> replace) {
  if (e->isSymbol()) {
    SizeExprPtr r = replace(e->getSymbol());
    return r ? r : e;
  }
  if (e->isLiteral())
    return e;
  const std::vector<SizeExprPtr> &ops = e->getOperands();
  if (ops.size() == 1)
    return SizeExpr::unary(e->getKind(), substituteSizeExpr(ops[0], replace));
  return SizeExpr::binary(e->getKind(), substituteSizeExpr(ops[0], replace),
                          substituteSizeExpr(ops[1], replace));
}

namespace {

using Kind = SizeExpr::Kind;

/// A product of atoms, sorted by their text, with an integer coefficient.
struct Term {
  std::vector<SizeExprPtr> atoms;
  int64_t coeff = 0;
};

/// A sum of terms, keyed by the text of their atoms ("" for the constant).
using Poly = std::map<std::string, Term>;

/// The key of a product of atoms.
std::string keyOf(const std::vector<SizeExprPtr> &atoms) {
  std::string key;
  for (const SizeExprPtr &a : atoms)
    key += (key.empty() ? "" : " * ") + a->str();
  return key;
}

/// The constant of `p`, if it is nothing else.
std::optional<int64_t> getConstant(const Poly &p) {
  if (p.empty())
    return 0;
  if (p.size() == 1 && p.begin()->first.empty())
    return p.begin()->second.coeff;
  return std::nullopt;
}

Poly constantPoly(int64_t c) {
  Poly p;
  if (c)
    p[""] = Term{{}, c};
  return p;
}

Poly atomPoly(SizeExprPtr atom) {
  Poly p;
  std::string key = atom->str();
  p[key] = Term{{std::move(atom)}, 1};
  return p;
}

class Normalizer {
public:
  std::optional<Poly> run(const SizeExpr &e);
  std::string error;

private:
  std::optional<Poly> fail(std::string message) {
    if (error.empty())
      error = std::move(message);
    return std::nullopt;
  }
  std::optional<Poly> overflow() {
    return fail("the size does not fit in 64 bits");
  }
  /// Adds `scale * t` to `p`.
  bool addTerm(Poly &p, const std::string &key, const Term &t, int64_t scale);
  std::optional<Poly> add(const Poly &a, const Poly &b, int64_t scaleB);
  std::optional<Poly> mul(const Poly &a, const Poly &b);
  std::optional<Poly> floorDiv(const Poly &a, const Poly &b);
  std::optional<Poly> log2(const Poly &a);
};

/// The polynomial as a tree: terms in key order, the constant last.
SizeExprPtr toTree(const Poly &p) {
  if (std::optional<int64_t> c = getConstant(p))
    return SizeExpr::literal(*c);
  std::vector<const Term *> terms;
  for (const auto &[key, t] : p)
    if (!key.empty())
      terms.push_back(&t);
  if (p.count(""))
    terms.push_back(&p.at(""));
  SizeExprPtr sum;
  for (const Term *t : terms) {
    // |coeff| fits: normalization refuses INT64_MIN coefficients.
    int64_t mag = t->coeff < 0 ? -t->coeff : t->coeff;
    SizeExprPtr body =
        t->atoms.empty() || mag != 1 ? SizeExpr::literal(mag) : SizeExprPtr();
    for (const SizeExprPtr &a : t->atoms)
      body = body ? SizeExpr::binary(Kind::Mul, body, a) : a;
    if (!sum)
      sum = t->coeff < 0 ? SizeExpr::unary(Kind::Neg, body) : body;
    else
      sum = SizeExpr::binary(t->coeff < 0 ? Kind::Sub : Kind::Add, sum, body);
  }
  return sum;
}

bool Normalizer::addTerm(Poly &p, const std::string &key, const Term &t,
                         int64_t scale) {
  int64_t scaled = 0, sum = 0;
  if (llvm::MulOverflow(t.coeff, scale, scaled))
    return false;
  Term &slot = p[key];
  if (llvm::AddOverflow(slot.coeff, scaled, sum) || sum == INT64_MIN)
    return false;
  slot.atoms = t.atoms;
  slot.coeff = sum;
  if (sum == 0)
    p.erase(key);
  return true;
}

std::optional<Poly> Normalizer::add(const Poly &a, const Poly &b,
                                    int64_t scaleB) {
  Poly r = a;
  for (const auto &[key, t] : b)
    if (!addTerm(r, key, t, scaleB))
      return overflow();
  return r;
}

std::optional<Poly> Normalizer::mul(const Poly &a, const Poly &b) {
  Poly r;
  for (const auto &[ka, ta] : a) {
    for (const auto &[kb, tb] : b) {
      Term t;
      t.atoms = ta.atoms;
      llvm::append_range(t.atoms, tb.atoms);
      llvm::sort(t.atoms, [](const SizeExprPtr &x, const SizeExprPtr &y) {
        return x->str() < y->str();
      });
      if (llvm::MulOverflow(ta.coeff, tb.coeff, t.coeff) ||
          !addTerm(r, keyOf(t.atoms), t, 1))
        return overflow();
    }
  }
  return r;
}

/// With a positive literal divisor c, the terms whose coefficients c divides
/// come out of the division: floor((c * K + R) / c) = K + floor(R / c).
std::optional<Poly> Normalizer::floorDiv(const Poly &a, const Poly &b) {
  std::optional<int64_t> c = getConstant(b);
  if (c && *c == 0)
    return fail("division by zero");
  std::optional<int64_t> ca = getConstant(a);
  if (c && ca)
    return *ca == INT64_MIN && *c == -1
               ? overflow()
               : constantPoly(llvm::divideFloorSigned(*ca, *c));
  if (c && (*c == 1 || *c == -1))
    return add(Poly(), a, *c);
  if (!c || *c < 0)
    return atomPoly(SizeExpr::binary(Kind::FloorDiv, toTree(a), toTree(b)));
  Poly quotient, rest;
  for (const auto &[key, t] : a) {
    int64_t q = llvm::divideFloorSigned(t.coeff, *c);
    int64_t r = t.coeff - q * *c;
    if (key.empty() || r == 0) {
      if (q)
        quotient[key] = Term{t.atoms, q};
      if (r)
        rest[key] = Term{t.atoms, r};
    } else {
      rest[key] = t;
    }
  }
  if (getConstant(rest)) // 0 <= rest < c
    return quotient;
  return add(quotient,
             atomPoly(SizeExpr::binary(Kind::FloorDiv, toTree(rest),
                                       SizeExpr::literal(*c))),
             1);
}

/// log2(2^k * X) = k + log2(X): both are exact together.
std::optional<Poly> Normalizer::log2(const Poly &a) {
  if (std::optional<int64_t> v = getConstant(a)) {
    if (*v <= 0 || !llvm::isPowerOf2_64(static_cast<uint64_t>(*v)))
      return fail("log2 of " + std::to_string(*v) + " is not exact (" +
                  std::to_string(*v) + " is not a power of two)");
    return constantPoly(llvm::Log2_64(static_cast<uint64_t>(*v)));
  }
  if (a.size() == 1 && a.begin()->second.coeff > 1 &&
      llvm::isPowerOf2_64(static_cast<uint64_t>(a.begin()->second.coeff))) {
    const Term &t = a.begin()->second;
    Poly rest;
    rest[a.begin()->first] = Term{t.atoms, 1};
    return add(constantPoly(llvm::Log2_64(static_cast<uint64_t>(t.coeff))),
               atomPoly(SizeExpr::unary(Kind::Log2, toTree(rest))), 1);
  }
  return atomPoly(SizeExpr::unary(Kind::Log2, toTree(a)));
}

std::optional<Poly> Normalizer::run(const SizeExpr &e) {
  switch (e.getKind()) {
  case Kind::Literal:
    if (e.getValue() == INT64_MIN)
      return overflow();
    return constantPoly(e.getValue());
  case Kind::Symbol:
    return atomPoly(SizeExpr::symbol(e.getSymbol()));
  default:
    break;
  }
  std::vector<Poly> ops;
  for (const SizeExprPtr &x : e.getOperands()) {
    std::optional<Poly> p = run(*x);
    if (!p)
      return std::nullopt;
    ops.push_back(std::move(*p));
  }
  switch (e.getKind()) {
  case Kind::Add:
    return add(ops[0], ops[1], 1);
  case Kind::Sub:
    return add(ops[0], ops[1], -1);
  case Kind::Neg:
    return add(Poly(), ops[0], -1);
  case Kind::Mul:
    return mul(ops[0], ops[1]);
  case Kind::FloorDiv:
    return floorDiv(ops[0], ops[1]);
  default:
    return log2(ops[0]);
  }
}

} // namespace

NormalizedSize sema::normalizeSizeExpr(const SizeExprPtr &e) {
  Normalizer n;
  std::optional<Poly> p = n.run(*e);
  if (!p)
    return {nullptr, n.error};
  return {toTree(*p), ""};
}

//===----------------------------------------------------------------------===//
// Extent
//===----------------------------------------------------------------------===//

Extent::Extent(SizeExprPtr written, SizeExprPtr canon)
    : written(std::move(written)), canon(std::move(canon)),
      key(this->canon->str()) {}

Extent::Extent() : Extent(literal(0)) {}

Extent Extent::literal(int64_t v) {
  SizeExprPtr e = SizeExpr::literal(v);
  return Extent(e, e);
}

Extent Extent::sym(std::string s) {
  SizeExprPtr e = SizeExpr::symbol(std::move(s));
  return Extent(e, e);
}

std::optional<Extent> Extent::get(SizeExprPtr written, std::string &error) {
  NormalizedSize n = normalizeSizeExpr(written);
  if (!n.expr) {
    error = n.error;
    return std::nullopt;
  }
  if (n.expr->isLiteral() && n.expr->getValue() < 0) {
    error =
        "it is always negative (" + std::to_string(n.expr->getValue()) + ")";
    return std::nullopt;
  }
  return Extent(std::move(written), std::move(n.expr));
}

std::string Extent::str() const { return written->str(); }
