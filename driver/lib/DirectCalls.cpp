//===- DirectCalls.cpp - Cells that only call a function ------------------===//
//
// `f(x, y)`, `z = f(x)` and `a, b = f(x)` run the same code whatever the
// names: such a cell is compiled as the call in canonical names
// (`repl_out_0 = f(repl_arg_0, repl_arg_1)`), so that the cache holds one
// compiled call per function and distinct set of argument types.
//
//===----------------------------------------------------------------------===//

#include "SessionImpl.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <set>

using namespace tessera;

/// The tokens of `text` if it has only names and `( ) , =`.
static std::optional<std::vector<std::string>>
callTokens(llvm::StringRef text) {
  std::vector<std::string> tokens;
  while (!(text = text.ltrim()).empty()) {
    if (llvm::StringRef("(),=").contains(text.front())) {
      tokens.push_back(text.take_front().str());
      text = text.drop_front();
      continue;
    }
    size_t n =
        text.find_if_not([](char c) { return llvm::isAlnum(c) || c == '_'; });
    if (n == 0)
      return std::nullopt;
    tokens.push_back(text.take_front(n).str());
    text = text.drop_front(n);
  }
  return tokens;
}

/// The number of results `-> R` or `-> (R1, R2)` declares in the text of a
/// function; 0 without `->`.
static unsigned countDeclaredResults(llvm::StringRef fnText) {
  size_t arrow = fnText.find("->");
  if (arrow == llvm::StringRef::npos)
    return 0;
  llvm::StringRef results = fnText.drop_front(arrow + 2).ltrim();
  if (!results.starts_with("("))
    return 1;
  unsigned count = 1;
  int depth = 0;
  for (char c : results) {
    if (c == '(' || c == '[')
      ++depth;
    else if (c == ')' || c == ']')
      --depth;
    else if (c == ',' && depth == 1)
      ++count;
    if (depth == 0)
      break;
  }
  return count;
}

namespace {
/// `targets = callee(args)`, or `callee(args)` without targets.
struct CallShape {
  std::vector<std::string> targets, args;
  std::string callee;
};
} // namespace

/// The call that `text` is, if it is one with names alone for arguments
/// and targets: `[target (, target)* =] callee ( [arg (, arg)*] )`.
static std::optional<CallShape> parseCallShape(llvm::StringRef text) {
  auto tokens = callTokens(text);
  if (!tokens)
    return std::nullopt;
  CallShape call;
  std::vector<std::string> &targets = call.targets, &args = call.args;
  size_t i = 0;
  auto names = [&](std::vector<std::string> &out) {
    while (i < tokens->size() && isIdentifier((*tokens)[i])) {
      out.push_back((*tokens)[i++]);
      if (i == tokens->size() || (*tokens)[i] != ",")
        return;
      ++i;
    }
  };
  if (llvm::is_contained(*tokens, "=")) {
    names(targets);
    if (i == tokens->size() || (*tokens)[i++] != "=")
      return std::nullopt;
  }
  if (i + 1 >= tokens->size() || !isIdentifier((*tokens)[i]) ||
      (*tokens)[i + 1] != "(")
    return std::nullopt;
  call.callee = (*tokens)[i];
  i += 2;
  names(args);
  if (i + 1 != tokens->size() || (*tokens)[i] != ")")
    return std::nullopt;
  return call;
}

std::optional<CellBody>
Session::Impl::asDirectCall(const CellBody &body) const {
  if (body.items.size() != 1)
    return std::nullopt;
  const CellItem &item = body.items.front();
  std::optional<CallShape> shape = parseCallShape(
      llvm::StringRef(body.fileText).slice(item.begin, item.end));
  if (!shape)
    return std::nullopt;
  const std::vector<std::string> &targets = shape->targets, &args = shape->args;
  const std::string &callee = shape->callee;
  const Definition *fn = findDefinition(callee);
  unsigned numResults =
      fn && fn->isFunction ? countDeclaredResults(fn->text) : 0;
  std::set<std::string> distinct(args.begin(), args.end());
  if (!numResults || (!targets.empty() && targets.size() != numResults) ||
      distinct.size() != args.size() ||
      llvm::any_of(args,
                   [&](const std::string &a) { return !values.count(a); }))
    return std::nullopt;

  CellBody call;
  call.file = body.file;
  std::vector<std::string> outs, params;
  for (unsigned r = 0; r < numResults; ++r)
    outs.push_back("repl_out_" + std::to_string(r));
  for (const auto &[k, a] : llvm::enumerate(args)) {
    params.push_back("repl_arg_" + std::to_string(k));
    call.arguments[params.back()] = a;
  }
  call.fileText = llvm::join(outs, ", ") + " = " + callee + "(" +
                  llvm::join(params, ", ") + ")";
  CellItem canonical;
  canonical.kind = CellItem::Kind::Statement;
  canonical.loc = item.loc;
  canonical.end = call.fileText.size();
  canonical.defines = outs;
  canonical.names = outs;
  canonical.names.push_back(callee);
  canonical.names.insert(canonical.names.end(), params.begin(), params.end());
  call.items.push_back(std::move(canonical));
  call.bindAs =
      targets.empty() ? std::vector<std::string>(numResults, "") : targets;
  return call;
}
