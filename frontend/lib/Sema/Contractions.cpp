//===- Contractions.cpp - Statements and reductions -> Contraction --------===//
//
// An indexed definition becomes one Contraction whose loops are the left-hand
// indices, the implicitly summed indices and (for whole-value expressions)
// one loop per dimension. Implicit sums follow Einstein's convention per
// additive term: an index that occurs on the right but not on the left is
// summed over each top-level `+`/`-` term in which it occurs. When every term
// sums the same indices the whole body is summed at once; otherwise each
// summing term becomes a nested reduction, just like an explicit
// `sum[i](term)`.
//
//===----------------------------------------------------------------------===//

#include "Analyzer.h"

#include "tessera/Frontend/ASTVisitor.h"

#include "llvm/ADT/STLExtras.h"

using namespace tessera;
using namespace tessera::sema;
using ast::SourceLoc;
using llvm::dyn_cast;

void sema::collectTerms(const ast::Expr &rhs,
                        std::vector<const ast::Expr *> &terms) {
  auto *b = dyn_cast<ast::BinaryExpr>(&rhs);
  if (b && (b->op == ast::BinaryExpr::Op::Add ||
            b->op == ast::BinaryExpr::Op::Sub)) {
    collectTerms(*b->lhs, terms);
    collectTerms(*b->rhs, terms);
    return;
  }
  // Negation distributes over a sum like the sum distributes over terms.
  if (auto *u = dyn_cast<ast::UnaryExpr>(&rhs))
    return collectTerms(*u->operand, terms);
  terms.push_back(&rhs);
}

std::optional<ValueRef> FunctionAnalyzer::buildStatement(
    SourceLoc loc, const std::vector<std::string> &lhs,
    const std::vector<SourceLoc> &lhsLocs, const ast::Expr &rhs,
    const std::vector<ast::RangeClause> &ranges) {
  st = StatementState();
  if (!hoistProducers(rhs))
    return std::nullopt;

  // Statement-scope indices: the left-hand side, the where clauses, and
  // names used in subscripts.
  std::map<std::string, unsigned> top;
  auto addIndex = [&](const std::string &n, SourceLoc l) {
    if (top.count(n))
      return;
    IndexInfo info;
    info.name = n;
    info.loc = l;
    st.indices.push_back(info);
    top[n] = static_cast<unsigned>(st.indices.size() - 1);
  };
  for (size_t i = 0; i < lhs.size(); ++i)
    addIndex(lhs[i], lhsLocs[i]);
  for (const ast::RangeClause &r : ranges)
    addIndex(r.index, r.loc);
  std::vector<std::set<std::string>> bound;
  std::vector<std::pair<std::string, SourceLoc>> subNames;
  collectSubscriptNames(rhs, bound, subNames);
  for (auto &[n, l] : subNames)
    addIndex(n, l);

  std::vector<std::map<std::string, unsigned>> scopes{top};
  if (!resolveIndices(rhs, scopes) || !checkWhereRanges(ranges, top, lhs, rhs))
    return std::nullopt;
  if (st.indices.empty() && !inferWholeValueLoops(rhs))
    return std::nullopt;
  if (!checkAllRangesKnown(top))
    return std::nullopt;
  return finishStatement(loc, lhs, top, rhs);
}

/// The linear wrappers a warning looks through: unary minus, casts, `re`.
static const ast::Expr &stripLinearWrappers(const ast::Expr &e) {
  if (auto *u = dyn_cast<ast::UnaryExpr>(&e))
    return stripLinearWrappers(*u->operand);
  auto *c = dyn_cast<ast::CallExpr>(&e);
  if (c && c->args.size() == 1 &&
      (parseDTypeName(c->callee) || c->callee == "re"))
    return stripLinearWrappers(*c->args[0]);
  return e;
}

