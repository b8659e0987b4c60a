//===- SelectiveScan.cpp - Mamba's selective scan as its three lines ------===//
//
// `selective_scan(u, delta, A, B, C[, D][, z][, delta_bias]
// [, delta_softplus])` has the semantics of mamba_ssm's selective_scan_ref
// (real A). Sema writes it as the statements a program would
// (Synthesized.h), with B and C read as [B, N, L] (`Bm[b, n, l]`) or,
// time-invariant, as [D, N] (`Bm[d, n]`):
//
//   dt[b, d, l] = softplus(delta[b, d, l] + delta_bias[d])
//   x[b, d, l, n] = exp(dt[b, d, l] * A[d, n]) * x[b, d, l - 1, n]
//                   + dt[b, d, l] * Bm[b, n, l] * u[b, d, l]
//   y[b, d, l] = x[b, d, l, n] * Cm[b, n, l] + Dv[d] * u[b, d, l]
//   out[b, d, l] = y[b, d, l] * silu(z[b, d, l])
//
// (without delta_bias and delta_softplus, dt is delta itself; without D the
// readout has no second term; without z, y is the result), so that the
// recurrence and its readout compile exactly as those lines do: one tiled,
// vectorized scan whose (B, D, L, N) state sequence is never stored.
//
//===----------------------------------------------------------------------===//

#include "Analyzer.h"
#include "Synthesized.h"

#include "llvm/ADT/ScopeExit.h"

using namespace tessera;
using namespace tessera::sema;
using ast::SourceLoc;

/// The checked arguments of a selective scan, with its extents: u is
/// [B, D, L] (`batch`, `channels`, `length`), A [D, N] (`states`).
struct tessera::sema::SelectiveScanArgs {
  ValueRef u, delta, a, b, c;
  std::optional<ValueRef> d, z, bias;
  /// A constant D (copied into the readout); null when D is absent or a
  /// value.
  const ast::Expr *dConstant = nullptr;
  bool softplus = false;
  DType dtype = DType::F32;
  Extent batch, channels, length, states;
};

/// Whether `t` is `dtype[extents...]`.
static bool hasType(const TensorType &t, DType dtype,
                    const std::vector<Extent> &extents) {
  return t.dtype == dtype && t.shape == extents;
}

std::optional<ValueRef>
FunctionAnalyzer::evalSelectiveScan(const ast::CallExpr &call) {
  size_t count = call.args.size();
  if (count < 5 || count > 9) {
    error(call.getLoc(),
          "selective_scan expects 5 to 9 arguments (u, delta, A, B, C[, D]"
          "[, z][, delta_bias][, delta_softplus]) but " +
              std::to_string(count) + " were given");
    return std::nullopt;
  }
  std::vector<std::optional<ValueRef>> first;
  for (size_t i = 0; i < 5; ++i)
    first.push_back(evalValue(*call.args[i]));
  for (const std::optional<ValueRef> &v : first)
    if (!v)
      return std::nullopt;
  SelectiveScanArgs args;
  args.u = *first[0];
  args.delta = *first[1];
  args.a = *first[2];
  args.b = *first[3];
  args.c = *first[4];
  const TensorType ut = typeOf(args.u);
  auto fail = [&](size_t i, const std::string &want) {
    error(call.args[i]->getLoc(), "selective_scan: " + want + " but has type " +
                                      typeOf(*first[i]).str());
    return std::nullopt;
  };
  if (ut.getRank() != 3 || (ut.dtype != DType::F32 && ut.dtype != DType::F64))
    return fail(0, "u must be f32[B, D, L] or f64[B, D, L]");
  std::string dtName = getDTypeName(ut.dtype).str();
  args.dtype = ut.dtype;
  args.batch = ut.shape[0];
  args.channels = ut.shape[1];
  args.length = ut.shape[2];
  if (!(typeOf(args.delta) == ut))
    return fail(1, "delta must have u's type " + ut.str());
  const TensorType at = typeOf(args.a);
  if (at.dtype != ut.dtype || at.getRank() != 2 || at.shape[0] != args.channels)
    return fail(2, "A must be " + dtName + "[" + args.channels.str() +
                       ", N] (u is " + ut.str() + ")");
  args.states = at.shape[1];
  for (size_t i : {3, 4}) {
    const TensorType t = typeOf(*first[i]);
    if (!hasType(t, ut.dtype, {args.batch, args.states, args.length}) &&
        !hasType(t, ut.dtype, {args.channels, args.states})) {
      std::string n = args.states.str();
      return fail(i, std::string(i == 3 ? "B" : "C") + " must be " + dtName +
                         "[" + args.batch.str() + ", " + n + ", " +
                         args.length.str() + "] or, time-invariant, " + dtName +
                         "[" + args.channels.str() + ", " + n + "]");
    }
  }
  if (!checkSelectiveScanOptions(call, args))
    return std::nullopt;
  return expandSelectiveScan(call, args);
}

