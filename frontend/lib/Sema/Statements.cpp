//===- Statements.cpp - Function bodies: statements and returns -----------===//

#include "Analyzer.h"

#include "tessera/Frontend/ASTVisitor.h"

using namespace tessera;
using namespace tessera::sema;
using ast::SourceLoc;
using llvm::cast;
using llvm::dyn_cast;

FunctionAnalyzer::FunctionAnalyzer(ModuleAnalyzer &m, const FnSignature &sig,
                                   Function &out)
    : m(m), sig(sig), out(out), types(m.diag) {}

void FunctionAnalyzer::error(SourceLoc loc, const llvm::Twine &msg) {
  m.diag.error(loc, msg);
}

void FunctionAnalyzer::warning(SourceLoc loc, const llvm::Twine &msg) {
  m.diag.warning(loc, msg);
}

void FunctionAnalyzer::errorUnknownName(SourceLoc loc, llvm::StringRef name,
                                        llvm::StringRef what) {
  std::vector<std::string> known = m.functionNames();
  for (const auto &[n, b] : names)
    known.push_back(n);
  for (const auto &[n, c] : m.constants)
    known.push_back(n);
  std::string msg = "unknown " + what.str() + " '" + name.str() + "'";
  if (std::optional<std::string> s = suggestName(name, known))
    msg += "; did you mean '" + *s + "'?";
  error(loc, msg);
}

ValueRef FunctionAnalyzer::addValue(Value v) {
  out.values.push_back(std::move(v));
  return ValueRef{static_cast<unsigned>(out.values.size() - 1), 0};
}

ValueRef FunctionAnalyzer::addContraction(std::unique_ptr<Contraction> c,
                                          SourceLoc loc) {
  Value v;
  v.kind = Value::Kind::Contraction;
  v.loc = loc;
  v.types.push_back(TensorType{c->body->dtype, {}});
  for (unsigned l : c->resultLoops)
    v.types[0].shape.push_back(c->loopExtents[l]);
  v.contraction = std::move(c);
  return addValue(std::move(v));
}

/// Binds parameters and size symbols, in order of first appearance.
void FunctionAnalyzer::bindParams() {
  out.params = sig.params;
  out.resultTypes = sig.results;
  std::set<std::string> seenSymbols;
  for (size_t i = 0; i < out.params.size(); ++i) {
    const Param &p = out.params[i];
    Binding b;
    if (p.isIndex) {
      b.kind = Binding::Kind::IndexParam;
      b.symbol = p.name;
      names[p.name] = b;
      if (seenSymbols.insert(p.name).second)
        out.symbols.push_back(p.name);
      continue;
    }
    for (const Extent &e : p.type.shape)
      if (e.getWritten()->isSymbol() &&
          seenSymbols.insert(e.getSymbol()).second)
        out.symbols.push_back(e.getSymbol());
    Value v;
    v.kind = Value::Kind::Param;
    v.loc = p.loc;
    v.paramIndex = static_cast<unsigned>(i);
    v.types.push_back(p.type);
    b.ref = addValue(std::move(v));
    b.type = p.type;
    names[p.name] = b;
  }
  for (const std::string &s : out.symbols) {
    if (names.count(s))
      continue; // an index parameter
    Binding b;
    b.kind = Binding::Kind::Symbol;
    b.symbol = s;
    names[s] = b;
  }
  for (size_t i = 0; i < out.resultTypes.size(); ++i)
    out.resultNames.push_back("result" + std::to_string(i));
}

void FunctionAnalyzer::run() {
  bindParams();
  const ast::FnDecl &fn = *sig.decl;
  for (const ast::StmtPtr &s : fn.body) {
    if (diag().tooManyErrors())
      return;
    if (returned) {
      error(s->getLoc(), "statement after 'return' is never executed");
      return;
    }
    if (auto *a = dyn_cast<ast::AssignStmt>(s.get()))
      analyzeAssign(*a);
    else if (auto *a = dyn_cast<ast::IndexAssignStmt>(s.get()))
      analyzeIndexAssign(*a);
    else
      analyzeReturn(*cast<ast::ReturnStmt>(s.get()));
  }
  if (!returned && sig.valid)
    error(fn.loc, "function '" + fn.name + "' has no 'return' statement");
}

void FunctionAnalyzer::poison(const std::vector<std::string> &targets) {
  for (const std::string &t : targets) {
    Binding b;
    b.kind = Binding::Kind::Poisoned;
    names[t] = b;
  }
}

bool FunctionAnalyzer::isPoisoned(const ast::Expr &e) const {
  auto *n = dyn_cast<ast::NameExpr>(&e);
  if (auto *sub = dyn_cast<ast::SubscriptExpr>(&e))
    n = dyn_cast<ast::NameExpr>(sub->base.get());
  if (!n)
    return false;
  if (m.failedConsts.count(n->name))
    return true;
  auto it = names.find(n->name);
  return it != names.end() && it->second.kind == Binding::Kind::Poisoned;
}

