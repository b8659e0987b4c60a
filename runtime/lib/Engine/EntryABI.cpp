//===- EntryABI.cpp - Size binding and checking of entry calls ------------===//

#include "tessera/Runtime/EntryABI.h"
#include "tessera/Runtime/SizeExpr.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"

using namespace tessera;

namespace {

/// Walks the size occurrences of a signature in the canonical order and
/// reports each to the callbacks. Both the check list and the host-side
/// binding are built from this one walk, so they cannot drift apart.
struct OccurrenceWalker {
  const EntrySignature &sig;

  /// `onIndex(position)` for each index parameter, then
  /// `onDim(source, dimSpec)` for each parameter dim and index parameter in
  /// parameter order (an index parameter reported as a symbol occurrence of
  /// its own name), then for each result dim.
  template <typename DimFn> void walkParams(DimFn onDim) const {
    for (unsigned p = 0, e = sig.params.size(); p != e; ++p) {
      const ValueSpec &param = sig.params[p];
      if (param.kind == ValueSpec::Kind::Index) {
        DimSpec spec;
        spec.isSymbol = true;
        spec.symbol = param.name;
        onDim(SizeSource{SizeSource::Kind::IndexParam, p, 0}, spec);
        continue;
      }
      for (unsigned d = 0, de = param.dims.size(); d != de; ++d)
        onDim(SizeSource{SizeSource::Kind::ParamDim, p, d}, param.dims[d]);
    }
  }
  template <typename DimFn> void walkResults(DimFn onDim) const {
    for (unsigned r = 0, e = sig.results.size(); r != e; ++r)
      for (unsigned d = 0, de = sig.results[r].dims.size(); d != de; ++d)
        onDim(SizeSource{SizeSource::Kind::ResultDim, r, d},
              sig.results[r].dims[d]);
  }
};

std::string symbolMismatchMessage(const EntrySignature &sig,
                                  llvm::StringRef symbol,
                                  const SizeSource &binding,
                                  const SizeSource &subject) {
  return llvm::formatv("size symbol {0}: {1} does not match {2}", symbol,
                       describeSizeSource(sig, binding),
                       describeSizeSource(sig, subject))
      .str();
}

/// Whether `expr` can be negative: symbols are sizes (never negative), and
/// +, *, / and log2 of non-negative values are non-negative.
bool mayBeNegative(llvm::ArrayRef<SizeOp> expr) {
  return llvm::any_of(expr, [](const SizeOp &op) {
    return op.kind == SizeOp::Kind::Sub || op.kind == SizeOp::Kind::Neg ||
           (op.kind == SizeOp::Kind::Literal && op.value < 0);
  });
}

/// Adds the checks that `expr` has a value, unless an earlier expression
/// with the same text had them (`validated`): each divisor is not 0 and each
/// log2 operand is a power of two, and its value is >= 0 (only the checks
/// that can fail). `subject` names it in messages ("parameter 'y' dim 0
/// (N / M)"); `source` is the dimension it belongs to, if any.
void addValidityChecks(const SizeSource &source, llvm::StringRef subject,
                       llvm::ArrayRef<SizeOp> expr,
                       llvm::StringSet<> &validated,
                       std::vector<SizeCheck> &checks) {
  if (!validated.insert(formatSizeExpr(expr)).second)
    return;
  auto add = [&](SizeCheck::Kind kind, unsigned step, std::string message) {
    SizeCheck check;
    check.kind = kind;
    check.subject = source;
    check.expr = expr;
    check.step = step;
    check.message = std::move(message);
    checks.push_back(std::move(check));
  };
  for (unsigned i = 0, e = expr.size(); i != e; ++i) {
    SizeOp::Kind kind = expr[i].kind;
    if (kind != SizeOp::Kind::FloorDiv && kind != SizeOp::Kind::Log2)
      continue;
    // A literal divisor is known not to be 0.
    const SizeOp &last = expr[i - 1];
    if (kind == SizeOp::Kind::FloorDiv && last.kind == SizeOp::Kind::Literal &&
        last.value != 0)
      continue;
    std::string operand = formatSizeExprStack(expr.take_front(i)).back();
    if (kind == SizeOp::Kind::FloorDiv)
      add(SizeCheck::Kind::DivisorNonZero, i,
          llvm::formatv("{0}: division by zero, {1} is 0", subject, operand));
    else
      add(SizeCheck::Kind::Log2Exact, i,
          llvm::formatv("{0}: {1} is not a power of two", subject, operand));
  }
  if (mayBeNegative(expr))
    add(SizeCheck::Kind::ExprNonNegative, 0,
        llvm::formatv("{0} is negative", subject));
}

/// Adds the checks of the expression dim `spec` at `source`: that it has a
/// value (addValidityChecks), then that the dim equals it. `sourceOf` names
/// where each symbol is bound.
void addExprChecks(const EntrySignature &sig, const SizeSource &source,
                   const DimSpec &spec, llvm::StringSet<> &validated,
                   const llvm::StringMap<SizeSource> &sourceOf,
                   std::vector<SizeCheck> &checks) {
  std::string text = formatSizeExpr(spec.expr);
  std::string where = describeSizeSource(sig, source);
  addValidityChecks(source, where + " (" + text + ")", spec.expr, validated,
                    checks);
  std::string origins;
  for (const std::string &symbol : getSizeExprSymbols(spec.expr)) {
    auto it = sourceOf.find(symbol);
    if (it != sourceOf.end())
      origins += (origins.empty() ? " (" : ", ") + symbol + " from " +
                 describeSizeSource(sig, it->second);
  }
  SizeCheck check;
  check.kind = SizeCheck::Kind::Expr;
  check.subject = source;
  check.expr = spec.expr;
  check.message = llvm::formatv("{0} must be {1}{2}", where, text,
                                origins.empty() ? "" : origins + ")");
  checks.push_back(std::move(check));
}

/// " along axis 1 (f.tess:3:10)": where the constrained size is.
std::string describeConstraintPlace(const SizeConstraint &constraint) {
  std::string text;
  if (constraint.axis >= 0)
    text += llvm::formatv(" along axis {0}", constraint.axis).str();
  if (!constraint.where.empty())
    text += " (" + constraint.where + ")";
  return text;
}

/// Adds the checks of `constraint`: that its expression (and bound) have a
/// value, then its rule.
void addConstraintChecks(const SizeConstraint &constraint,
                         llvm::StringSet<> &validated,
                         std::vector<SizeCheck> &checks) {
  std::string subject = constraint.what + " " +
                        formatSizeExpr(constraint.expr) +
                        describeConstraintPlace(constraint);
  addValidityChecks(SizeSource(), subject, constraint.expr, validated, checks);
  if (constraint.rule == SizeRule::AtMostLog2)
    addValidityChecks(SizeSource(),
                      subject + ", bound " + formatSizeExpr(constraint.bound),
                      constraint.bound, validated, checks);
  SizeCheck check;
  check.kind = SizeCheck::Kind::Constraint;
  check.expr = constraint.expr;
  check.rule = constraint.rule;
  check.bound = constraint.bound;
  check.message = describeSizeConstraint(constraint);
  checks.push_back(std::move(check));
}

/// "a has 3 (dim 1)" or "L is 5": the value at `source`.
std::string describeValue(const EntrySignature &sig, const SizeSource &source,
                          int64_t value) {
  const std::string &name = sig.params[source.position].name;
  if (source.kind == SizeSource::Kind::IndexParam)
    return llvm::formatv("{0} is {1}", name, value).str();
  return llvm::formatv("{0} has {1} (dim {2})", name, value, source.dim).str();
}

/// The value of the expression dim `spec`, or the error that names it: what
/// (`subject`, e.g. "y (dim 1)"), the expression, the symbols' values and
/// why it has no valid value.
llvm::Expected<int64_t>
evaluateDim(const DimSpec &spec, llvm::StringRef subject,
            const std::map<std::string, int64_t> &bindings) {
  auto lookup = [&](llvm::StringRef symbol) -> std::optional<int64_t> {
    auto it = bindings.find(symbol.str());
    if (it == bindings.end())
      return std::nullopt;
    return it->second;
  };
  std::string text = formatSizeExpr(spec.expr);
  std::string values = describeSizeExprSymbols(spec.expr, lookup);
  std::string with = values.empty() ? "" : " with " + values;
  llvm::Expected<int64_t> value = evaluateSizeExpr(spec.expr, lookup);
  if (!value)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv("size error for {0}: {1}{2}: {3}", subject, text, with,
                      llvm::toString(value.takeError())));
  if (*value < 0)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv("size error for {0}: {1}{2} is {3}, but a size cannot "
                      "be negative",
                      subject, text, with, *value));
  return value;
}

