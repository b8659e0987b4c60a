//===- Einsum.cpp - einsum strings ----------------------------------------===//
//
// `einsum("ij,jk->ik", a, b)` becomes the contraction of the equivalent
// statement `c[i, k] = a[i, j] * b[j, k]`. Without `->` the output letters
// are those that occur once, in alphabetical order (numpy's rule).
//
//===----------------------------------------------------------------------===//

#include "Analyzer.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

using namespace tessera;
using namespace tessera::sema;
using llvm::dyn_cast;

namespace {

/// A parsed einsum string.
struct EinsumSpec {
  std::vector<std::string> terms; ///< one per operand
  std::string output;
  /// Loop letters: output letters first, then summed letters in order of
  /// appearance.
  std::vector<char> loops;

  unsigned loopOf(char ch) const {
    return static_cast<unsigned>(llvm::find(loops, ch) - loops.begin());
  }
};

/// Parses `text` (spaces ignored); returns an error message on failure.
std::optional<std::string> parseEinsum(const std::string &text,
                                       EinsumSpec &spec) {
  std::string s;
  for (char ch : text)
    if (ch != ' ')
      s += ch;
  std::string lhs = s;
  size_t arrow = s.find("->");
  bool explicitOut = arrow != std::string::npos;
  if (explicitOut) {
    lhs = s.substr(0, arrow);
    spec.output = s.substr(arrow + 2);
  }
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(lhs).split(parts, ',', -1, true);
  for (llvm::StringRef p : parts)
    spec.terms.push_back(p.str());
  auto isLetter = [](char ch) {
    return std::isalpha(static_cast<unsigned char>(ch)) != 0;
  };
  for (const std::string &t : spec.terms)
    for (char ch : t)
      if (!isLetter(ch))
        return std::string("'") + ch +
               "' is not a letter (ellipses are not supported)";
  for (char ch : spec.output)
    if (!isLetter(ch))
      return std::string("'") + ch + "' is not a letter";
  std::map<char, int> count;
  for (const std::string &t : spec.terms)
    for (char ch : t)
      ++count[ch];
  if (!explicitOut)
    for (auto &[ch, n] : count)
      if (n == 1)
        spec.output += ch;
  std::set<char> seen;
  for (char ch : spec.output) {
    if (!count.count(ch))
      return std::string("output index '") + ch +
             "' does not appear in any operand";
    if (!seen.insert(ch).second)
      return std::string("output index '") + ch + "' appears twice";
  }
  spec.loops.assign(spec.output.begin(), spec.output.end());
  for (const std::string &t : spec.terms)
    for (char ch : t)
      if (!llvm::is_contained(spec.loops, ch))
        spec.loops.push_back(ch);
  return std::nullopt;
}

/// The product of the operands' reads, in order.
ScalarExprPtr multiplyReads(size_t numOperands, DType dtype,
                            ast::SourceLoc loc) {
  ScalarExprPtr body;
  for (size_t i = 0; i < numOperands; ++i) {
    auto r = std::make_unique<ScalarExpr>();
    r->kind = ScalarExpr::Kind::Read;
    r->dtype = dtype;
    r->operand = static_cast<unsigned>(i);
    r->loc = loc;
    if (!body) {
      body = std::move(r);
      continue;
    }
    auto mul = std::make_unique<ScalarExpr>();
    mul->kind = ScalarExpr::Kind::Binary;
    mul->binaryOp = ScalarExpr::BinaryOp::Mul;
    mul->dtype = dtype;
    mul->loc = loc;
    mul->args.push_back(std::move(body));
    mul->args.push_back(std::move(r));
    body = std::move(mul);
  }
  return body;
}

/// Checks each operand against its term, binds every letter's extent and
/// fills the operands, loops and result loops of `c`.
bool bindOperands(const EinsumSpec &spec, const ast::CallExpr &call,
                  llvm::ArrayRef<ValueRef> ops,
                  llvm::ArrayRef<const TensorType *> types, Contraction &c,
                  DiagnosticSink &diag) {
  std::vector<std::optional<Extent>> extents(spec.loops.size());
  std::vector<std::string> origins(spec.loops.size());
  for (size_t i = 0; i < spec.terms.size(); ++i) {
    const std::string &term = spec.terms[i];
    const TensorType &t = *types[i];
    const ast::Expr &arg = *call.args[i + 1];
    if (static_cast<int64_t>(term.size()) != t.getRank()) {
      diag.error(arg.getLoc(),
                 "einsum operand " + std::to_string(i + 1) + " has type " +
                     t.str() + " (rank " + std::to_string(t.getRank()) +
                     ") but \"" + term + "\" names " +
                     std::to_string(term.size()) + " dimension(s)");
      return false;
    }
    if (t.dtype != types[0]->dtype) {
      diag.error(arg.getLoc(), "einsum operands must share one dtype: " +
                                   getDTypeName(types[0]->dtype).str() +
                                   " and " + t.str());
      return false;
    }
    ContractionOperand op;
    op.value = ops[i];
    for (size_t d = 0; d < term.size(); ++d) {
      unsigned l = spec.loopOf(term[d]);
      std::string origin = "operand " + std::to_string(i + 1) + " (dim " +
                           std::to_string(d) + ")";
      if (!extents[l]) {
        extents[l] = t.shape[d];
        origins[l] = origin;
      } else if (*extents[l] != t.shape[d]) {
        diag.error(arg.getLoc(), std::string("einsum index '") + term[d] +
                                     "' has extent " + extents[l]->str() +
                                     " in " + origins[l] + " but " +
                                     t.shape[d].str() + " in " + origin);
        return false;
      }
      AffineSubscript sub;
      sub.coeffs.assign(spec.loops.size(), 0);
      sub.coeffs[l] = 1;
      op.subscripts.push_back(sub);
    }
    c.operands.push_back(std::move(op));
  }
  for (size_t l = 0; l < spec.loops.size(); ++l) {
    c.loopExtents.push_back(*extents[l]);
    c.loopNames.push_back(std::string(1, spec.loops[l]));
  }
  for (size_t l = 0; l < spec.output.size(); ++l)
    c.resultLoops.push_back(static_cast<unsigned>(l));
  return true;
}

} // namespace

