//===- Values.cpp - Whole values: names, calls, softmax, zeros/ones -------===//

#include "Analyzer.h"

using namespace tessera;
using namespace tessera::sema;
using ast::SourceLoc;
using llvm::dyn_cast;

bool FunctionAnalyzer::isProducerCall(const ast::Expr &e) const {
  auto *c = dyn_cast<ast::CallExpr>(&e);
  return c && (isTensorBuiltin(c->callee) || m.signatures.count(c->callee));
}

std::optional<ValueRef> FunctionAnalyzer::evalValue(const ast::Expr &e) {
  if (auto *n = dyn_cast<ast::NameExpr>(&e)) {
    auto it = names.find(n->name);
    if (it != names.end() && it->second.kind == Binding::Kind::Value)
      return it->second.ref;
  }
  auto *c = dyn_cast<ast::CallExpr>(&e);
  if (!c || !isProducerCall(e))
    return buildStatement(e.getLoc(), {}, {}, e, {});
  if (c->callee == "softmax")
    return evalSoftmax(*c);
  if (c->callee == "fwht" || c->callee == "bitreverse")
    return evalAxisTransform(*c);
  if (c->callee == "fft" || c->callee == "ifft" || c->callee == "rfft" ||
      c->callee == "irfft")
    return evalFourier(*c);
  if (c->callee == "fft_twiddles")
    return evalFftTwiddles(*c, std::nullopt);
  if (c->callee == "butterfly")
    return evalButterfly(*c);
  if (c->callee == "permute")
    return evalPermute(*c);
  if (c->callee == "blockdiag" || c->callee == "monarch")
    return evalBlockTransform(*c);
  if (c->callee == "causal_conv")
    return evalCausalConv(*c);
  if (c->callee == "zeros")
    return evalSplat(*c, 0.0);
  if (c->callee == "ones")
    return evalSplat(*c, 1.0);
  if (c->callee == "einsum")
    return evalEinsum(*c);
  const Builtin *builtin = lookupBuiltin(c->callee);
  auto results = builtin && builtin->kind == BuiltinKind::StateSpace
                     ? evalStateSpace(*c)
                     : evalCall(*c);
  if (!results)
    return std::nullopt;
  if (results->size() != 1) {
    error(e.getLoc(),
          "'" + c->callee + "' returns " + std::to_string(results->size()) +
              " values; assign them with 'a, b = " + c->callee + "(...)'");
    return std::nullopt;
  }
  return (*results)[0];
}

std::optional<Extent> FunctionAnalyzer::extentOfExpr(const ast::Expr &e) {
  return lowerExtent(e, diag(), [&](const ast::NameExpr &n) -> SizeExprPtr {
    auto c = m.constants.find(n.name);
    if (c != m.constants.end()) {
      if (c->second.isInt())
        return SizeExpr::literal(c->second.i);
      error(n.getLoc(), "constant '" + n.name + "' is not an integer");
      return nullptr;
    }
    auto it = names.find(n.name);
    if (it != names.end() && (it->second.kind == Binding::Kind::Symbol ||
                              it->second.kind == Binding::Kind::IndexParam))
      return SizeExpr::symbol(it->second.symbol);
    error(n.getLoc(), "'" + n.name +
                          "' is not a size symbol of this function or an "
                          "integer constant");
    return nullptr;
  });
}

/// The value of an `index` argument: a zero-loop contraction yielding the
/// extent. Keeps Value plain data and lets MLIRGen treat every operand alike.
ValueRef FunctionAnalyzer::addIndexArgument(const Extent &e, SourceLoc loc) {
  Value sv;
  sv.kind = Value::Kind::Contraction;
  sv.loc = loc;
  sv.types.push_back(TensorType{DType::I64, {}});
  sv.contraction = std::make_unique<Contraction>();
  auto body = std::make_unique<ScalarExpr>();
  body->kind =
      e.isLiteral() ? ScalarExpr::Kind::Constant : ScalarExpr::Kind::SizeValue;
  body->dtype = DType::I64;
  if (e.isSymbol())
    body->symbol = e.getSymbol();
  if (e.isExpr())
    body->size = e.getCanonical();
  body->intValue = e.isLiteral() ? e.getValue() : 0;
  sv.contraction->body = std::move(body);
  return addValue(std::move(sv));
}

