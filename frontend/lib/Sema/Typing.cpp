//===- Typing.cpp - Typing rules of scalar expressions --------------------===//

#include "tessera/Frontend/Sema/Typing.h"

#include <cmath>

using namespace tessera;
using namespace tessera::sema;
using ast::SourceLoc;

/// Weak values order integer < float < complex: the wider one wins.
static int weakRank(DType t) {
  return isComplexDType(t) ? 2 : isFloatDType(t) ? 1 : 0;
}

/// True for the types of real and complex floating-point numbers.
static bool isInexact(DType t) { return isFloatDType(t) || isComplexDType(t); }

/// The complex dtype with parts of dtype `part`, if there is one.
static std::optional<DType> getComplexOf(DType part) {
  if (part == DType::F32)
    return DType::C64;
  if (part == DType::F64)
    return DType::C128;
  return std::nullopt;
}

/// The dtype of the real and imaginary parts of complex `t`.
static DType getPartOf(DType t) {
  return t == DType::C128 ? DType::F64 : DType::F32;
}

static ScalarExprPtr makeNode(ScalarExpr::Kind k, DType t, SourceLoc loc);

void sema::wrapInCast(ScalarExpr &e, DType to) {
  auto inner = std::make_unique<ScalarExpr>(std::move(e));
  e = ScalarExpr();
  e.kind = ScalarExpr::Kind::Cast;
  e.loc = inner->loc;
  e.dtype = to;
  e.args.push_back(std::move(inner));
}

static ScalarExprPtr makeNode(ScalarExpr::Kind k, DType t, SourceLoc loc) {
  auto e = std::make_unique<ScalarExpr>();
  e->kind = k;
  e->dtype = t;
  e->loc = loc;
  return e;
}

/// Converts a float constant to an integer of `to`, truncating toward zero;
/// false if it does not fit.
static bool truncateToInteger(ScalarExpr &c, DType to) {
  double v = c.floatValue;
  double lo = to == DType::I32 ? -2147483648.0 : -9223372036854775808.0;
  double hi = to == DType::I32 ? 2147483648.0 : 9223372036854775808.0;
  if (!std::isfinite(v) || std::trunc(v) < lo || std::trunc(v) >= hi)
    return false;
  c.intValue = static_cast<int64_t>(std::trunc(v));
  return true;
}

//===----------------------------------------------------------------------===//
// Leaves
//===----------------------------------------------------------------------===//

Typed TypeRules::constant(const ConstValue &v, SourceLoc loc) {
  DType dt = v.isComplex() ? DType::C64 : v.isInt() ? DType::I64 : DType::F32;
  Typed t;
  t.weak = true;
  t.e = makeNode(ScalarExpr::Kind::Constant, dt, loc);
  t.e->intValue = v.i;
  t.e->floatValue = v.re;
  t.e->imagValue = v.im;
  return t;
}

Typed TypeRules::previousState(SourceLoc loc) {
  Typed t;
  t.weak = true;
  t.e = makeNode(ScalarExpr::Kind::Previous, DType::I64, loc);
  return t;
}

Typed TypeRules::loopIndex(unsigned loop, SourceLoc loc) {
  Typed t;
  t.weak = true;
  t.e = makeNode(ScalarExpr::Kind::LoopIndex, DType::I64, loc);
  t.e->loop = loop;
  return t;
}

Typed TypeRules::sizeValue(llvm::StringRef symbol, SourceLoc loc) {
  Typed t;
  t.weak = true;
  t.e = makeNode(ScalarExpr::Kind::SizeValue, DType::I64, loc);
  t.e->symbol = symbol.str();
  return t;
}

Typed TypeRules::read(unsigned operand, DType dtype, SourceLoc loc) {
  Typed t;
  t.e = makeNode(ScalarExpr::Kind::Read, dtype, loc);
  t.e->operand = operand;
  return t;
}

//===----------------------------------------------------------------------===//
// Weak values
//===----------------------------------------------------------------------===//

