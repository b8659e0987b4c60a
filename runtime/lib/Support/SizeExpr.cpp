//===- SizeExpr.cpp - Evaluating and printing size expressions ------------===//

#include "tessera/Runtime/SizeExpr.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

using namespace tessera;

namespace {

/// Binding strength when printing: a sum, a product, a negation, an atom.
enum Precedence { kAdditive = 1, kMultiplicative = 2, kUnary = 3, kAtom = 4 };

/// A printed operand and how tightly it binds.
struct Printed {
  std::string text;
  int precedence = kAtom;
};

/// How many operands `kind` pops.
unsigned getArity(SizeOp::Kind kind) {
  switch (kind) {
  case SizeOp::Kind::Literal:
  case SizeOp::Kind::Symbol:
    return 0;
  case SizeOp::Kind::Neg:
  case SizeOp::Kind::Log2:
    return 1;
  default:
    return 2;
  }
}

/// `x`, parenthesized when it binds less tightly than `needed`.
std::string wrap(const Printed &x, int needed) {
  return x.precedence < needed ? "(" + x.text + ")" : x.text;
}

/// Prints the binary operator `kind` applied to `a` and `b` (left-associative:
/// the right operand needs a strictly tighter binding).
Printed printBinary(SizeOp::Kind kind, const Printed &a, const Printed &b) {
  const char *op = kind == SizeOp::Kind::Add   ? " + "
                   : kind == SizeOp::Kind::Sub ? " - "
                   : kind == SizeOp::Kind::Mul ? " * "
                                               : " / ";
  int precedence = kind == SizeOp::Kind::Add || kind == SizeOp::Kind::Sub
                       ? kAdditive
                       : kMultiplicative;
  return {wrap(a, precedence) + op + wrap(b, precedence + 1), precedence};
}

/// Runs the printer over `steps`; false if the steps are malformed.
bool printSteps(llvm::ArrayRef<SizeOp> steps, std::vector<Printed> &stack) {
  for (const SizeOp &op : steps) {
    unsigned arity = getArity(op.kind);
    if (stack.size() < arity)
      return false;
    if (op.kind == SizeOp::Kind::Literal) {
      stack.push_back(
          {std::to_string(op.value), op.value < 0 ? kUnary : kAtom});
      continue;
    }
    if (op.kind == SizeOp::Kind::Symbol) {
      stack.push_back({op.symbol, kAtom});
      continue;
    }
    Printed b = stack.back();
    stack.pop_back();
    if (op.kind == SizeOp::Kind::Neg) {
      stack.push_back({"-" + wrap(b, kUnary), kUnary});
      continue;
    }
    if (op.kind == SizeOp::Kind::Log2) {
      stack.push_back({"log2(" + b.text + ")", kAtom});
      continue;
    }
    Printed a = stack.back();
    stack.pop_back();
    stack.push_back(printBinary(op.kind, a, b));
  }
  return true;
}

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Applies the binary operator `kind`; std::nullopt on overflow.
std::optional<int64_t> applyBinary(SizeOp::Kind kind, int64_t a, int64_t b) {
  int64_t r = 0;
  switch (kind) {
  case SizeOp::Kind::Add:
    return llvm::AddOverflow(a, b, r) ? std::nullopt : std::optional(r);
  case SizeOp::Kind::Sub:
    return llvm::SubOverflow(a, b, r) ? std::nullopt : std::optional(r);
  case SizeOp::Kind::Mul:
    return llvm::MulOverflow(a, b, r) ? std::nullopt : std::optional(r);
  default:
    if (a == INT64_MIN && b == -1)
      return std::nullopt;
    return llvm::divideFloorSigned(a, b);
  }
}

} // namespace

llvm::Expected<int64_t> tessera::evaluateSizeExpr(llvm::ArrayRef<SizeOp> expr,
                                                  SizeLookup lookup) {
  if (!isWellFormedSizeExpr(expr))
    return makeError("malformed size expression");
  std::vector<int64_t> stack;
  for (const SizeOp &op : expr) {
    if (op.kind == SizeOp::Kind::Literal) {
      stack.push_back(op.value);
      continue;
    }
    if (op.kind == SizeOp::Kind::Symbol) {
      std::optional<int64_t> value = lookup(op.symbol);
      if (!value)
        return makeError("size symbol " + op.symbol + " is not bound");
      stack.push_back(*value);
      continue;
    }
    int64_t b = stack.back();
    stack.pop_back();
    if (op.kind == SizeOp::Kind::Neg) {
      if (b == INT64_MIN)
        return makeError("the value does not fit in 64 bits");
      stack.push_back(-b);
      continue;
    }
    if (op.kind == SizeOp::Kind::Log2) {
      if (b <= 0 || !llvm::isPowerOf2_64(static_cast<uint64_t>(b)))
        return makeError(llvm::Twine(b) + " is not a power of two");
      stack.push_back(llvm::Log2_64(static_cast<uint64_t>(b)));
      continue;
    }
    int64_t a = stack.back();
    stack.pop_back();
    if (op.kind == SizeOp::Kind::FloorDiv && b == 0)
      return makeError("division by zero");
    std::optional<int64_t> r = applyBinary(op.kind, a, b);
    if (!r)
      return makeError("the value does not fit in 64 bits");
    stack.push_back(*r);
  }
  return stack.back();
}

bool tessera::isWellFormedSizeExpr(llvm::ArrayRef<SizeOp> expr) {
  size_t depth = 0;
  for (const SizeOp &op : expr) {
    unsigned arity = getArity(op.kind);
    if (depth < arity || (op.kind == SizeOp::Kind::Symbol && op.symbol.empty()))
      return false;
    depth = depth - arity + 1;
  }
  return depth == 1;
}

std::vector<std::string>
tessera::formatSizeExprStack(llvm::ArrayRef<SizeOp> prefix) {
  std::vector<Printed> stack;
  printSteps(prefix, stack);
  std::vector<std::string> texts;
  for (Printed &p : stack)
    texts.push_back(std::move(p.text));
  return texts;
}

std::string tessera::formatSizeExpr(llvm::ArrayRef<SizeOp> expr) {
  std::vector<Printed> stack;
  if (!printSteps(expr, stack) || stack.size() != 1)
    return "<malformed size expression>";
  return stack.back().text;
}

std::string tessera::formatDimSpec(const DimSpec &dim) {
  if (dim.isExpr())
    return formatSizeExpr(dim.expr);
  return dim.isSymbol ? dim.symbol : std::to_string(dim.extent);
}

std::vector<std::string>
tessera::getSizeExprSymbols(llvm::ArrayRef<SizeOp> expr) {
  std::vector<std::string> symbols;
  for (const SizeOp &op : expr)
    if (op.kind == SizeOp::Kind::Symbol &&
        !llvm::is_contained(symbols, op.symbol))
      symbols.push_back(op.symbol);
  return symbols;
}

std::string tessera::describeSizeExprSymbols(llvm::ArrayRef<SizeOp> expr,
                                             SizeLookup lookup) {
  std::string out;
  for (const std::string &symbol : getSizeExprSymbols(expr)) {
    std::optional<int64_t> value = lookup(symbol);
    out += (out.empty() ? "" : ", ") + symbol +
           (value ? " = " + std::to_string(*value) : " unbound");
  }
  return out;
}