/// Whether `name` may be (re)bound by an assignment; reports why not.
bool FunctionAnalyzer::checkAssignable(const std::string &name, SourceLoc loc) {
  if (m.constants.count(name)) {
    error(loc, "cannot assign to the constant '" + name + "'");
    return false;
  }
  if (parseDTypeName(name) || name == "index") {
    error(loc, "cannot assign to the type name '" + name + "'");
    return false;
  }
  auto it = names.find(name);
  if (it != names.end() && (it->second.kind == Binding::Kind::Symbol ||
                            it->second.kind == Binding::Kind::IndexParam)) {
    error(loc, "cannot assign to the size symbol '" + name + "'");
    return false;
  }
  return true;
}

void FunctionAnalyzer::analyzeAssign(const ast::AssignStmt &s) {
  for (size_t i = 0; i < s.targets.size(); ++i)
    if (!checkAssignable(s.targets[i], s.targetLocs[i]))
      return;
  if (s.targets.size() == 1) {
    auto v = evalValue(*s.value);
    if (!v)
      return poison(s.targets);
    bindValue(s.targets[0], *v);
    return;
  }
  auto *call = dyn_cast<ast::CallExpr>(s.value.get());
  const Builtin *builtin = call ? lookupBuiltin(call->callee) : nullptr;
  bool stateSpace = builtin && builtin->kind == BuiltinKind::StateSpace;
  if (!call || (!stateSpace && !m.signatures.count(call->callee))) {
    error(s.value->getLoc(),
          "assigning to " + std::to_string(s.targets.size()) +
              " names needs a call of a function with as many results");
    return;
  }
  auto results = stateSpace ? evalStateSpace(*call) : evalCall(*call);
  if (!results)
    return poison(s.targets);
  if (results->size() != s.targets.size()) {
    poison(s.targets);
    error(s.getLoc(), "'" + call->callee + "' returns " +
                          std::to_string(results->size()) + " values but " +
                          std::to_string(s.targets.size()) +
                          " names are assigned");
    return;
  }
  for (size_t i = 0; i < s.targets.size(); ++i) {
    ValueRef r = (*results)[i];
    bindValue(s.targets[i], r);
  }
}

void FunctionAnalyzer::analyzeIndexAssign(const ast::IndexAssignStmt &s) {
  if (!checkAssignable(s.target, s.getLoc()))
    return;
  std::set<std::string> seen;
  for (size_t i = 0; i < s.indices.size(); ++i) {
    if (!seen.insert(s.indices[i]).second) {
      error(s.indexLocs[i],
            "index '" + s.indices[i] + "' appears twice on the left-hand side");
      return;
    }
  }
  // A definition that reads its own name (not shadowing an earlier value) is
  // a recurrence.
  if (isRecurrence(s)) {
    auto v = buildRecurrence(s);
    if (!v)
      return poison({s.target});
    bindValue(s.target, *v);
    return;
  }
  if (s.init) {
    error(s.init->getLoc(), "'init' gives the initial value of a recurrence, "
                            "but '" +
                                s.target +
                                "' does not read its own earlier elements");
    return;
  }
  auto v =
      buildStatement(s.getLoc(), s.indices, s.indexLocs, *s.value, s.ranges);
  if (!v)
    return poison({s.target});
  bindValue(s.target, *v);
}

void FunctionAnalyzer::inferResults(const ast::ReturnStmt &s) {
  for (const ast::ExprPtr &e : s.values) {
    auto v = evalValue(*e);
    if (!v)
      continue;
    out.resultTypes.push_back(typeOf(*v));
    out.returns.push_back(*v);
    out.returnLocs.push_back(e->getLoc());
    auto *n = dyn_cast<ast::NameExpr>(e.get());
    out.resultNames.push_back(n && !llvm::is_contained(out.resultNames, n->name)
                                  ? n->name
                                  : "result" +
                                        std::to_string(out.resultNames.size()));
  }
}

void FunctionAnalyzer::analyzeReturn(const ast::ReturnStmt &s) {
  returned = true;
  // With a broken signature the declared results are unknown: check the
  // values themselves but not against the declaration.
  if (!sig.valid) {
    for (const ast::ExprPtr &v : s.values)
      (void)evalValue(*v);
    return;
  }
  if (sig.decl->results.empty()) {
    inferResults(s);
    return;
  }
  if (s.values.size() != out.resultTypes.size()) {
    error(s.getLoc(), "'" + out.name + "' returns " +
                          std::to_string(out.resultTypes.size()) +
                          " value(s) but this 'return' has " +
                          std::to_string(s.values.size()));
    return;
  }
  for (size_t i = 0; i < s.values.size(); ++i) {
    auto v = evalValue(*s.values[i]);
    if (!v)
      continue;
    const TensorType &have = typeOf(*v);
    const TensorType &want = out.resultTypes[i];
    if (!(have == want)) {
      error(s.values[i]->getLoc(), "return value " + std::to_string(i + 1) +
                                       " has type " + have.str() + " but '" +
                                       out.name + "' is declared to return " +
                                       want.str());
      continue;
    }
    out.returns.push_back(*v);
    out.returnLocs.push_back(s.values[i]->getLoc());
    // A returned variable names the result (tess-run --out NAME=...).
    if (auto *n = dyn_cast<ast::NameExpr>(s.values[i].get())) {
      if (!llvm::is_contained(out.resultNames, n->name))
        out.resultNames[i] = n->name;
    }
  }
}
