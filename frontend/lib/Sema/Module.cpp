//===- Module.cpp - Module-level semantic analysis ------------------------===//
//
// Constants, function declarations, recursion and the inlining limit. Errors
// are reported and analysis continues, so one run shows every independent
// error.
//
//===----------------------------------------------------------------------===//

#include "Analyzer.h"

#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <functional>

using namespace tessera;
using namespace tessera::sema;
using ast::SourceLoc;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

std::optional<ConstValue> ModuleAnalyzer::evalConst(const ast::Expr &e) {
  return evaluateConstant(e, diag, [&](const ast::NameExpr &n) {
    return lookupConst(n.name, n.getLoc());
  });
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
    if (name == "inf")
      return ConstValue::real(INFINITY);
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
  if (v && v->isComplex()) {
    diag.error(decl->second->value->getLoc(),
               "complex numbers are not supported yet");
    v.reset();
  }
  if (!v) {
    failedConsts.insert(name);
    return std::nullopt;
  }
  constants[name] = *v;
  return v;
}

void ModuleAnalyzer::declareConstants() {
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
// Functions
//===----------------------------------------------------------------------===//

/// Whether `n` is a libm function or one of its float/long variants
/// (exp, expf, log1pf, ...).
static bool isMathLibraryName(llvm::StringRef n) {
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
      return true;
  }
  return false;
}

/// Function names are symbols of the generated object code: keep them clear
/// of the language's built-ins and of the C runtime the lowering calls.
static std::optional<std::string> reservedFunctionName(llvm::StringRef n) {
  if (lookupBuiltin(n) || n == "inf")
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
  if (isMathLibraryName(n))
    return std::string("it is a C math library function");
  return std::nullopt;
}

void ModuleAnalyzer::declareFunctions() {
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
}

std::vector<std::string> ModuleAnalyzer::functionNames() const {
  std::vector<std::string> names;
  for (const auto &[name, sig] : signatures)
    names.push_back(name);
  return names;
}

/// Recursion makes inlining and static shapes impossible: reject cycles.
void ModuleAnalyzer::checkRecursion() {
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
}

/// Calls are inlined: a chain of functions that each call the previous one
/// twice doubles the code at every step. Refuse what would not compile in
/// reasonable time instead of appearing to hang.
void ModuleAnalyzer::checkInlinedSize(const Program &program) {
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
        if (const Function *callee = program.lookup(v.callee))
          n = std::min<uint64_t>(n + sizeOf(*callee), UINT64_MAX / 4);
    inlinedSize[f.name] = n;
    return n;
  };
  for (const Function &f : program.functions) {
    uint64_t n = sizeOf(f);
    if (n > kMaxInlinedValues)
      diag.error(f.loc, "inlining the calls made by '" + f.name +
                            "' would produce about " + std::to_string(n) +
                            " operations (the limit is " +
                            std::to_string(kMaxInlinedValues) + ")");
  }
}

std::unique_ptr<Program> ModuleAnalyzer::run() {
  auto program = std::make_unique<Program>();
  program->filename = module.filename;
  unsigned errorsBefore = diag.getNumErrors();

  declareConstants();
  declareFunctions();
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
  checkRecursion();
  if (diag.getNumErrors() != errorsBefore)
    return nullptr;
  checkInlinedSize(*program);
  if (diag.getNumErrors() != errorsBefore)
    return nullptr;
  return program;
}

std::unique_ptr<Program> sema::analyze(const ast::Module &module,
                                       DiagnosticSink &diag) {
  return ModuleAnalyzer(module, diag).run();
}
