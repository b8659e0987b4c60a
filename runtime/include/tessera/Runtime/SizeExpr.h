//===- SizeExpr.h - Evaluating and printing size expressions ----*- C++ -*-===//
//
// A dimension such as `N / 2 + 1` reaches the runtime as the SizeOp steps of
// its DimSpec (reverse Polish notation, see Signature.h). These functions
// evaluate such steps from the values of the size symbols, with the language's
// rules (`/` rounds down, `log2` must be exact, no 64-bit overflow), and print
// them as the source writes them. No front-end code: the runtime reads the
// steps back from the `tess.dims` attribute (docs/abi.md).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_SIZEEXPR_H
#define TESSERA_RUNTIME_SIZEEXPR_H

#include "tessera/Runtime/Signature.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tessera {

/// The value of each size symbol, or std::nullopt when it has none.
using SizeLookup = llvm::function_ref<std::optional<int64_t>(llvm::StringRef)>;

/// Evaluates `expr`. Fails, with the reason only ("division by zero", "12 is
/// not a power of two", "the value does not fit in 64 bits", "size symbol N
/// is not bound"), when a step has no value; callers add where the
/// expression is. A negative result is not an error here.
llvm::Expected<int64_t> evaluateSizeExpr(llvm::ArrayRef<SizeOp> expr,
                                         SizeLookup lookup);

/// Whether the steps are a well-formed expression: no operator lacks an
/// operand, exactly one value remains, and every symbol is named.
bool isWellFormedSizeExpr(llvm::ArrayRef<SizeOp> expr);

/// The texts of the values on the stack after `prefix`, bottom first; the
/// last ones are the operands of the step that follows `prefix`.
std::vector<std::string> formatSizeExprStack(llvm::ArrayRef<SizeOp> prefix);

/// `expr` as the source writes it, with the parentheses that are needed and
/// no others: "N / 2 + 1", "2 * (L - 1)", "log2(N)".
std::string formatSizeExpr(llvm::ArrayRef<SizeOp> expr);

/// How a dimension is written: "4", "N" or its expression.
std::string formatDimSpec(const DimSpec &dim);

/// The symbols `expr` reads, in order of first appearance.
std::vector<std::string> getSizeExprSymbols(llvm::ArrayRef<SizeOp> expr);

/// "N = 8, M = 2": the value of each symbol of `expr` ("N unbound" for one
/// without a value).
std::string describeSizeExprSymbols(llvm::ArrayRef<SizeOp> expr,
                                    SizeLookup lookup);

} // namespace tessera

#endif // TESSERA_RUNTIME_SIZEEXPR_H