/// Warns when a term that sums indices is one nonlinear call: the sum stays
/// outside the call, which is rarely what `sqrt(x[i] * x[i])` meant.
static void warnIfSummedOutsideCall(const ast::Expr &term,
                                    const std::vector<std::string> &summed,
                                    DiagnosticSink &diag) {
  auto *call = dyn_cast<ast::CallExpr>(&stripLinearWrappers(term));
  const Builtin *b = call ? lookupBuiltin(call->callee) : nullptr;
  if (!b || !(b->kind == BuiltinKind::UnaryMath ||
              b->kind == BuiltinKind::MinMax || b->kind == BuiltinKind::Select))
    return;
  std::string list, bracket;
  for (size_t i = 0; i < summed.size(); ++i) {
    list += (i ? ", '" : "'") + summed[i] + "'";
    bracket += (i ? ", " : "") + summed[i];
  }
  std::string f = call->callee;
  diag.warning(call->calleeLoc,
               "the implicit sum over " + list + " stays outside '" + f +
                   "': this adds up " + f + "(...) for every " +
                   (summed.size() > 1 ? "combination" : summed[0]) +
                   "; to sum inside, write " + f + "(sum[" + bracket +
                   "](...)); to keep this meaning, write sum[" + bracket +
                   "](" + f + "(...))");
}

/// Decides how the implicitly summed indices `summed` are summed: returns
/// true when every additive term of `rhs` sums the same ones (the whole body
/// is summed at once); otherwise records in `st.summedTerms` the indices
/// each summing term sums on its own. Warns about sums outside a call.
bool FunctionAnalyzer::planTermSums(const ast::Expr &rhs,
                                    const std::vector<unsigned> &summed) {
  std::vector<const ast::Expr *> terms;
  collectTerms(rhs, terms);
  std::vector<std::vector<unsigned>> termSums;
  for (const ast::Expr *term : terms) {
    std::set<unsigned> used;
    collectUsedIndices(*term, used);
    termSums.emplace_back();
    for (unsigned id : summed)
      if (used.count(id))
        termSums.back().push_back(id);
  }
  bool uniform = llvm::all_equal(termSums);
  for (size_t t = 0; t < terms.size(); ++t) {
    if (termSums[t].empty())
      continue;
    std::vector<std::string> termNames;
    for (unsigned id : termSums[t])
      termNames.push_back(st.indices[id].name);
    warnIfSummedOutsideCall(*terms[t], termNames, diag());
    if (!uniform)
      st.summedTerms[terms[t]] = termSums[t];
  }
  return uniform;
}

std::optional<ValueRef> FunctionAnalyzer::finishStatement(
    SourceLoc loc, const std::vector<std::string> &lhs,
    const std::map<std::string, unsigned> &top, const ast::Expr &rhs) {
  auto c = std::make_unique<Contraction>();
  // The step of a recurrence: its reads of the previous state belong here.
  if (recurrence && !recurrence->step)
    recurrence->step = c.get();
  std::map<unsigned, unsigned> loopOf;
  auto addLoop = [&](unsigned id, bool isResult) {
    if (isResult)
      c->resultLoops.push_back(static_cast<unsigned>(c->loopExtents.size()));
    loopOf[id] = static_cast<unsigned>(c->loopExtents.size());
    c->loopExtents.push_back(*st.indices[id].extent);
    c->loopNames.push_back(st.indices[id].name);
  };
  for (const std::string &n : lhs)
    addLoop(top.at(n), /*isResult=*/true);
  // Implicitly summed indices, in order of first appearance.
  std::vector<unsigned> summed;
  for (unsigned id = 0; id < st.indices.size(); ++id)
    if (!st.indices[id].boundByReducer && !loopOf.count(id) &&
        !llvm::is_contained(st.implicitLoops, id))
      summed.push_back(id);
  bool uniform = planTermSums(rhs, summed);
  if (uniform)
    for (unsigned id : summed)
      addLoop(id, /*isResult=*/false);
  for (unsigned id : st.implicitLoops)
    addLoop(id, /*isResult=*/true);

  Typed body = lowerScalar(rhs, *c, loopOf);
  if (!body)
    return std::nullopt;
  types.defaultWeak(body);
  if (uniform && !summed.empty() && body.e->dtype == DType::Bool) {
    error(rhs.getLoc(), "cannot sum bool values over the implicitly summed "
                        "index '" +
                            st.indices[summed[0]].name +
                            "' (cast to a number first)");
    return std::nullopt;
  }
  c->body = std::move(body.e);
  c->kind = ReduceKind::Sum;
  return addContraction(std::move(c), loc);
}

