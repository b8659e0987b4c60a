//===- Signatures.cpp - Parameter and result types ------------------------===//
//
// A size symbol is bound by the first parameter that names it as a plain
// dimension; result types may only use symbols bound by parameters. `L:
// index` binds the symbol `L` from a value. An expression dimension
// (`N / 2 + 1`) binds nothing: its symbols must be bound by some parameter,
// before or after it.
//
//===----------------------------------------------------------------------===//

#include "Analyzer.h"

using namespace tessera;
using namespace tessera::sema;
using llvm::dyn_cast;

namespace {

/// Checks the types of one signature, tracking which names are parameters
/// and which are size symbols.
class SignatureChecker {
public:
  SignatureChecker(ModuleAnalyzer &m, const ast::FnDecl &fn);

  bool checkParam(const ast::Param &p, FnSignature &sig);
  bool checkResult(const ast::TypeExpr &t, FnSignature &sig);

private:
  /// One dimension of a declared type; `bind` allows a new size symbol.
  std::optional<Extent> checkDim(const ast::Expr &d, bool bind);
  /// A name inside an expression dimension (`N` in `N / 2`).
  SizeExprPtr lookupInExpr(const ast::NameExpr &n, bool inResult);
  bool checkShape(const ast::TypeExpr &t, bool bind, TensorType &type);

  ModuleAnalyzer &m;
  std::set<std::string> paramNames, symbols;
  /// The names some parameter binds, anywhere in the list: plain
  /// dimensions and index parameters. Expressions may use these.
  std::set<std::string> bindable;
  std::set<std::string> tensorParams;
};

} // namespace

SignatureChecker::SignatureChecker(ModuleAnalyzer &m, const ast::FnDecl &fn)
    : m(m) {
  for (const ast::Param &p : fn.params) {
    if (p.type.dtype == "index") {
      bindable.insert(p.name);
      continue;
    }
    tensorParams.insert(p.name);
    for (const ast::ExprPtr &d : p.type.dims)
      if (auto *n = dyn_cast<ast::NameExpr>(d.get()))
        if (!m.constants.count(n->name) && !m.failedConsts.count(n->name))
          bindable.insert(n->name);
  }
}

SizeExprPtr SignatureChecker::lookupInExpr(const ast::NameExpr &n,
                                           bool inResult) {
  DiagnosticSink &diag = m.diag;
  if (m.failedConsts.count(n.name))
    return nullptr;
  auto c = m.constants.find(n.name);
  if (c != m.constants.end()) {
    if (!c->second.isInt()) {
      diag.error(n.getLoc(), "constant '" + n.name +
                                 "' is not an integer and cannot be used in "
                                 "a dimension");
      return nullptr;
    }
    return SizeExpr::literal(c->second.i);
  }
  if (inResult ? symbols.count(n.name) : bindable.count(n.name))
    return SizeExpr::symbol(n.name);
  if (tensorParams.count(n.name))
    diag.error(n.getLoc(),
               "'" + n.name + "' is a parameter, not a size symbol");
  else if (inResult)
    diag.error(n.getLoc(), "size symbol '" + n.name +
                               "' in the result type is not bound by any "
                               "parameter");
  else
    diag.error(n.getLoc(),
               "size symbol '" + n.name +
                   "' cannot be inferred: it appears only inside size "
                   "expressions; bind it with a plain dimension (such as "
                   "f32[" +
                   n.name + "]) or a parameter '" + n.name + ": index'");
  return nullptr;
}

