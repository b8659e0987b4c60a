//===- Sema.cpp - Semantic analysis of Tessera programs -------------------===//
//
// Checks names, dtypes, size symbols and index ranges, and rewrites every
// function into the explicit form of Sema.h. Errors are reported and analysis
// continues with the next statement, so that one run shows every independent
// error.
//
//===----------------------------------------------------------------------===//

#include "tessera/Frontend/Sema.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ErrorHandling.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <set>

using namespace tessera;
using namespace tessera::sema;
using ast::SourceLoc;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;

//===----------------------------------------------------------------------===//
// Small helpers
//===----------------------------------------------------------------------===//

std::string Extent::str() const {
  return isSymbol ? symbol : std::to_string(value);
}

std::string TensorType::str() const {
  std::string s = getDTypeName(dtype).str();
  if (shape.empty())
    return s;
  s += "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += shape[i].str();
  }
  return s + "]";
}

int AffineSubscript::getPlainLoop() const {
  if (constant != 0)
    return -1;
  int loop = -1;
  for (size_t i = 0; i < coeffs.size(); ++i) {
    if (coeffs[i] == 0)
      continue;
    if (coeffs[i] != 1 || loop != -1)
      return -1;
    loop = static_cast<int>(i);
  }
  return loop;
}

const Function *Program::lookup(llvm::StringRef name) const {
  for (const Function &f : functions)
    if (f.name == name)
      return &f;
  return nullptr;
}

static bool isFloat(DType t) {
  return t == DType::F16 || t == DType::BF16 || t == DType::F32 ||
         t == DType::F64;
}
static bool isComplex(DType t) { return t == DType::C64 || t == DType::C128; }
static bool isInteger(DType t) { return t == DType::I32 || t == DType::I64; }

namespace {

/// A compile-time constant (`const` declarations and literals).
struct ConstValue {
  bool isInt = false;
  int64_t i = 0;
  double f = 0;
};

/// A typed scalar expression under construction. `weak` marks values without
/// a dtype of their own (literals, indices, size symbols): they take the type
/// of the other operand.
struct Typed {
  ScalarExprPtr e;
  bool weak = false;
  explicit operator bool() const { return e != nullptr; }
};

/// What a name in a function body denotes.
struct Binding {
  /// Poisoned: the definition failed and was reported; uses stay quiet so
  /// that one mistake does not cascade into more errors.
  enum class Kind { Value, Symbol, Const, IndexParam, Poisoned };
  Kind kind = Kind::Value;
  ValueRef ref;
  TensorType type;
  ConstValue constant;
  std::string symbol;
};

/// The signature of a function as seen by callers.
struct FnSignature {
  const ast::FnDecl *decl = nullptr;
  std::vector<Param> params;
  std::vector<TensorType> results;
  bool valid = true;
};

/// Index bookkeeping for one statement.
struct IndexInfo {
  std::string name;
  SourceLoc loc;
  std::optional<Extent> extent;
  std::string extentOrigin; ///< "a (dim 1)" or "the where clause"
  bool boundByReducer = false;
};

class ModuleAnalyzer;

class FunctionAnalyzer {
public:
  FunctionAnalyzer(ModuleAnalyzer &m, const FnSignature &sig, Function &out);
  void run();

private:
  // Diagnostics.
  void error(SourceLoc loc, const llvm::Twine &msg);
  DiagnosticSink &diag();

  // Statements.
  void analyzeAssign(const ast::AssignStmt &s);
  void analyzeIndexAssign(const ast::IndexAssignStmt &s);
  void analyzeReturn(const ast::ReturnStmt &s);

  /// Marks names whose definition failed.
  void poison(const std::vector<std::string> &targets) {
    for (const std::string &t : targets) {
      Binding b;
      b.kind = Binding::Kind::Poisoned;
      names[t] = b;
    }
  }
  bool isPoisoned(const ast::Expr &e) const;

  // Whole values.
  std::optional<ValueRef> evalValue(const ast::Expr &e);
  std::optional<std::vector<ValueRef>> evalCall(const ast::CallExpr &call);
  std::optional<ValueRef> evalSoftmax(const ast::CallExpr &call);
  std::optional<ValueRef> evalSplat(const ast::CallExpr &call, double v);
  std::optional<ValueRef> evalEinsum(const ast::CallExpr &call);
  std::optional<TensorType> parseTypeArg(const ast::Expr &e);
  bool isProducerCall(const ast::Expr &e) const;

  /// Index notation: builds the contraction for `lhs[indices] = rhs`.
  std::optional<ValueRef>
  buildStatement(SourceLoc loc, const std::vector<std::string> &lhs,
                 const std::vector<SourceLoc> &lhsLocs, const ast::Expr &rhs,
                 const std::vector<ast::RangeClause> &ranges);

  // Statement-level index analysis.
  bool hoistProducers(const ast::Expr &e);
  void
  collectSubscriptNames(const ast::Expr &e,
                        std::vector<std::set<std::string>> &bound,
                        std::vector<std::pair<std::string, SourceLoc>> &out);
  bool resolveIndices(const ast::Expr &e,
                      std::vector<std::map<std::string, unsigned>> &scopes);
  void collectUsedIndices(const ast::Expr &e, std::set<unsigned> &used);
  bool recordExtent(unsigned idx, const Extent &ext, const std::string &origin,
                    SourceLoc loc);

  // Scalar lowering.
  Typed lowerScalar(const ast::Expr &e, Contraction &c,
                    const std::map<unsigned, unsigned> &loopOf);
  Typed lowerLeafValue(ValueRef ref, SourceLoc loc, Contraction &c,
                       const std::map<unsigned, unsigned> &loopOf);
  Typed lowerCallScalar(const ast::CallExpr &call, Contraction &c,
                        const std::map<unsigned, unsigned> &loopOf);
  std::optional<AffineSubscript>
  lowerSubscript(const ast::Expr &e, const std::map<unsigned, unsigned> &loopOf,
                 size_t numLoops);
  std::optional<ValueRef> buildReduce(const ast::ReduceExpr &r,
                                      const std::map<unsigned, unsigned> &outer,
                                      const Contraction &outerC);
  unsigned addOperand(Contraction &c, ValueRef v,
                      std::vector<AffineSubscript> subs);

  // Typing.
  bool unify(Typed &a, Typed &b, SourceLoc loc, llvm::StringRef what);
  bool coerce(Typed &t, DType to, SourceLoc loc);
  bool retype(ScalarExpr &e, DType to, SourceLoc loc);
  void defaultWeak(Typed &t);
  Typed makeConst(const ConstValue &v, SourceLoc loc);

  // Values.
  ValueRef addValue(Value v);
  const TensorType &typeOf(ValueRef r) const {
    return out.values[r.id].types[r.result];
  }
  std::optional<Extent> extentOfExpr(const ast::Expr &e);
  std::optional<ConstValue> constOf(const ast::Expr &e);

  ModuleAnalyzer &m;
  const FnSignature &sig;
  Function &out;
  std::map<std::string, Binding> names;
  bool returned = false;

  /// Per-statement state. Producers inside a statement (calls, softmax,
  /// einsum) are whole statements of their own, so the state is saved and
  /// restored around them.
  struct StatementState {
    std::vector<IndexInfo> indices;
    std::map<const ast::Expr *, unsigned> indexOfName;
    std::map<const ast::ReduceExpr *, std::vector<unsigned>> reducerBound;
    std::map<const ast::ReduceExpr *, std::vector<unsigned>> reduceFree;
    std::map<const ast::Expr *, ValueRef> hoisted;
    /// In whole-value mode, the loops a rank-N leaf is read through.
    std::vector<unsigned> implicitLoops;
    std::optional<std::vector<Extent>> implicitShape;
  };
  StatementState st;
  std::vector<IndexInfo> &indices = st.indices;
  std::map<const ast::Expr *, unsigned> &indexOfName = st.indexOfName;
  std::map<const ast::ReduceExpr *, std::vector<unsigned>> &reducerBound =
      st.reducerBound;
  std::map<const ast::ReduceExpr *, std::vector<unsigned>> &reduceFree =
      st.reduceFree;
  std::map<const ast::Expr *, ValueRef> &hoisted = st.hoisted;
  std::vector<unsigned> &implicitLoops = st.implicitLoops;
  std::optional<std::vector<Extent>> &implicitShape = st.implicitShape;
};

class ModuleAnalyzer {
public:
  ModuleAnalyzer(const ast::Module &module, DiagnosticSink &diag)
      : module(module), diag(diag) {}

  std::unique_ptr<Program> run();

  const ast::Module &module;
  DiagnosticSink &diag;
  std::map<std::string, ConstValue> constants;
  std::map<std::string, FnSignature> signatures;
  /// Call graph edges for recursion detection.
  std::map<std::string, std::set<std::string>> calls;

  std::optional<ConstValue> evalConst(const ast::Expr &e);
  /// The value of constant `name`, evaluated on first use so that constants
  /// may refer to ones defined later in the file.
  std::optional<ConstValue> lookupConst(const std::string &name, SourceLoc loc);
  std::map<std::string, const ast::ConstDecl *> constDecls;
  std::set<std::string> constsInProgress;
  /// Constants whose definition failed (already reported).
  std::set<std::string> failedConsts;
  std::optional<DType> parseDType(llvm::StringRef name, SourceLoc loc,
                                  bool allowIndex);
  bool analyzeSignature(const ast::FnDecl &fn, FnSignature &sig);
};

} // namespace

//===----------------------------------------------------------------------===//
// Constants and literals
//===----------------------------------------------------------------------===//

/// Parses a numeric literal; reports out-of-range literals.
static std::optional<ConstValue> parseNumber(const ast::NumberExpr &n,
                                             DiagnosticSink &diag) {
  ConstValue v;
  if (n.isImaginary) {
    diag.error(n.getLoc(), "complex numbers are not supported yet");
    return std::nullopt;
  }
  if (n.isInteger) {
    uint64_t u;
    if (llvm::StringRef(n.text).getAsInteger(10, u) ||
        u > static_cast<uint64_t>(INT64_MAX)) {
      diag.error(n.getLoc(),
                 "integer literal '" + n.text + "' does not fit in 64 bits");
      return std::nullopt;
    }
    v.isInt = true;
    v.i = static_cast<int64_t>(u);
    v.f = static_cast<double>(u);
    return v;
  }
  errno = 0;
  char *end = nullptr;
  double d = std::strtod(n.text.c_str(), &end);
  if (std::isinf(d) || (errno == ERANGE && d != 0)) {
    diag.error(n.getLoc(),
               "floating-point literal '" + n.text + "' is out of range");
    return std::nullopt;
  }
  v.f = d;
  return v;
}

std::optional<ConstValue> ModuleAnalyzer::evalConst(const ast::Expr &e) {
  if (auto *n = dyn_cast<ast::NumberExpr>(&e))
    return parseNumber(*n, diag);
  if (auto *n = dyn_cast<ast::NameExpr>(&e))
    return lookupConst(n->name, e.getLoc());
  if (auto *u = dyn_cast<ast::UnaryExpr>(&e)) {
    auto v = evalConst(*u->operand);
    if (!v)
      return std::nullopt;
    if (v->isInt && v->i == INT64_MIN) {
      diag.error(e.getLoc(), "integer constant overflows 64 bits");
      return std::nullopt;
    }
    v->i = -v->i;
    v->f = -v->f;
    return v;
  }
  if (auto *b = dyn_cast<ast::BinaryExpr>(&e)) {
    auto l = evalConst(*b->lhs), r = evalConst(*b->rhs);
    if (!l || !r)
      return std::nullopt;
    ConstValue v;
    v.isInt = l->isInt && r->isInt;
    using Op = ast::BinaryExpr::Op;
    if (v.isInt) {
      int64_t res = 0;
      bool overflow = false;
      switch (b->op) {
      case Op::Add:
        overflow = __builtin_add_overflow(l->i, r->i, &res);
        break;
      case Op::Sub:
        overflow = __builtin_sub_overflow(l->i, r->i, &res);
        break;
      case Op::Mul:
        overflow = __builtin_mul_overflow(l->i, r->i, &res);
        break;
      case Op::Pow:
        if (r->i < 0) {
          v.isInt = false;
          break;
        }
        res = 1;
        for (int64_t k = 0; k < r->i && !overflow; ++k)
          overflow = __builtin_mul_overflow(res, l->i, &res);
        break;
      case Op::Div:
        if (r->i == 0) {
          diag.error(e.getLoc(), "division by zero in a constant");
          return std::nullopt;
        }
        if (l->i == INT64_MIN && r->i == -1)
          overflow = true;
        else
          res = l->i / r->i;
        break;
      default:
        v.isInt = false;
        break;
      }
      if (overflow) {
        diag.error(e.getLoc(), "integer constant overflows 64 bits");
        return std::nullopt;
      }
      if (v.isInt) {
        v.i = res;
        v.f = static_cast<double>(res);
        return v;
      }
    }
    double a = l->f, c = r->f;
    switch (b->op) {
    case Op::Add:
      v.f = a + c;
      break;
    case Op::Sub:
      v.f = a - c;
      break;
    case Op::Mul:
      v.f = a * c;
      break;
    case Op::Div:
      v.f = a / c;
      break;
    case Op::Pow:
      v.f = std::pow(a, c);
      break;
    default:
      diag.error(e.getLoc(), "unsupported operator in a constant");
      return std::nullopt;
    }
    v.isInt = false;
    return v;
  }
  diag.error(e.getLoc(),
             "a constant must be a numeric expression of literals and "
             "other constants");
  return std::nullopt;
}

