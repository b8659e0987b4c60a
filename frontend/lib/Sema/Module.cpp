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
  if (n.starts_with("tessera_"))
    return std::string("names starting with 'tessera_' are reserved for the "
                       "runtime's kernels and the generated C header");
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

namespace {
/// Finds the functions of a call graph that lie on a cycle: Tarjan's
/// strongly connected components, iteratively (a chain of thousands of calls
/// must not overflow the stack), in O(V + E) map operations.
class CycleFinder {
public:
  using CallGraph = std::map<std::string, std::set<std::string>>;
  explicit CycleFinder(const CallGraph &calls) : calls(calls) {}

  std::set<std::string> run() {
    for (const auto &entry : calls)
      if (!nodes.count(entry.first))
        visit(entry.first);
    return onCycle;
  }

private:
  struct Node {
    unsigned index, lowlink;
    bool onStack;
  };
  /// A node being visited and the next of its callees to look at.
  using Frame = std::pair<std::string, std::set<std::string>::const_iterator>;

  const std::set<std::string> &calleesOf(const std::string &n) const {
    static const std::set<std::string> none;
    auto it = calls.find(n);
    return it == calls.end() ? none : it->second;
  }

  void enter(const std::string &n) {
    unsigned i = nodes.size();
    nodes[n] = {i, i, true};
    stack.push_back(n);
    frames.push_back({n, calleesOf(n).begin()});
  }

  void visit(const std::string &root) {
    enter(root);
    while (!frames.empty()) {
      auto &[n, next] = frames.back();
      if (next == calleesOf(n).end()) {
        leave();
        continue;
      }
      const std::string &callee = *next++;
      auto it = nodes.find(callee);
      if (it == nodes.end())
        enter(callee); // invalidates n and next
      else if (it->second.onStack)
        nodes[n].lowlink = std::min(nodes[n].lowlink, it->second.index);
    }
  }

  /// Finishes the node on top of the frames; pops its component if it
  /// roots one, which is a cycle if it has several functions or one that
  /// calls itself.
  void leave() {
    std::string done = frames.back().first;
    frames.pop_back();
    Node &node = nodes[done];
    if (!frames.empty()) {
      Node &parent = nodes[frames.back().first];
      parent.lowlink = std::min(parent.lowlink, node.lowlink);
    }
    if (node.lowlink != node.index)
      return;
    std::vector<std::string> component;
    do {
      component.push_back(stack.back());
      nodes[stack.back()].onStack = false;
      stack.pop_back();
    } while (component.back() != done);
    if (component.size() > 1 || calleesOf(done).count(done))
      onCycle.insert(component.begin(), component.end());
  }

  const CallGraph &calls;
  std::map<std::string, Node> nodes;
  std::vector<std::string> stack;
  std::vector<Frame> frames;
  std::set<std::string> onCycle;
};
} // namespace

/// Recursion makes inlining and static shapes impossible: reject cycles.
bool ModuleAnalyzer::checkRecursion() {
  std::set<std::string> onCycle = CycleFinder(calls).run();
  for (const auto &fn : module.functions)
    if (onCycle.count(fn->name) && !diag.tooManyErrors())
      diag.error(fn->loc, "function '" + fn->name +
                              "' calls itself (directly or indirectly); "
                              "recursion is not supported");
  return onCycle.empty();
}

/// The number of values of each function once every call is inlined, by
/// name (saturating). Iterative, so that a chain of thousands of calls does
/// not overflow the stack; Sema has rejected recursion already.
static std::map<std::string, uint64_t> inlinedSizes(const Program &program) {
  std::map<std::string, uint64_t> size;
  for (const Function &root : program.functions) {
    if (size.count(root.name))
      continue;
    // Each frame: a function and the index of its next value to look at.
    std::vector<std::pair<const Function *, size_t>> frames = {{&root, 0}};
    while (!frames.empty()) {
      auto &[f, next] = frames.back();
      if (next < f->values.size()) {
        const Value &v = f->values[next++];
        if (v.kind != Value::Kind::Call)
          continue;
        const Function *callee = program.lookup(v.callee);
        if (callee && !size.count(callee->name))
          frames.push_back({callee, 0});
        continue;
      }
      uint64_t n = f->values.size();
      for (const Value &v : f->values)
        if (v.kind == Value::Kind::Call)
          if (const Function *callee = program.lookup(v.callee))
            n = std::min<uint64_t>(n + size[callee->name], UINT64_MAX / 4);
      size.try_emplace(f->name, n);
      frames.pop_back();
    }
  }
  return size;
}

/// Whether `f` calls a function that is over the inlining limit itself.
static bool callsTooLarge(const Function &f, const Program &program,
                          const std::map<std::string, uint64_t> &size) {
  return llvm::any_of(f.values, [&](const Value &v) {
    const Function *callee =
        v.kind == Value::Kind::Call ? program.lookup(v.callee) : nullptr;
    return callee && size.at(callee->name) > ModuleAnalyzer::kMaxInlinedValues;
  });
}

/// Calls are inlined: a chain of functions that each call the previous one
/// twice doubles the code at every step. And every function is an entry
/// with its own copy of everything it calls, so a chain of n functions that
/// each call the previous one compiles n^2 / 2 bodies. Refuse what would not
/// compile in reasonable time instead of appearing to hang.
void ModuleAnalyzer::checkInlinedSize(const Program &program) {
  std::map<std::string, uint64_t> inlinedSize = inlinedSizes(program);
  bool tooLarge = false;
  uint64_t copied = 0, mostCopied = 0;
  const Function *worst = nullptr;
  for (const Function &f : program.functions) {
    uint64_t n = inlinedSize[f.name];
    // Every caller of a function over the limit is over it too: report the
    // first ones only, not a chain of thousands.
    if (n > kMaxInlinedValues && !callsTooLarge(f, program, inlinedSize) &&
        !diag.tooManyErrors())
      diag.error(f.loc, "inlining the calls made by '" + f.name +
                            "' would produce about " + std::to_string(n) +
                            " operations (the limit is " +
                            std::to_string(kMaxInlinedValues) + ")");
    tooLarge |= n > kMaxInlinedValues;
    uint64_t copies = n - f.values.size();
    copied = std::min<uint64_t>(copied + copies, UINT64_MAX / 4);
    if (!worst || copies > mostCopied) {
      worst = &f;
      mostCopied = copies;
    }
  }
  if (!tooLarge && copied > kMaxCopiedValues)
    diag.error(worst->loc,
               "inlining the calls between functions would copy about " +
                   std::to_string(copied) + " operations in all (the limit " +
                   "is " + std::to_string(kMaxCopiedValues) +
                   "): every function is an entry with its own copy of the "
                   "functions it calls ('" +
                   worst->name + "' copies " + std::to_string(mostCopied) +
                   ")");
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
  if (checkRecursion())
    propagateConstraints(*program);
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
