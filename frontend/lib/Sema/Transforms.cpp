//===- Transforms.cpp - Structured transforms as whole values -------------===//
//
// The structured transforms' built-ins: fft, ifft, rfft, irfft (numpy.fft's
// conventions, any length; a real argument of fft is converted to the
// complex type of its precision, as numpy does), fft_twiddles, butterfly,
// permute, blockdiag and monarch: their argument checks and result types.
//
//===----------------------------------------------------------------------===//

#include "Analyzer.h"

#include "llvm/Support/MathExtras.h"

using namespace tessera;
using namespace tessera::sema;
using llvm::dyn_cast;

/// The complex dtype of `dt`'s precision.
static DType complexOf(DType dt) {
  return dt == DType::F64 || dt == DType::C128 ? DType::C128 : DType::C64;
}

ValueRef FunctionAnalyzer::convertElements(ValueRef x, DType to,
                                           ast::SourceLoc loc) {
  const TensorType t = typeOf(x);
  size_t rank = t.shape.size();
  auto c = std::make_unique<Contraction>();
  c->loopExtents = t.shape;
  ContractionOperand operand;
  operand.value = x;
  for (size_t d = 0; d < rank; ++d) {
    c->loopNames.push_back("d" + std::to_string(d));
    c->resultLoops.push_back(static_cast<unsigned>(d));
    AffineSubscript s;
    s.coeffs.assign(rank, 0);
    s.coeffs[d] = 1;
    operand.subscripts.push_back(std::move(s));
  }
  c->operands.push_back(std::move(operand));
  auto read = std::make_unique<ScalarExpr>();
  read->kind = ScalarExpr::Kind::Read;
  read->dtype = t.dtype;
  read->loc = loc;
  c->body = std::make_unique<ScalarExpr>();
  c->body->kind = ScalarExpr::Kind::Cast;
  c->body->dtype = to;
  c->body->loc = loc;
  c->body->args.push_back(std::move(read));
  return addContraction(std::move(c), loc);
}

std::optional<ValueRef>
FunctionAnalyzer::evalFourier(const ast::CallExpr &call) {
  if (call.callee == "rfft" || call.callee == "irfft")
    return evalRealFourier(call);
  bool inverse = call.callee == "ifft";
  auto args = evalTensorAndAxis(
      call,
      [](DType dt) {
        return dt == DType::F32 || dt == DType::F64 || isComplexDType(dt);
      },
      "an f32, f64, c64 or c128 tensor");
  if (!args)
    return std::nullopt;
  ValueRef x = args->first;
  TensorType t = typeOf(x);
  if (!isComplexDType(t.dtype)) {
    t.dtype = t.dtype == DType::F64 ? DType::C128 : DType::C64;
    x = convertElements(x, t.dtype, call.args[0]->getLoc());
  }
  Value v;
  v.kind = inverse ? Value::Kind::Ifft : Value::Kind::Fft;
  v.loc = call.getLoc();
  v.types.push_back(t);
  v.operands.push_back(x);
  v.axis = args->second;
  return addValue(std::move(v));
}

/// The extent of the size expression `e`, or an error at `loc` when it is
/// invalid whatever its symbols.
std::optional<Extent> FunctionAnalyzer::sizeExtent(SizeExprPtr e,
                                                   ast::SourceLoc loc) {
  std::string why;
  std::optional<Extent> extent = Extent::get(e, why);
  if (!extent)
    error(loc, "invalid size '" + e->str() + "': " + why);
  else if (extent->isLiteral())
    return Extent::literal(extent->getValue());
  return extent;
}

/// `e` as a number when it is a literal, else as written.
static std::string extentText(const Extent &e) {
  return e.isLiteral() ? std::to_string(e.getValue()) : e.str();
}

