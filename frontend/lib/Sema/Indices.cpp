//===- Indices.cpp - Index discovery, scopes and ranges -------------------===//
//
// A statement's indices are the names on its left, in its `where` clauses,
// and the unknown names used in subscripts; reducers bind indices of their
// own. Each index takes its range from the tensor dimensions it subscripts
// plainly (`a[i, k]`), from a `where` clause, or from a reducer's range
// (`max[p in 0..2](...)`); all of them must agree.
//
//===----------------------------------------------------------------------===//

#include "Analyzer.h"

#include "tessera/Frontend/ASTVisitor.h"

#include "llvm/ADT/STLExtras.h"

using namespace tessera;
using namespace tessera::sema;
using ast::SourceLoc;
using llvm::dyn_cast;
using llvm::isa;

/// Visits the names of an affine subscript expression (through `+ - *` and
/// unary minus; anything else is not affine and is reported by lowering).
static void
forEachSubscriptName(const ast::Expr &sub,
                     llvm::function_ref<void(const ast::NameExpr &)> fn) {
  ast::walk(sub, [&](const ast::Expr &x) {
    if (auto *n = dyn_cast<ast::NameExpr>(&x))
      fn(*n);
    return isa<ast::BinaryExpr, ast::UnaryExpr>(x) ? ast::WalkAction::Advance
                                                   : ast::WalkAction::Skip;
  });
}

bool FunctionAnalyzer::hoistProducers(const ast::Expr &e) {
  if (!isProducerCall(e)) {
    bool ok = true;
    ast::forEachChild(e, [&](const ast::Expr &x) { ok &= hoistProducers(x); });
    return ok;
  }
  // A producer is a statement of its own, never a recurrence's step: it
  // cannot read the recurrence's previous state.
  if (recurrence) {
    const ast::Expr *read = nullptr;
    ast::anyOf(e, [&](const ast::Expr &x) {
      auto *sub = dyn_cast<ast::SubscriptExpr>(&x);
      auto *n = sub ? dyn_cast<ast::NameExpr>(sub->base.get()) : nullptr;
      if (n && n->name == recurrence->target)
        read = &x;
      return read != nullptr;
    });
    if (read) {
      error(read->getLoc(), "the recurrence '" + recurrence->target +
                                "' reads its previous state inside a call: "
                                "it can only read it element by element");
      return false;
    }
  }
  StatementState saved = std::move(st);
  st = StatementState();
  std::optional<RecurrenceState> savedRecurrence;
  std::swap(savedRecurrence, recurrence);
  std::string savedSuspended = suspendedRecurrence;
  if (savedRecurrence)
    suspendedRecurrence = savedRecurrence->target;
  auto v = evalValue(e);
  std::swap(savedRecurrence, recurrence);
  suspendedRecurrence = savedSuspended;
  st = std::move(saved);
  if (!v)
    return false;
  st.hoisted[&e] = *v;
  return true;
}

/// Collects names used inside subscripts that are not bound by an enclosing
/// reducer and do not name a value, constant or size symbol: these are the
/// statement's implicit indices.
void FunctionAnalyzer::collectSubscriptNames(
    const ast::Expr &e, std::vector<std::set<std::string>> &bound,
    std::vector<std::pair<std::string, SourceLoc>> &outNames) {
  if (st.hoisted.count(&e))
    return;
  if (auto *s = dyn_cast<ast::SubscriptExpr>(&e)) {
    for (const ast::ExprPtr &i : s->indices)
      forEachSubscriptName(*i, [&](const ast::NameExpr &n) {
        for (const std::set<std::string> &b : bound)
          if (b.count(n.name))
            return;
        if (m.constants.count(n.name) || names.count(n.name))
          return;
        outNames.push_back({n.name, n.getLoc()});
      });
    return;
  }
  if (auto *r = dyn_cast<ast::ReduceExpr>(&e)) {
    bound.emplace_back(r->indices.begin(), r->indices.end());
    collectSubscriptNames(*r->body, bound, outNames);
    bound.pop_back();
    return;
  }
  ast::forEachChild(e, [&](const ast::Expr &x) {
    collectSubscriptNames(x, bound, outNames);
  });
}