std::optional<Extent> SignatureChecker::checkDim(const ast::Expr &d,
                                                 bool bind) {
  DiagnosticSink &diag = m.diag;
  if (auto *n = dyn_cast<ast::NumberExpr>(&d)) {
    auto v = parseNumber(*n, diag);
    if (!v)
      return std::nullopt;
    if (!v->isExtent()) {
      diag.error(d.getLoc(), "a dimension must be a non-negative integer "
                             "or a size symbol");
      return std::nullopt;
    }
    return Extent::literal(v->i);
  }
  auto *n = dyn_cast<ast::NameExpr>(&d);
  if (!n)
    return lowerExtent(d, diag, [&](const ast::NameExpr &x) {
      return lookupInExpr(x, /*inResult=*/!bind);
    });
  if (m.failedConsts.count(n->name))
    return std::nullopt;
  auto c = m.constants.find(n->name);
  if (c != m.constants.end()) {
    if (!c->second.isExtent()) {
      diag.error(d.getLoc(), "constant '" + n->name +
                                 "' is not a non-negative integer and "
                                 "cannot be a dimension");
      return std::nullopt;
    }
    return Extent::literal(c->second.i);
  }
  if (!bind && !symbols.count(n->name)) {
    diag.error(d.getLoc(), "size symbol '" + n->name +
                               "' in the result type is not bound by any "
                               "parameter");
    return std::nullopt;
  }
  if (paramNames.count(n->name) && !symbols.count(n->name)) {
    diag.error(d.getLoc(),
               "'" + n->name + "' is a parameter, not a size symbol");
    return std::nullopt;
  }
  symbols.insert(n->name);
  return Extent::sym(n->name);
}

bool SignatureChecker::checkShape(const ast::TypeExpr &t, bool bind,
                                  TensorType &type) {
  auto dt = m.parseDType(t.dtype, t.loc, false);
  if (!dt)
    return false;
  type.dtype = *dt;
  bool ok = true;
  for (const ast::ExprPtr &d : t.dims) {
    std::optional<Extent> e = checkDim(*d, bind);
    if (e)
      type.shape.push_back(*e);
    ok &= e.has_value();
  }
  return ok;
}

bool SignatureChecker::checkParam(const ast::Param &p, FnSignature &sig) {
  DiagnosticSink &diag = m.diag;
  Param param;
  param.name = p.name;
  param.loc = p.loc;
  bool ok = true;
  if (!paramNames.insert(p.name).second) {
    diag.error(p.loc, "duplicate parameter '" + p.name + "'");
    ok = false;
  }
  if (m.constants.count(p.name)) {
    diag.error(p.loc, "parameter '" + p.name + "' has the name of a constant");
    ok = false;
  }
  if (p.type.dtype == "index") {
    if (p.type.isTensor) {
      diag.error(p.type.loc, "'index' parameters are scalars");
      return false;
    }
    if (symbols.count(p.name)) {
      diag.error(p.loc, "size symbol '" + p.name +
                            "' is already bound by an earlier parameter");
      ok = false;
    }
    param.isIndex = true;
    param.type.dtype = DType::I64;
    symbols.insert(p.name);
    sig.params.push_back(std::move(param));
    return ok;
  }
  if (symbols.count(p.name)) {
    diag.error(p.loc,
               "parameter '" + p.name + "' has the name of a size symbol");
    ok = false;
  }
  if (!checkShape(p.type, /*bind=*/true, param.type)) {
    // A parameter whose dtype is unknown is dropped: later arguments would
    // otherwise be checked against the wrong positions.
    if (!parseDTypeName(p.type.dtype))
      return false;
    ok = false;
  }
  sig.params.push_back(std::move(param));
  return ok;
}

bool SignatureChecker::checkResult(const ast::TypeExpr &t, FnSignature &sig) {
  if (t.dtype == "index") {
    m.diag.error(t.loc, "functions cannot return 'index' values");
    return false;
  }
  TensorType type;
  bool ok = checkShape(t, /*bind=*/false, type);
  if (!parseDTypeName(t.dtype))
    return false;
  sig.results.push_back(std::move(type));
  return ok;
}

bool ModuleAnalyzer::analyzeSignature(const ast::FnDecl &fn, FnSignature &sig) {
  sig.decl = &fn;
  SignatureChecker checker(*this, fn);
  bool ok = true;
  for (const ast::Param &p : fn.params)
    ok &= checker.checkParam(p, sig);
  for (const ast::TypeExpr &t : fn.results)
    ok &= checker.checkResult(t, sig);
  sig.valid = ok;
  return ok;
}