std::optional<ValueRef>
FunctionAnalyzer::evalFftTwiddles(const ast::CallExpr &call,
                                  std::optional<DType> precision) {
  if (call.args.empty() || call.args.size() > 2) {
    error(call.getLoc(), "fft_twiddles expects a length and optionally a "
                         "complex dtype (fft_twiddles(1024, c128))");
    return std::nullopt;
  }
  // N is a size (a constant, a size symbol or an expression of them); a
  // symbolic one is checked at every call.
  auto n = extentOfExpr(*call.args[0]);
  if (!n)
    return std::nullopt;
  if (!requireSize(SizeRule::PowerOfTwo, *n, std::nullopt,
                   "fft_twiddles length", -1, call.getLoc())) {
    error(call.args[0]->getLoc(),
          "fft_twiddles expects a power-of-two length, got " + n->str());
    return std::nullopt;
  }
  DType dt = precision.value_or(DType::C64);
  if (call.args.size() == 2) {
    auto *name = dyn_cast<ast::NameExpr>(call.args[1].get());
    std::optional<DType> named =
        name ? parseDTypeName(name->name) : std::nullopt;
    if (!named || !isComplexDType(*named)) {
      error(call.args[1]->getLoc(), "expected c64 or c128");
      return std::nullopt;
    }
    dt = *named;
  }
  // [log2(N), N / 2, 2, 2].
  using Kind = SizeExpr::Kind;
  auto log2 =
      sizeExtent(SizeExpr::unary(Kind::Log2, n->getWritten()), call.getLoc());
  auto half = sizeExtent(
      SizeExpr::binary(Kind::FloorDiv, n->getWritten(), SizeExpr::literal(2)),
      call.getLoc());
  if (!log2 || !half)
    return std::nullopt;
  Value v;
  v.kind = Value::Kind::FftTwiddles;
  v.loc = call.getLoc();
  v.types.push_back(
      TensorType{dt, {*log2, *half, Extent::literal(2), Extent::literal(2)}});
  v.length = *n;
  return addValue(std::move(v));
}

bool FunctionAnalyzer::checkTwiddles(const ast::CallExpr &call,
                                     const TensorType &twt, const Extent &n,
                                     int64_t axis) {
  // [F, N / 2, 2, 2] with N a power of two and 2^F <= N: checked here for
  // literals, at every call for symbols.
  auto half = sizeExtent(SizeExpr::binary(SizeExpr::Kind::FloorDiv,
                                          n.getWritten(), SizeExpr::literal(2)),
                         call.getLoc());
  if (!half)
    return false;
  bool ok = twt.getRank() == 4 && twt.shape[2] == Extent::literal(2) &&
            twt.shape[3] == Extent::literal(2) && twt.shape[1] == *half &&
            requireSize(SizeRule::PowerOfTwo, n, std::nullopt,
                        "butterfly length", axis, call.getLoc()) &&
            requireSize(SizeRule::AtMostLog2, twt.shape[0], n,
                        "butterfly factor count", axis, call.getLoc());
  if (!ok)
    error(call.args[0]->getLoc(),
          "butterfly of length " + extentText(n) +
              " needs a power-of-two length and twiddles [F, " +
              extentText(*half) + ", 2, 2] with 2^F <= " + extentText(n) +
              ", got " + twt.str());
  return ok;
}

/// True for the dtypes the factored transforms compute in.
static bool isTransformDType(DType dt) {
  return dt == DType::F32 || dt == DType::F64 || isComplexDType(dt);
}

