//===- Convert.cpp - Element type conversion of host tensors --------------===//

#include "tessera/Runtime/Convert.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cassert>
#include <cmath>
#include <cstring>

using namespace tessera;

//===----------------------------------------------------------------------===//
// Half-precision bit conversions
//===----------------------------------------------------------------------===//

/// Rounds a double to a binary format with `expBits` exponent bits and
/// `manBits` explicit mantissa bits (at most 15 bits in total plus sign),
/// round to nearest, ties to even.
static uint16_t roundDoubleToSmallFloat(double value, unsigned expBits,
                                        unsigned manBits) {
  uint64_t bits = llvm::bit_cast<uint64_t>(value);
  uint32_t sign = static_cast<uint32_t>(bits >> 63) << (expBits + manBits);
  int64_t exp = static_cast<int64_t>((bits >> 52) & 0x7ff);
  uint64_t man = bits & ((uint64_t(1) << 52) - 1);
  const int64_t bias = (int64_t(1) << (expBits - 1)) - 1;
  const uint32_t expMax = (uint32_t(1) << expBits) - 1;
  const uint32_t infBits = expMax << manBits;

  if (exp == 0x7ff) {
    if (man == 0)
      return static_cast<uint16_t>(sign | infBits);
    // Keep the top payload bits and force the quiet bit so it stays a NaN.
    uint32_t payload = static_cast<uint32_t>(man >> (52 - manBits));
    return static_cast<uint16_t>(sign | infBits | payload |
                                 (uint32_t(1) << (manBits - 1)));
  }
  // Zero and double subnormals (far below any target subnormal) round to zero.
  if (exp == 0)
    return static_cast<uint16_t>(sign);

  int64_t targetExp = exp - 1023 + bias;
  if (targetExp >= static_cast<int64_t>(expMax))
    return static_cast<uint16_t>(sign | infBits);
  uint64_t significand = man | (uint64_t(1) << 52);
  // Number of low significand bits that do not fit in the target.
  int64_t shift = 52 - static_cast<int64_t>(manBits);
  if (targetExp <= 0) {
    // Subnormal in the target: the implicit bit moves into the mantissa.
    shift += 1 - targetExp;
    // Below half the smallest subnormal (significand < 2^53 <= half).
    if (shift > 54)
      return static_cast<uint16_t>(sign);
  }
  uint64_t kept = significand >> shift;
  uint64_t rest = significand & ((uint64_t(1) << shift) - 1);
  uint64_t half = uint64_t(1) << (shift - 1);
  if (rest > half || (rest == half && (kept & 1)))
    ++kept;
  uint64_t result;
  if (targetExp <= 0) {
    // A carry out of the mantissa lands in the exponent field: the smallest
    // normal number, which is the right answer.
    result = kept;
  } else {
    // Adding (not or-ing) lets a mantissa carry bump the exponent, up to the
    // infinity encoding when the largest finite number is exceeded.
    result = (static_cast<uint64_t>(targetExp) << manBits) + kept -
             (uint64_t(1) << manBits);
  }
  return static_cast<uint16_t>(sign | result);
}

static double smallFloatToDouble(uint16_t bits, unsigned expBits,
                                 unsigned manBits) {
  bool negative = (bits >> (expBits + manBits)) & 1;
  int exp = (bits >> manBits) & ((1 << expBits) - 1);
  int man = bits & ((1 << manBits) - 1);
  int bias = (1 << (expBits - 1)) - 1;
  double magnitude;
  if (exp == (1 << expBits) - 1)
    magnitude = man ? std::nan("") : INFINITY;
  else if (exp == 0)
    magnitude = std::ldexp(static_cast<double>(man), 1 - bias - int(manBits));
  else
    magnitude = std::ldexp(static_cast<double>(man | (1 << manBits)),
                           exp - bias - int(manBits));
  return negative ? -magnitude : magnitude;
}

uint16_t tessera::roundToF16(double value) {
  return roundDoubleToSmallFloat(value, 5, 10);
}
uint16_t tessera::roundToBF16(double value) {
  return roundDoubleToSmallFloat(value, 8, 7);
}
double tessera::f16ToDouble(uint16_t bits) {
  return smallFloatToDouble(bits, 5, 10);
}
double tessera::bf16ToDouble(uint16_t bits) {
  return smallFloatToDouble(bits, 8, 7);
}

//===----------------------------------------------------------------------===//
// Element access
//===----------------------------------------------------------------------===//

template <typename T> static T load(const HostTensor &tensor, int64_t index) {
  T value;
  std::memcpy(&value,
              static_cast<const char *>(tensor.data()) + index * sizeof(T),
              sizeof(T));
  return value;
}

