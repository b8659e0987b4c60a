//===- Discretization.cpp - discretize_zoh and discretize_bilinear --------===//
//
// `Abar, Bbar = discretize_zoh(A, B, dt)` (and `discretize_bilinear`) make
// the continuous-time system x' = A x + B u discrete. A real square A with
// a scalar step is a dense matrix: a Discretize value (the runtime kernel
// of ssm.discretize). Any other A holds the diagonals of diagonal systems,
// discretized element by element by index notation that this file writes
// (Synthesized.h):
//
//   Abar[i] = exp(dt[i0..] * A[i])
//   Bbar[i] = where(A[i] == 0, dt[i0..] * B[i], (Abar[i] - 1) / A[i] * B[i])
//
// or (1 + 0.5 dt A) / (1 - 0.5 dt A) and dt B / (1 - 0.5 dt A), with dt
// read at A's leading indices (broadcast over the others).
//
//===----------------------------------------------------------------------===//

#include "Analyzer.h"
#include "Synthesized.h"

#include "llvm/ADT/ScopeExit.h"

using namespace tessera;
using namespace tessera::sema;
using ast::SourceLoc;

/// The real dtype of `dt`'s precision (f32 for c64, f64 for c128).
static DType realOf(DType dt) {
  return dt == DType::C64 ? DType::F32 : dt == DType::C128 ? DType::F64 : dt;
}

/// Whether `dt` is a dtype of a state-space system: f32, f64, c64, c128.
static bool isSystemDType(DType dt) {
  return dt == DType::F32 || dt == DType::F64 || isComplexDType(dt);
}

/// `[M, N]`: the extents of `t`.
static std::string shapeString(const TensorType &t) {
  std::string s = TensorType{DType::F32, t.shape}.str();
  return s.substr(3);
}

std::optional<std::vector<ValueRef>>
FunctionAnalyzer::evalDiscretize(const ast::CallExpr &call) {
  const std::string &name = call.callee;
  if (call.args.size() != 3) {
    error(call.getLoc(), name + " expects 3 arguments (A, B, dt) but " +
                             std::to_string(call.args.size()) + " were given");
    return std::nullopt;
  }
  auto a = evalValue(*call.args[0]);
  auto b = evalValue(*call.args[1]);
  // A constant step is copied into the formulas, untyped like a literal.
  const ast::Expr &dtArg = *call.args[2];
  const ast::Expr *dtConstant = isConstantExpr(dtArg) ? &dtArg : nullptr;
  std::optional<ValueRef> dt;
  if (dtConstant) {
    std::optional<ConstValue> c = m.evalConst(dtArg);
    if (!c)
      return std::nullopt;
    if (c->isComplex()) {
      error(dtArg.getLoc(), name + " expects a real step dt");
      return std::nullopt;
    }
  } else {
    dt = evalValue(dtArg);
    if (!dt)
      return std::nullopt;
  }
  if (!a || !b)
    return std::nullopt;
  const TensorType at = typeOf(*a);
  if (!isSystemDType(at.dtype)) {
    error(call.args[0]->getLoc(),
          name + " expects A of f32, f64, c64 or c128, got " + at.str());
    return std::nullopt;
  }
  if (dt && !isFloatDType(typeOf(*dt).dtype)) {
    error(dtArg.getLoc(), name +
                              " expects a real floating-point step dt, got " +
                              typeOf(*dt).str());
    return std::nullopt;
  }
  bool scalarStep = !dt || typeOf(*dt).getRank() == 0;
  if (!isComplexDType(at.dtype) && at.getRank() == 2 &&
      at.shape[0] == at.shape[1] && scalarStep)
    return discretizeDense(call, *a, *b, dt, dtConstant);
  return discretizeDiagonal(call, *a, *b, dt, dtConstant);
}

std::optional<std::vector<ValueRef>>
FunctionAnalyzer::discretizeDense(const ast::CallExpr &call, ValueRef a,
                                  ValueRef b, std::optional<ValueRef> dt,
                                  const ast::Expr *dtConstant) {
  const std::string &name = call.callee;
  const TensorType at = typeOf(a), bt = typeOf(b);
  const Extent &n = at.shape[0];
  if (bt.dtype != at.dtype || bt.getRank() < 1 || bt.getRank() > 2 ||
      bt.shape[0] != n) {
    std::string dtype = getDTypeName(at.dtype).str();
    error(call.args[1]->getLoc(),
          name + ": with the dense matrix A (" + at.str() + "), B must be " +
              dtype + "[" + n.str() + "] or " + dtype + "[" + n.str() +
              ", M] (a row per state) but has type " + bt.str());
    return std::nullopt;
  }
  ValueRef step;
  if (dtConstant) {
    // `f32(dt)`: the constant in A's dtype, rounded once.
    Synthesizer s(call.getLoc());
    auto v = analyzeSynthesized(s.define(
        hiddenName("dt"), {},
        s.call(getDTypeName(at.dtype).str(), s.cloneConstant(*dtConstant))));
    if (!v)
      return std::nullopt;
    step = *v;
  } else {
    step = *dt;
    if (typeOf(step).dtype != at.dtype)
      step = convertElements(step, at.dtype, call.args[2]->getLoc());
  }
  Value v;
  v.kind = Value::Kind::Discretize;
  v.loc = call.getLoc();
  v.types = {at, bt};
  v.operands = {a, b, step};
  v.bilinear = name == "discretize_bilinear";
  ValueRef base = addValue(std::move(v));
  return std::vector<ValueRef>{base, ValueRef{base.id, 1}};
}