void TypeRules::defaultWeak(Typed &t) {
  // Weak integers default to i64, weak floats to f32 and weak complex
  // numbers to c64; the node already carries that dtype.
  t.weak = false;
}

/// Gives a weak (untyped) subtree the dtype `to`: constants take it
/// directly, indices and size values are converted once at the leaves, and
/// the operations in between compute in `to`.
bool TypeRules::retype(ScalarExpr &e, DType to, SourceLoc loc) {
  if (to != DType::Bool && weakRank(e.dtype) > weakRank(to)) {
    bool complex = isComplexDType(e.dtype);
    diag.error(loc, std::string(complex ? "a complex " : "a floating-point ") +
                        (e.kind == ScalarExpr::Kind::Constant ? "literal"
                                                              : "expression") +
                        " cannot be used as " + getDTypeName(to).str() +
                        (complex ? " (take re(...), im(...) or abs(...))"
                                 : " (convert it explicitly, e.g. " +
                                       getDTypeName(to).str() + "(...))"));
    return false;
  }
  if (to == DType::Bool) {
    diag.error(loc, "a number cannot be used as a bool (compare it instead)");
    return false;
  }
  switch (e.kind) {
  case ScalarExpr::Kind::Constant:
    if (to == DType::I32 &&
        (e.intValue > INT32_MAX || e.intValue < INT32_MIN)) {
      diag.error(loc, "the literal " + std::to_string(e.intValue) +
                          " does not fit in i32");
      return false;
    }
    if (isInexact(to) && !isInexact(e.dtype))
      e.floatValue = static_cast<double>(e.intValue);
    e.dtype = to;
    return true;
  case ScalarExpr::Kind::LoopIndex:
  case ScalarExpr::Kind::SizeValue:
  case ScalarExpr::Kind::Read: {
    // Index values and weak reductions (`sum[j](j)`) are computed in their
    // default dtype and converted once here.
    if (to != e.dtype)
      wrapInCast(e, to);
    return true;
  }
  case ScalarExpr::Kind::Previous:
    // The previous state of a recurrence takes the type its uses give it
    // (Recurrences.cpp reconciles it with the state's type).
    e.dtype = to;
    return true;
  case ScalarExpr::Kind::Cast:
    // Only conversions of indices made while the tree was weak appear here.
    e.dtype = to;
    return true;
  case ScalarExpr::Kind::Select:
    e.dtype = to;
    return retype(*e.args[1], to, loc) && retype(*e.args[2], to, loc);
  case ScalarExpr::Kind::Unary:
    if (isComplexDType(e.args[0]->dtype) && !isComplexDType(e.dtype)) {
      // abs, re, im of an untyped complex value: the argument takes the
      // complex type of `to`'s precision (f64 -> c128).
      std::optional<DType> c = getComplexOf(to);
      if (!c)
        if (!retype(*e.args[0], DType::C64, loc))
          return false;
      wrapInCast(e, to);
      return true;
      e.dtype = to;
      return retype(*e.args[0], *c, loc);
    }
    e.dtype = to;
    return retype(*e.args[0], to, loc);
  case ScalarExpr::Kind::Binary:
    if (e.binaryOp == ScalarExpr::BinaryOp::Complex) {
      // complex(a, b) of untyped parts: the parts take `to`'s part type.
      e.dtype = to;
      return retype(*e.args[0], getPartOf(to), loc) &&
             retype(*e.args[1], getPartOf(to), loc);
    }
    e.dtype = to;
    if (!retype(*e.args[0], to, loc))
      return false;
    // An integer-literal exponent stays an integer.
    if (e.binaryOp == ScalarExpr::BinaryOp::Pow &&
        e.args[1]->kind == ScalarExpr::Kind::Constant &&
        isIntegerDType(e.args[1]->dtype))
      return true;
    return retype(*e.args[1], to, loc);
  }
  return true;
}