bool FunctionAnalyzer::checkSelectiveScanOptions(const ast::CallExpr &call,
                                                 SelectiveScanArgs &args) {
  std::string dtName = getDTypeName(args.dtype).str();
  std::vector<Extent> channels = {args.channels};
  const TensorType ut = typeOf(args.u);
  for (size_t i = 5, stage = 0; i < call.args.size(); ++i) {
    const ast::Expr &arg = *call.args[i];
    if (isConstantExpr(arg)) {
      std::optional<ConstValue> c = m.evalConst(arg);
      if (!c)
        return false;
      if (i == 5) {
        // D = 0 is the reference's D = None: no readout term.
        if (c->isComplex()) {
          error(arg.getLoc(), "selective_scan: D must be real");
          return false;
        }
        args.dConstant = c->re != 0 ? &arg : nullptr;
        continue;
      }
      if (!c->isInt() || (c->i != 0 && c->i != 1) || stage > 2) {
        error(arg.getLoc(),
              stage > 2 ? "selective_scan: delta_softplus is given twice"
                        : "selective_scan: delta_softplus must be 0 or 1");
        return false;
      }
      args.softplus = c->i == 1;
      stage = 3;
      continue;
    }
    auto v = evalValue(arg);
    if (!v)
      return false;
    const TensorType t = typeOf(*v);
    if (i == 5) {
      if (!hasType(t, args.dtype, channels) && !hasType(t, args.dtype, {})) {
        error(arg.getLoc(), "selective_scan: D must be " + dtName + "[" +
                                args.channels.str() + "] or a scalar " +
                                dtName + " but has type " + t.str());
        return false;
      }
      args.d = v;
      continue;
    }
    // z is u's type, delta_bias [D]; they come in this order.
    size_t kind = t == ut ? 1 : hasType(t, args.dtype, channels) ? 2 : 0;
    std::string position = "selective_scan: argument " + std::to_string(i + 1);
    if (kind == 0) {
      error(arg.getLoc(),
            position + " must be z (" + ut.str() + "), delta_bias (" + dtName +
                "[" + args.channels.str() +
                "]) or delta_softplus (0 or 1), but has type " + t.str());
      return false;
    }
    if (kind <= stage) {
      error(arg.getLoc(), position + (kind == 1 ? " (z)" : " (delta_bias)") +
                              " is out of order: after D come z, delta_bias "
                              "and delta_softplus, in this order, each at "
                              "most once");
      return false;
    }
    (kind == 1 ? args.z : args.bias) = v;
    stage = kind;
  }
  return true;
}

std::optional<ValueRef>
FunctionAnalyzer::expandSelectiveScan(const ast::CallExpr &call,
                                      const SelectiveScanArgs &args) {
  std::vector<std::string> hidden;
  llvm::scope_exit unbind([&] {
    for (const std::string &h : hidden)
      names.erase(h);
  });
  Synthesizer s(call.getLoc());
  std::string b = hiddenName("b"), d = hiddenName("d"), l = hiddenName("l"),
              n = hiddenName("n");
  std::vector<std::string> bdl = {b, d, l};
  std::string u = bindHidden("u", args.u, hidden);
  std::string dt = bindHidden("delta", args.delta, hidden);
  std::string a = bindHidden("A", args.a, hidden);
  // B and C at step l: [B, N, L] or time-invariant [D, N].
  auto perStep = [&](ValueRef v, const std::string &what) {
    std::string name = bindHidden(what, v, hidden);
    bool variable = typeOf(v).getRank() == 3;
    return [&s, name, variable, b, d, l, n] {
      return variable ? s.read(name, {b, n, l}) : s.read(name, {d, n});
    };
  };
  auto readB = perStep(args.b, "B");
  auto readC = perStep(args.c, "C");
  if (args.bias || args.softplus) {
    ast::ExprPtr step = s.read(dt, bdl);
    if (args.bias)
      step = s.add(std::move(step),
                   s.read(bindHidden("delta_bias", *args.bias, hidden), {d}));
    if (args.softplus)
      step = s.call("softplus", std::move(step));
    auto v =
        analyzeSynthesized(s.define(hiddenName("dt"), bdl, std::move(step)));
    if (!v)
      return std::nullopt;
    dt = bindHidden("dt", *v, hidden);
  }
  // The recurrence reads its own earlier element: its target is unbound.
  std::string x = hiddenName("x." + std::to_string(numHidden++));
  std::vector<ast::ExprPtr> previous;
  previous.push_back(s.name(b));
  previous.push_back(s.name(d));
  previous.push_back(s.sub(s.name(l), s.number("1")));
  previous.push_back(s.name(n));
  auto state = analyzeSynthesized(s.define(
      x, {b, d, l, n},
      s.add(s.mul(s.call("exp", s.mul(s.read(dt, bdl), s.read(a, {d, n}))),
                  s.subscript(x, std::move(previous))),
            s.mul(s.mul(s.read(dt, bdl), readB()), s.read(u, bdl)))));
  if (!state)
    return std::nullopt;
  std::string xs = bindHidden("x", *state, hidden);
  ast::ExprPtr y = s.mul(s.read(xs, {b, d, l, n}), readC());
  if (args.d || args.dConstant) {
    ast::ExprPtr dv = args.dConstant ? s.cloneConstant(*args.dConstant)
                      : typeOf(*args.d).getRank() == 0
                          ? s.name(bindHidden("D", *args.d, hidden))
                          : s.read(bindHidden("D", *args.d, hidden), {d});
    y = s.add(std::move(y), s.mul(std::move(dv), s.read(u, bdl)));
  }
  auto out = analyzeSynthesized(s.define(hiddenName("y"), bdl, std::move(y)));
  if (!out || !args.z)
    return out;
  std::string ys = bindHidden("y", *out, hidden);
  std::string z = bindHidden("z", *args.z, hidden);
  return analyzeSynthesized(
      s.define(hiddenName("out"), bdl,
               s.mul(s.read(ys, bdl), s.call("silu", s.read(z, bdl)))));
}