/// Checks that the parameter dim at `source`, of extent `actual`, has the
/// value of its expression `spec`.
llvm::Error checkExprDim(const EntrySignature &sig, const SizeSource &source,
                         const DimSpec &spec, int64_t actual,
                         const std::map<std::string, int64_t> &bindings) {
  std::string subject = llvm::formatv(
      "{0} (dim {1})", sig.params[source.position].name, source.dim);
  llvm::Expected<int64_t> value = evaluateDim(spec, subject, bindings);
  if (!value)
    return value.takeError();
  if (*value == actual)
    return llvm::Error::success();
  std::string text = formatSizeExpr(spec.expr);
  std::string values =
      describeSizeExprSymbols(spec.expr, [&](llvm::StringRef symbol) {
        return std::optional<int64_t>(bindings.at(symbol.str()));
      });
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      llvm::formatv("size mismatch for {0}: {1} but {0} = {2}{3}", text,
                    describeValue(sig, source, actual), *value,
                    values.empty() ? "" : " with " + values));
}

/// " = 100" or " = 100 with M = 50": the value of `expr` and, for an
/// expression, of its symbols.
std::string describeExprValue(llvm::ArrayRef<SizeOp> expr, int64_t value,
                              const std::map<std::string, int64_t> &bindings) {
  std::string text = llvm::formatv(" = {0}", value).str();
  if (expr.size() == 1)
    return text;
  std::string values =
      describeSizeExprSymbols(expr, [&](llvm::StringRef symbol) {
        auto it = bindings.find(symbol.str());
        return it == bindings.end() ? std::nullopt
                                    : std::optional<int64_t>(it->second);
      });
  return values.empty() ? text : text + " with " + values;
}