std::optional<ConstValue> ModuleAnalyzer::lookupConst(const std::string &name,
                                                      SourceLoc loc) {
  auto it = constants.find(name);
  if (it != constants.end())
    return it->second;
  if (failedConsts.count(name))
    return std::nullopt;
  auto decl = constDecls.find(name);
  if (decl == constDecls.end()) {
    diag.error(loc, "'" + name + "' is not a constant");
    return std::nullopt;
  }
  if (!constsInProgress.insert(name).second) {
    diag.error(decl->second->loc,
               "constant '" + name + "' is defined in terms of itself");
    failedConsts.insert(name);
    return std::nullopt;
  }
  std::optional<ConstValue> v = evalConst(*decl->second->value);
  constsInProgress.erase(name);
  if (!v) {
    failedConsts.insert(name);
    return std::nullopt;
  }
  constants[name] = *v;
  return v;
}

std::optional<DType> ModuleAnalyzer::parseDType(llvm::StringRef name,
                                                SourceLoc loc,
                                                bool allowIndex) {
  if (auto t = parseDTypeName(name))
    return t;
  if (name == "index" && allowIndex)
    return DType::I64;
  diag.error(loc, "unknown type '" + name +
                      "' (expected bool, i32, i64, f16, bf16, f32, f64, c64 "
                      "or c128)");
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Signatures
//===----------------------------------------------------------------------===//

bool ModuleAnalyzer::analyzeSignature(const ast::FnDecl &fn, FnSignature &sig) {
  sig.decl = &fn;
  std::set<std::string> paramNames, symbols;
  bool ok = true;
  auto dimOf = [&](const ast::Expr &d, bool bind,
                   std::optional<Extent> &out) -> bool {
    if (auto *n = dyn_cast<ast::NumberExpr>(&d)) {
      auto v = parseNumber(*n, diag);
      if (!v)
        return false;
      if (!v->isInt || v->i < 0) {
        diag.error(d.getLoc(), "a dimension must be a non-negative integer "
                               "or a size symbol");
        return false;
      }
      out = Extent::literal(v->i);
      return true;
    }
    if (auto *n = dyn_cast<ast::NameExpr>(&d)) {
      if (failedConsts.count(n->name))
        return false;
      auto c = constants.find(n->name);
      if (c != constants.end()) {
        if (!c->second.isInt || c->second.i < 0) {
          diag.error(d.getLoc(), "constant '" + n->name +
                                     "' is not a non-negative integer and "
                                     "cannot be a dimension");
          return false;
        }
        out = Extent::literal(c->second.i);
        return true;
      }
      if (!bind && !symbols.count(n->name)) {
        diag.error(d.getLoc(), "size symbol '" + n->name +
                                   "' in the result type is not bound by any "
                                   "parameter");
        return false;
      }
      if (paramNames.count(n->name) && !symbols.count(n->name)) {
        diag.error(d.getLoc(),
                   "'" + n->name + "' is a parameter, not a size symbol");
        return false;
      }
      symbols.insert(n->name);
      out = Extent::sym(n->name);
      return true;
    }
    diag.error(d.getLoc(),
               "a dimension must be an integer literal or a size symbol");
    return false;
  };

  for (const ast::Param &p : fn.params) {
    Param param;
    param.name = p.name;
    param.loc = p.loc;
    if (!paramNames.insert(p.name).second) {
      diag.error(p.loc, "duplicate parameter '" + p.name + "'");
      ok = false;
    }
    if (constants.count(p.name)) {
      diag.error(p.loc,
                 "parameter '" + p.name + "' has the name of a constant");
      ok = false;
    }
    if (p.type.dtype == "index") {
      if (p.type.isTensor) {
        diag.error(p.type.loc, "'index' parameters are scalars");
        ok = false;
        continue;
      }
      if (symbols.count(p.name)) {
        diag.error(p.loc, "size symbol '" + p.name +
                              "' is already bound by an earlier parameter");
        ok = false;
      }
      param.isIndex = true;
      param.type.dtype = DType::I64;
      symbols.insert(p.name);
      sig.params.push_back(std::move(param));
      continue;
    }
    if (symbols.count(p.name)) {
      diag.error(p.loc,
                 "parameter '" + p.name + "' has the name of a size symbol");
      ok = false;
    }
    auto dt = parseDType(p.type.dtype, p.type.loc, false);
    if (!dt) {
      ok = false;
      continue;
    }
    param.type.dtype = *dt;
    for (const ast::ExprPtr &d : p.type.dims) {
      std::optional<Extent> e;
      if (!dimOf(*d, /*bind=*/true, e)) {
        ok = false;
        continue;
      }
      param.type.shape.push_back(*e);
    }
    sig.params.push_back(std::move(param));
  }
  for (const ast::TypeExpr &t : fn.results) {
    TensorType type;
    if (t.dtype == "index") {
      diag.error(t.loc, "functions cannot return 'index' values");
      ok = false;
      continue;
    }
    auto dt = parseDType(t.dtype, t.loc, false);
    if (!dt) {
      ok = false;
      continue;
    }
    type.dtype = *dt;
    for (const ast::ExprPtr &d : t.dims) {
      std::optional<Extent> e;
      if (!dimOf(*d, /*bind=*/false, e)) {
        ok = false;
        continue;
      }
      type.shape.push_back(*e);
    }
    sig.results.push_back(std::move(type));
  }
  sig.valid = ok;
  return ok;
}

//===----------------------------------------------------------------------===//
// Module
//===----------------------------------------------------------------------===//

static std::optional<ScalarExpr::UnaryOp> unaryBuiltin(llvm::StringRef n);
static bool isFutureBuiltin(llvm::StringRef n);

/// Function names are symbols of the generated object code: keep them clear
/// of the language's built-ins and of the C runtime the lowering calls.
static std::optional<std::string> reservedFunctionName(llvm::StringRef n) {
  if (unaryBuiltin(n) || isFutureBuiltin(n) ||
      llvm::is_contained({"sum", "max", "min", "prod", "where", "softmax",
                          "zeros", "ones", "einsum"},
                         n))
    return std::string("it is a built-in function");
  if (parseDTypeName(n) || n == "index")
    return std::string("it is a type name");
  if (n.starts_with("_"))
    return std::string("names starting with '_' are reserved for the "
                       "compiler and the C runtime");
  static const char *const cRuntime[] = {
      "malloc",  "free",   "calloc", "realloc", "aligned_alloc", "memcpy",
      "memmove", "memset", "abort",  "exit",    "main",          "printf"};
  if (llvm::is_contained(cRuntime, n))
    return std::string("it is a C runtime function");
  // libm: exp, expf, log1pf, erff, tanhf, powf, ...
  static const char *const libm[] = {
      "exp",   "expm1", "exp2", "log",      "log1p", "log2",  "log10",
      "sqrt",  "cbrt",  "sin",  "cos",      "tan",   "asin",  "acos",
      "atan",  "atan2", "sinh", "cosh",     "tanh",  "asinh", "acosh",
      "atanh", "erf",   "erfc", "pow",      "fabs",  "floor", "ceil",
      "round", "trunc", "fmod", "copysign", "fma",   "rsqrt", "hypot"};
  for (const char *f : libm) {
    llvm::StringRef base(f);
    if (n == base || (n.size() == base.size() + 1 && n.starts_with(base) &&
                      (n.back() == 'f' || n.back() == 'l')))
      return std::string("it is a C math library function");
  }
  return std::nullopt;
}

std::unique_ptr<Program> ModuleAnalyzer::run() {
  auto program = std::make_unique<Program>();
  program->filename = module.filename;
  unsigned errorsBefore = diag.getNumErrors();

  for (const auto &c : module.constants) {
    if (constDecls.count(c->name)) {
      diag.error(c->loc, "constant '" + c->name + "' is already defined");
      continue;
    }
    if (parseDTypeName(c->name) || c->name == "index") {
      diag.error(c->loc, "'" + c->name + "' is a type name");
      failedConsts.insert(c->name);
      continue;
    }
    constDecls[c->name] = c.get();
  }
  for (const auto &[name, decl] : constDecls)
    (void)lookupConst(name, decl->loc);

  for (const auto &fn : module.functions) {
    if (std::optional<std::string> why = reservedFunctionName(fn->name)) {
      diag.error(fn->loc, "cannot name a function '" + fn->name + "': " + *why);
      continue;
    }
    if (signatures.count(fn->name)) {
      diag.error(fn->loc, "function '" + fn->name + "' is already defined");
      continue;
    }
    if (constants.count(fn->name)) {
      diag.error(fn->loc,
                 "'" + fn->name + "' is already defined as a constant");
      continue;
    }
    FnSignature &sig = signatures[fn->name];
    analyzeSignature(*fn, sig);
  }

  for (const auto &fn : module.functions) {
    if (diag.tooManyErrors())
      break;
    auto it = signatures.find(fn->name);
    if (it == signatures.end() || it->second.decl != fn.get())
      continue;
    Function f;
    f.name = fn->name;
    f.loc = fn->loc;
    FunctionAnalyzer(*this, it->second, f).run();
    program->functions.push_back(std::move(f));
  }

  // Recursion makes inlining and static shapes impossible: reject cycles.
  for (const auto &fn : module.functions) {
    std::set<std::string> seen;
    std::vector<std::string> work(calls[fn->name].begin(),
                                  calls[fn->name].end());
    while (!work.empty()) {
      std::string n = work.back();
      work.pop_back();
      if (n == fn->name) {
        diag.error(fn->loc, "function '" + fn->name +
                                "' calls itself (directly or indirectly); "
                                "recursion is not supported");
        break;
      }
      if (!seen.insert(n).second)
        continue;
      for (const std::string &c : calls[n])
        work.push_back(c);
    }
  }

  if (diag.getNumErrors() != errorsBefore)
    return nullptr;

  // Calls are inlined: a chain of functions that each call the previous one
  // twice doubles the code at every step. Refuse what would not compile in
  // reasonable time instead of appearing to hang.
  constexpr uint64_t kMaxInlinedValues = 20000;
  std::map<std::string, uint64_t> inlinedSize;
  std::function<uint64_t(const Function &)> sizeOf =
      [&](const Function &f) -> uint64_t {
    auto it = inlinedSize.find(f.name);
    if (it != inlinedSize.end())
      return it->second;
    uint64_t n = f.values.size();
    for (const Value &v : f.values)
      if (v.kind == Value::Kind::Call)
        if (const Function *callee = program->lookup(v.callee))
          n = std::min<uint64_t>(n + sizeOf(*callee), UINT64_MAX / 4);
    inlinedSize[f.name] = n;
    return n;
  };
  for (const Function &f : program->functions) {
    uint64_t n = sizeOf(f);
    if (n > kMaxInlinedValues)
      diag.error(f.loc, "inlining the calls made by '" + f.name +
                            "' would produce about " + std::to_string(n) +
                            " operations (the limit is " +
                            std::to_string(kMaxInlinedValues) + ")");
  }
  if (diag.getNumErrors() != errorsBefore)
    return nullptr;
  return program;
}

std::unique_ptr<Program> sema::analyze(const ast::Module &module,
                                       DiagnosticSink &diag) {
  return ModuleAnalyzer(module, diag).run();
}

//===----------------------------------------------------------------------===//
// Functions
//===----------------------------------------------------------------------===//

bool FunctionAnalyzer::isPoisoned(const ast::Expr &e) const {
  auto *n = llvm::dyn_cast<ast::NameExpr>(&e);
  if (auto *sub = llvm::dyn_cast<ast::SubscriptExpr>(&e))
    n = llvm::dyn_cast<ast::NameExpr>(sub->base.get());
  if (!n)
    return false;
  if (m.failedConsts.count(n->name))
    return true;
  auto it = names.find(n->name);
  return it != names.end() && it->second.kind == Binding::Kind::Poisoned;
}

FunctionAnalyzer::FunctionAnalyzer(ModuleAnalyzer &m, const FnSignature &sig,
                                   Function &out)
    : m(m), sig(sig), out(out) {}

DiagnosticSink &FunctionAnalyzer::diag() { return m.diag; }
void FunctionAnalyzer::error(SourceLoc loc, const llvm::Twine &msg) {
  m.diag.error(loc, msg);
}

ValueRef FunctionAnalyzer::addValue(Value v) {
  out.values.push_back(std::move(v));
  return ValueRef{static_cast<unsigned>(out.values.size() - 1), 0};
}

void FunctionAnalyzer::run() {
  out.params = sig.params;
  out.resultTypes = sig.results;
  out.signature.name = out.name;
  std::set<std::string> seenSymbols;
  for (size_t i = 0; i < out.params.size(); ++i) {
    const Param &p = out.params[i];
    ValueSpec spec;
    spec.name = p.name;
    if (p.isIndex) {
      spec.kind = ValueSpec::Kind::Index;
      spec.dtype = DType::I64;
      Binding b;
      b.kind = Binding::Kind::IndexParam;
      b.symbol = p.name;
      names[p.name] = b;
      if (seenSymbols.insert(p.name).second)
        out.symbols.push_back(p.name);
    } else {
      spec.dtype = p.type.dtype;
      for (const Extent &e : p.type.shape) {
        DimSpec d;
        d.isSymbol = e.isSymbol;
        d.extent = e.value;
        d.symbol = e.symbol;
        spec.dims.push_back(d);
        if (e.isSymbol && seenSymbols.insert(e.symbol).second)
          out.symbols.push_back(e.symbol);
      }
      Value v;
      v.kind = Value::Kind::Param;
      v.loc = p.loc;
      v.paramIndex = static_cast<unsigned>(i);
      v.types.push_back(p.type);
      Binding b;
      b.kind = Binding::Kind::Value;
      b.ref = addValue(std::move(v));
      b.type = p.type;
      names[p.name] = b;
    }
    out.signature.params.push_back(std::move(spec));
  }
  for (const std::string &s : out.symbols) {
    if (names.count(s))
      continue; // an index parameter
    Binding b;
    b.kind = Binding::Kind::Symbol;
    b.symbol = s;
    names[s] = b;
  }
  for (size_t i = 0; i < out.resultTypes.size(); ++i) {
    ValueSpec spec;
    spec.name = "result" + std::to_string(i);
    spec.dtype = out.resultTypes[i].dtype;
    for (const Extent &e : out.resultTypes[i].shape) {
      DimSpec d;
      d.isSymbol = e.isSymbol;
      d.extent = e.value;
      d.symbol = e.symbol;
      spec.dims.push_back(d);
    }
    out.signature.results.push_back(std::move(spec));
  }

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

/// Names that cannot be rebound by assignments.
static bool isReservedName(llvm::StringRef n) {
  return parseDTypeName(n).has_value() || n == "index";
}

void FunctionAnalyzer::analyzeAssign(const ast::AssignStmt &s) {
  for (size_t i = 0; i < s.targets.size(); ++i) {
    if (m.constants.count(s.targets[i])) {
      error(s.targetLocs[i],
            "cannot assign to the constant '" + s.targets[i] + "'");
      return;
    }
    if (isReservedName(s.targets[i])) {
      error(s.targetLocs[i],
            "cannot assign to the type name '" + s.targets[i] + "'");
      return;
    }
    auto it = names.find(s.targets[i]);
    if (it != names.end() && (it->second.kind == Binding::Kind::Symbol ||
                              it->second.kind == Binding::Kind::IndexParam)) {
      error(s.targetLocs[i],
            "cannot assign to the size symbol '" + s.targets[i] + "'");
      return;
    }
  }
  if (s.targets.size() > 1) {
    auto *call = dyn_cast<ast::CallExpr>(s.value.get());
    if (!call || !m.signatures.count(call->callee)) {
      error(s.value->getLoc(),
            "assigning to " + std::to_string(s.targets.size()) +
                " names needs a call of a function with as many results");
      return;
    }
    auto results = evalCall(*call);
    if (!results) {
      poison(s.targets);
      return;
    }
    if (results->size() != s.targets.size()) {
      poison(s.targets);
      error(s.getLoc(), "'" + call->callee + "' returns " +
                            std::to_string(results->size()) + " values but " +
                            std::to_string(s.targets.size()) +
                            " names are assigned");
      return;
    }
    for (size_t i = 0; i < s.targets.size(); ++i) {
      Binding b;
      b.ref = (*results)[i];
      b.type = typeOf(b.ref);
      names[s.targets[i]] = b;
    }
    return;
  }
  auto v = evalValue(*s.value);
  if (!v) {
    poison(s.targets);
    return;
  }
  Binding b;
  b.ref = *v;
  b.type = typeOf(*v);
  names[s.targets[0]] = b;
}

void FunctionAnalyzer::analyzeIndexAssign(const ast::IndexAssignStmt &s) {
  if (m.constants.count(s.target)) {
    error(s.getLoc(), "cannot assign to the constant '" + s.target + "'");
    return;
  }
  if (isReservedName(s.target)) {
    error(s.getLoc(), "cannot assign to the type name '" + s.target + "'");
    return;
  }
  if (s.init) {
    error(s.init->getLoc(),
          "'init' belongs to recurrences, which are not supported yet");
    return;
  }
  // A definition that reads its own name (not shadowing an earlier value) is
  // a recurrence.
  if (!names.count(s.target)) {
    std::vector<const ast::Expr *> work{s.value.get()};
    while (!work.empty()) {
      const ast::Expr *e = work.back();
      work.pop_back();
      if (auto *sub = dyn_cast<ast::SubscriptExpr>(e)) {
        if (auto *n = dyn_cast<ast::NameExpr>(sub->base.get());
            n && n->name == s.target) {
          error(e->getLoc(), "'" + s.target +
                                 "' reads its own elements: recurrences are "
                                 "not supported yet");
          return;
        }
      }
      if (auto *sub = dyn_cast<ast::SubscriptExpr>(e)) {
        for (auto &i : sub->indices)
          work.push_back(i.get());
      } else if (auto *c = dyn_cast<ast::CallExpr>(e)) {
        for (auto &a : c->args)
          work.push_back(a.get());
      } else if (auto *r = dyn_cast<ast::ReduceExpr>(e)) {
        work.push_back(r->body.get());
      } else if (auto *b = dyn_cast<ast::BinaryExpr>(e)) {
        work.push_back(b->lhs.get());
        work.push_back(b->rhs.get());
      } else if (auto *u = dyn_cast<ast::UnaryExpr>(e)) {
        work.push_back(u->operand.get());
      } else if (auto *l = dyn_cast<ast::ListExpr>(e)) {
        for (auto &a : l->elements)
          work.push_back(a.get());
      }
    }
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < s.indices.size(); ++i) {
    if (!seen.insert(s.indices[i]).second) {
      error(s.indexLocs[i],
            "index '" + s.indices[i] + "' appears twice on the left-hand side");
      return;
    }
  }
  auto v =
      buildStatement(s.getLoc(), s.indices, s.indexLocs, *s.value, s.ranges);
  if (!v) {
    poison({s.target});
    return;
  }
  Binding b;
  b.ref = *v;
  b.type = typeOf(*v);
  names[s.target] = b;
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
      bool taken = false;
      for (const ValueSpec &r : out.signature.results)
        taken |= r.name == n->name;
      if (!taken)
        out.signature.results[i].name = n->name;
    }
  }
}