namespace {

/// Binds the callee's size symbols to the caller's extents, argument by
/// argument, and reports the first disagreement for each symbol. Expression
/// dimensions of the callee are checked once every symbol is bound.
class CallBinding {
public:
  CallBinding(llvm::StringRef callee, DiagnosticSink &diag)
      : callee(callee), diag(diag) {}

  bool bind(const std::string &sym, const Extent &ext,
            const std::string &origin, SourceLoc loc) {
    auto [it, inserted] = extents.try_emplace(sym, ext);
    if (inserted) {
      origins[sym] = origin;
      return true;
    }
    if (it->second == ext)
      return true;
    diag.error(loc, "size mismatch in call to '" + callee + "': " + sym +
                        " is " + it->second.str() + " from " + origins[sym] +
                        " but " + ext.str() + " from " + origin);
    return false;
  }
  /// Checks one tensor argument of type `t` against the parameter `p`.
  bool bindTensor(const Param &p, const TensorType &t, SourceLoc loc) {
    bool ok = true;
    for (size_t d = 0; d < t.shape.size(); ++d) {
      const Extent &want = p.type.shape[d];
      std::string origin = "argument '" + p.name + "' dim " + std::to_string(d);
      if (want.getWritten()->isSymbol()) {
        ok &= bind(want.getSymbol(), t.shape[d], origin, loc);
      } else if (!want.isLiteral()) {
        deferred.push_back({want, t.shape[d], origin, loc});
      } else if (t.shape[d] != want) {
        diag.error(loc, "size mismatch in call to '" + callee + "': " + origin +
                            " must be " + want.str() + " but is " +
                            t.shape[d].str());
        ok = false;
      }
    }
    return ok;
  }
  /// Checks the expression dimensions of the arguments: each must be equal
  /// to its expression of the caller's extents as far as the compiler can
  /// tell (like two symbols, which must be the same symbol).
  bool checkExpressions() {
    bool ok = true;
    for (const Deferred &d : deferred) {
      std::optional<Extent> want = resolve(d.want, d.origin, d.loc);
      if (!want) {
        ok = false;
      } else if (*want != d.actual) {
        diag.error(d.loc, "size mismatch in call to '" + callee + "': " +
                              d.origin + " must be " + d.want.str() + " = " +
                              want->str() + " but is " + d.actual.str());
        ok = false;
      }
    }
    return ok;
  }
  /// `e` in the caller's extents; reports an expression that has no valid
  /// value there (at `loc`, naming `what`).
  std::optional<Extent> resolve(const Extent &e, const std::string &what,
                                SourceLoc loc) const {
    if (e.getWritten()->isSymbol())
      return extents.at(e.getSymbol());
    if (e.isLiteral())
      return e;
    SizeExprPtr r =
        substituteSizeExpr(e.getWritten(), [&](const std::string &s) {
          return extents.at(s).getWritten();
        });
    std::string error;
    std::optional<Extent> out = Extent::get(r, error);
    if (!out)
      diag.error(loc, "size error in call to '" + callee + "': " + what +
                          " is " + e.str() + " = " + r->str() + ": " + error);
    return out;
  }
  /// The extent of each symbol of the callee bound so far.
  const std::map<std::string, Extent> &getExtents() const { return extents; }

private:
  struct Deferred {
    Extent want, actual;
    std::string origin;
    SourceLoc loc;
  };
  std::string callee;
  DiagnosticSink &diag;
  std::map<std::string, Extent> extents;
  std::map<std::string, std::string> origins;
  std::vector<Deferred> deferred;
};

} // namespace