bool FunctionAnalyzer::recordExtent(unsigned idx, const Extent &ext,
                                    const std::string &origin, SourceLoc loc) {
  IndexInfo &info = st.indices[idx];
  if (!info.extent) {
    info.extent = ext;
    info.extentOrigin = origin;
    return true;
  }
  if (*info.extent == ext)
    return true;
  error(loc, "index '" + info.name + "' has extent " + info.extent->str() +
                 " in " + info.extentOrigin + " but " + ext.str() + " in " +
                 origin);
  return false;
}

/// Records the range `lo..hi` written for an index.
bool FunctionAnalyzer::recordRange(unsigned idx, const ast::Expr &lo,
                                   const ast::Expr &hi,
                                   const std::string &origin, SourceLoc loc) {
  auto start = m.evalConst(lo);
  if (!start)
    return false;
  if (!start->isInt() || start->i != 0) {
    error(lo.getLoc(), "ranges must start at 0 in this version "
                       "(write the offset in the subscripts instead)");
    return false;
  }
  auto end = extentOfExpr(hi);
  return end && recordExtent(idx, *end, origin, loc);
}

/// Points the index names inside one subscript at their IndexInfo.
void FunctionAnalyzer::recordSubscriptNames(
    const ast::Expr &sub,
    const std::vector<std::map<std::string, unsigned>> &scopes) {
  forEachSubscriptName(sub, [&](const ast::NameExpr &n) {
    for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
      auto f = it->find(n.name);
      if (f != it->end()) {
        st.indexOfName[&n] = f->second;
        return;
      }
    }
  });
}

bool FunctionAnalyzer::resolveReducer(
    const ast::ReduceExpr &r,
    std::vector<std::map<std::string, unsigned>> &scopes) {
  std::map<std::string, unsigned> scope;
  std::vector<unsigned> bound;
  bool ok = true;
  for (size_t i = 0; i < r.indices.size(); ++i) {
    if (scope.count(r.indices[i])) {
      error(r.indexLocs[i],
            "index '" + r.indices[i] + "' is listed twice in this reduction");
      return false;
    }
    IndexInfo info;
    info.name = r.indices[i];
    info.loc = r.indexLocs[i];
    info.boundByReducer = true;
    st.indices.push_back(info);
    unsigned id = static_cast<unsigned>(st.indices.size() - 1);
    scope[r.indices[i]] = id;
    bound.push_back(id);
    const ast::ReduceExpr::Range &range = r.ranges[i];
    if (range.lo && range.hi)
      ok &= recordRange(id, *range.lo, *range.hi,
                        "the range of '" + r.indices[i] + "'", r.indexLocs[i]);
  }
  st.reducerBound[&r] = bound;
  scopes.push_back(std::move(scope));
  ok &= resolveIndices(*r.body, scopes);
  scopes.pop_back();
  return ok;
}

namespace {

/// A subscript as `sum(k * name) + constant`, before names are classified.
struct LinearForm {
  std::map<std::string, int64_t> names;
  int64_t constant = 0;
};

} // namespace

/// Reads `e` (times `scale`) into `form`; false if it is not affine in its
/// names or overflows.
static bool linearize(const ast::Expr &e, int64_t scale,
                      const std::map<std::string, ConstValue> &constants,
                      LinearForm &form) {
  int64_t k;
  if (auto *num = dyn_cast<ast::NumberExpr>(&e))
    return num->isInteger && !num->isImaginary &&
           !llvm::StringRef(num->text).getAsInteger(10, k) &&
           !__builtin_mul_overflow(k, scale, &k) &&
           !__builtin_add_overflow(form.constant, k, &form.constant);
  if (auto *n = dyn_cast<ast::NameExpr>(&e)) {
    auto c = constants.find(n->name);
    if (c != constants.end())
      return c->second.isInt() &&
             !__builtin_mul_overflow(c->second.i, scale, &k) &&
             !__builtin_add_overflow(form.constant, k, &form.constant);
    return !__builtin_add_overflow(form.names[n->name], scale,
                                   &form.names[n->name]);
  }
  if (auto *u = dyn_cast<ast::UnaryExpr>(&e))
    return linearize(*u->operand, -scale, constants, form);
  auto *b = dyn_cast<ast::BinaryExpr>(&e);
  if (!b ||
      (b->op != ast::BinaryExpr::Op::Add && b->op != ast::BinaryExpr::Op::Sub))
    return false;
  return linearize(*b->lhs, scale, constants, form) &&
         linearize(*b->rhs, b->op == ast::BinaryExpr::Op::Sub ? -scale : scale,
                   constants, form);
}