template <typename T>
static void store(HostTensor &tensor, int64_t index, T value) {
  std::memcpy(static_cast<char *>(tensor.data()) + index * sizeof(T), &value,
              sizeof(T));
}

int64_t tessera::getIntegerElement(const HostTensor &tensor, int64_t index) {
  switch (tensor.getDType()) {
  case DType::Bool:
    return load<uint8_t>(tensor, index) != 0;
  case DType::I32:
    return load<int32_t>(tensor, index);
  case DType::I64:
    return load<int64_t>(tensor, index);
  default:
    llvm_unreachable("getIntegerElement on a non-integer tensor");
  }
}

double tessera::getRealElement(const HostTensor &tensor, int64_t index) {
  switch (tensor.getDType()) {
  case DType::Bool:
  case DType::I32:
  case DType::I64:
    return static_cast<double>(getIntegerElement(tensor, index));
  case DType::F16:
    return f16ToDouble(load<uint16_t>(tensor, index));
  case DType::BF16:
    return bf16ToDouble(load<uint16_t>(tensor, index));
  case DType::F32:
    return load<float>(tensor, index);
  case DType::F64:
    return load<double>(tensor, index);
  case DType::C64:
  case DType::C128:
    break;
  }
  llvm_unreachable("getRealElement on a complex tensor");
}

std::complex<double> tessera::getComplexElement(const HostTensor &tensor,
                                                int64_t index) {
  switch (tensor.getDType()) {
  case DType::C64:
    return {load<float>(tensor, 2 * index), load<float>(tensor, 2 * index + 1)};
  case DType::C128:
    return {load<double>(tensor, 2 * index),
            load<double>(tensor, 2 * index + 1)};
  default:
    return {getRealElement(tensor, index), 0.0};
  }
}

//===----------------------------------------------------------------------===//
// Tensor conversion
//===----------------------------------------------------------------------===//

/// "[i, j, k]" for a flat index into `shape`.
static std::string formatIndex(llvm::ArrayRef<int64_t> shape, int64_t flat) {
  std::vector<int64_t> index(shape.size());
  for (size_t i = shape.size(); i-- > 0;) {
    index[i] = flat % shape[i];
    flat /= shape[i];
  }
  std::string text = "[";
  for (size_t i = 0; i < index.size(); ++i) {
    if (i)
      text += ", ";
    text += std::to_string(index[i]);
  }
  return text + "]";
}

static llvm::Error outOfRange(const HostTensor &tensor, int64_t flat,
                              const llvm::Twine &value, DType to) {
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      "value " + value + " at index " + formatIndex(tensor.getShape(), flat) +
          " is out of range for " + getDTypeName(to));
}

/// Rounds an integer to a half-precision format without double rounding.
static uint16_t roundIntegerToSmall(int64_t value, bool bf16) {
  // Integers up to 2^53 convert to double exactly.
  if (value >= -(int64_t(1) << 53) && value <= (int64_t(1) << 53))
    return bf16 ? roundToBF16(static_cast<double>(value))
                : roundToF16(static_cast<double>(value));
  llvm::APFloat result(bf16 ? llvm::APFloat::BFloat()
                            : llvm::APFloat::IEEEhalf());
  result.convertFromAPInt(llvm::APInt(64, static_cast<uint64_t>(value),
                                      /*isSigned=*/true),
                          /*IsSigned=*/true,
                          llvm::APFloat::rmNearestTiesToEven);
  return static_cast<uint16_t>(result.bitcastToAPInt().getZExtValue());
}

/// Stores an integer element into any non-complex-source target.
static void storeInteger(HostTensor &out, int64_t index, int64_t value) {
  switch (out.getDType()) {
  case DType::Bool:
    store<uint8_t>(out, index, value != 0);
    return;
  case DType::I32:
    store<int32_t>(out, index, static_cast<int32_t>(value));
    return;
  case DType::I64:
    store<int64_t>(out, index, value);
    return;
  case DType::F16:
    store<uint16_t>(out, index, roundIntegerToSmall(value, /*bf16=*/false));
    return;
  case DType::BF16:
    store<uint16_t>(out, index, roundIntegerToSmall(value, /*bf16=*/true));
    return;
  case DType::F32:
    store<float>(out, index, static_cast<float>(value));
    return;
  case DType::F64:
    store<double>(out, index, static_cast<double>(value));
    return;
  case DType::C64:
    store<float>(out, 2 * index, static_cast<float>(value));
    return;
  case DType::C128:
    store<double>(out, 2 * index, static_cast<double>(value));
    return;
  }
}

