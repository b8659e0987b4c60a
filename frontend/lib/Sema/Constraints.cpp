//===- Constraints.cpp - Size rules of the structured transforms ----------===//
//
// The lengths of fwht, bitreverse, butterfly and fft_twiddles follow rules
// (runtime/include/tessera/Runtime/SizeRules.h, the one definition Sema,
// the entry checks and the kernels share). A literal length is checked where
// the transform is. A symbolic one becomes a size constraint of the
// function, checked at every call: a call from another function substitutes
// the caller's extents (a literal result is checked here and reported at
// the call; a symbolic one becomes a constraint of the caller), and an entry
// checks its own when it is called (docs/abi.md).
//
//===----------------------------------------------------------------------===//

#include "Analyzer.h"

using namespace tessera;
using namespace tessera::sema;
using ast::SourceLoc;
// In tessera::sema, so that SizeConstraint is Sema's, not the signature's.
namespace tessera::sema {
namespace {

/// Whether `a` and `b` ask the same of the same sizes.
bool sameRule(const SizeConstraint &a, const SizeConstraint &b) {
  return a.rule == b.rule && a.size == b.size && a.bound == b.bound;
}

/// Adds `c` to `f` unless `f` has the same rule already.
void addConstraint(Function &f, SizeConstraint c) {
  for (const SizeConstraint &old : f.constraints)
    if (sameRule(old, c))
      return;
  f.constraints.push_back(std::move(c));
}

/// Whether `c` holds when its sizes are literals; std::nullopt otherwise.
std::optional<bool> evaluate(const SizeConstraint &c) {
  if (!c.size.isLiteral() || (c.bound && !c.bound->isLiteral()))
    return std::nullopt;
  return satisfiesSizeRule(c.rule, c.size.getValue(),
                           c.bound ? c.bound->getValue() : 0);
}

/// Whether `c` holds whatever its symbols, by its form: log2(n) or no
/// butterfly factors for a length n (a power of two by its own rule).
bool holdsByForm(const SizeConstraint &c) {
  if (c.rule != SizeRule::AtMostLog2 || !c.bound)
    return false;
  if (c.size.isLiteral() && c.size.getValue() == 0)
    return true;
  std::string error;
  std::optional<Extent> log2 = Extent::get(
      SizeExpr::unary(SizeExpr::Kind::Log2, c.bound->getWritten()), error);
  return log2 && *log2 == c.size;
}

/// "f.tess:3:10".
std::string formatLoc(llvm::StringRef filename, SourceLoc loc) {
  return filename.str() + ":" + std::to_string(loc.line) + ":" +
         std::to_string(loc.col);
}

/// The message for `c` (of the callee) whose sizes are `size` and `bound`
/// at a call: "fwht length N = 100 along axis 1 (f.tess:3:10) must be 2^k
/// or 12, 20, 28 or 40 times 2^k".
std::string describeFailure(const SizeConstraint &c, const Extent &size,
                            const std::optional<Extent> &bound,
                            llvm::StringRef filename) {
  std::string text = c.what + " " + c.size.str() + " = " + size.str();
  if (c.axis >= 0)
    text += " along axis " + std::to_string(c.axis);
  text += " (" + describeConstraintLocation(c, filename) + ") must be " +
          getSizeRuleText(c.rule);
  if (c.bound && bound)
    text += "(" + c.bound->str() + ") with " + c.bound->str() + " = " +
            bound->str();
  return text;
}

} // namespace
} // namespace tessera::sema

std::string sema::describeConstraintLocation(const SizeConstraint &c,
                                             llvm::StringRef filename) {
  std::string text = formatLoc(filename, c.loc);
  if (c.callLoc)
    text += ", called at " + formatLoc(filename, *c.callLoc);
  return text;
}

bool FunctionAnalyzer::requireSize(SizeRule rule, const Extent &size,
                                   const std::optional<Extent> &bound,
                                   llvm::StringRef what, int64_t axis,
                                   SourceLoc loc) {
  SizeConstraint c{rule, size, bound, what.str(), axis, out.name, loc, {}};
  if (std::optional<bool> holds = evaluate(c))
    return *holds;
  if (!holdsByForm(c))
    addConstraint(out, std::move(c));
  return true;
}

void ModuleAnalyzer::inheritConstraint(Function &f, const Value &call,
                                       const SizeConstraint &c) {
  // The callee's sizes in the caller's extents.
  auto resolve = [&](const Extent &e) -> std::optional<Extent> {
    SizeExprPtr r = substituteSizeExpr(
        e.getWritten(), [&](const std::string &s) -> SizeExprPtr {
          auto it = call.callSizes.find(s);
          return it == call.callSizes.end() ? nullptr : it->second.getWritten();
        });
    std::string error;
    std::optional<Extent> out = Extent::get(r, error);
    if (!out)
      diag.error(call.loc, "size error in call to '" + call.callee +
                               "': " + c.what + " " + e.str() + " (" +
                               describeConstraintLocation(c, module.filename) +
                               ") is " + r->str() + ": " + error);
    else if (out->isLiteral())
      return Extent::literal(out->getValue());
    return out;
  };
  std::optional<Extent> size = resolve(c.size), bound;
  if (!size || (c.bound && !(bound = resolve(*c.bound))))
    return;
  SizeConstraint inherited = c;
  inherited.size = *size;
  inherited.bound = bound;
  inherited.callLoc = call.loc;
  std::optional<bool> holds = evaluate(inherited);
  if (!holds) {
    if (!holdsByForm(inherited))
      addConstraint(f, std::move(inherited));
    return;
  }
  if (*holds || diag.tooManyErrors())
    return;
  diag.error(call.loc, "size error in call to '" + call.callee + "': " +
                           describeFailure(c, *size, bound, module.filename));
  // "fwht length" is about the fwht.
  std::string transform = c.what.substr(0, c.what.find(' '));
  diag.note(c.loc, "'" + c.function + "' applies " + transform + " here");
}

void ModuleAnalyzer::inheritConstraints(Function &f, const Program &program) {
  for (const Value &v : f.values) {
    if (v.kind != Value::Kind::Call)
      continue;
    if (const Function *callee = program.lookup(v.callee))
      for (const SizeConstraint &c : callee->constraints)
        inheritConstraint(f, v, c);
  }
}

void ModuleAnalyzer::propagateConstraints(Program &program) {
  std::map<std::string, size_t> indexOf;
  for (size_t i = 0; i < program.functions.size(); ++i)
    indexOf.try_emplace(program.functions[i].name, i);
  std::set<size_t> done;
  // Depth first, iteratively (a chain of thousands of calls must not
  // overflow the stack): each frame a function and its next value.
  for (size_t root = 0; root < program.functions.size(); ++root) {
    if (done.count(root))
      continue;
    std::vector<std::pair<size_t, size_t>> frames = {{root, 0}};
    while (!frames.empty()) {
      auto &[f, next] = frames.back();
      const std::vector<Value> &values = program.functions[f].values;
      if (next < values.size()) {
        const Value &v = values[next++];
        auto callee = v.kind == Value::Kind::Call ? indexOf.find(v.callee)
                                                  : indexOf.end();
        if (callee != indexOf.end() && !done.count(callee->second))
          frames.push_back({callee->second, 0}); // invalidates f and next
        continue;
      }
      inheritConstraints(program.functions[f], program);
      done.insert(f);
      frames.pop_back();
    }
  }
}