/// The index that `sub` reverses over a dimension of extent `dim`
/// (`N - 1 - i` over N, `3 - i` over 4), if it is such a subscript.
std::optional<unsigned> FunctionAnalyzer::reversedIndex(
    const ast::Expr &sub, const Extent &dim,
    const std::vector<std::map<std::string, unsigned>> &scopes) {
  LinearForm form;
  if (!linearize(sub, 1, m.constants, form))
    return std::nullopt;
  std::optional<unsigned> index;
  std::map<std::string, int64_t> symbols;
  for (const auto &[name, k] : form.names) {
    if (k == 0)
      continue;
    std::optional<unsigned> id;
    for (auto it = scopes.rbegin(); it != scopes.rend() && !id; ++it)
      if (auto f = it->find(name); f != it->end())
        id = f->second;
    if (id) {
      if (k != -1 || index)
        return std::nullopt;
      index = id;
      continue;
    }
    auto b = names.find(name);
    if (b == names.end() || (b->second.kind != Binding::Kind::Symbol &&
                             b->second.kind != Binding::Kind::IndexParam))
      return std::nullopt;
    symbols[b->second.symbol] += k;
  }
  bool reverses =
      dim.isSymbol()
          ? symbols == std::map<std::string, int64_t>{{dim.getSymbol(), 1}} &&
                form.constant == -1
          : dim.isLiteral() && symbols.empty() &&
                form.constant == dim.getValue() - 1;
  return reverses ? index : std::nullopt;
}

/// Resolves every index name to its IndexInfo and records extents from plain
/// and reversed subscripts.
bool FunctionAnalyzer::resolveIndices(
    const ast::Expr &e, std::vector<std::map<std::string, unsigned>> &scopes) {
  if (st.hoisted.count(&e))
    return true;
  if (isa<ast::NameExpr>(&e)) {
    recordSubscriptNames(e, scopes);
    return true;
  }
  if (auto *r = dyn_cast<ast::ReduceExpr>(&e))
    return resolveReducer(*r, scopes);
  auto *s = dyn_cast<ast::SubscriptExpr>(&e);
  if (!s) {
    bool ok = true;
    ast::forEachChild(
        e, [&](const ast::Expr &x) { ok &= resolveIndices(x, scopes); });
    return ok;
  }
  auto *base = dyn_cast<ast::NameExpr>(s->base.get());
  const TensorType *t = nullptr;
  if (base) {
    auto it = names.find(base->name);
    if (it != names.end() && it->second.kind == Binding::Kind::Value)
      t = &it->second.type;
  }
  bool ok = true;
  for (size_t d = 0; d < s->indices.size(); ++d) {
    const ast::Expr &sub = *s->indices[d];
    recordSubscriptNames(sub, scopes);
    if (!t || static_cast<int64_t>(d) >= t->getRank())
      continue;
    std::string origin = base->name + " (dim " + std::to_string(d) + ")";
    auto idx = st.indexOfName.find(&sub);
    if (idx != st.indexOfName.end())
      ok &= recordExtent(idx->second, t->shape[d], origin, sub.getLoc());
    else if (auto id = reversedIndex(sub, t->shape[d], scopes))
      st.reversedExtents.try_emplace(*id, t->shape[d]);
  }
  return ok;
}

void FunctionAnalyzer::collectUsedIndices(const ast::Expr &e,
                                          std::set<unsigned> &used) {
  ast::walk(e, [&](const ast::Expr &x) {
    if (st.hoisted.count(&x))
      return ast::WalkAction::Skip;
    auto it = st.indexOfName.find(&x);
    if (it != st.indexOfName.end())
      used.insert(it->second);
    return ast::WalkAction::Advance;
  });
}