std::optional<std::vector<ValueRef>>
FunctionAnalyzer::evalCall(const ast::CallExpr &call) {
  const FnSignature &callee = m.signatures.at(call.callee);
  m.calls[out.name].insert(call.callee);
  if (!callee.valid)
    return std::nullopt;
  if (callee.decl && callee.decl->results.empty()) {
    error(call.getLoc(), "'" + call.callee +
                             "' cannot be called: it has no declared result "
                             "types; declare them with '-> TYPE'");
    return std::nullopt;
  }
  if (call.args.size() != callee.params.size()) {
    error(call.getLoc(), "'" + call.callee + "' expects " +
                             std::to_string(callee.params.size()) +
                             " argument(s) but " +
                             std::to_string(call.args.size()) + " were given");
    return std::nullopt;
  }
  CallBinding binding(call.callee, diag());
  Value v;
  v.kind = Value::Kind::Call;
  v.loc = call.getLoc();
  v.callee = call.callee;
  bool ok = true;
  for (size_t i = 0; i < call.args.size(); ++i) {
    const Param &p = callee.params[i];
    const ast::Expr &arg = *call.args[i];
    if (p.isIndex) {
      // Index arguments are carried in the extent binding and become
      // operands below, once every symbol is known.
      auto ext = extentOfExpr(arg);
      ok = ext &&
           binding.bind(p.name, *ext, "argument '" + p.name + "'",
                        arg.getLoc()) &&
           ok;
      v.operands.push_back(ValueRef{~0u, 0});
      continue;
    }
    auto a = evalValue(arg);
    if (!a) {
      ok = false;
      continue;
    }
    const TensorType &t = typeOf(*a);
    if (t.dtype != p.type.dtype || t.getRank() != p.type.getRank()) {
      error(arg.getLoc(), "argument " + std::to_string(i + 1) + " of '" +
                              call.callee + "' must be " + p.type.str() +
                              " but has type " + t.str());
      ok = false;
      continue;
    }
    ok &= binding.bindTensor(p, t, arg.getLoc());
    v.operands.push_back(*a);
  }
  if (!ok || !binding.checkExpressions())
    return std::nullopt;
  v.callSizes = binding.getExtents();
  for (size_t i = 0; i < callee.params.size(); ++i)
    if (callee.params[i].isIndex)
      v.operands[i] =
          addIndexArgument(*binding.resolve(Extent::sym(callee.params[i].name),
                                            "", call.args[i]->getLoc()),
                           call.args[i]->getLoc());
  for (const auto &[r, rt] : llvm::enumerate(callee.results)) {
    TensorType t;
    t.dtype = rt.dtype;
    for (const auto &[d, e] : llvm::enumerate(rt.shape)) {
      auto ext = binding.resolve(
          e, "result " + std::to_string(r) + " dim " + std::to_string(d),
          call.getLoc());
      if (!ext)
        return std::nullopt;
      t.shape.push_back(*ext);
    }
    v.types.push_back(std::move(t));
  }
  unsigned n = static_cast<unsigned>(v.types.size());
  ValueRef base = addValue(std::move(v));
  std::vector<ValueRef> results;
  for (unsigned i = 0; i < n; ++i)
    results.push_back(ValueRef{base.id, i});
  return results;
}

std::optional<std::pair<ValueRef, int64_t>>
FunctionAnalyzer::evalTensorAndAxis(const ast::CallExpr &call,
                                    llvm::function_ref<bool(DType)> accepts,
                                    llvm::StringRef expected) {
  const std::string &name = call.callee;
  if (call.args.size() != 2) {
    error(call.getLoc(), name + " expects 2 arguments (tensor, axis) but " +
                             std::to_string(call.args.size()) + " were given");
    return std::nullopt;
  }
  auto x = evalValue(*call.args[0]);
  auto axis = m.evalConst(*call.args[1]);
  if (!x || !axis)
    return std::nullopt;
  const TensorType t = typeOf(*x);
  if (!accepts(t.dtype)) {
    error(call.args[0]->getLoc(),
          name + " expects " + expected.str() + ", got " + t.str());
    return std::nullopt;
  }
  if (name != "softmax" && !checkTransformRank(t, call.args[0]->getLoc(), name))
    return std::nullopt;
  int64_t rank = t.getRank();
  if (!axis->isInt() || axis->i < -rank || axis->i >= rank || rank == 0) {
    error(call.args[1]->getLoc(),
          name + " axis must be an integer in [" + std::to_string(-rank) +
              ", " + std::to_string(rank) + ") for " + t.str());
    return std::nullopt;
  }
  return std::make_pair(*x, axis->i < 0 ? axis->i + rank : axis->i);
}