std::optional<ValueRef>
FunctionAnalyzer::evalButterfly(const ast::CallExpr &call) {
  if (call.args.size() != 3) {
    error(call.getLoc(), "butterfly expects 3 arguments (twiddles, tensor, "
                         "axis) but " +
                             std::to_string(call.args.size()) + " were given");
    return std::nullopt;
  }
  auto x = evalValue(*call.args[1]);
  auto axis = m.evalConst(*call.args[2]);
  if (!x || !axis)
    return std::nullopt;
  TensorType xt = typeOf(*x);
  if (!checkTransformRank(xt, call.args[1]->getLoc(), "butterfly"))
    return std::nullopt;
  if (!isTransformDType(xt.dtype)) {
    error(call.args[1]->getLoc(),
          "butterfly expects an f32, f64, c64 or c128 tensor, got " + xt.str());
    return std::nullopt;
  }
  // fft_twiddles(N) as the argument takes the precision of x.
  auto *twCall = dyn_cast<ast::CallExpr>(call.args[0].get());
  auto tw = twCall && twCall->callee == "fft_twiddles"
                ? evalFftTwiddles(*twCall, complexOf(xt.dtype))
                : evalValue(*call.args[0]);
  if (!tw)
    return std::nullopt;
  TensorType twt = typeOf(*tw);
  int64_t rank = xt.getRank();
  if (!axis->isInt() || axis->i < -rank || axis->i >= rank) {
    error(call.args[2]->getLoc(),
          "butterfly axis must be an integer in [" + std::to_string(-rank) +
              ", " + std::to_string(rank) + ") for " + xt.str());
    return std::nullopt;
  }
  int64_t dim = axis->i < 0 ? axis->i + rank : axis->i;
  if (!checkTwiddles(call, twt, xt.shape[dim], dim))
    return std::nullopt;
  if (!isTransformDType(twt.dtype) ||
      complexOf(twt.dtype) != complexOf(xt.dtype)) {
    error(call.args[0]->getLoc(), "butterfly twiddles " + twt.str() +
                                      " do not match the precision of " +
                                      xt.str());
    return std::nullopt;
  }
  // Complex twiddles make the result complex; real ones apply as complex
  // numbers to complex data.
  DType dt = isComplexDType(twt.dtype) ? twt.dtype : xt.dtype;
  if (xt.dtype != dt)
    x = convertElements(*x, dt, call.args[1]->getLoc());
  if (twt.dtype != dt)
    tw = convertElements(*tw, dt, call.args[0]->getLoc());
  xt.dtype = dt;
  Value v;
  v.kind = Value::Kind::Butterfly;
  v.loc = call.getLoc();
  v.types.push_back(xt);
  v.operands = {*tw, *x};
  v.axis = dim;
  return addValue(std::move(v));
}

std::optional<ValueRef>
FunctionAnalyzer::evalPermute(const ast::CallExpr &call) {
  if (call.args.size() != 3) {
    error(call.getLoc(), "permute expects 3 arguments (tensor, permutation, "
                         "axis) but " +
                             std::to_string(call.args.size()) + " were given");
    return std::nullopt;
  }
  auto x = evalValue(*call.args[0]);
  auto perm = evalValue(*call.args[1]);
  auto axis = m.evalConst(*call.args[2]);
  if (!x || !perm || !axis)
    return std::nullopt;
  const TensorType xt = typeOf(*x), pt = typeOf(*perm);
  if (!checkTransformRank(xt, call.args[0]->getLoc(), "permute"))
    return std::nullopt;
  int64_t rank = xt.getRank();
  if (!axis->isInt() || axis->i < -rank || axis->i >= rank || rank == 0) {
    error(call.args[2]->getLoc(),
          "permute axis must be an integer in [" + std::to_string(-rank) +
              ", " + std::to_string(rank) + ") for " + xt.str());
    return std::nullopt;
  }
  int64_t dim = axis->i < 0 ? axis->i + rank : axis->i;
  if (pt.getRank() != 1 || (pt.dtype != DType::I32 && pt.dtype != DType::I64) ||
      pt.shape[0] != xt.shape[dim]) {
    error(call.args[1]->getLoc(),
          "permute expects an i32 or i64 vector of the axis' length (" +
              xt.shape[dim].str() + "), got " + pt.str());
    return std::nullopt;
  }
  Value v;
  v.kind = Value::Kind::Permute;
  v.loc = call.getLoc();
  v.types.push_back(xt);
  v.operands = {*x, *perm};
  v.axis = dim;
  return addValue(std::move(v));
}

/// The extents of block weights `t` ([A, B, C]), or an error.
std::optional<std::array<Extent, 3>>
FunctionAnalyzer::blockExtents(const TensorType &t, ast::SourceLoc loc,
                               llvm::StringRef name) {
  if (t.getRank() != 3 || !isTransformDType(t.dtype)) {
    error(loc, name.str() +
                   " must be an f32, f64, c64 or c128 tensor of "
                   "rank 3 (blocks, rows, columns), got " +
                   t.str());
    return std::nullopt;
  }
  return std::array<Extent, 3>{t.shape[0], t.shape[1], t.shape[2]};
}

