//===- AffineReads.h - Reads through compound subscripts --------*- C++ -*-===//
//
// Private to passes/lib/Conversion/TessToLinalg. A tess.contract input read
// through a compound subscript (`x[t - k]`, `x[2 * i + 1]`, `x[N - 1 - i]`)
// reads zero outside the tensor. The lowering reads such inputs with
// tensor.extract in the body of the linalg.generic, and either checks each
// read (a compare and a select: the guarded read) or, where the iteration
// space has been peeled so that the subscript is provably in range, reads
// with no check at all.
//
// Peeling splits the range of one loop dimension `p` into [0, lo), [lo, hi)
// and [hi, bound): in the interior [lo, hi) every affine compound subscript
// that depends on `p` is in range for every value of the other dimensions,
// so the interior loop nest has plain loads that LLVM vectorizes; the two
// boundary pieces keep the checks. Up to kMaxPeeledDims dimensions are
// peeled one inside the other (the second within the interior of the
// first), giving 2 * levels + 1 pieces. Subscripts with floordiv, ceildiv
// or mod, and those that depend on no peeled dimension, stay guarded.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_LIB_CONVERSION_TESSTOLINALG_AFFINEREADS_H
#define TESSERA_LIB_CONVERSION_TESSTOLINALG_AFFINEREADS_H

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/SmallBitVector.h"

#include <optional>

namespace tessera::tesstolinalg {

/// Most loop dimensions that one contraction is peeled along.
constexpr unsigned kMaxPeeledDims = 3;

/// What the generic body needs to read an input whose subscripts are not all
/// plain loop dimensions.
struct GuardedInput {
  /// The input itself (what reads proven in range use).
  mlir::Value input;
  /// The tensor read with tensor.extract by checked reads (a non-empty
  /// stand-in when the input may be empty).
  mlir::Value source;
  mlir::AffineMap map;
  /// The values of the map's symbols.
  mlir::ValueRange symbols;
  /// tensor.dim of every dimension of the input.
  llvm::SmallVector<mlir::Value> sizes;
  /// Zero of the element type: the value of out-of-bounds reads.
  mlir::Value zero;
  /// The index 0, where out-of-bounds points read (and discard) an element.
  mlir::Value zeroIndex;
  /// The input is statically empty: every read is zero.
  bool alwaysZero = false;
};

/// Prepares the out-of-loop values for reading `input` through `map` (with
/// symbol values `symbols`).
GuardedInput prepareGuardedInput(mlir::OpBuilder &b, mlir::Location loc,
                                 mlir::Value input, mlir::AffineMap map,
                                 mlir::ValueRange symbols);

/// Emits, inside the generic body, the read of `guarded` at the current
/// iteration point (`getIndex(d)` is the value of loop dimension d): zero
/// when a compound subscript is out of range. Subscripts whose bit is set in
/// `proven` (one bit per map result) are known to be in range and are not
/// checked; when every compound subscript is proven the read is a plain
/// tensor.extract of the input.
mlir::Value emitAffineRead(mlir::OpBuilder &b, mlir::Location loc,
                           const GuardedInput &guarded,
                           const llvm::SmallBitVector &proven,
                           llvm::function_ref<mlir::Value(unsigned)> getIndex);

/// An affine expression as `sum(dims[d] * d) + sum(symbols[s] * s) +
/// constant`, with coefficients small enough that evaluating it for
/// dimension and symbol values up to 2^40 in magnitude cannot overflow.
struct LinearForm {
  llvm::SmallVector<int64_t> dims;
  llvm::SmallVector<int64_t> symbols;
  int64_t constant = 0;
};

/// The linear form of `expr`, or nullopt when it has floordiv, ceildiv or
/// mod, or coefficients too large for LinearForm's guarantee.
std::optional<LinearForm> getLinearForm(mlir::AffineExpr expr, unsigned numDims,
                                        unsigned numSymbols);

/// A compound subscript that peeling proves in range: result `result` of the
/// map of input `input`.
struct PeeledSubscript {
  unsigned input;
  unsigned result;
  LinearForm form;
};

/// One peeled loop dimension and the subscripts whose range it bounds (each
/// depends on `dim` and on no dimension peeled after it).
struct PeelLevel {
  unsigned dim;
  llvm::SmallVector<PeeledSubscript> subscripts;
};

/// The dimensions to peel a contraction along, outermost first. `inputMaps`
/// has a null map for every input that is read without checks anyway (plain
/// subscripts) or is always zero. Parallel dimensions (those of
/// `resultMap`) that affine compound subscripts depend on are peeled; when
/// there are none, reduction dimensions are. Empty when nothing can be
/// proven in range.
llvm::SmallVector<PeelLevel>
planPeeling(llvm::ArrayRef<mlir::AffineMap> inputMaps,
            mlir::AffineMap resultMap);

/// Emits the interior [lo, hi) of `level.dim`, with 0 <= lo <= hi <= bound:
/// the values of the dimension for which every subscript of `level` is in
/// range while each other dimension d ranges over [boxLo[d], boxHi[d]).
/// `guarded` holds the prepared reads of the inputs (sizes and symbols).
/// When some value involved exceeds 2^40 in magnitude the interior is empty.
std::pair<mlir::Value, mlir::Value>
emitInterior(mlir::OpBuilder &b, mlir::Location loc, const PeelLevel &level,
             mlir::ValueRange boxLo, mlir::ValueRange boxHi,
             llvm::ArrayRef<std::optional<GuardedInput>> guarded);

} // namespace tessera::tesstolinalg

#endif // TESSERA_LIB_CONVERSION_TESSTOLINALG_AFFINEREADS_H