std::optional<ValueRef>
FunctionAnalyzer::evalEinsum(const ast::CallExpr &call) {
  auto *str = call.args.empty() ? nullptr
                                : dyn_cast<ast::StringExpr>(call.args[0].get());
  if (!str) {
    error(call.getLoc(), "einsum expects a string such as \"ij,jk->ik\" "
                         "followed by its operands");
    return std::nullopt;
  }
  EinsumSpec spec;
  if (std::optional<std::string> why = parseEinsum(str->value, spec)) {
    error(str->getLoc(),
          "invalid einsum string \"" + str->value + "\": " + *why);
    return std::nullopt;
  }
  if (spec.terms.size() != call.args.size() - 1) {
    error(call.getLoc(),
          "einsum string \"" + str->value + "\" names " +
              std::to_string(spec.terms.size()) + " operand(s) but " +
              std::to_string(call.args.size() - 1) + " were given");
    return std::nullopt;
  }
  std::vector<ValueRef> ops;
  std::vector<const TensorType *> opTypes;
  for (size_t i = 1; i < call.args.size(); ++i) {
    auto v = evalValue(*call.args[i]);
    if (!v)
      return std::nullopt;
    ops.push_back(*v);
  }
  for (ValueRef v : ops)
    opTypes.push_back(&typeOf(v));
  auto c = std::make_unique<Contraction>();
  if (!bindOperands(spec, call, ops, opTypes, *c, diag()))
    return std::nullopt;
  DType dtype = opTypes[0]->dtype;
  if (dtype == DType::Bool) {
    error(call.getLoc(), "einsum of bool tensors is not defined");
    return std::nullopt;
  }
  c->body = multiplyReads(spec.terms.size(), dtype, call.getLoc());
  c->kind = ReduceKind::Sum;
  return addContraction(std::move(c), call.getLoc());
}