/// Checks `constraint` with the symbols' values `bindings`: that its
/// expression (and bound) have values, then its rule.
llvm::Error checkConstraint(const SizeConstraint &constraint,
                            const std::map<std::string, int64_t> &bindings) {
  std::string subject = constraint.what + describeConstraintPlace(constraint);
  DimSpec spec;
  spec.expr = constraint.expr;
  llvm::Expected<int64_t> value = evaluateDim(spec, subject, bindings);
  if (!value)
    return value.takeError();
  int64_t bound = 0;
  std::string boundText;
  if (constraint.rule == SizeRule::AtMostLog2) {
    spec.expr = constraint.bound;
    llvm::Expected<int64_t> n = evaluateDim(spec, subject, bindings);
    if (!n)
      return n.takeError();
    bound = *n;
    std::string values =
        describeSizeExprSymbols(constraint.bound, [&](llvm::StringRef symbol) {
          return std::optional<int64_t>(bindings.at(symbol.str()));
        });
    boundText = values.empty() ? "" : " with " + values;
  }
  if (satisfiesSizeRule(constraint.rule, *value, bound))
    return llvm::Error::success();
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      describeSizeConstraint(
          constraint, describeExprValue(constraint.expr, *value, bindings),
          boundText));
}

} // namespace

std::string tessera::describeSizeConstraint(const SizeConstraint &constraint,
                                            llvm::StringRef value,
                                            llvm::StringRef boundValue) {
  std::string rule = getSizeRuleText(constraint.rule);
  if (constraint.rule == SizeRule::AtMostLog2)
    rule += "(" + formatSizeExpr(constraint.bound) + ")" + boundValue.str();
  return llvm::formatv("{0} {1}{2}{3} must be {4}", constraint.what,
                       formatSizeExpr(constraint.expr), value,
                       describeConstraintPlace(constraint), rule)
      .str();
}

std::string tessera::describeSizeSource(const EntrySignature &sig,
                                        const SizeSource &source) {
  switch (source.kind) {
  case SizeSource::Kind::ParamDim:
    return llvm::formatv("parameter '{0}' dim {1}",
                         sig.params[source.position].name, source.dim)
        .str();
  case SizeSource::Kind::IndexParam:
    return llvm::formatv("index parameter '{0}'",
                         sig.params[source.position].name)
        .str();
  case SizeSource::Kind::ResultDim:
    return llvm::formatv("output '{0}' dim {1}",
                         sig.results[source.position].name, source.dim)
        .str();
  }
  return "";
}