//===----------------------------------------------------------------------===//
// Whole values
//===----------------------------------------------------------------------===//

bool FunctionAnalyzer::isProducerCall(const ast::Expr &e) const {
  auto *c = dyn_cast<ast::CallExpr>(&e);
  if (!c)
    return false;
  return c->callee == "softmax" || c->callee == "zeros" ||
         c->callee == "ones" || c->callee == "einsum" ||
         m.signatures.count(c->callee);
}

std::optional<ValueRef> FunctionAnalyzer::evalValue(const ast::Expr &e) {
  if (auto *n = dyn_cast<ast::NameExpr>(&e)) {
    auto it = names.find(n->name);
    if (it != names.end() && it->second.kind == Binding::Kind::Value)
      return it->second.ref;
  }
  if (auto *c = dyn_cast<ast::CallExpr>(&e); c && isProducerCall(e)) {
    if (c->callee == "softmax")
      return evalSoftmax(*c);
    if (c->callee == "zeros")
      return evalSplat(*c, 0.0);
    if (c->callee == "ones")
      return evalSplat(*c, 1.0);
    if (c->callee == "einsum")
      return evalEinsum(*c);
    auto results = evalCall(*c);
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
  return buildStatement(e.getLoc(), {}, {}, e, {});
}

std::optional<Extent> FunctionAnalyzer::extentOfExpr(const ast::Expr &e) {
  if (auto *n = dyn_cast<ast::NumberExpr>(&e)) {
    auto v = parseNumber(*n, diag());
    if (!v)
      return std::nullopt;
    if (!v->isInt || v->i < 0) {
      error(e.getLoc(), "expected a non-negative integer");
      return std::nullopt;
    }
    return Extent::literal(v->i);
  }
  if (auto *n = dyn_cast<ast::NameExpr>(&e)) {
    auto c = m.constants.find(n->name);
    if (c != m.constants.end()) {
      if (!c->second.isInt || c->second.i < 0) {
        error(e.getLoc(),
              "constant '" + n->name + "' is not a non-negative integer");
        return std::nullopt;
      }
      return Extent::literal(c->second.i);
    }
    auto it = names.find(n->name);
    if (it != names.end() && (it->second.kind == Binding::Kind::Symbol ||
                              it->second.kind == Binding::Kind::IndexParam))
      return Extent::sym(it->second.symbol);
    error(e.getLoc(), "'" + n->name +
                          "' is not a size symbol of this function or an "
                          "integer constant");
    return std::nullopt;
  }
  error(e.getLoc(), "expected an integer literal, an integer constant or a "
                    "size symbol");
  return std::nullopt;
}

std::optional<ConstValue> FunctionAnalyzer::constOf(const ast::Expr &e) {
  return m.evalConst(e);
}

std::optional<std::vector<ValueRef>>
FunctionAnalyzer::evalCall(const ast::CallExpr &call) {
  const FnSignature &callee = m.signatures.at(call.callee);
  m.calls[out.name].insert(call.callee);
  if (!callee.valid)
    return std::nullopt;
  if (call.args.size() != callee.params.size()) {
    error(call.getLoc(), "'" + call.callee + "' expects " +
                             std::to_string(callee.params.size()) +
                             " argument(s) but " +
                             std::to_string(call.args.size()) + " were given");
    return std::nullopt;
  }
  std::map<std::string, Extent> binding;
  std::map<std::string, std::string> bindingOrigin;
  Value v;
  v.kind = Value::Kind::Call;
  v.loc = call.getLoc();
  v.callee = call.callee;
  bool ok = true;
  auto bind = [&](const std::string &sym, const Extent &ext,
                  const std::string &origin, SourceLoc loc) {
    auto [it, inserted] = binding.try_emplace(sym, ext);
    if (inserted) {
      bindingOrigin[sym] = origin;
      return true;
    }
    if (it->second != ext) {
      error(loc, "size mismatch in call to '" + call.callee + "': " + sym +
                     " is " + it->second.str() + " from " + bindingOrigin[sym] +
                     " but " + ext.str() + " from " + origin);
      return false;
    }
    return true;
  };
  for (size_t i = 0; i < call.args.size(); ++i) {
    const Param &p = callee.params[i];
    const ast::Expr &arg = *call.args[i];
    if (p.isIndex) {
      auto ext = extentOfExpr(arg);
      if (!ext) {
        ok = false;
        continue;
      }
      v.operands.push_back(ValueRef{~0u, 0});
      // Index arguments are carried in the extent binding; MLIRGen passes
      // the bound size value.
      if (!bind(p.name, *ext, "argument '" + p.name + "'", arg.getLoc()))
        ok = false;
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
    for (size_t d = 0; d < t.shape.size(); ++d) {
      const Extent &want = p.type.shape[d];
      std::string origin = "argument '" + p.name + "' dim " + std::to_string(d);
      if (!want.isSymbol) {
        if (t.shape[d] != want) {
          error(arg.getLoc(), "size mismatch in call to '" + call.callee +
                                  "': " + origin + " must be " + want.str() +
                                  " but is " + t.shape[d].str());
          ok = false;
        }
        continue;
      }
      if (!bind(want.symbol, t.shape[d], origin, arg.getLoc()))
        ok = false;
    }
    v.operands.push_back(*a);
  }
  if (!ok)
    return std::nullopt;
  // Index arguments: record the bound extents as operand placeholders that
  // MLIRGen resolves through `callExtents`.
  for (size_t i = 0; i < callee.params.size(); ++i) {
    if (!callee.params[i].isIndex)
      continue;
    const Extent &e = binding.at(callee.params[i].name);
    // Pass the extent as a zero-loop contraction yielding its value: keeps
    // Value plain data and lets MLIRGen treat every operand alike.
    Value sv;
    sv.kind = Value::Kind::Contraction;
    sv.loc = call.args[i]->getLoc();
    sv.types.push_back(TensorType{DType::I64, {}});
    sv.contraction = std::make_unique<Contraction>();
    auto body = std::make_unique<ScalarExpr>();
    body->kind =
        e.isSymbol ? ScalarExpr::Kind::SizeValue : ScalarExpr::Kind::Constant;
    body->dtype = DType::I64;
    body->symbol = e.symbol;
    body->intValue = e.value;
    sv.contraction->body = std::move(body);
    ValueRef r = addValue(std::move(sv));
    v.operands[i] = r;
  }
  for (const TensorType &rt : callee.results) {
    TensorType t;
    t.dtype = rt.dtype;
    for (const Extent &e : rt.shape)
      t.shape.push_back(e.isSymbol ? binding.at(e.symbol) : e);
    v.types.push_back(std::move(t));
  }
  unsigned n = static_cast<unsigned>(v.types.size());
  ValueRef base = addValue(std::move(v));
  std::vector<ValueRef> results;
  for (unsigned i = 0; i < n; ++i)
    results.push_back(ValueRef{base.id, i});
  return results;
}

std::optional<ValueRef>
FunctionAnalyzer::evalSoftmax(const ast::CallExpr &call) {
  if (call.args.size() != 2) {
    error(call.getLoc(), "softmax expects 2 arguments (tensor, axis) but " +
                             std::to_string(call.args.size()) + " were given");
    return std::nullopt;
  }
  auto x = evalValue(*call.args[0]);
  auto axis = constOf(*call.args[1]);
  if (!x || !axis)
    return std::nullopt;
  const TensorType t = typeOf(*x);
  if (!isFloat(t.dtype)) {
    error(call.args[0]->getLoc(),
          "softmax expects a floating-point tensor, got " + t.str());
    return std::nullopt;
  }
  int64_t rank = t.getRank();
  if (!axis->isInt || axis->i < -rank || axis->i >= rank || rank == 0) {
    error(call.args[1]->getLoc(),
          "softmax axis must be an integer in [" + std::to_string(-rank) +
              ", " + std::to_string(rank) + ") for " + t.str());
    return std::nullopt;
  }
  Value v;
  v.kind = Value::Kind::Softmax;
  v.loc = call.getLoc();
  v.types.push_back(t);
  v.operands.push_back(*x);
  v.axis = axis->i < 0 ? axis->i + rank : axis->i;
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
  if (dims) {
    for (const ast::ExprPtr &d : *dims) {
      auto ext = extentOfExpr(*d);
      if (!ext)
        return std::nullopt;
      t.shape.push_back(*ext);
    }
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
  if (isComplex(t->dtype)) {
    error(call.args[0]->getLoc(), "complex numbers are not supported yet");
    return std::nullopt;
  }
  Value v;
  v.kind = Value::Kind::Splat;
  v.loc = call.getLoc();
  v.types.push_back(*t);
  v.splatValue = value;
  return addValue(std::move(v));
}

std::optional<ValueRef>
FunctionAnalyzer::evalEinsum(const ast::CallExpr &call) {
  auto *spec = call.args.empty()
                   ? nullptr
                   : dyn_cast<ast::StringExpr>(call.args[0].get());
  if (!spec) {
    error(call.getLoc(), "einsum expects a string such as \"ij,jk->ik\" "
                         "followed by its operands");
    return std::nullopt;
  }
  std::string s;
  for (char ch : spec->value)
    if (ch != ' ')
      s += ch;
  std::string lhs = s, rhs;
  bool explicitOut = false;
  size_t arrow = s.find("->");
  if (arrow != std::string::npos) {
    lhs = s.substr(0, arrow);
    rhs = s.substr(arrow + 2);
    explicitOut = true;
  }
  std::vector<std::string> terms;
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(lhs).split(parts, ',', -1, true);
  for (llvm::StringRef p : parts)
    terms.push_back(p.str());
  auto bad = [&](const llvm::Twine &msg) {
    error(spec->getLoc(),
          "invalid einsum string \"" + spec->value + "\": " + msg);
    return std::nullopt;
  };
  for (const std::string &t : terms)
    for (char ch : t)
      if (!std::isalpha(static_cast<unsigned char>(ch)))
        return bad(std::string("'") + ch +
                   "' is not a letter (ellipses are not supported)");
  for (char ch : rhs)
    if (!std::isalpha(static_cast<unsigned char>(ch)))
      return bad(std::string("'") + ch + "' is not a letter");
  if (terms.size() != call.args.size() - 1) {
    error(call.getLoc(), "einsum string \"" + spec->value + "\" names " +
                             std::to_string(terms.size()) + " operand(s) but " +
                             std::to_string(call.args.size() - 1) +
                             " were given");
    return std::nullopt;
  }
  std::vector<ValueRef> ops;
  for (size_t i = 1; i < call.args.size(); ++i) {
    auto v = evalValue(*call.args[i]);
    if (!v)
      return std::nullopt;
    ops.push_back(*v);
  }
  std::map<char, int> count;
  for (const std::string &t : terms)
    for (char ch : t)
      ++count[ch];
  if (!explicitOut) {
    for (auto &[ch, n] : count)
      if (n == 1)
        rhs += ch;
  }
  std::set<char> outSeen;
  for (char ch : rhs) {
    if (!count.count(ch))
      return bad(std::string("output index '") + ch +
                 "' does not appear in any operand");
    if (!outSeen.insert(ch).second)
      return bad(std::string("output index '") + ch + "' appears twice");
  }
  // Loops: output letters first, then summed letters in order of appearance.
  std::vector<char> loops(rhs.begin(), rhs.end());
  for (const std::string &t : terms)
    for (char ch : t)
      if (!llvm::is_contained(loops, ch))
        loops.push_back(ch);
  auto loopOf = [&](char ch) {
    return static_cast<unsigned>(llvm::find(loops, ch) - loops.begin());
  };
  auto c = std::make_unique<Contraction>();
  std::vector<std::optional<Extent>> extents(loops.size());
  std::vector<std::string> origins(loops.size());
  DType dtype = typeOf(ops[0]).dtype;
  for (size_t i = 0; i < terms.size(); ++i) {
    const TensorType &t = typeOf(ops[i]);
    if (static_cast<int64_t>(terms[i].size()) != t.getRank()) {
      error(call.args[i + 1]->getLoc(),
            "einsum operand " + std::to_string(i + 1) + " has type " + t.str() +
                " (rank " + std::to_string(t.getRank()) + ") but \"" +
                terms[i] + "\" names " + std::to_string(terms[i].size()) +
                " dimension(s)");
      return std::nullopt;
    }
    if (t.dtype != dtype) {
      error(call.args[i + 1]->getLoc(),
            "einsum operands must share one dtype: " +
                getDTypeName(dtype).str() + " and " + t.str());
      return std::nullopt;
    }
    ContractionOperand op;
    op.value = ops[i];
    for (size_t d = 0; d < terms[i].size(); ++d) {
      unsigned l = loopOf(terms[i][d]);
      std::string origin = "operand " + std::to_string(i + 1) + " (dim " +
                           std::to_string(d) + ")";
      if (!extents[l]) {
        extents[l] = t.shape[d];
        origins[l] = origin;
      } else if (*extents[l] != t.shape[d]) {
        error(call.args[i + 1]->getLoc(),
              std::string("einsum index '") + terms[i][d] + "' has extent " +
                  extents[l]->str() + " in " + origins[l] + " but " +
                  t.shape[d].str() + " in " + origin);
        return std::nullopt;
      }
      AffineSubscript sub;
      sub.coeffs.assign(loops.size(), 0);
      sub.coeffs[l] = 1;
      op.subscripts.push_back(sub);
    }
    c->operands.push_back(std::move(op));
  }
  if (dtype == DType::Bool) {
    error(call.getLoc(), "einsum of bool tensors is not defined");
    return std::nullopt;
  }
  if (isComplex(dtype) && terms.size() > 1) {
    error(call.getLoc(), "complex arithmetic is not supported yet");
    return std::nullopt;
  }
  ScalarExprPtr body;
  for (size_t i = 0; i < terms.size(); ++i) {
    auto r = std::make_unique<ScalarExpr>();
    r->kind = ScalarExpr::Kind::Read;
    r->dtype = dtype;
    r->operand = static_cast<unsigned>(i);
    r->loc = call.getLoc();
    if (!body) {
      body = std::move(r);
      continue;
    }
    auto mul = std::make_unique<ScalarExpr>();
    mul->kind = ScalarExpr::Kind::Binary;
    mul->binaryOp = ScalarExpr::BinaryOp::Mul;
    mul->dtype = dtype;
    mul->loc = call.getLoc();
    mul->args.push_back(std::move(body));
    mul->args.push_back(std::move(r));
    body = std::move(mul);
  }
  c->body = std::move(body);
  for (size_t l = 0; l < loops.size(); ++l) {
    c->loopExtents.push_back(*extents[l]);
    c->loopNames.push_back(std::string(1, loops[l]));
  }
  TensorType rt;
  rt.dtype = dtype;
  for (size_t l = 0; l < rhs.size(); ++l) {
    c->resultLoops.push_back(static_cast<unsigned>(l));
    rt.shape.push_back(*extents[l]);
  }
  c->kind = ReduceKind::Sum;
  Value v;
  v.kind = Value::Kind::Contraction;
  v.loc = call.getLoc();
  v.types.push_back(rt);
  v.contraction = std::move(c);
  return addValue(std::move(v));
}

//===----------------------------------------------------------------------===//
// Index notation
//===----------------------------------------------------------------------===//

/// The built-in scalar functions usable inside expressions.
static std::optional<ScalarExpr::UnaryOp> unaryBuiltin(llvm::StringRef n) {
  using U = ScalarExpr::UnaryOp;
  return llvm::StringSwitch<std::optional<U>>(n)
      .Case("exp", U::Exp)
      .Case("log", U::Log)
      .Case("sqrt", U::Sqrt)
      .Case("rsqrt", U::Rsqrt)
      .Case("sin", U::Sin)
      .Case("cos", U::Cos)
      .Case("tanh", U::Tanh)
      .Case("sigmoid", U::Sigmoid)
      .Case("softplus", U::Softplus)
      .Case("silu", U::Silu)
      .Case("gelu", U::Gelu)
      .Case("relu", U::Relu)
      .Case("abs", U::Abs)
      .Default(std::nullopt);
}

static bool isReducerName(llvm::StringRef n) {
  return n == "sum" || n == "max" || n == "min" || n == "prod";
}

/// Built-ins of the language design that later releases add.
static bool isFutureBuiltin(llvm::StringRef n) {
  return llvm::StringSwitch<bool>(n)
      .Cases({"re", "im", "conj", "complex"}, true)
      .Cases({"reshape", "concat"}, true)
      .Cases({"discretize_zoh", "discretize_bilinear", "hippo_legs",
              "hippo_legt", "hippo_fourier"},
             true)
      .Cases({"causal_conv", "selective_scan"}, true)
      .Cases({"fft", "ifft", "rfft", "irfft", "fwht"}, true)
      .Cases({"bitreverse", "permute", "butterfly", "fft_twiddles"}, true)
      .Cases({"blockdiag", "monarch"}, true)
      .Default(false);
}

bool FunctionAnalyzer::hoistProducers(const ast::Expr &e) {
  if (isProducerCall(e)) {
    StatementState saved = std::move(st);
    st = StatementState();
    auto v = evalValue(e);
    st = std::move(saved);
    if (!v)
      return false;
    hoisted[&e] = *v;
    return true;
  }
  bool ok = true;
  if (auto *s = dyn_cast<ast::SubscriptExpr>(&e)) {
    for (auto &i : s->indices)
      ok &= hoistProducers(*i);
  } else if (auto *c = dyn_cast<ast::CallExpr>(&e)) {
    for (auto &a : c->args)
      ok &= hoistProducers(*a);
  } else if (auto *r = dyn_cast<ast::ReduceExpr>(&e)) {
    ok &= hoistProducers(*r->body);
  } else if (auto *b = dyn_cast<ast::BinaryExpr>(&e)) {
    ok &= hoistProducers(*b->lhs);
    ok &= hoistProducers(*b->rhs);
  } else if (auto *u = dyn_cast<ast::UnaryExpr>(&e)) {
    ok &= hoistProducers(*u->operand);
  }
  return ok;
}

/// Collects names used inside subscripts that are not bound by an enclosing
/// reducer and do not name a value, constant or size symbol: these are the
/// statement's implicit indices.
void FunctionAnalyzer::collectSubscriptNames(
    const ast::Expr &e, std::vector<std::set<std::string>> &bound,
    std::vector<std::pair<std::string, SourceLoc>> &outNames) {
  if (hoisted.count(&e))
    return;
  std::function<void(const ast::Expr &)> inSubscript = [&](const ast::Expr &x) {
    if (auto *n = dyn_cast<ast::NameExpr>(&x)) {
      for (auto &b : bound)
        if (b.count(n->name))
          return;
      if (m.constants.count(n->name) || names.count(n->name))
        return;
      outNames.push_back({n->name, n->getLoc()});
      return;
    }
    if (auto *b = dyn_cast<ast::BinaryExpr>(&x)) {
      inSubscript(*b->lhs);
      inSubscript(*b->rhs);
    } else if (auto *u = dyn_cast<ast::UnaryExpr>(&x)) {
      inSubscript(*u->operand);
    }
  };
  if (auto *s = dyn_cast<ast::SubscriptExpr>(&e)) {
    for (auto &i : s->indices)
      inSubscript(*i);
  } else if (auto *c = dyn_cast<ast::CallExpr>(&e)) {
    for (auto &a : c->args)
      collectSubscriptNames(*a, bound, outNames);
  } else if (auto *r = dyn_cast<ast::ReduceExpr>(&e)) {
    bound.push_back(
        std::set<std::string>(r->indices.begin(), r->indices.end()));
    collectSubscriptNames(*r->body, bound, outNames);
    bound.pop_back();
  } else if (auto *b = dyn_cast<ast::BinaryExpr>(&e)) {
    collectSubscriptNames(*b->lhs, bound, outNames);
    collectSubscriptNames(*b->rhs, bound, outNames);
  } else if (auto *u = dyn_cast<ast::UnaryExpr>(&e)) {
    collectSubscriptNames(*u->operand, bound, outNames);
  }
}

bool FunctionAnalyzer::recordExtent(unsigned idx, const Extent &ext,
                                    const std::string &origin, SourceLoc loc) {
  IndexInfo &info = indices[idx];
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

/// Resolves every index name to its IndexInfo and records extents from plain
/// subscripts.
bool FunctionAnalyzer::resolveIndices(
    const ast::Expr &e, std::vector<std::map<std::string, unsigned>> &scopes) {
  if (hoisted.count(&e))
    return true;
  auto lookupIndex = [&](const std::string &n) -> std::optional<unsigned> {
    for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
      auto f = it->find(n);
      if (f != it->end())
        return f->second;
    }
    return std::nullopt;
  };
  if (auto *n = dyn_cast<ast::NameExpr>(&e)) {
    if (auto idx = lookupIndex(n->name))
      indexOfName[&e] = *idx;
    return true;
  }
  if (auto *s = dyn_cast<ast::SubscriptExpr>(&e)) {
    bool ok = true;
    auto *base = dyn_cast<ast::NameExpr>(s->base.get());
    const TensorType *t = nullptr;
    if (base) {
      auto it = names.find(base->name);
      if (it != names.end() && it->second.kind == Binding::Kind::Value)
        t = &it->second.type;
    }
    for (size_t d = 0; d < s->indices.size(); ++d) {
      const ast::Expr &sub = *s->indices[d];
      std::function<void(const ast::Expr &)> walk = [&](const ast::Expr &x) {
        if (auto *n = dyn_cast<ast::NameExpr>(&x)) {
          if (auto idx = lookupIndex(n->name))
            indexOfName[&x] = *idx;
        } else if (auto *b = dyn_cast<ast::BinaryExpr>(&x)) {
          walk(*b->lhs);
          walk(*b->rhs);
        } else if (auto *u = dyn_cast<ast::UnaryExpr>(&x)) {
          walk(*u->operand);
        }
      };
      walk(sub);
      auto *n = dyn_cast<ast::NameExpr>(&sub);
      if (n && t && static_cast<int64_t>(d) < t->getRank()) {
        if (auto idx = lookupIndex(n->name))
          ok &= recordExtent(*idx, t->shape[d],
                             base->name + " (dim " + std::to_string(d) + ")",
                             sub.getLoc());
      }
    }
    return ok;
  }
  if (auto *c = dyn_cast<ast::CallExpr>(&e)) {
    bool ok = true;
    for (auto &a : c->args)
      ok &= resolveIndices(*a, scopes);
    return ok;
  }
  if (auto *r = dyn_cast<ast::ReduceExpr>(&e)) {
    std::map<std::string, unsigned> scope;
    std::vector<unsigned> bound;
    for (size_t i = 0; i < r->indices.size(); ++i) {
      if (scope.count(r->indices[i])) {
        error(r->indexLocs[i], "index '" + r->indices[i] +
                                   "' is listed twice in this reduction");
        return false;
      }
      IndexInfo info;
      info.name = r->indices[i];
      info.loc = r->indexLocs[i];
      info.boundByReducer = true;
      indices.push_back(info);
      unsigned id = static_cast<unsigned>(indices.size() - 1);
      scope[r->indices[i]] = id;
      bound.push_back(id);
    }
    reducerBound[r] = bound;
    scopes.push_back(std::move(scope));
    bool ok = resolveIndices(*r->body, scopes);
    scopes.pop_back();
    return ok;
  }
  if (auto *b = dyn_cast<ast::BinaryExpr>(&e)) {
    bool lhsOk = resolveIndices(*b->lhs, scopes);
    bool rhsOk = resolveIndices(*b->rhs, scopes);
    return lhsOk && rhsOk;
  }
  if (auto *u = dyn_cast<ast::UnaryExpr>(&e))
    return resolveIndices(*u->operand, scopes);
  return true;
}

void FunctionAnalyzer::collectUsedIndices(const ast::Expr &e,
                                          std::set<unsigned> &used) {
  if (hoisted.count(&e))
    return;
  auto it = indexOfName.find(&e);
  if (it != indexOfName.end())
    used.insert(it->second);
  if (auto *s = dyn_cast<ast::SubscriptExpr>(&e)) {
    for (auto &i : s->indices)
      collectUsedIndices(*i, used);
  } else if (auto *c = dyn_cast<ast::CallExpr>(&e)) {
    for (auto &a : c->args)
      collectUsedIndices(*a, used);
  } else if (auto *r = dyn_cast<ast::ReduceExpr>(&e)) {
    collectUsedIndices(*r->body, used);
  } else if (auto *b = dyn_cast<ast::BinaryExpr>(&e)) {
    collectUsedIndices(*b->lhs, used);
    collectUsedIndices(*b->rhs, used);
  } else if (auto *u = dyn_cast<ast::UnaryExpr>(&e)) {
    collectUsedIndices(*u->operand, used);
  }
}

/// Infers the shape of a whole-value elementwise expression from its leaves.
/// Returns false (after reporting) if two leaves disagree.
static bool inferWholeShape(
    const ast::Expr &e,
    const std::function<const TensorType *(const ast::Expr &)> &leaf,
    std::optional<std::vector<Extent>> &shape, const ast::Expr *&shapeLeaf,
    DiagnosticSink &diag) {
  if (const TensorType *t = leaf(e)) {
    if (t->shape.empty())
      return true;
    if (!shape) {
      shape = t->shape;
      shapeLeaf = &e;
      return true;
    }
    if (*shape != t->shape) {
      TensorType a{t->dtype, *shape};
      diag.error(e.getLoc(),
                 "shape mismatch in an elementwise expression: " +
                     ast::toString(*shapeLeaf) + " has shape " + a.str() +
                     " but " + ast::toString(e) + " has " + t->str() +
                     " (broadcasting is by index name: use index notation)");
      return false;
    }
    return true;
  }
  bool ok = true;
  if (auto *c = dyn_cast<ast::CallExpr>(&e)) {
    for (auto &a : c->args)
      ok &= inferWholeShape(*a, leaf, shape, shapeLeaf, diag);
  } else if (auto *b = dyn_cast<ast::BinaryExpr>(&e)) {
    ok &= inferWholeShape(*b->lhs, leaf, shape, shapeLeaf, diag);
    ok &= inferWholeShape(*b->rhs, leaf, shape, shapeLeaf, diag);
  } else if (auto *u = dyn_cast<ast::UnaryExpr>(&e)) {
    ok &= inferWholeShape(*u->operand, leaf, shape, shapeLeaf, diag);
  }
  return ok;
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
    auto it = top.find(n);
    if (it != top.end())
      return it->second;
    IndexInfo info;
    info.name = n;
    info.loc = l;
    indices.push_back(info);
    unsigned id = static_cast<unsigned>(indices.size() - 1);
    top[n] = id;
    return id;
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
  if (!resolveIndices(rhs, scopes))
    return std::nullopt;

  bool ok = true;
  std::set<std::string> rangeSeen;
  for (const ast::RangeClause &r : ranges) {
    if (!rangeSeen.insert(r.index).second) {
      error(r.loc, "index '" + r.index + "' has two 'where' ranges");
      ok = false;
      continue;
    }
    auto lo = constOf(*r.lo);
    if (!lo)
      return std::nullopt;
    if (!lo->isInt || lo->i != 0) {
      error(r.lo->getLoc(), "ranges must start at 0 in this version "
                            "(write the offset in the subscripts instead)");
      ok = false;
      continue;
    }
    auto hi = extentOfExpr(*r.hi);
    if (!hi) {
      ok = false;
      continue;
    }
    ok &= recordExtent(top.at(r.index), *hi, "the where clause", r.loc);
  }
  if (!ok)
    return std::nullopt;

  // A `where` index that nothing reads would silently become a summed loop.
  {
    std::set<unsigned> used;
    collectUsedIndices(rhs, used);
    for (const ast::RangeClause &r : ranges) {
      unsigned id = top.at(r.index);
      if (used.count(id) || llvm::is_contained(lhs, r.index))
        continue;
      bool boundInside = false;
      for (const IndexInfo &info : indices)
        boundInside |= info.boundByReducer && info.name == r.index;
      error(r.loc, "index '" + r.index + "' of the where clause is not used" +
                       (boundInside ? " (the reduction over '" + r.index +
                                          "' binds an index of its own)"
                                    : std::string()));
      ok = false;
    }
    if (!ok)
      return std::nullopt;
  }

  bool indexMode = !indices.empty();
  if (!indexMode) {
    // Whole-value mode: the expression is elementwise over its leaves.
    auto leafType = [&](const ast::Expr &x) -> const TensorType * {
      auto h = hoisted.find(&x);
      if (h != hoisted.end())
        return &typeOf(h->second);
      if (auto *n = dyn_cast<ast::NameExpr>(&x)) {
        auto it = names.find(n->name);
        if (it != names.end() && it->second.kind == Binding::Kind::Value)
          return &it->second.type;
      }
      return nullptr;
    };
    const ast::Expr *shapeLeaf = nullptr;
    if (!inferWholeShape(rhs, leafType, implicitShape, shapeLeaf, diag()))
      return std::nullopt;
    if (implicitShape) {
      for (size_t d = 0; d < implicitShape->size(); ++d) {
        IndexInfo info;
        info.name = "_" + std::to_string(d);
        info.loc = rhs.getLoc();
        info.extent = (*implicitShape)[d];
        indices.push_back(info);
        implicitLoops.push_back(static_cast<unsigned>(indices.size() - 1));
      }
    }
  }

  for (auto &[n, id] : top) {
    if (!indices[id].extent) {
      error(indices[id].loc,
            "cannot infer the range of index '" + n +
                "': it is not used as a plain subscript of any tensor; add "
                "'where " +
                n + " in 0..N'");
      ok = false;
    }
  }
  for (IndexInfo &info : indices) {
    if (info.boundByReducer && !info.extent) {
      error(info.loc, "cannot infer the range of index '" + info.name +
                          "' of this reduction: it is not used as a plain "
                          "subscript of any tensor");
      ok = false;
    }
  }
  if (!ok)
    return std::nullopt;

  // Loops of the statement: left-hand indices, then the implicitly summed
  // ones in order of first appearance, then whole-value loops.
  auto c = std::make_unique<Contraction>();
  std::map<unsigned, unsigned> loopOf;
  auto addLoop = [&](unsigned id) {
    loopOf[id] = static_cast<unsigned>(c->loopExtents.size());
    c->loopExtents.push_back(*indices[id].extent);
    c->loopNames.push_back(indices[id].name);
  };
  for (const std::string &n : lhs) {
    c->resultLoops.push_back(static_cast<unsigned>(c->loopExtents.size()));
    addLoop(top.at(n));
  }
  std::vector<unsigned> summed;
  for (unsigned id = 0; id < indices.size(); ++id) {
    if (indices[id].boundByReducer || loopOf.count(id) ||
        llvm::is_contained(implicitLoops, id))
      continue;
    summed.push_back(id);
    addLoop(id);
  }
  for (unsigned id : implicitLoops) {
    c->resultLoops.push_back(static_cast<unsigned>(c->loopExtents.size()));
    addLoop(id);
  }

  Typed body = lowerScalar(rhs, *c, loopOf);
  if (!body)
    return std::nullopt;
  defaultWeak(body);
  if (!summed.empty() && body.e->dtype == DType::Bool) {
    error(rhs.getLoc(), "cannot sum bool values over the implicitly summed "
                        "index '" +
                            indices[summed[0]].name +
                            "' (cast to a number first)");
    return std::nullopt;
  }
  c->body = std::move(body.e);
  c->kind = ReduceKind::Sum;
  TensorType t;
  t.dtype = c->body->dtype;
  for (unsigned l : c->resultLoops)
    t.shape.push_back(c->loopExtents[l]);
  Value v;
  v.kind = Value::Kind::Contraction;
  v.loc = loc;
  v.types.push_back(t);
  v.contraction = std::move(c);
  return addValue(std::move(v));
}

//===----------------------------------------------------------------------===//
// Scalar expressions
//===----------------------------------------------------------------------===//

static ScalarExprPtr makeNode(ScalarExpr::Kind k, DType t, SourceLoc loc) {
  auto e = std::make_unique<ScalarExpr>();
  e->kind = k;
  e->dtype = t;
  e->loc = loc;
  return e;
}

Typed FunctionAnalyzer::makeConst(const ConstValue &v, SourceLoc loc) {
  Typed t;
  t.weak = true;
  t.e = makeNode(ScalarExpr::Kind::Constant, v.isInt ? DType::I64 : DType::F32,
                 loc);
  t.e->intValue = v.i;
  t.e->floatValue = v.f;
  return t;
}

void FunctionAnalyzer::defaultWeak(Typed &t) {
  if (!t.weak)
    return;
  // Weak integers default to i64 and weak floats to f32; the node already
  // carries that dtype.
  t.weak = false;
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

/// Gives a weak (untyped) subtree the dtype `to`: constants take it
/// directly, indices and size values are converted once at the leaves, and
/// the operations in between compute in `to`.
bool FunctionAnalyzer::retype(ScalarExpr &e, DType to, SourceLoc loc) {
  if (isComplex(to)) {
    error(loc, "complex numbers are not supported yet");
    return false;
  }
  if (!isFloat(to) && isFloat(e.dtype)) {
    error(loc, std::string("a floating-point ") +
                   (e.kind == ScalarExpr::Kind::Constant ? "literal"
                                                         : "expression") +
                   " cannot be used as " + getDTypeName(to).str() +
                   " (convert it explicitly, e.g. " + getDTypeName(to).str() +
                   "(...))");
    return false;
  }
  if (to == DType::Bool) {
    error(loc, "a number cannot be used as a bool (compare it instead)");
    return false;
  }
  switch (e.kind) {
  case ScalarExpr::Kind::Constant:
    if (to == DType::I32 &&
        (e.intValue > INT32_MAX || e.intValue < INT32_MIN)) {
      error(loc, "the literal " + std::to_string(e.intValue) +
                     " does not fit in i32");
      return false;
    }
    if (isFloat(to) && !isFloat(e.dtype))
      e.floatValue = static_cast<double>(e.intValue);
    e.dtype = to;
    return true;
  case ScalarExpr::Kind::LoopIndex:
  case ScalarExpr::Kind::SizeValue: {
    if (to == DType::I64)
      return true;
    auto inner = std::make_unique<ScalarExpr>(std::move(e));
    e = ScalarExpr();
    e.kind = ScalarExpr::Kind::Cast;
    e.loc = inner->loc;
    e.dtype = to;
    e.args.push_back(std::move(inner));
    return true;
  }
  case ScalarExpr::Kind::Cast:
    // Only conversions of indices made while the tree was weak appear here.
    e.dtype = to;
    return true;
  case ScalarExpr::Kind::Select:
    e.dtype = to;
    return retype(*e.args[1], to, loc) && retype(*e.args[2], to, loc);
  case ScalarExpr::Kind::Unary:
    e.dtype = to;
    return retype(*e.args[0], to, loc);
  case ScalarExpr::Kind::Binary:
    e.dtype = to;
    if (!retype(*e.args[0], to, loc))
      return false;
    // An integer-literal exponent stays an integer.
    if (e.binaryOp == ScalarExpr::BinaryOp::Pow &&
        e.args[1]->kind == ScalarExpr::Kind::Constant &&
        !isFloat(e.args[1]->dtype))
      return true;
    return retype(*e.args[1], to, loc);
  case ScalarExpr::Kind::Read:
    break;
  }
  return true;
}

bool FunctionAnalyzer::coerce(Typed &t, DType to, SourceLoc loc) {
  if (t.weak) {
    if (!retype(*t.e, to, loc))
      return false;
    t.weak = false;
    return true;
  }
  if (t.e->dtype == to)
    return true;
  if (to == DType::Bool) {
    error(loc, "a number cannot be used as a bool (compare it instead)");
    return false;
  }
  auto cast = makeNode(ScalarExpr::Kind::Cast, to, t.e->loc);
  cast->args.push_back(std::move(t.e));
  t.e = std::move(cast);
  return true;
}

bool FunctionAnalyzer::unify(Typed &a, Typed &b, SourceLoc loc,
                             llvm::StringRef what) {
  if (a.weak && b.weak) {
    // Both untyped: float wins over integer, and the result stays untyped.
    if (isFloat(a.e->dtype) != isFloat(b.e->dtype)) {
      Typed &intOne = isFloat(a.e->dtype) ? b : a;
      if (!retype(*intOne.e, DType::F32, loc))
        return false;
    }
    return true;
  }
  if (a.weak)
    return coerce(a, b.e->dtype, loc);
  if (b.weak)
    return coerce(b, a.e->dtype, loc);
  if (a.e->dtype != b.e->dtype) {
    error(loc, "dtype mismatch in " + what + ": " + getDTypeName(a.e->dtype) +
                   " and " + getDTypeName(b.e->dtype) +
                   " (convert one with a cast "
                   "such as " +
                   getDTypeName(a.e->dtype) + "(...))");
    return false;
  }
  return true;
}

unsigned FunctionAnalyzer::addOperand(Contraction &c, ValueRef v,
                                      std::vector<AffineSubscript> subs) {
  for (size_t i = 0; i < c.operands.size(); ++i) {
    const ContractionOperand &o = c.operands[i];
    if (!(o.value == v) || o.subscripts.size() != subs.size())
      continue;
    bool same = true;
    for (size_t d = 0; d < subs.size() && same; ++d)
      same = o.subscripts[d].coeffs == subs[d].coeffs &&
             o.subscripts[d].constant == subs[d].constant;
    if (same)
      return static_cast<unsigned>(i);
  }
  c.operands.push_back(ContractionOperand{v, std::move(subs)});
  return static_cast<unsigned>(c.operands.size() - 1);
}

Typed FunctionAnalyzer::lowerLeafValue(
    ValueRef ref, SourceLoc loc, Contraction &c,
    const std::map<unsigned, unsigned> &loopOf) {
  const TensorType &t = typeOf(ref);
  std::vector<AffineSubscript> subs;
  if (!t.shape.empty()) {
    if (implicitLoops.size() != t.shape.size()) {
      error(loc, "a tensor of type " + t.str() +
                     " is used without subscripts in index notation; write "
                     "its indices (e.g. x[i, j])");
      return {};
    }
    for (unsigned id : implicitLoops) {
      AffineSubscript s;
      s.coeffs.assign(c.loopExtents.size(), 0);
      s.coeffs[loopOf.at(id)] = 1;
      subs.push_back(s);
    }
  }
  Typed r;
  r.e = makeNode(ScalarExpr::Kind::Read, t.dtype, loc);
  r.e->operand = addOperand(c, ref, std::move(subs));
  return r;
}

std::optional<AffineSubscript>
FunctionAnalyzer::lowerSubscript(const ast::Expr &e,
                                 const std::map<unsigned, unsigned> &loopOf,
                                 size_t numLoops) {
  AffineSubscript s;
  s.coeffs.assign(numLoops, 0);
  auto overflow = [&](const ast::Expr &x) {
    error(x.getLoc(),
          "subscript '" + ast::toString(e) + "' overflows 64-bit arithmetic");
    return false;
  };
  std::function<bool(const ast::Expr &, int64_t)> walk =
      [&](const ast::Expr &x, int64_t scale) -> bool {
    auto idx = indexOfName.find(&x);
    if (idx != indexOfName.end()) {
      if (__builtin_add_overflow(s.coeffs[loopOf.at(idx->second)], scale,
                                 &s.coeffs[loopOf.at(idx->second)]))
        return overflow(x);
      return true;
    }
    if (auto *n = dyn_cast<ast::NameExpr>(&x)) {
      auto c = m.constants.find(n->name);
      if (c != m.constants.end() && c->second.isInt) {
        int64_t term;
        if (__builtin_mul_overflow(scale, c->second.i, &term) ||
            __builtin_add_overflow(s.constant, term, &s.constant))
          return overflow(x);
        return true;
      }
      auto it = names.find(n->name);
      if (it != names.end() && (it->second.kind == Binding::Kind::Symbol ||
                                it->second.kind == Binding::Kind::IndexParam)) {
        error(x.getLoc(), "size symbols in subscripts are not supported yet");
        return false;
      }
      if (isPoisoned(x) || m.failedConsts.count(n->name))
        return false; // its definition failed and was reported
      if (it != names.end()) {
        error(x.getLoc(), "'" + n->name +
                              "' is a value, not an index: subscripts must "
                              "be affine in index names");
        return false;
      }
      error(x.getLoc(), "unknown name '" + n->name + "'");
      return false;
    }
    if (auto *num = dyn_cast<ast::NumberExpr>(&x)) {
      auto v = parseNumber(*num, diag());
      if (!v)
        return false;
      if (!v->isInt) {
        error(x.getLoc(), "subscripts must be integers");
        return false;
      }
      int64_t term;
      if (__builtin_mul_overflow(scale, v->i, &term) ||
          __builtin_add_overflow(s.constant, term, &s.constant))
        return overflow(x);
      return true;
    }
    if (auto *u = dyn_cast<ast::UnaryExpr>(&x);
        u && u->op == ast::UnaryExpr::Op::Neg)
      return walk(*u->operand, -scale);
    if (auto *b = dyn_cast<ast::BinaryExpr>(&x)) {
      using Op = ast::BinaryExpr::Op;
      if (b->op == Op::Add)
        return walk(*b->lhs, scale) && walk(*b->rhs, scale);
      if (b->op == Op::Sub)
        return walk(*b->lhs, scale) && walk(*b->rhs, -scale);
      if (b->op == Op::Mul) {
        // One side must be a constant.
        auto asConst = [&](const ast::Expr &y) -> std::optional<int64_t> {
          if (auto *num = dyn_cast<ast::NumberExpr>(&y)) {
            if (!num->isInteger)
              return std::nullopt;
            int64_t v;
            if (llvm::StringRef(num->text).getAsInteger(10, v))
              return std::nullopt;
            return v;
          }
          if (auto *n = dyn_cast<ast::NameExpr>(&y)) {
            auto c = m.constants.find(n->name);
            if (c != m.constants.end() && c->second.isInt)
              return c->second.i;
          }
          return std::nullopt;
        };
        if (auto k = asConst(*b->lhs)) {
          int64_t scaled;
          if (__builtin_mul_overflow(scale, *k, &scaled))
            return overflow(x);
          return walk(*b->rhs, scaled);
        }
        if (auto k = asConst(*b->rhs)) {
          int64_t scaled;
          if (__builtin_mul_overflow(scale, *k, &scaled))
            return overflow(x);
          return walk(*b->lhs, scaled);
        }
      }
    }
    error(x.getLoc(), "subscript '" + ast::toString(x) +
                          "' is not affine in the indices (allowed: i, "
                          "i + 1, 2 * i - j, ...)");
    return false;
  };
  if (!walk(e, 1))
    return std::nullopt;
  return s;
}

std::optional<ValueRef>
FunctionAnalyzer::buildReduce(const ast::ReduceExpr &r,
                              const std::map<unsigned, unsigned> &outer,
                              const Contraction &outerC) {
  (void)outerC;
  std::set<unsigned> used;
  collectUsedIndices(*r.body, used);
  const std::vector<unsigned> &bound = reducerBound.at(&r);
  auto c = std::make_unique<Contraction>();
  std::map<unsigned, unsigned> loopOf;
  std::vector<unsigned> freeIds;
  for (unsigned id : used) {
    if (llvm::is_contained(bound, id))
      continue;
    // Indices bound by reducers nested inside this one are not free here.
    if (!outer.count(id))
      continue;
    freeIds.push_back(id);
  }
  for (unsigned id : freeIds) {
    c->resultLoops.push_back(static_cast<unsigned>(c->loopExtents.size()));
    loopOf[id] = static_cast<unsigned>(c->loopExtents.size());
    c->loopExtents.push_back(*indices[id].extent);
    c->loopNames.push_back(indices[id].name);
  }
  for (size_t i = 0; i < bound.size(); ++i) {
    unsigned id = bound[i];
    if (!used.count(id)) {
      error(r.indexLocs[i], "index '" + indices[id].name +
                                "' of this reduction is not used in its body");
      return std::nullopt;
    }
    loopOf[id] = static_cast<unsigned>(c->loopExtents.size());
    c->loopExtents.push_back(*indices[id].extent);
    c->loopNames.push_back(indices[id].name);
  }
  // Whole-value loops are not visible inside reductions.
  std::vector<unsigned> savedImplicit;
  std::swap(savedImplicit, implicitLoops);
  Typed body = lowerScalar(*r.body, *c, loopOf);
  std::swap(savedImplicit, implicitLoops);
  if (!body)
    return std::nullopt;
  defaultWeak(body);
  DType dt = body.e->dtype;
  using Op = ast::ReduceExpr::Op;
  if (dt == DType::Bool) {
    error(r.getLoc(), "cannot reduce bool values (cast them to a number)");
    return std::nullopt;
  }
  if ((r.op == Op::Max || r.op == Op::Min) && isComplex(dt)) {
    error(r.getLoc(), "max/min of complex values is not defined");
    return std::nullopt;
  }
  c->body = std::move(body.e);
  c->kind = r.op == Op::Sum   ? ReduceKind::Sum
            : r.op == Op::Max ? ReduceKind::Max
            : r.op == Op::Min ? ReduceKind::Min
                              : ReduceKind::Prod;
  TensorType t;
  t.dtype = dt;
  for (unsigned l : c->resultLoops)
    t.shape.push_back(c->loopExtents[l]);
  Value v;
  v.kind = Value::Kind::Contraction;
  v.loc = r.getLoc();
  v.types.push_back(t);
  v.contraction = std::move(c);
  ValueRef ref = addValue(std::move(v));
  // Remember the free indices so the reader can subscript the result.
  reduceFree[&r] = freeIds;
  return ref;
}

Typed FunctionAnalyzer::lowerScalar(
    const ast::Expr &e, Contraction &c,
    const std::map<unsigned, unsigned> &loopOf) {
  SourceLoc loc = e.getLoc();
  auto h = hoisted.find(&e);
  if (h != hoisted.end())
    return lowerLeafValue(h->second, loc, c, loopOf);

  if (auto *n = dyn_cast<ast::NumberExpr>(&e)) {
    auto v = parseNumber(*n, diag());
    if (!v)
      return {};
    return makeConst(*v, loc);
  }
  if (isa<ast::StringExpr>(&e)) {
    error(loc, "a string is only valid as the first argument of einsum");
    return {};
  }
  if (isa<ast::ListExpr>(&e)) {
    error(loc, "a list is not a value here");
    return {};
  }
  if (isPoisoned(e))
    return {};
  if (auto *n = dyn_cast<ast::NameExpr>(&e)) {
    auto idx = indexOfName.find(&e);
    if (idx != indexOfName.end()) {
      auto l = loopOf.find(idx->second);
      if (l == loopOf.end()) {
        error(loc, "index '" + n->name + "' is not in scope here");
        return {};
      }
      Typed t;
      t.weak = true;
      t.e = makeNode(ScalarExpr::Kind::LoopIndex, DType::I64, loc);
      t.e->loop = l->second;
      return t;
    }
    auto c2 = m.constants.find(n->name);
    if (c2 != m.constants.end())
      return makeConst(c2->second, loc);
    auto it = names.find(n->name);
    if (it == names.end()) {
      if (parseDTypeName(n->name) || n->name == "index")
        error(loc, "the type '" + n->name + "' is not a value");
      else if (unaryBuiltin(n->name) || isReducerName(n->name) ||
               m.signatures.count(n->name) || n->name == "softmax" ||
               n->name == "einsum" || n->name == "zeros" || n->name == "ones" ||
               n->name == "where")
        error(loc, "'" + n->name + "' is a function; call it");
      else
        error(loc, "unknown name '" + n->name + "'");
      return {};
    }
    const Binding &b = it->second;
    if (b.kind == Binding::Kind::Symbol ||
        b.kind == Binding::Kind::IndexParam) {
      Typed t;
      t.weak = true;
      t.e = makeNode(ScalarExpr::Kind::SizeValue, DType::I64, loc);
      t.e->symbol = b.symbol;
      return t;
    }
    return lowerLeafValue(b.ref, loc, c, loopOf);
  }
  if (auto *s = dyn_cast<ast::SubscriptExpr>(&e)) {
    auto *base = dyn_cast<ast::NameExpr>(s->base.get());
    if (!base) {
      error(loc, "only named tensors can be subscripted");
      return {};
    }
    auto it = names.find(base->name);
    if (it == names.end() || it->second.kind != Binding::Kind::Value) {
      if (parseDTypeName(base->name))
        error(loc, "a type such as '" + ast::toString(e) +
                       "' is only valid as an argument of zeros/ones");
      else if (it == names.end())
        error(base->getLoc(), "unknown name '" + base->name + "'");
      else
        error(base->getLoc(), "'" + base->name + "' cannot be subscripted");
      return {};
    }
    const TensorType &t = it->second.type;
    if (static_cast<int64_t>(s->indices.size()) != t.getRank()) {
      error(loc, "'" + base->name + "' has type " + t.str() + " (rank " +
                     std::to_string(t.getRank()) +
                     ") but is subscripted with " +
                     std::to_string(s->indices.size()) + " index(es)");
      return {};
    }
    std::vector<AffineSubscript> subs;
    for (size_t d = 0; d < s->indices.size(); ++d) {
      const ast::Expr &i = *s->indices[d];
      auto sub = lowerSubscript(i, loopOf, c.loopExtents.size());
      if (!sub)
        return {};
      // `i + 0` reads like `i`: it needs the same extent (plain subscripts
      // are never bounds-checked).
      int plain = sub->getPlainLoop();
      if (plain >= 0 && !isa<ast::NameExpr>(&i) &&
          c.loopExtents[plain] != t.shape[d]) {
        error(i.getLoc(), "index '" + c.loopNames[plain] + "' has extent " +
                              c.loopExtents[plain].str() + " but '" +
                              ast::toString(i) + "' subscripts " + base->name +
                              " (dim " + std::to_string(d) + ") of extent " +
                              t.shape[d].str());
        return {};
      }
      subs.push_back(*sub);
    }
    Typed r;
    r.e = makeNode(ScalarExpr::Kind::Read, t.dtype, loc);
    r.e->operand = addOperand(c, it->second.ref, std::move(subs));
    return r;
  }
  if (auto *r = dyn_cast<ast::ReduceExpr>(&e)) {
    auto v = buildReduce(*r, loopOf, c);
    if (!v)
      return {};
    std::vector<AffineSubscript> subs;
    for (unsigned id : reduceFree.at(r)) {
      AffineSubscript sub;
      sub.coeffs.assign(c.loopExtents.size(), 0);
      sub.coeffs[loopOf.at(id)] = 1;
      subs.push_back(sub);
    }
    Typed t;
    t.e = makeNode(ScalarExpr::Kind::Read, typeOf(*v).dtype, loc);
    t.e->operand = addOperand(c, *v, std::move(subs));
    return t;
  }
  if (auto *u = dyn_cast<ast::UnaryExpr>(&e)) {
    Typed x = lowerScalar(*u->operand, c, loopOf);
    if (!x)
      return {};
    if (x.e->dtype == DType::Bool) {
      error(loc, "cannot negate a bool");
      return {};
    }
    if (isComplex(x.e->dtype)) {
      error(loc, "complex arithmetic is not supported yet");
      return {};
    }
    if (x.e->kind == ScalarExpr::Kind::Constant) {
      if (!isFloat(x.e->dtype) && x.e->intValue == INT64_MIN) {
        error(loc, "integer constant overflows 64 bits");
        return {};
      }
      x.e->intValue = -x.e->intValue;
      x.e->floatValue = -x.e->floatValue;
      return x;
    }
    Typed t;
    t.weak = x.weak;
    t.e = makeNode(ScalarExpr::Kind::Unary, x.e->dtype, loc);
    t.e->unaryOp = ScalarExpr::UnaryOp::Neg;
    t.e->args.push_back(std::move(x.e));
    return t;
  }
  if (auto *b = dyn_cast<ast::BinaryExpr>(&e)) {
    Typed l = lowerScalar(*b->lhs, c, loopOf);
    Typed r = lowerScalar(*b->rhs, c, loopOf);
    if (!l || !r)
      return {};
    using Op = ast::BinaryExpr::Op;
    using BO = ScalarExpr::BinaryOp;
    BO op;
    const char *spelling;
    switch (b->op) {
    case Op::Add:
      op = BO::Add;
      spelling = "'+'";
      break;
    case Op::Sub:
      op = BO::Sub;
      spelling = "'-'";
      break;
    case Op::Mul:
      op = BO::Mul;
      spelling = "'*'";
      break;
    case Op::Div:
      op = BO::Div;
      spelling = "'/'";
      break;
    case Op::Pow:
      op = BO::Pow;
      spelling = "'**'";
      break;
    case Op::Lt:
      op = BO::Lt;
      spelling = "'<'";
      break;
    case Op::Le:
      op = BO::Le;
      spelling = "'<='";
      break;
    case Op::Gt:
      op = BO::Gt;
      spelling = "'>'";
      break;
    case Op::Ge:
      op = BO::Ge;
      spelling = "'>='";
      break;
    case Op::Eq:
      op = BO::Eq;
      spelling = "'=='";
      break;
    case Op::Ne:
      op = BO::Ne;
      spelling = "'!='";
      break;
    default:
      error(loc, "unsupported operator");
      return {};
    }
    bool isCompare = op >= BO::Lt;
    if (op == BO::Pow) {
      // An integer literal exponent stays an integer: x ** 2 is x * x.
      if (r.weak && r.e->kind == ScalarExpr::Kind::Constant &&
          !isFloat(r.e->dtype)) {
        if (l.weak && !isFloat(l.e->dtype) &&
            !retype(*l.e, DType::F32, b->lhs->getLoc()))
          return {};
        if (!isFloat(l.e->dtype) && !l.weak) {
          error(loc, "'**' expects a floating-point base, got " +
                         getDTypeName(l.e->dtype).str());
          return {};
        }
        Typed t;
        t.weak = l.weak;
        t.e = makeNode(ScalarExpr::Kind::Binary, l.e->dtype, loc);
        t.e->binaryOp = op;
        r.e->dtype = DType::I64;
        t.e->args.push_back(std::move(l.e));
        t.e->args.push_back(std::move(r.e));
        return t;
      }
      if (l.weak && r.weak && !isFloat(l.e->dtype) &&
          !retype(*l.e, DType::F32, loc))
        return {};
    }
    if (!unify(l, r, loc, spelling))
      return {};
    DType dt = l.e->dtype;
    if (isComplex(dt)) {
      error(loc, "complex arithmetic is not supported yet");
      return {};
    }
    if (!isCompare && dt == DType::Bool) {
      error(loc, std::string("arithmetic ") + spelling +
                     " is not defined on bool values");
      return {};
    }
    if (op == BO::Pow && !isFloat(dt)) {
      error(loc, "'**' expects floating-point operands, got " +
                     getDTypeName(dt).str());
      return {};
    }
    if (isCompare && isComplex(dt) && op != BO::Eq && op != BO::Ne) {
      error(loc, "complex values cannot be ordered");
      return {};
    }
    // Fold arithmetic on two literals.
    if (!isCompare && l.weak && r.weak &&
        l.e->kind == ScalarExpr::Kind::Constant &&
        r.e->kind == ScalarExpr::Kind::Constant && op != BO::Pow) {
      ConstValue a{!isFloat(dt), l.e->intValue, l.e->floatValue};
      ConstValue bv{!isFloat(dt), r.e->intValue, r.e->floatValue};
      if (a.isInt && op == BO::Div && bv.i == 0) {
        error(loc, "integer division by zero");
        return {};
      }
      ConstValue res;
      res.isInt = a.isInt;
      bool overflow = false;
      switch (op) {
      case BO::Add:
        overflow = a.isInt && __builtin_add_overflow(a.i, bv.i, &res.i);
        res.f = a.f + bv.f;
        break;
      case BO::Sub:
        overflow = a.isInt && __builtin_sub_overflow(a.i, bv.i, &res.i);
        res.f = a.f - bv.f;
        break;
      case BO::Mul:
        overflow = a.isInt && __builtin_mul_overflow(a.i, bv.i, &res.i);
        res.f = a.f * bv.f;
        break;
      default:
        if (a.isInt) {
          if (a.i == INT64_MIN && bv.i == -1)
            overflow = true;
          else
            res.i = a.i / bv.i;
        }
        res.f = a.f / bv.f;
        break;
      }
      if (overflow) {
        error(loc, "integer constant overflows 64 bits");
        return {};
      }
      if (res.isInt)
        res.f = static_cast<double>(res.i);
      return makeConst(res, loc);
    }
    Typed t;
    t.weak = !isCompare && l.weak && r.weak;
    t.e = makeNode(ScalarExpr::Kind::Binary, isCompare ? DType::Bool : dt, loc);
    t.e->binaryOp = op;
    t.e->args.push_back(std::move(l.e));
    t.e->args.push_back(std::move(r.e));
    return t;
  }
  if (auto *call = dyn_cast<ast::CallExpr>(&e))
    return lowerCallScalar(*call, c, loopOf);
  error(loc, "unsupported expression");
  return {};
}

Typed FunctionAnalyzer::lowerCallScalar(
    const ast::CallExpr &call, Contraction &c,
    const std::map<unsigned, unsigned> &loopOf) {
  SourceLoc loc = call.getLoc();
  const std::string &name = call.callee;
  auto arity = [&](size_t n) {
    if (call.args.size() == n)
      return true;
    error(loc, "'" + name + "' expects " + std::to_string(n) +
                   " argument(s) but " + std::to_string(call.args.size()) +
                   " were given");
    return false;
  };

  if (auto dt = parseDTypeName(name)) {
    if (!arity(1))
      return {};
    Typed x = lowerScalar(*call.args[0], c, loopOf);
    if (!x)
      return {};
    if (isComplex(*dt) || isComplex(x.e->dtype)) {
      error(loc, "complex numbers are not supported yet");
      return {};
    }
    if (x.weak && *dt != DType::Bool) {
      bool narrowing = isFloat(x.e->dtype) && !isFloat(*dt);
      if (narrowing && x.e->kind == ScalarExpr::Kind::Constant) {
        // An explicit conversion truncates toward zero.
        double v = x.e->floatValue;
        if (!truncateToInteger(*x.e, *dt)) {
          error(loc, "the value " + std::to_string(v) + " does not fit in " +
                         getDTypeName(*dt).str());
          return {};
        }
        x.e->dtype = *dt;
        x.weak = false;
        return x;
      }
      if (!narrowing) {
        if (!retype(*x.e, *dt, loc))
          return {};
        x.weak = false;
        return x;
      }
      defaultWeak(x);
    }
    if (x.e->dtype == *dt) {
      x.weak = false;
      return x;
    }
    Typed t;
    t.e = makeNode(ScalarExpr::Kind::Cast, *dt, loc);
    t.e->args.push_back(std::move(x.e));
    return t;
  }
  if (auto op = unaryBuiltin(name)) {
    if (!arity(1))
      return {};
    Typed x = lowerScalar(*call.args[0], c, loopOf);
    if (!x)
      return {};
    using U = ScalarExpr::UnaryOp;
    bool intOk = *op == U::Abs || *op == U::Relu;
    // Untyped arguments stay untyped (exp(1) takes the type around it).
    if (x.weak && !isFloat(x.e->dtype) && !intOk &&
        !retype(*x.e, DType::F32, loc))
      return {};
    DType dt = x.e->dtype;
    if (dt == DType::Bool || isComplex(dt) || (!isFloat(dt) && !intOk)) {
      error(call.args[0]->getLoc(),
            "'" + name + "' expects a floating-point value, got " +
                getDTypeName(dt).str() +
                (isInteger(dt) ? " (cast it with f32(...))" : ""));
      return {};
    }
    Typed t;
    t.weak = x.weak;
    t.e = makeNode(ScalarExpr::Kind::Unary, dt, loc);
    t.e->unaryOp = *op;
    t.e->args.push_back(std::move(x.e));
    return t;
  }
  if (name == "where") {
    if (!arity(3))
      return {};
    Typed cnd = lowerScalar(*call.args[0], c, loopOf);
    Typed a = lowerScalar(*call.args[1], c, loopOf);
    Typed b = lowerScalar(*call.args[2], c, loopOf);
    if (!cnd || !a || !b)
      return {};
    if (cnd.e->dtype != DType::Bool) {
      error(call.args[0]->getLoc(),
            "the condition of 'where' must be bool, got " +
                getDTypeName(cnd.e->dtype).str());
      return {};
    }
    if (!unify(a, b, loc, "'where'"))
      return {};
    Typed t;
    t.weak = a.weak && b.weak;
    t.e = makeNode(ScalarExpr::Kind::Select, a.e->dtype, loc);
    t.e->args.push_back(std::move(cnd.e));
    t.e->args.push_back(std::move(a.e));
    t.e->args.push_back(std::move(b.e));
    return t;
  }
  if ((name == "max" || name == "min") && call.args.size() == 2) {
    Typed a = lowerScalar(*call.args[0], c, loopOf);
    Typed b = lowerScalar(*call.args[1], c, loopOf);
    if (!a || !b || !unify(a, b, loc, "'" + name + "'"))
      return {};
    if (a.e->dtype == DType::Bool || isComplex(a.e->dtype)) {
      error(loc, "'" + name + "' expects real numbers");
      return {};
    }
    Typed t;
    t.weak = a.weak && b.weak;
    t.e = makeNode(ScalarExpr::Kind::Binary, a.e->dtype, loc);
    t.e->binaryOp =
        name == "max" ? ScalarExpr::BinaryOp::Max : ScalarExpr::BinaryOp::Min;
    t.e->args.push_back(std::move(a.e));
    t.e->args.push_back(std::move(b.e));
    return t;
  }
  if (isReducerName(name)) {
    error(loc, "'" + name + "' needs its indices: write " + name +
                   "[j](expression)");
    return {};
  }
  if (isFutureBuiltin(name)) {
    error(call.calleeLoc,
          "'" + name +
              "' is part of the language design but not available "
              "in this version of the compiler");
    return {};
  }
  error(call.calleeLoc, "unknown function '" + name + "'");
  return {};
}

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

static const char *reduceKindName(ReduceKind k) {
  switch (k) {
  case ReduceKind::Sum:
    return "sum";
  case ReduceKind::Max:
    return "max";
  case ReduceKind::Min:
    return "min";
  case ReduceKind::Prod:
    return "prod";
  }
  return "?";
}

static void printScalar(const ScalarExpr &e, const Contraction &c,
                        llvm::raw_ostream &os) {
  switch (e.kind) {
  case ScalarExpr::Kind::Constant:
    if (isFloat(e.dtype))
      os << e.floatValue;
    else
      os << e.intValue;
    os << ":" << getDTypeName(e.dtype);
    return;
  case ScalarExpr::Kind::Read:
    os << "%" << e.operand;
    return;
  case ScalarExpr::Kind::LoopIndex:
    os << c.loopNames[e.loop];
    return;
  case ScalarExpr::Kind::SizeValue:
    os << "$" << e.symbol;
    return;
  case ScalarExpr::Kind::Cast:
    os << getDTypeName(e.dtype) << "(";
    printScalar(*e.args[0], c, os);
    os << ")";
    return;
  case ScalarExpr::Kind::Select:
    os << "where(";
    printScalar(*e.args[0], c, os);
    os << ", ";
    printScalar(*e.args[1], c, os);
    os << ", ";
    printScalar(*e.args[2], c, os);
    os << ")";
    return;
  case ScalarExpr::Kind::Unary: {
    static const char *names[] = {"neg",  "exp",  "log",  "sqrt",    "rsqrt",
                                  "sin",  "cos",  "tanh", "sigmoid", "softplus",
                                  "silu", "gelu", "relu", "abs"};
    os << names[static_cast<int>(e.unaryOp)] << "(";
    printScalar(*e.args[0], c, os);
    os << ")";
    return;
  }
  case ScalarExpr::Kind::Binary: {
    static const char *names[] = {"+", "-",  "*", "/",  "**", "max", "min",
                                  "<", "<=", ">", ">=", "==", "!="};
    os << "(";
    printScalar(*e.args[0], c, os);
    os << " " << names[static_cast<int>(e.binaryOp)] << " ";
    printScalar(*e.args[1], c, os);
    os << ")";
    return;
  }
  }
}

void sema::dump(const Program &program, llvm::raw_ostream &os) {
  for (const Function &f : program.functions) {
    os << "fn " << f.name << "\n";
    for (size_t i = 0; i < f.values.size(); ++i) {
      const Value &v = f.values[i];
      os << "  v" << i << " : ";
      for (size_t r = 0; r < v.types.size(); ++r)
        os << (r ? ", " : "") << v.types[r].str();
      os << " = ";
      switch (v.kind) {
      case Value::Kind::Param:
        os << "param " << f.params[v.paramIndex].name;
        break;
      case Value::Kind::Softmax:
        os << "softmax v" << v.operands[0].id << " axis " << v.axis;
        break;
      case Value::Kind::Splat:
        os << "splat " << v.splatValue;
        break;
      case Value::Kind::Call:
        os << "call " << v.callee << "(";
        for (size_t a = 0; a < v.operands.size(); ++a)
          os << (a ? ", " : "") << "v" << v.operands[a].id << "#"
             << v.operands[a].result;
        os << ")";
        break;
      case Value::Kind::Contraction: {
        const Contraction &c = *v.contraction;
        os << reduceKindName(c.kind) << " loops[";
        for (size_t l = 0; l < c.loopExtents.size(); ++l)
          os << (l ? ", " : "") << c.loopNames[l] << ":"
             << c.loopExtents[l].str();
        os << "] out[";
        for (size_t l = 0; l < c.resultLoops.size(); ++l)
          os << (l ? ", " : "") << c.loopNames[c.resultLoops[l]];
        os << "]";
        for (size_t o = 0; o < c.operands.size(); ++o) {
          os << " %" << o << "=v" << c.operands[o].value.id << "#"
             << c.operands[o].value.result << "[";
          for (size_t d = 0; d < c.operands[o].subscripts.size(); ++d) {
            const AffineSubscript &s = c.operands[o].subscripts[d];
            os << (d ? ", " : "");
            bool first = true;
            for (size_t l = 0; l < s.coeffs.size(); ++l) {
              if (!s.coeffs[l])
                continue;
              if (!first)
                os << " + ";
              if (s.coeffs[l] != 1)
                os << s.coeffs[l] << "*";
              os << c.loopNames[l];
              first = false;
            }
            if (s.constant || first)
              os << (first ? "" : " + ") << s.constant;
          }
          os << "]";
        }
        os << " : ";
        printScalar(*c.body, c, os);
        break;
      }
      }
      os << "\n";
    }
    os << "  return";
    for (size_t r = 0; r < f.returns.size(); ++r)
      os << (r ? ", " : " ") << "v" << f.returns[r].id << "#"
         << f.returns[r].result;
    os << "\n";
  }
}