bool FunctionAnalyzer::checkWhereRanges(
    const std::vector<ast::RangeClause> &ranges,
    const std::map<std::string, unsigned> &top,
    const std::vector<std::string> &lhs, const ast::Expr &rhs) {
  bool ok = true;
  std::set<std::string> rangeSeen;
  for (const ast::RangeClause &r : ranges) {
    if (!rangeSeen.insert(r.index).second) {
      error(r.loc, "index '" + r.index + "' has two 'where' ranges");
      ok = false;
      continue;
    }
    ok &= recordRange(top.at(r.index), *r.lo, *r.hi, "the where clause", r.loc);
  }
  if (!ok)
    return false;
  // A `where` index that nothing reads would silently become a summed loop.
  std::set<unsigned> used;
  collectUsedIndices(rhs, used);
  for (const ast::RangeClause &r : ranges) {
    if (used.count(top.at(r.index)) || llvm::is_contained(lhs, r.index))
      continue;
    bool boundInside = llvm::any_of(st.indices, [&](const IndexInfo &info) {
      return info.boundByReducer && info.name == r.index;
    });
    error(r.loc, "index '" + r.index + "' of the where clause is not used" +
                     (boundInside ? " (the reduction over '" + r.index +
                                        "' binds an index of its own)"
                                  : std::string()));
    ok = false;
  }
  return ok;
}

/// Infers the shape of a whole-value elementwise expression from its leaves.
/// Returns false (after reporting) if two leaves disagree.
static bool
inferWholeShape(const ast::Expr &e,
                llvm::function_ref<const TensorType *(const ast::Expr &)> leaf,
                std::optional<std::vector<Extent>> &shape,
                const ast::Expr *&shapeLeaf, DiagnosticSink &diag) {
  const TensorType *t = leaf(e);
  if (!t) {
    bool ok = true;
    if (!isa<ast::SubscriptExpr, ast::ReduceExpr>(e))
      ast::forEachChild(e, [&](const ast::Expr &x) {
        ok &= inferWholeShape(x, leaf, shape, shapeLeaf, diag);
      });
    return ok;
  }
  if (t->shape.empty())
    return true;
  if (!shape) {
    shape = t->shape;
    shapeLeaf = &e;
    return true;
  }
  if (*shape == t->shape)
    return true;
  TensorType a{t->dtype, *shape};
  diag.error(e.getLoc(), "shape mismatch in an elementwise expression: " +
                             ast::toString(*shapeLeaf) + " has shape " +
                             a.str() + " but " + ast::toString(e) + " has " +
                             t->str() +
                             " (broadcasting is by index name: use index "
                             "notation)");
  return false;
}

/// Whole-value mode (no index names at all): the expression is elementwise
/// over its tensor leaves, which must share one shape.
bool FunctionAnalyzer::inferWholeValueLoops(const ast::Expr &rhs) {
  auto leafType = [&](const ast::Expr &x) -> const TensorType * {
    auto h = st.hoisted.find(&x);
    if (h != st.hoisted.end())
      return &typeOf(h->second);
    if (auto *n = dyn_cast<ast::NameExpr>(&x)) {
      auto it = names.find(n->name);
      if (it != names.end() && it->second.kind == Binding::Kind::Value)
        return &it->second.type;
    }
    return nullptr;
  };
  const ast::Expr *shapeLeaf = nullptr;
  if (!inferWholeShape(rhs, leafType, st.implicitShape, shapeLeaf, diag()))
    return false;
  if (!st.implicitShape)
    return true;
  for (size_t d = 0; d < st.implicitShape->size(); ++d) {
    IndexInfo info;
    info.name = "_" + std::to_string(d);
    info.loc = rhs.getLoc();
    info.extent = (*st.implicitShape)[d];
    st.indices.push_back(info);
    st.implicitLoops.push_back(static_cast<unsigned>(st.indices.size() - 1));
  }
  return true;
}

bool FunctionAnalyzer::checkAllRangesKnown(
    const std::map<std::string, unsigned> &top) {
  // A reversed subscript (`x[N - 1 - i]`) gives a range only to an index
  // that has no other: it is bounds-checked like any compound subscript.
  for (auto &[id, extent] : st.reversedExtents)
    if (!st.indices[id].extent)
      st.indices[id].extent = extent;
  bool ok = true;
  for (auto &[n, id] : top) {
    if (st.indices[id].extent)
      continue;
    error(st.indices[id].loc,
          "cannot infer the range of index '" + n +
              "': it is not used as a plain subscript of any tensor; add "
              "'where " +
              n + " in 0..N'");
    ok = false;
  }
  for (IndexInfo &info : st.indices) {
    if (!info.boundByReducer || info.extent)
      continue;
    error(info.loc, "cannot infer the range of index '" + info.name +
                        "' of this reduction: it is not used as a plain "
                        "subscript of any tensor; give it a range such as "
                        "'" +
                        info.name + " in 0..N'");
    ok = false;
  }
  return ok;
}