std::vector<SizeBinding>
tessera::computeSizeBindings(const EntrySignature &sig) {
  std::vector<SizeBinding> bindings;
  llvm::StringMap<unsigned> seen;
  auto visit = [&](const SizeSource &source, const DimSpec &spec) {
    if (!spec.isSymbol || seen.count(spec.symbol))
      return;
    seen[spec.symbol] = bindings.size();
    bindings.push_back(SizeBinding{spec.symbol, source});
  };
  OccurrenceWalker walker{sig};
  walker.walkParams(visit);
  walker.walkResults(visit);
  return bindings;
}

std::vector<SizeCheck> tessera::computeSizeChecks(const EntrySignature &sig) {
  std::vector<SizeCheck> checks;
  // Index parameters first: a negative size would make every later message
  // about it misleading.
  for (unsigned p = 0, e = sig.params.size(); p != e; ++p) {
    if (sig.params[p].kind != ValueSpec::Kind::Index)
      continue;
    SizeCheck check;
    check.kind = SizeCheck::Kind::NonNegative;
    check.subject = SizeSource{SizeSource::Kind::IndexParam, p, 0};
    check.message = llvm::formatv("index parameter '{0}' must be non-negative",
                                  sig.params[p].name)
                        .str();
    checks.push_back(std::move(check));
  }

  llvm::StringMap<SizeSource> bound;
  llvm::StringSet<> validated;
  // Expression dims of parameters are checked once every symbol is bound.
  std::vector<std::pair<SizeSource, const DimSpec *>> paramExprs;
  bool inResults = false;
  auto visit = [&](const SizeSource &source, const DimSpec &spec) {
    if (spec.isExpr()) {
      if (inResults)
        addExprChecks(sig, source, spec, validated, bound, checks);
      else
        paramExprs.push_back({source, &spec});
      return;
    }
    if (!spec.isSymbol) {
      SizeCheck check;
      check.kind = SizeCheck::Kind::Literal;
      check.subject = source;
      check.literal = spec.extent;
      check.message =
          llvm::formatv("{0} must be {1}", describeSizeSource(sig, source),
                        spec.extent)
              .str();
      checks.push_back(std::move(check));
      return;
    }
    auto it = bound.find(spec.symbol);
    if (it == bound.end()) {
      bound[spec.symbol] = source;
      return;
    }
    SizeCheck check;
    check.kind = SizeCheck::Kind::Symbol;
    check.subject = source;
    check.symbol = spec.symbol;
    check.binding = it->second;
    check.message = symbolMismatchMessage(sig, spec.symbol, it->second, source);
    checks.push_back(std::move(check));
  };
  OccurrenceWalker walker{sig};
  walker.walkParams(visit);
  for (const auto &[source, spec] : paramExprs)
    addExprChecks(sig, source, *spec, validated, bound, checks);
  for (const SizeConstraint &constraint : sig.constraints)
    addConstraintChecks(constraint, validated, checks);
  inResults = true;
  walker.walkResults(visit);
  return checks;
}

std::string tessera::describeEntryStatus(const EntrySignature &sig,
                                         int32_t status) {
  std::vector<SizeCheck> checks = computeSizeChecks(sig);
  if (status > 0 && static_cast<size_t>(status) <= checks.size())
    return checks[status - 1].message;
  if (status == kStatusTooLarge)
    return "a tensor is too large: its element count or byte size does not "
           "fit in 64 bits";
  if (status == kStatusOutOfMemory)
    return "out of memory: an intermediate tensor could not be allocated";
  return llvm::formatv("entry '{0}' returned unknown status {1}", sig.name,
                       status)
      .str();
}

