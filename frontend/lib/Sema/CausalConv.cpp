//===- CausalConv.cpp - The causal_conv built-in --------------------------===//
//
// `causal_conv(u, k, axis)`: y[..., t] = sum over s <= t of k[..., s]
// u[..., t - s] along `axis` of u. k's dimensions are u's last ones, each
// equal to u's or 1 (numpy's broadcasting), except along the axis, where k
// may have any length. The argument checks and the result type; the value
// is lowered to structured.causal_conv.
//
//===----------------------------------------------------------------------===//

#include "Analyzer.h"

using namespace tessera;
using namespace tessera::sema;

/// True for the dtypes the convolution computes in.
static bool isConvDType(DType dt) {
  return dt == DType::F32 || dt == DType::F64 || isComplexDType(dt);
}

/// The complex dtype of `dt`'s precision.
static DType complexPrecision(DType dt) {
  return dt == DType::F64 || dt == DType::C128 ? DType::C128 : DType::C64;
}

bool FunctionAnalyzer::checkConvKernelShape(const ast::CallExpr &call,
                                            const TensorType &ut,
                                            const TensorType &kt, int64_t dim) {
  int64_t lead = ut.getRank() - kt.getRank();
  ast::SourceLoc kLoc = call.args[1]->getLoc();
  if (kt.getRank() == 0 || lead < 0 || dim < lead) {
    error(kLoc, "causal_conv: k " + kt.str() + " has no dimension for axis " +
                    std::to_string(dim) + " of u " + ut.str() +
                    " (k's dimensions are u's last ones, as numpy "
                    "broadcasts)");
    return false;
  }
  for (int64_t j = 0; j < kt.getRank(); ++j) {
    const Extent &k = kt.shape[j], &u = ut.shape[lead + j];
    if (lead + j == dim || k == u || k == Extent::literal(1))
      continue;
    error(kLoc, "causal_conv: dimension " + std::to_string(j) + " of k " +
                    kt.str() + " is " + k.str() +
                    " but must be 1 or the extent of dimension " +
                    std::to_string(lead + j) + " of u " + ut.str() + " (" +
                    u.str() + ")");
    return false;
  }
  return true;
}

std::optional<ValueRef>
FunctionAnalyzer::evalCausalConv(const ast::CallExpr &call) {
  if (call.args.size() != 3) {
    error(call.getLoc(), "causal_conv expects 3 arguments (u, k, axis) but " +
                             std::to_string(call.args.size()) + " were given");
    return std::nullopt;
  }
  auto u = evalValue(*call.args[0]);
  auto k = evalValue(*call.args[1]);
  auto axis = m.evalConst(*call.args[2]);
  if (!u || !k || !axis)
    return std::nullopt;
  TensorType ut = typeOf(*u), kt = typeOf(*k);
  for (int i = 0; i < 2; ++i) {
    const TensorType &t = i ? kt : ut;
    if (isConvDType(t.dtype))
      continue;
    error(call.args[i]->getLoc(), std::string("causal_conv expects ") +
                                      (i ? "k" : "u") +
                                      " to be an f32, f64, c64 or c128 "
                                      "tensor, got " +
                                      t.str());
    return std::nullopt;
  }
  if (!checkTransformRank(ut, call.args[0]->getLoc(), "causal_conv"))
    return std::nullopt;
  int64_t rank = ut.getRank();
  if (!axis->isInt() || axis->i < -rank || axis->i >= rank) {
    error(call.args[2]->getLoc(),
          "causal_conv axis must be an integer in [" + std::to_string(-rank) +
              ", " + std::to_string(rank) + ") for " + ut.str());
    return std::nullopt;
  }
  int64_t dim = axis->i < 0 ? axis->i + rank : axis->i;
  if (complexPrecision(ut.dtype) != complexPrecision(kt.dtype)) {
    error(call.getLoc(), "causal_conv: u " + ut.str() + " and k " + kt.str() +
                             " must have the same precision");
    return std::nullopt;
  }
  if (!checkConvKernelShape(call, ut, kt, dim))
    return std::nullopt;
  // A real operand meets a complex one as a complex number.
  DType dt = isComplexDType(kt.dtype) ? kt.dtype : ut.dtype;
  if (ut.dtype != dt)
    u = convertElements(*u, dt, call.args[0]->getLoc());
  if (kt.dtype != dt)
    k = convertElements(*k, dt, call.args[1]->getLoc());
  ut.dtype = dt;
  Value v;
  v.kind = Value::Kind::CausalConv;
  v.loc = call.getLoc();
  v.types.push_back(ut);
  v.operands = {*u, *k};
  v.axis = dim;
  return addValue(std::move(v));
}