std::optional<ValueRef>
FunctionAnalyzer::evalBlockTransform(const ast::CallExpr &call) {
  bool monarch = call.callee == "monarch";
  size_t numWeights = monarch ? 2 : 1;
  if (call.args.size() != numWeights + 2) {
    error(call.getLoc(), call.callee + " expects " +
                             std::to_string(numWeights + 2) + " arguments (" +
                             (monarch ? "w1, w2" : "weights") +
                             ", tensor, axis) but " +
                             std::to_string(call.args.size()) + " were given");
    return std::nullopt;
  }
  std::vector<ValueRef> weights;
  std::vector<std::array<Extent, 3>> shapes;
  for (size_t i = 0; i < numWeights; ++i) {
    auto w = evalValue(*call.args[i]);
    if (!w)
      return std::nullopt;
    auto e = blockExtents(typeOf(*w), call.args[i]->getLoc(),
                          monarch ? "w" + std::to_string(i + 1) : "weights");
    if (!e)
      return std::nullopt;
    weights.push_back(*w);
    shapes.push_back(*e);
  }
  auto x = evalValue(*call.args[numWeights]);
  auto axis = m.evalConst(*call.args[numWeights + 1]);
  if (!x || !axis)
    return std::nullopt;
  TensorType xt = typeOf(*x);
  int64_t rank = xt.getRank();
  const ast::Expr &xExpr = *call.args[numWeights];
  if (!checkTransformRank(xt, xExpr.getLoc(), call.callee))
    return std::nullopt;
  if (!axis->isInt() || axis->i < -rank || axis->i >= rank || rank == 0) {
    error(call.args[numWeights + 1]->getLoc(),
          call.callee + " axis must be an integer in [" +
              std::to_string(-rank) + ", " + std::to_string(rank) + ") for " +
              xt.str());
    return std::nullopt;
  }
  int64_t dim = axis->i < 0 ? axis->i + rank : axis->i;
  for (ValueRef w : weights)
    if (typeOf(w).dtype != xt.dtype) {
      error(call.getLoc(), call.callee + " weights " + typeOf(w).str() +
                               " and the tensor " + xt.str() +
                               " must have one dtype");
      return std::nullopt;
    }
  auto product = [&](const Extent &a, const Extent &b) {
    return sizeExtent(
        SizeExpr::binary(SizeExpr::Kind::Mul, a.getWritten(), b.getWritten()),
        call.getLoc());
  };
  const auto &[k, q, p] = shapes[0];
  auto in = product(k, p), out = product(k, q);
  if (!in || !out)
    return std::nullopt;
  if (*in != xt.shape[dim]) {
    error(xExpr.getLoc(), call.callee + " weights " + typeOf(weights[0]).str() +
                              " take " + extentText(*in) +
                              " elements along the axis, but " + xt.str() +
                              " has " + extentText(xt.shape[dim]));
    return std::nullopt;
  }
  if (monarch) {
    const auto &[l, s, r] = shapes[1];
    auto terms = product(l, r);
    out = product(s, l);
    if (!terms || !out)
      return std::nullopt;
    if (*terms != *product(k, q)) {
      error(call.args[1]->getLoc(),
            "monarch: w1 gives " + extentText(*product(k, q)) +
                " terms but w2 " + typeOf(weights[1]).str() + " takes " +
                extentText(*terms) + " (L * R must equal K * Q)");
      return std::nullopt;
    }
  }
  xt.shape[dim] = *out;
  Value v;
  v.kind = monarch ? Value::Kind::Monarch : Value::Kind::BlockDiag;
  v.loc = call.getLoc();
  v.types.push_back(xt);
  v.operands = weights;
  v.operands.push_back(*x);
  v.axis = dim;
  return addValue(std::move(v));
}