llvm::Expected<std::map<std::string, int64_t>>
tessera::bindSizes(const EntrySignature &sig,
                   llvm::ArrayRef<llvm::ArrayRef<int64_t>> paramShapes,
                   llvm::ArrayRef<int64_t> indexValues) {
  auto error = [](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  };

  // Map each parameter to its actual shape or value first.
  unsigned numTensors = 0, numIndices = 0;
  for (const ValueSpec &param : sig.params)
    ++(param.kind == ValueSpec::Kind::Index ? numIndices : numTensors);
  if (paramShapes.size() != numTensors)
    return error(llvm::formatv("'{0}' takes {1} tensor argument(s) but got {2}",
                               sig.name, numTensors, paramShapes.size()));
  if (indexValues.size() != numIndices)
    return error(llvm::formatv("'{0}' takes {1} index argument(s) but got {2}",
                               sig.name, numIndices, indexValues.size()));
  std::vector<llvm::ArrayRef<int64_t>> shapeOf(sig.params.size());
  std::vector<int64_t> valueOf(sig.params.size(), 0);
  unsigned nextTensor = 0, nextIndex = 0;
  for (unsigned p = 0, e = sig.params.size(); p != e; ++p) {
    const ValueSpec &param = sig.params[p];
    if (param.kind == ValueSpec::Kind::Index) {
      valueOf[p] = indexValues[nextIndex++];
      if (valueOf[p] < 0)
        return error(llvm::formatv(
            "index parameter '{0}' must be non-negative but is {1}", param.name,
            valueOf[p]));
      continue;
    }
    shapeOf[p] = paramShapes[nextTensor++];
    if (shapeOf[p].size() != param.dims.size())
      return error(llvm::formatv("parameter '{0}' must have rank {1} but has "
                                 "rank {2}",
                                 param.name, param.dims.size(),
                                 shapeOf[p].size()));
  }

  auto valueAt = [&](const SizeSource &source) {
    if (source.kind == SizeSource::Kind::IndexParam)
      return valueOf[source.position];
    return shapeOf[source.position][source.dim];
  };
  auto describe = [&](const SizeSource &source) {
    return describeValue(sig, source, valueAt(source));
  };

  std::map<std::string, int64_t> bindings;
  std::map<std::string, SizeSource> bindingSource;
  llvm::Error failure = llvm::Error::success();
  std::vector<std::pair<SizeSource, const DimSpec *>> exprDims;
  auto visit = [&](const SizeSource &source, const DimSpec &spec) {
    if (failure)
      return;
    int64_t actual = valueAt(source);
    if (spec.isExpr()) {
      exprDims.push_back({source, &spec});
      return;
    }
    if (!spec.isSymbol) {
      if (actual != spec.extent)
        failure = error(llvm::formatv(
            "shape mismatch: {0} must be {1} but is {2}",
            describeSizeSource(sig, source), spec.extent, actual));
      return;
    }
    auto [it, inserted] = bindings.emplace(spec.symbol, actual);
    if (inserted) {
      bindingSource[spec.symbol] = source;
      return;
    }
    if (it->second != actual)
      failure = error(llvm::formatv(
          "size mismatch for {0}: {1} but {2}", spec.symbol,
          describe(bindingSource[spec.symbol]), describe(source)));
  };
  OccurrenceWalker{sig}.walkParams(visit);
  if (failure)
    return std::move(failure);
  for (const auto &[source, spec] : exprDims)
    if (llvm::Error e =
            checkExprDim(sig, source, *spec, valueAt(source), bindings))
      return std::move(e);
  for (const SizeConstraint &constraint : sig.constraints)
    if (llvm::Error e = checkConstraint(constraint, bindings))
      return std::move(e);
  return bindings;
}

llvm::Expected<std::vector<std::vector<int64_t>>>
tessera::resultShapes(const EntrySignature &sig,
                      const std::map<std::string, int64_t> &bindings) {
  std::vector<std::vector<int64_t>> shapes;
  for (const ValueSpec &result : sig.results) {
    std::vector<int64_t> shape;
    for (const DimSpec &dim : result.dims) {
      if (dim.isExpr()) {
        std::string subject =
            llvm::formatv("output '{0}' (dim {1})", result.name, shape.size());
        llvm::Expected<int64_t> value = evaluateDim(dim, subject, bindings);
        if (!value)
          return value.takeError();
        shape.push_back(*value);
        continue;
      }
      if (!dim.isSymbol) {
        shape.push_back(dim.extent);
        continue;
      }
      auto it = bindings.find(dim.symbol);
      if (it == bindings.end())
        return llvm::createStringError(
            llvm::inconvertibleErrorCode(),
            llvm::formatv("size symbol {0} of result '{1}' is not bound by "
                          "any parameter of '{2}'",
                          dim.symbol, result.name, sig.name)
                .str());
      shape.push_back(it->second);
    }
    shapes.push_back(std::move(shape));
  }
  return shapes;
}