std::optional<ValueRef>
FunctionAnalyzer::evalSoftmax(const ast::CallExpr &call) {
  auto args = evalTensorAndAxis(call, isFloatDType, "a floating-point tensor");
  if (!args)
    return std::nullopt;
  Value v;
  v.kind = Value::Kind::Softmax;
  v.loc = call.getLoc();
  v.types.push_back(typeOf(args->first));
  v.operands.push_back(args->first);
  v.axis = args->second;
  return addValue(std::move(v));
}

std::optional<ValueRef>
FunctionAnalyzer::evalAxisTransform(const ast::CallExpr &call) {
  const std::string &name = call.callee;
  bool fwht = name == "fwht";
  // Bit reversal moves elements of any type; the transform adds them.
  auto args = evalTensorAndAxis(
      call,
      [&](DType dtype) {
        return !fwht || dtype == DType::F32 || dtype == DType::F64 ||
               isComplexDType(dtype);
      },
      "an f32, f64, c64 or c128 tensor");
  if (!args)
    return std::nullopt;
  const TensorType t = typeOf(args->first);
  int64_t dim = args->second;
  const Extent &extent = t.shape[dim];
  // A literal length is checked here; a symbolic one at every call.
  if (!requireSize(fwht ? SizeRule::FwhtLength : SizeRule::PowerOfTwo, extent,
                   std::nullopt, name + " length", dim, call.getLoc())) {
    std::string n = std::to_string(extent.getValue());
    error(call.args[0]->getLoc(),
          fwht ? "fwht needs a length along axis " + std::to_string(dim) +
                     " that is a power of two or 12, 20, 28 or 40 times "
                     "one, but it is " +
                     n
               : name + " needs a power-of-two length along axis " +
                     std::to_string(dim) + ", but it is " + n);
    return std::nullopt;
  }
  Value v;
  v.kind = fwht ? Value::Kind::Fwht : Value::Kind::BitReverse;
  v.loc = call.getLoc();
  v.types.push_back(t);
  v.operands.push_back(args->first);
  v.axis = dim;
  return addValue(std::move(v));
}

std::optional<TensorType> FunctionAnalyzer::parseTypeArg(const ast::Expr &e) {
  TensorType t;
  const ast::Expr *base = &e;
  const std::vector<ast::ExprPtr> *dims = nullptr;
  if (auto *s = dyn_cast<ast::SubscriptExpr>(&e)) {
    base = s->base.get();
    dims = &s->indices;
  }
  auto *n = dyn_cast<ast::NameExpr>(base);
  std::optional<DType> dt = n ? parseDTypeName(n->name) : std::nullopt;
  if (!dt) {
    error(e.getLoc(), "expected a tensor type such as f32[N, 4]");
    return std::nullopt;
  }
  t.dtype = *dt;
  if (!dims)
    return t;
  for (const ast::ExprPtr &d : *dims) {
    auto ext = extentOfExpr(*d);
    if (!ext)
      return std::nullopt;
    t.shape.push_back(*ext);
  }
  return t;
}

std::optional<ValueRef> FunctionAnalyzer::evalSplat(const ast::CallExpr &call,
                                                    double value) {
  if (call.args.size() != 1) {
    error(call.getLoc(), call.callee +
                             " expects 1 argument (a type such as "
                             "f32[N]) but " +
                             std::to_string(call.args.size()) + " were given");
    return std::nullopt;
  }
  auto t = parseTypeArg(*call.args[0]);
  if (!t)
    return std::nullopt;
  Value v;
  v.kind = Value::Kind::Splat;
  v.loc = call.getLoc();
  v.types.push_back(*t);
  v.splatValue = value;
  return addValue(std::move(v));
}