bool TypeRules::coerce(Typed &t, DType to, SourceLoc loc) {
  if (t.weak) {
    if (!retype(*t.e, to, loc))
      return false;
    t.weak = false;
    return true;
  }
  if (t.e->dtype == to)
    return true;
  if (to == DType::Bool) {
    diag.error(loc, "a number cannot be used as a bool (compare it instead)");
    return false;
  }
  if (isComplexDType(t.e->dtype) && !isComplexDType(to)) {
    diag.error(loc, "a " + getDTypeName(t.e->dtype).str() +
                        " value cannot be used as " + getDTypeName(to).str() +
                        " (take re(...), im(...) or abs(...))");
    return false;
  }
  auto cast = makeNode(ScalarExpr::Kind::Cast, to, t.e->loc);
  cast->args.push_back(std::move(t.e));
  t.e = std::move(cast);
  return true;
}

bool TypeRules::unify(Typed &a, Typed &b, SourceLoc loc, llvm::StringRef what) {
  if (a.weak && b.weak) {
    // Both untyped: the wider kind wins, and the result stays untyped.
    int ra = weakRank(a.e->dtype), rb = weakRank(b.e->dtype);
    if (ra != rb) {
      Typed &narrow = ra < rb ? a : b;
      DType to = ra < rb ? b.e->dtype : a.e->dtype;
      if (!retype(*narrow.e, to, loc))
        return false;
    }
    return true;
  }
  // A weak complex literal with a strong real float makes both complex.
  for (auto [weak, strong] : {std::pair(&a, &b), std::pair(&b, &a)}) {
    if (!weak->weak || strong->weak || !isComplexDType(weak->e->dtype))
      continue;
    if (std::optional<DType> c = getComplexOf(strong->e->dtype))
      return coerce(*strong, *c, loc) && coerce(*weak, *c, loc);
  }
  if (a.weak)
    return coerce(a, b.e->dtype, loc);
  if (b.weak)
    return coerce(b, a.e->dtype, loc);
  // A real float meets a complex number of its precision as a complex one.
  if (isComplexDType(a.e->dtype) && getComplexOf(b.e->dtype) == a.e->dtype)
    return coerce(b, a.e->dtype, loc);
  if (isComplexDType(b.e->dtype) && getComplexOf(a.e->dtype) == b.e->dtype)
    return coerce(a, b.e->dtype, loc);
  if (a.e->dtype != b.e->dtype) {
    diag.error(loc, "dtype mismatch in " + what + ": " +
                        getDTypeName(a.e->dtype) + " and " +
                        getDTypeName(b.e->dtype) +
                        " (convert one with a cast such as " +
                        getDTypeName(a.e->dtype) + "(...))");
    return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Operators
//===----------------------------------------------------------------------===//

Typed TypeRules::negate(Typed x, SourceLoc loc) {
  if (!x)
    return {};
  if (x.e->dtype == DType::Bool) {
    diag.error(loc, "cannot negate a bool");
    return {};
  }
  if (x.e->kind == ScalarExpr::Kind::Constant) {
    if (!isFloatDType(x.e->dtype) && x.e->intValue == INT64_MIN) {
      diag.error(loc, "integer constant overflows 64 bits");
      return {};
    }
    x.e->intValue = -x.e->intValue;
    x.e->floatValue = -x.e->floatValue;
    x.e->imagValue = -x.e->imagValue;
    return x;
  }
  Typed t;
  t.weak = x.weak;
  t.e = makeNode(ScalarExpr::Kind::Unary, x.e->dtype, loc);
  t.e->unaryOp = UnaryFn::Neg;
  t.e->args.push_back(std::move(x.e));
  return t;
}

/// The scalar operation and its spelling in diagnostics.
static std::pair<ScalarExpr::BinaryOp, const char *>
getBinaryOp(ast::BinaryExpr::Op op) {
  using Op = ast::BinaryExpr::Op;
  using BO = ScalarExpr::BinaryOp;
  switch (op) {
  case Op::Add:
    return {BO::Add, "'+'"};
  case Op::Sub:
    return {BO::Sub, "'-'"};
  case Op::Mul:
    return {BO::Mul, "'*'"};
  case Op::Div:
    return {BO::Div, "'/'"};
  case Op::Pow:
    return {BO::Pow, "'**'"};
  case Op::Lt:
    return {BO::Lt, "'<'"};
  case Op::Le:
    return {BO::Le, "'<='"};
  case Op::Gt:
    return {BO::Gt, "'>'"};
  case Op::Ge:
    return {BO::Ge, "'>='"};
  case Op::Eq:
    return {BO::Eq, "'=='"};
  case Op::Ne:
    return {BO::Ne, "'!='"};
  }
  return {BO::Add, "'?'"};
}

/// Folds arithmetic on two weak literals of one dtype.
Typed TypeRules::fold(ast::BinaryExpr::Op op, const Typed &l, const Typed &r,
                      SourceLoc loc) {
  auto value = [](const ScalarExpr &c) {
    if (isComplexDType(c.dtype))
      return ConstValue::complex(c.floatValue, c.imagValue);
    return isFloatDType(c.dtype) ? ConstValue::real(c.floatValue)
                                 : ConstValue::integer(c.intValue);
  };
  std::optional<ConstValue> v =
      foldBinary(op, value(*l.e), value(*r.e), loc, diag);
  return v ? constant(*v, loc) : Typed();
}

/// `l ** r`. An integer-literal exponent stays an integer (x ** 2 is x * x);
/// otherwise both sides are floats.
Typed TypeRules::power(Typed l, Typed r, SourceLoc loc, SourceLoc lhsLoc) {
  if (!(r.weak && r.e->kind == ScalarExpr::Kind::Constant &&
        isIntegerDType(r.e->dtype)))
    return {};
  if (l.weak && !isInexact(l.e->dtype) && !retype(*l.e, DType::F32, lhsLoc))
    return {};
  if (!isInexact(l.e->dtype) && !l.weak) {
    diag.error(loc, "'**' expects a floating-point or complex base, got " +
                        getDTypeName(l.e->dtype).str());
    return {};
  }
  Typed t;
  t.weak = l.weak;
  t.e = makeNode(ScalarExpr::Kind::Binary, l.e->dtype, loc);
  t.e->binaryOp = ScalarExpr::BinaryOp::Pow;
  r.e->dtype = DType::I64;
  t.e->args.push_back(std::move(l.e));
  t.e->args.push_back(std::move(r.e));
  return t;
}

Typed TypeRules::binary(ast::BinaryExpr::Op astOp, Typed l, Typed r,
                        SourceLoc loc, SourceLoc lhsLoc) {
  if (!l || !r)
    return {};
  auto [op, spelling] = getBinaryOp(astOp);
  using BO = ScalarExpr::BinaryOp;
  bool isCompare = op >= BO::Lt;
  if (op == BO::Pow) {
    bool intExponent = r.weak && r.e->kind == ScalarExpr::Kind::Constant &&
                       isIntegerDType(r.e->dtype);
    if (intExponent)
      return power(std::move(l), std::move(r), loc, lhsLoc);
    if (l.weak && r.weak && !isInexact(l.e->dtype) &&
        !retype(*l.e, DType::F32, loc))
      return {};
  }
  if (!unify(l, r, loc, spelling))
    return {};
  DType dt = l.e->dtype;
  if (isCompare && isComplexDType(dt) && op != BO::Eq && op != BO::Ne) {
    diag.error(loc, std::string("complex numbers are not ordered: ") +
                        spelling + " is not defined on " +
                        getDTypeName(dt).str() +
                        " (compare abs(...) or re(...))");
    return {};
  }
  if (!isCompare && dt == DType::Bool) {
    diag.error(loc, std::string("arithmetic ") + spelling +
                        " is not defined on bool values");
    return {};
  }
  if (op == BO::Pow && !isInexact(dt)) {
    diag.error(loc, "'**' expects floating-point or complex operands, got " +
                        getDTypeName(dt).str());
    return {};
  }
  if (!isCompare && op != BO::Pow && l.weak && r.weak &&
      l.e->kind == ScalarExpr::Kind::Constant &&
      r.e->kind == ScalarExpr::Kind::Constant)
    return fold(astOp, l, r, loc);
  Typed t;
  t.weak = !isCompare && l.weak && r.weak;
  t.e = makeNode(ScalarExpr::Kind::Binary, isCompare ? DType::Bool : dt, loc);
  t.e->binaryOp = op;
  t.e->args.push_back(std::move(l.e));
  t.e->args.push_back(std::move(r.e));
  return t;
}

//===----------------------------------------------------------------------===//
// Built-in functions
//===----------------------------------------------------------------------===//

/// True for the functions defined on complex numbers.
static bool isDefinedOnComplex(UnaryFn fn) {
  switch (fn) {
  case UnaryFn::Sigmoid:
  case UnaryFn::Softplus:
  case UnaryFn::Silu:
  case UnaryFn::Gelu:
  case UnaryFn::Relu:
    return false;
  default:
    return true;
  }
}

Typed TypeRules::unaryFn(UnaryFn fn, Typed x, SourceLoc loc, SourceLoc argLoc) {
  if (!x)
    return {};
  if (fn == UnaryFn::Re || fn == UnaryFn::Im || fn == UnaryFn::Conj)
    return complexPart(fn, std::move(x), loc);
  bool intOk = fn == UnaryFn::Abs || fn == UnaryFn::Relu;
  // Untyped arguments stay untyped (exp(1) takes the type around it).
  if (x.weak && !isInexact(x.e->dtype) && !intOk &&
      !retype(*x.e, DType::F32, loc))
    return {};
  DType dt = x.e->dtype;
  bool complex = isComplexDType(dt);
  if (dt == DType::Bool || (complex && !isDefinedOnComplex(fn)) ||
      (!isInexact(dt) && !intOk)) {
    diag.error(argLoc,
               "'" + getUnaryFnName(fn) + "' expects a " +
                   (complex ? "real " : "") + "floating-point value, got " +
                   getDTypeName(dt).str() +
                   (isIntegerDType(dt) ? " (cast it with f32(...))" : ""));
    return {};
  }
  // The modulus of a complex number is real (untyped when the number is).
  bool toReal = complex && fn == UnaryFn::Abs;
  Typed t;
  t.weak = x.weak;
  t.e = makeNode(ScalarExpr::Kind::Unary, toReal ? getPartOf(x.e->dtype) : dt,
                 loc);
  t.e->unaryOp = fn;
  t.e->args.push_back(std::move(x.e));
  return t;
}

/// `re(x)`, `im(x)`, `conj(x)`. Real arguments are accepted as numpy does
/// (re(x) = conj(x) = x, im(x) = 0); of an untyped value, the result is
/// untyped too (re(3 + 4j) takes the precision around it).
Typed TypeRules::complexPart(UnaryFn fn, Typed x, SourceLoc loc) {
  if (x.weak && !isInexact(x.e->dtype) && !retype(*x.e, DType::F32, loc))
    return {};
  DType dt = x.e->dtype;
  if (!isInexact(dt)) {
    diag.error(loc, "'" + getUnaryFnName(fn) +
                        "' expects a floating-point or complex value, got " +
                        getDTypeName(dt).str());
    return {};
  }
  bool toReal = isComplexDType(dt) && fn != UnaryFn::Conj;
  Typed t;
  t.weak = x.weak;
  t.e = makeNode(ScalarExpr::Kind::Unary, toReal ? getPartOf(dt) : dt, loc);
  t.e->unaryOp = fn;
  t.e->args.push_back(std::move(x.e));
  return t;
}

Typed TypeRules::makeComplex(Typed re, Typed im, SourceLoc loc) {
  if (!re || !im || !unify(re, im, loc, "'complex'"))
    return {};
  if (re.weak && !isInexact(re.e->dtype) &&
      (!retype(*re.e, DType::F32, loc) || !retype(*im.e, DType::F32, loc)))
    return {};
  DType part = re.e->dtype;
  std::optional<DType> dt = getComplexOf(part);
  if (!dt) {
    diag.error(loc, "'complex' expects f32 or f64 parts, got " +
                        getDTypeName(part).str() +
                        (isComplexDType(part) ? "" : " (convert them first)"));
    return {};
  }
  Typed t;
  t.weak = re.weak && im.weak;
  t.e = makeNode(ScalarExpr::Kind::Binary, *dt, loc);
  t.e->binaryOp = ScalarExpr::BinaryOp::Complex;
  t.e->args.push_back(std::move(re.e));
  t.e->args.push_back(std::move(im.e));
  return t;
}

Typed TypeRules::cast(DType to, Typed x, SourceLoc loc) {
  if (!x)
    return {};
  if (isComplexDType(x.e->dtype) && !isComplexDType(to)) {
    diag.error(loc, "converting " + getDTypeName(x.e->dtype).str() + " to " +
                        getDTypeName(to).str() +
                        " would drop the imaginary part: take re(...), "
                        "im(...) or abs(...)");
    return {};
  }
  if (x.weak && to != DType::Bool) {
    bool narrowing = isFloatDType(x.e->dtype) && !isInexact(to);
    if (narrowing && x.e->kind == ScalarExpr::Kind::Constant) {
      // An explicit conversion truncates toward zero.
      double v = x.e->floatValue;
      if (!truncateToInteger(*x.e, to)) {
        diag.error(loc, "the value " + std::to_string(v) + " does not fit in " +
                            getDTypeName(to).str());
        return {};
      }
      x.e->dtype = to;
      x.weak = false;
      return x;
    }
    if (!narrowing) {
      if (!retype(*x.e, to, loc))
        return {};
      x.weak = false;
      return x;
    }
    defaultWeak(x);
  }
  if (x.e->dtype == to) {
    x.weak = false;
    return x;
  }
  Typed t;
  t.e = makeNode(ScalarExpr::Kind::Cast, to, loc);
  t.e->args.push_back(std::move(x.e));
  return t;
}

Typed TypeRules::select(Typed cond, Typed a, Typed b, SourceLoc loc,
                        SourceLoc condLoc) {
  if (!cond || !a || !b)
    return {};
  if (cond.e->dtype != DType::Bool) {
    diag.error(condLoc, "the condition of 'where' must be bool, got " +
                            getDTypeName(cond.e->dtype).str());
    return {};
  }
  if (!unify(a, b, loc, "'where'"))
    return {};
  Typed t;
  t.weak = a.weak && b.weak;
  t.e = makeNode(ScalarExpr::Kind::Select, a.e->dtype, loc);
  t.e->args.push_back(std::move(cond.e));
  t.e->args.push_back(std::move(a.e));
  t.e->args.push_back(std::move(b.e));
  return t;
}

Typed TypeRules::minMax(bool isMax, Typed a, Typed b, SourceLoc loc) {
  const char *name = isMax ? "'max'" : "'min'";
  if (!a || !b || !unify(a, b, loc, name))
    return {};
  if (a.e->dtype == DType::Bool || isComplexDType(a.e->dtype)) {
    diag.error(loc, std::string(name) + " expects real numbers");
    return {};
  }
  Typed t;
  t.weak = a.weak && b.weak;
  t.e = makeNode(ScalarExpr::Kind::Binary, a.e->dtype, loc);
  t.e->binaryOp = isMax ? ScalarExpr::BinaryOp::Max : ScalarExpr::BinaryOp::Min;
  t.e->args.push_back(std::move(a.e));
  t.e->args.push_back(std::move(b.e));
  return t;
}
