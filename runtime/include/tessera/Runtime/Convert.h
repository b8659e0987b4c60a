//===- Convert.h - Element type conversion of host tensors ------*- C++ -*-===//
//
// Converts tensors between dtypes, e.g. when a .npy file holds f64 data for an
// f32 parameter, and exposes the half-precision bit conversions and scalar
// element accessors the rest of the runtime support library shares.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_CONVERT_H
#define TESSERA_RUNTIME_CONVERT_H

#include "tessera/Runtime/HostTensor.h"

#include "llvm/Support/Error.h"

#include <complex>
#include <cstdint>

namespace tessera {

/// Rounds `value` to IEEE binary16 (round to nearest, ties to even) and
/// returns the bits. Overflow gives infinity, NaN stays a (quiet) NaN. Since
/// every float converts to double exactly, this is also the correctly rounded
/// f32 -> f16 conversion.
uint16_t roundToF16(double value);
/// Rounds `value` to bfloat16 (round to nearest, ties to even); see roundToF16.
uint16_t roundToBF16(double value);
/// The exact value of IEEE binary16 bits.
double f16ToDouble(uint16_t bits);
/// The exact value of bfloat16 bits.
double bf16ToDouble(uint16_t bits);

/// Element `index` (row-major flat index) of a Bool, I32 or I64 tensor.
int64_t getIntegerElement(const HostTensor &tensor, int64_t index);
/// Element `index` of a real floating-point tensor (F16, BF16, F32, F64),
/// exactly; Bool and integer tensors are accepted too (I64 may round).
double getRealElement(const HostTensor &tensor, int64_t index);
/// Element `index` of any tensor as a complex number (imaginary part zero for
/// real dtypes).
std::complex<double> getComplexElement(const HostTensor &tensor, int64_t index);

/// Returns a copy of `tensor` with element type `to`.
///
/// Semantics (per element):
///  - to Bool: nonzero (NaN counts as nonzero) becomes true;
///  - Bool to anything: 0 or 1;
///  - float to float: round to nearest even (overflow gives +-inf);
///  - integer to float: round to nearest even, exactly (no double rounding);
///  - float to integer: truncation toward zero; NaN, infinities and values
///    outside the target range are an error;
///  - integer to narrower integer: values outside the range are an error;
///  - real to complex: imaginary part zero; complex to complex: each part
///    rounded;
///  - complex to any real type or Bool: always an error.
/// Errors name the offending element, e.g. "value 3e+10 at index [1, 2] is out
/// of range for i32". Converting to the same dtype returns a copy.
llvm::Expected<HostTensor> convertTensor(const HostTensor &tensor, DType to);

/// Whether converting `tensor` to `to` (convertTensor) keeps every value,
/// up to the rounding of a narrower floating-point type: an error, naming
/// the dtypes and the first offending element, when a finite value would
/// overflow to infinity ("value 1e+39 at index [3] overflows f32"), an
/// integer would not fit, floating-point values would be truncated to
/// integers, values would become booleans, or imaginary parts would be
/// dropped. Bool sources and identical dtypes always pass.
llvm::Error checkLosslessConversion(const HostTensor &tensor, DType to);

} // namespace tessera

#endif // TESSERA_RUNTIME_CONVERT_H