/// Stores an exact real value into a floating-point or complex target.
static void storeFloat(HostTensor &out, int64_t index, double value) {
  switch (out.getDType()) {
  case DType::F16:
    store<uint16_t>(out, index, roundToF16(value));
    return;
  case DType::BF16:
    store<uint16_t>(out, index, roundToBF16(value));
    return;
  case DType::F32:
    store<float>(out, index, static_cast<float>(value));
    return;
  case DType::F64:
    store<double>(out, index, value);
    return;
  case DType::C64:
    store<float>(out, 2 * index, static_cast<float>(value));
    return;
  case DType::C128:
    store<double>(out, 2 * index, value);
    return;
  default:
    llvm_unreachable("storeFloat to a non-floating-point tensor");
  }
}

llvm::Expected<HostTensor> tessera::convertTensor(const HostTensor &tensor,
                                                  DType to) {
  DType from = tensor.getDType();
  if (!tensor.hasStorage())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot convert a tensor without storage");
  if (from == to)
    return tensor.clone();
  if (isComplexDType(from) && !isComplexDType(to))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   llvm::Twine("cannot convert complex ") +
                                       getDTypeName(from) + " data to real " +
                                       getDTypeName(to) +
                                       " (take the real part explicitly)");

  HostTensor out(to, std::vector<int64_t>(tensor.getShape().begin(),
                                          tensor.getShape().end()));
  int64_t count = tensor.getNumElements();

  if (isComplexDType(from)) {
    for (int64_t i = 0; i < count; ++i) {
      std::complex<double> value = getComplexElement(tensor, i);
      if (to == DType::C64) {
        store<float>(out, 2 * i, static_cast<float>(value.real()));
        store<float>(out, 2 * i + 1, static_cast<float>(value.imag()));
      } else {
        store<double>(out, 2 * i, value.real());
        store<double>(out, 2 * i + 1, value.imag());
      }
    }
    return std::move(out);
  }

  if (from == DType::Bool || isIntegerDType(from)) {
    for (int64_t i = 0; i < count; ++i) {
      int64_t value = getIntegerElement(tensor, i);
      if (to == DType::I32 && (value < INT32_MIN || value > INT32_MAX))
        return outOfRange(tensor, i, llvm::Twine(value), to);
      storeInteger(out, i, value);
    }
    return std::move(out);
  }

  // Real floating-point source.
  for (int64_t i = 0; i < count; ++i) {
    double value = getRealElement(tensor, i);
    if (to == DType::Bool) {
      store<uint8_t>(out, i, value != 0.0);
      continue;
    }
    if (isIntegerDType(to)) {
      bool inRange = to == DType::I32
                         ? value > -2147483649.0 && value < 2147483648.0
                         : value >= -0x1p63 && value < 0x1p63;
      if (!inRange) {
        std::string text;
        llvm::raw_string_ostream os(text);
        os << llvm::format("%.17g", value);
        return outOfRange(tensor, i, text, to);
      }
      storeInteger(out, i, static_cast<int64_t>(std::trunc(value)));
      continue;
    }
    storeFloat(out, i, value);
  }
  return std::move(out);
}

llvm::Error tessera::checkLosslessConversion(const HostTensor &tensor,
                                             DType to) {
  DType from = tensor.getDType();
  if (from == to || from == DType::Bool)
    return llvm::Error::success();
  auto lossy = [&](const llvm::Twine &why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   getDTypeName(from) + " data for " +
                                       getDTypeName(to) + ": " + why);
  };
  bool fromFloat = isFloatDType(from) || isComplexDType(from);
  if (isComplexDType(from) && !isComplexDType(to))
    return lossy("the imaginary parts would be dropped");
  if (fromFloat && (isIntegerDType(to) || to == DType::Bool))
    return lossy("floating-point values would be truncated");
  if (isIntegerDType(from) && to == DType::Bool)
    return lossy("integers would become true or false");
  llvm::Expected<HostTensor> converted = convertTensor(tensor, to);
  if (!converted)
    return lossy(llvm::toString(converted.takeError()));
  if (!isFloatDType(to) && !isComplexDType(to))
    return llvm::Error::success();
  // Finite values out of the target's range round to infinities.
  auto finite = [](std::complex<double> v) {
    return std::isfinite(v.real()) && std::isfinite(v.imag());
  };
  for (int64_t i = 0, e = tensor.getNumElements(); i < e; ++i) {
    std::complex<double> value = getComplexElement(tensor, i);
    if (finite(value) && !finite(getComplexElement(*converted, i))) {
      std::string text;
      llvm::raw_string_ostream os(text);
      os << llvm::format("%g", value.real());
      if (isComplexDType(from))
        os << llvm::format("%+gj", value.imag());
      return lossy("value " + text + " at index " +
                   formatIndex(tensor.getShape(), i) + " overflows " +
                   getDTypeName(to));
    }
  }
  return llvm::Error::success();
}