std::optional<ValueRef>
FunctionAnalyzer::evalRealFourier(const ast::CallExpr &call) {
  bool inverse = call.callee == "irfft";
  size_t numArgs = call.args.size();
  if (numArgs < 2 || numArgs > (inverse ? 3u : 2u)) {
    error(call.getLoc(), call.callee +
                             (inverse ? " expects 2 or 3 arguments (tensor, "
                                        "axis[, n])"
                                      : " expects 2 arguments (tensor, axis)") +
                             " but " + std::to_string(numArgs) + " were given");
    return std::nullopt;
  }
  auto x = evalValue(*call.args[0]);
  auto axis = m.evalConst(*call.args[1]);
  if (!x || !axis)
    return std::nullopt;
  TensorType t = typeOf(*x);
  if (!checkTransformRank(t, call.args[0]->getLoc(), call.callee))
    return std::nullopt;
  bool accepted = t.dtype == DType::F32 || t.dtype == DType::F64 ||
                  (inverse && isComplexDType(t.dtype));
  if (!accepted) {
    error(call.args[0]->getLoc(),
          call.callee + " expects " +
              (inverse ? "a c64 or c128 tensor" : "an f32 or f64 tensor") +
              ", got " + t.str() +
              (!inverse && isComplexDType(t.dtype) ? " (use fft)" : ""));
    return std::nullopt;
  }
  int64_t rank = t.getRank();
  if (!axis->isInt() || axis->i < -rank || axis->i >= rank) {
    error(call.args[1]->getLoc(),
          call.callee + " axis must be an integer in [" +
              std::to_string(-rank) + ", " + std::to_string(rank) + ") for " +
              t.str());
    return std::nullopt;
  }
  int64_t dim = axis->i < 0 ? axis->i + rank : axis->i;
  using Kind = SizeExpr::Kind;
  const Extent length = t.shape[dim];
  if (length.isLiteral() && length.getValue() < 1) {
    error(call.args[0]->getLoc(), call.callee +
                                      " needs at least one element along "
                                      "the axis, but " +
                                      t.str() + " has none");
    return std::nullopt;
  }
  Value v;
  v.loc = call.getLoc();
  v.axis = dim;
  if (!inverse) {
    // N / 2 + 1 bins.
    auto bins = sizeExtent(
        SizeExpr::binary(Kind::Add,
                         SizeExpr::binary(Kind::FloorDiv, length.getWritten(),
                                          SizeExpr::literal(2)),
                         SizeExpr::literal(1)),
        call.getLoc());
    if (!bins)
      return std::nullopt;
    v.kind = Value::Kind::Rfft;
    t.dtype = complexOf(t.dtype);
    t.shape[dim] = *bins;
  } else {
    if (!isComplexDType(t.dtype))
      x = convertElements(*x, complexOf(t.dtype), call.args[0]->getLoc());
    auto n = irfftLength(call, t, length);
    if (!n)
      return std::nullopt;
    v.kind = Value::Kind::Irfft;
    t.dtype = t.dtype == DType::C128 || t.dtype == DType::F64 ? DType::F64
                                                              : DType::F32;
    t.shape[dim] = *n;
  }
  v.types.push_back(t);
  v.operands.push_back(*x);
  return addValue(std::move(v));
}

bool FunctionAnalyzer::checkTransformRank(const TensorType &t,
                                          ast::SourceLoc loc,
                                          llvm::StringRef name) {
  if (t.getRank() >= 1 && t.getRank() <= 8)
    return true;
  error(loc, name.str() + " takes tensors of rank 1 to 8, got " + t.str());
  return false;
}

std::optional<Extent> FunctionAnalyzer::irfftLength(const ast::CallExpr &call,
                                                    const TensorType &t,
                                                    const Extent &terms) {
  if (call.args.size() == 3) {
    auto n = extentOfExpr(*call.args[2]);
    if (!n)
      return std::nullopt;
    if (n->isLiteral() && n->getValue() < 1) {
      error(call.args[2]->getLoc(), "irfft length must be positive, got " +
                                        std::to_string(n->getValue()));
      return std::nullopt;
    }
    return n;
  }
  if (terms.isLiteral() && terms.getValue() < 2) {
    error(call.args[0]->getLoc(),
          "irfft of " + t.str() +
              " has no default length (2 * (M - 1) < 1): give n");
    return std::nullopt;
  }
  // 2 * (M - 1).
  using Kind = SizeExpr::Kind;
  return sizeExtent(
      SizeExpr::binary(Kind::Mul, SizeExpr::literal(2),
                       SizeExpr::binary(Kind::Sub, terms.getWritten(),
                                        SizeExpr::literal(1))),
      call.getLoc());
}