std::optional<std::vector<ValueRef>>
FunctionAnalyzer::discretizeDiagonal(const ast::CallExpr &call, ValueRef a,
                                     ValueRef b, std::optional<ValueRef> dt,
                                     const ast::Expr *dtConstant) {
  const std::string &name = call.callee;
  const TensorType at = typeOf(a), bt = typeOf(b);
  if (at.getRank() == 0) {
    error(call.args[0]->getLoc(),
          name +
              " expects A to be the diagonal of a system [N] (or a tensor "
              "of diagonals [..., N]) or a dense square matrix [N, N], but "
              "A is " +
              at.str());
    return std::nullopt;
  }
  if (bt.shape != at.shape || !isSystemDType(bt.dtype) ||
      realOf(bt.dtype) != realOf(at.dtype)) {
    DType real = realOf(at.dtype);
    error(call.args[1]->getLoc(),
          name + ": B must have the shape of the diagonal A, " +
              shapeString(at) + ", with " + getDTypeName(real).str() + " or " +
              (real == DType::F32 ? "c64" : "c128") +
              " elements, but has type " + bt.str());
    return std::nullopt;
  }
  size_t dtRank = 0;
  if (dt) {
    TensorType dtt = typeOf(*dt);
    dtRank = dtt.shape.size();
    if (dtRank > at.shape.size() ||
        !std::equal(dtt.shape.begin(), dtt.shape.end(), at.shape.begin())) {
      error(call.args[2]->getLoc(),
            name +
                ": dt must be a scalar or have the leading dimensions of "
                "A's shape " +
                shapeString(at) +
                " (it is broadcast over the others), but has type " +
                dtt.str());
      return std::nullopt;
    }
    if (dtt.dtype != realOf(at.dtype))
      dt = convertElements(*dt, realOf(at.dtype), call.args[2]->getLoc());
  }
  return expandDiagonal(call, a, b, dt, dtRank, dtConstant);
}

std::optional<std::vector<ValueRef>>
FunctionAnalyzer::expandDiagonal(const ast::CallExpr &call, ValueRef a,
                                 ValueRef b, std::optional<ValueRef> dt,
                                 size_t dtRank, const ast::Expr *dtConstant) {
  std::vector<std::string> hidden;
  llvm::scope_exit unbind([&] {
    for (const std::string &h : hidden)
      names.erase(h);
  });
  Synthesizer s(call.getLoc());
  std::string av = bindHidden("A", a, hidden), bv = bindHidden("B", b, hidden);
  std::string dv = dt ? bindHidden("dt", *dt, hidden) : "";
  std::vector<std::string> idx;
  for (int64_t d = 0; d < typeOf(a).getRank(); ++d)
    idx.push_back(hiddenName("i" + std::to_string(d)));
  std::vector<std::string> dtIdx(idx.begin(), idx.begin() + dtRank);
  auto step = [&] {
    if (!dt)
      return s.cloneConstant(*dtConstant);
    return dtRank ? s.read(dv, dtIdx) : s.name(dv);
  };
  auto readA = [&] { return s.read(av, idx); };
  auto readB = [&] { return s.read(bv, idx); };
  auto one = [&] { return s.number("1"); };
  std::optional<ValueRef> abar, bbar;
  if (call.callee == "discretize_zoh") {
    abar = analyzeSynthesized(s.define(hiddenName("Abar"), idx,
                                       s.call("exp", s.mul(step(), readA()))));
    if (!abar)
      return std::nullopt;
    std::string abarName = bindHidden("Abar", *abar, hidden);
    auto gain =
        s.mul(s.div(s.sub(s.read(abarName, idx), one()), readA()), readB());
    bbar = analyzeSynthesized(s.define(
        hiddenName("Bbar"), idx,
        s.call("where", s.binary(Synthesizer::Op::Eq, readA(), s.number("0")),
               s.mul(step(), readB()), std::move(gain))));
  } else {
    auto half = [&] { return s.mul(s.mul(s.number("0.5"), step()), readA()); };
    abar = analyzeSynthesized(
        s.define(hiddenName("Abar"), idx,
                 s.div(s.add(one(), half()), s.sub(one(), half()))));
    bbar = analyzeSynthesized(
        s.define(hiddenName("Bbar"), idx,
                 s.div(s.mul(step(), readB()), s.sub(one(), half()))));
  }
  if (!abar || !bbar)
    return std::nullopt;
  return std::vector<ValueRef>{*abar, *bbar};
}