Typed FunctionAnalyzer::buildReduction(
    const ast::Expr &body, const std::vector<unsigned> &bound, ReduceKind kind,
    SourceLoc loc, Contraction &outerC,
    const std::map<unsigned, unsigned> &outer) {
  std::set<unsigned> used;
  collectUsedIndices(body, used);
  auto c = std::make_unique<Contraction>();
  std::map<unsigned, unsigned> loopOf;
  auto addLoop = [&](unsigned id) {
    loopOf[id] = static_cast<unsigned>(c->loopExtents.size());
    c->loopExtents.push_back(*st.indices[id].extent);
    c->loopNames.push_back(st.indices[id].name);
  };
  // The result is indexed by the outer indices the body uses; indices bound
  // by reducers nested inside this one are not free here.
  std::vector<unsigned> freeIds;
  for (unsigned id : used)
    if (!llvm::is_contained(bound, id) && outer.count(id))
      freeIds.push_back(id);
  for (unsigned id : freeIds) {
    c->resultLoops.push_back(static_cast<unsigned>(c->loopExtents.size()));
    addLoop(id);
  }
  for (unsigned id : bound) {
    if (!used.count(id)) {
      error(st.indices[id].loc, "index '" + st.indices[id].name +
                                    "' of this reduction is not used in its "
                                    "body");
      return {};
    }
    addLoop(id);
  }
  // Whole-value loops are not visible inside reductions.
  std::vector<unsigned> savedImplicit;
  std::swap(savedImplicit, st.implicitLoops);
  Typed value = lowerScalar(body, *c, loopOf);
  std::swap(savedImplicit, st.implicitLoops);
  if (!value)
    return {};
  bool weak = value.weak;
  types.defaultWeak(value);
  DType dt = value.e->dtype;
  if (dt == DType::Bool) {
    error(loc, "cannot reduce bool values (cast them to a number)");
    return {};
  }
  if ((kind == ReduceKind::Max || kind == ReduceKind::Min) &&
      isComplexDType(dt)) {
    error(loc, "max/min of complex values is not defined");
    return {};
  }
  c->body = std::move(value.e);
  c->kind = kind;
  ValueRef ref = addContraction(std::move(c), loc);

  // Read the result at the current point of the outer contraction.
  std::vector<AffineSubscript> subs;
  for (unsigned id : freeIds) {
    AffineSubscript sub;
    sub.coeffs.assign(outerC.loopExtents.size(), 0);
    sub.coeffs[outer.at(id)] = 1;
    subs.push_back(sub);
  }
  Typed read = types.read(addOperand(outerC, ref, std::move(subs)), dt, loc);
  read.weak = weak;
  return read;
}

/// The number of points of the loops `ids`: a weak integer.
Typed FunctionAnalyzer::extentProduct(const std::vector<unsigned> &ids,
                                      SourceLoc loc) {
  Typed count;
  for (unsigned id : ids) {
    const Extent &e = *st.indices[id].extent;
    Typed factor =
        e.isLiteral() ? types.constant(ConstValue::integer(e.getValue()), loc)
                      : types.sizeValue(e.isSymbol() ? e.getSymbol() : "", loc);
    if (e.isExpr())
      factor.e->size = e.getCanonical();
    count = count ? types.binary(ast::BinaryExpr::Op::Mul, std::move(count),
                                 std::move(factor), loc, loc)
                  : std::move(factor);
  }
  return count;
}

Typed FunctionAnalyzer::lowerReduce(
    const ast::ReduceExpr &r, Contraction &c,
    const std::map<unsigned, unsigned> &loopOf) {
  using Op = ast::ReduceExpr::Op;
  ReduceKind kind = r.op == Op::Max    ? ReduceKind::Max
                    : r.op == Op::Min  ? ReduceKind::Min
                    : r.op == Op::Prod ? ReduceKind::Prod
                                       : ReduceKind::Sum;
  const std::vector<unsigned> &bound = st.reducerBound.at(&r);
  Typed value = buildReduction(*r.body, bound, kind, r.getLoc(), c, loopOf);
  if (!value || r.op != Op::Mean)
    return value;
  if (!isFloatDType(value.e->dtype) && !isComplexDType(value.e->dtype)) {
    error(r.getLoc(), "mean expects floating-point values, got " +
                          getDTypeName(value.e->dtype).str() +
                          " (convert them with f32(...))");
    return {};
  }
  return types.binary(ast::BinaryExpr::Op::Div, std::move(value),
                      extentProduct(bound, r.getLoc()), r.getLoc(), r.getLoc());
}

Typed FunctionAnalyzer::lowerSummedTerm(
    const ast::Expr &term, const std::vector<unsigned> &summed, Contraction &c,
    const std::map<unsigned, unsigned> &loopOf) {
  return buildReduction(term, summed, ReduceKind::Sum, term.getLoc(), c,
                        loopOf);
}
