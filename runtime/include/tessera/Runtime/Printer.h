//===- Printer.h - NumPy-style text of host tensors -------------*- C++ -*-===//
//
// formatTensor reproduces NumPy 1.24's `np.array2string(a, separator=', ')`
// with the default print options, character for character:
//
//  - nested brackets, one row per line, blank lines between blocks of higher
//    rank, rows wrapped at 75 columns with a one-space hanging indent;
//  - summarization when the tensor has more than 1000 elements: the first
//    and last 3 entries of every longer axis around "...", and the column
//    widths computed from the shown elements only;
//  - floats in NumPy's 'maxprec' mode with precision 8: each value printed
//    with the fewest digits that read back as the same value of its own
//    dtype (f16, bf16, f32 or f64), at most 8 after the decimal point, padded
//    to common widths ("[1.  , 2.5 , 3.25]"); scientific notation with a
//    shared digit count when the nonzero magnitudes reach 1e8, go below 1e-4
//    or span a ratio above 1000 ("[1.0e-05, 2.5e+00]"); nan and inf as words;
//  - integers right-aligned to a common width; bools as " True"/"False"
//    ("True" alone at rank 0); complex as real part plus signed imaginary
//    part with 'j' ("1.+2.j"), each part aligned separately;
//  - a rank-0 tensor prints its scalar ("1.5"), an empty tensor "[]".
//
// BF16 has no NumPy counterpart; it is printed like f16 with bf16 precision.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_PRINTER_H
#define TESSERA_RUNTIME_PRINTER_H

#include "tessera/Runtime/HostTensor.h"

#include <cstdint>
#include <string>

namespace tessera {

/// Knobs mirroring numpy.set_printoptions; the defaults are NumPy's.
struct PrintOptions {
  /// Start with a line giving dtype and shape, e.g. "f32[2, 3]".
  bool showHeader = false;
  /// Summarize tensors with more elements than this.
  int64_t threshold = 1000;
  /// Entries kept at each end of a summarized axis.
  int64_t edgeItems = 3;
  /// Most digits after the decimal point (or in a scientific mantissa).
  unsigned precision = 8;
  /// Rows are wrapped to fit this many columns.
  unsigned lineWidth = 75;
};

/// "f32[2, 3]"; "f32[]" at rank 0.
std::string formatTensorType(DType dtype, llvm::ArrayRef<int64_t> shape);
/// formatTensorType of the tensor's dtype and shape.
std::string formatTensorType(const HostTensor &tensor);

/// The NumPy-style text of `tensor` (no trailing newline). A tensor without
/// storage prints as "<no data>".
std::string formatTensor(const HostTensor &tensor,
                         const PrintOptions &options = {});

} // namespace tessera

#endif // TESSERA_RUNTIME_PRINTER_H
