//===- Printer.cpp - NumPy-style text of host tensors ---------------------===//
//
// A transcription of numpy/core/arrayprint.py (1.24): _formatArray,
// _extendLine, FloatingFormat, IntegerFormat, BoolFormat and
// ComplexFloatingFormat, with Dragon4's "unique" digit generation replaced by
// std::to_chars (shortest round trip) and correctly rounded printf.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Printer.h"

#include "tessera/Runtime/Convert.h"

#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>

using namespace tessera;

std::string tessera::formatTensorType(DType dtype,
                                      llvm::ArrayRef<int64_t> shape) {
  std::string text = getDTypeName(dtype).str() + "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

std::string tessera::formatTensorType(const HostTensor &tensor) {
  return formatTensorType(tensor.getDType(), tensor.getShape());
}

namespace {

//===----------------------------------------------------------------------===//
// Digit generation
//===----------------------------------------------------------------------===//

/// The real type whose precision decides how many digits a value needs.
enum class FloatKind { F16, BF16, F32, F64 };

/// A finite nonzero magnitude as digits d0 d1 ... (no trailing zeros) times
/// 10^(exponent - position), i.e. d0.d1d2... x 10^exponent.
struct Decimal {
  std::string digits;
  int exponent = 0;
};

/// Parses printf/to_chars scientific output ("-1.25e-05") into a Decimal.
Decimal parseScientific(llvm::StringRef text) {
  Decimal result;
  size_t e = text.find_first_of("eE");
  for (char c : text.take_front(e))
    if (c >= '0' && c <= '9')
      result.digits += c;
  // The exponent may carry a '+' that getAsInteger does not accept.
  llvm::StringRef exponent = text.drop_front(e + 1);
  if (exponent.starts_with("+"))
    exponent = exponent.drop_front();
  if (exponent.getAsInteger(10, result.exponent))
    result.exponent = 0;
  return result;
}

void stripTrailingZeros(Decimal &decimal) {
  size_t last = decimal.digits.find_last_not_of('0');
  decimal.digits.resize(last == std::string::npos ? 1 : last + 1);
}

/// `value` correctly rounded to `fractionDigits` digits after the point of
/// its scientific form.
Decimal roundScientific(double value, unsigned fractionDigits) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*e",
                static_cast<int>(fractionDigits), std::fabs(value));
  return parseScientific(buffer);
}

/// Rounds `value` to the kind's precision, as bits for comparison.
uint64_t roundToKind(double value, FloatKind kind) {
  switch (kind) {
  case FloatKind::F16:
    return roundToF16(value);
  case FloatKind::BF16:
    return roundToBF16(value);
  case FloatKind::F32: {
    float f = static_cast<float>(value);
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof(bits));
    return bits;
  }
  case FloatKind::F64:
    break;
  }
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

/// The shortest digits that read back as `value` in its kind (Dragon4's
/// "unique" mode). `value` is finite, nonzero and representable in the kind.
Decimal shortestDigits(double value, FloatKind kind) {
  char buffer[64];
  double magnitude = std::fabs(value);
  if (kind == FloatKind::F64 || kind == FloatKind::F32) {
    std::to_chars_result result =
        kind == FloatKind::F64
            ? std::to_chars(buffer, buffer + sizeof(buffer), magnitude,
                            std::chars_format::scientific)
            : std::to_chars(buffer, buffer + sizeof(buffer),
                            static_cast<float>(magnitude),
                            std::chars_format::scientific);
    Decimal decimal =
        parseScientific(llvm::StringRef(buffer, result.ptr - buffer));
    stripTrailingZeros(decimal);
    return decimal;
  }
  // No to_chars for half types: try ever longer correctly rounded
  // representations. A half needs at most 5 significant digits, a bfloat16
  // 4; decimal -> double -> half cannot double-round at that length.
  uint64_t target = roundToKind(magnitude, kind);
  for (unsigned fraction = 0; fraction < 17; ++fraction) {
    std::snprintf(buffer, sizeof(buffer), "%.*e", static_cast<int>(fraction),
                  magnitude);
    if (roundToKind(std::strtod(buffer, nullptr), kind) == target) {
      Decimal decimal = parseScientific(buffer);
      stripTrailingZeros(decimal);
      return decimal;
    }
  }
  Decimal decimal = roundScientific(magnitude, 16);
  stripTrailingZeros(decimal);
  return decimal;
}

//===----------------------------------------------------------------------===//
// FloatingFormat
//===----------------------------------------------------------------------===//

/// NumPy's FloatingFormat for floatmode='maxprec', suppress_small=False.
class FloatFormat {
public:
  FloatFormat(const std::vector<double> &values, FloatKind kind,
              unsigned precision, bool plusSign)
      : kind(kind), precision(precision), plusSign(plusSign) {
    fill(values);
  }

  std::string operator()(double value) const;

private:
  void fill(const std::vector<double> &values);
  /// Dragon4 positional: unique digits, at most `precision` after the point,
  /// trailing zeros trimmed down to the point ("1.").
  std::string positional(double value) const;
  /// Dragon4 scientific: unique digits, at most `maxDigits` after the point
  /// and at least `minDigits` (more digits of the exact value, rounded).
  std::string scientific(double value, unsigned maxDigits, unsigned minDigits,
                         unsigned expDigits) const;
  std::string signOf(double value) const {
    return std::signbit(value) ? "-" : plusSign ? "+" : "";
  }
  /// The value rounded to the kind, as numpy computes max/min in the dtype.
  double inKind(double value) const {
    switch (kind) {
    case FloatKind::F16:
      return f16ToDouble(roundToF16(value));
    case FloatKind::BF16:
    case FloatKind::F32:
      return static_cast<float>(value);
    case FloatKind::F64:
      break;
    }
    return value;
  }

  FloatKind kind;
  unsigned precision;
  bool plusSign;
  bool expFormat = false;
  size_t padLeft = 0;
  size_t padRight = 0;
  unsigned expSize = 2;
  unsigned minDigits = 0;
};

std::string FloatFormat::positional(double value) const {
  std::string intPart, fracPart;
  if (value == 0.0) {
    intPart = "0";
  } else {
    Decimal decimal = shortestDigits(value, kind);
    int fractionCount = std::max(0, static_cast<int>(decimal.digits.size()) -
                                        1 - decimal.exponent);
    if (fractionCount == 0) {
      // NumPy's array printer passes min_digits=0, so Dragon4 generates the
      // integer part exactly even where fewer digits would be unique
      // (f16 41888 prints as "41888.", not "41900.").
      char buffer[400];
      std::snprintf(buffer, sizeof(buffer), "%.0f", std::fabs(value));
      intPart = buffer;
    } else if (fractionCount > static_cast<int>(precision)) {
      char buffer[400];
      std::snprintf(buffer, sizeof(buffer), "%.*f", static_cast<int>(precision),
                    std::fabs(value));
      llvm::StringRef text(buffer);
      intPart = text.split('.').first.str();
      fracPart = text.split('.').second.rtrim('0').str();
    } else if (decimal.exponent >= 0) {
      std::string &digits = decimal.digits;
      size_t intCount = static_cast<size_t>(decimal.exponent) + 1;
      if (digits.size() < intCount)
        digits.append(intCount - digits.size(), '0');
      intPart = digits.substr(0, intCount);
      fracPart = digits.substr(intCount);
    } else {
      intPart = "0";
      fracPart = std::string(-decimal.exponent - 1, '0') + decimal.digits;
    }
  }
  std::string head = signOf(value) + intPart;
  std::string text;
  if (head.size() < padLeft)
    text.append(padLeft - head.size(), ' ');
  text += head + "." + fracPart;
  if (fracPart.size() < padRight)
    text.append(padRight - fracPart.size(), ' ');
  return text;
}

std::string FloatFormat::scientific(double value, unsigned maxDigits,
                                    unsigned minDigits,
                                    unsigned expDigits) const {
  Decimal decimal;
  if (value == 0.0) {
    decimal.digits = "0";
  } else {
    decimal = shortestDigits(value, kind);
    if (decimal.digits.size() - 1 > maxDigits) {
      decimal = roundScientific(value, maxDigits);
      stripTrailingZeros(decimal);
    }
  }
  if (decimal.digits.size() - 1 < minDigits) {
    if (value == 0.0)
      decimal.digits.append(minDigits + 1 - decimal.digits.size(), '0');
    else
      decimal = roundScientific(value, minDigits);
  }
  std::string head = signOf(value) + decimal.digits.substr(0, 1);
  std::string text;
  if (head.size() < padLeft)
    text.append(padLeft - head.size(), ' ');
  text += head + "." + decimal.digits.substr(1) + "e";
  text += decimal.exponent < 0 ? '-' : '+';
  std::string exponent = std::to_string(std::abs(decimal.exponent));
  if (exponent.size() < expDigits)
    text.append(expDigits - exponent.size(), '0');
  return text + exponent;
}

void FloatFormat::fill(const std::vector<double> &values) {
  std::vector<double> finite;
  bool hasNonFinite = false, hasNegInf = false;
  for (double value : values) {
    if (std::isfinite(value))
      finite.push_back(value);
    else {
      hasNonFinite = true;
      hasNegInf |= std::isinf(value) && value < 0;
    }
  }
  double maxVal = 0, minVal = 0;
  bool anyNonZero = false;
  for (double value : finite) {
    if (value == 0.0)
      continue;
    double magnitude = std::fabs(value);
    maxVal = anyNonZero ? std::max(maxVal, magnitude) : magnitude;
    minVal = anyNonZero ? std::min(minVal, magnitude) : magnitude;
    anyNonZero = true;
  }
  if (anyNonZero)
    expFormat =
        maxVal >= 1e8 || minVal < 0.0001 || inKind(maxVal / minVal) > 1000.0;

  if (finite.empty()) {
    padLeft = padRight = 0;
  } else if (expFormat) {
    size_t maxFraction = 0;
    unsigned maxExp = 0;
    for (double value : finite) {
      // Measure the strings NumPy's first pass would produce.
      std::string text = scientific(value, precision, 0, 2);
      llvm::StringRef ref(text);
      auto [mantissa, exponent] = ref.split('e');
      auto [intPart, fraction] = mantissa.split('.');
      padLeft = std::max(padLeft, intPart.ltrim(' ').size());
      maxFraction = std::max(maxFraction, fraction.size());
      maxExp = std::max(maxExp, static_cast<unsigned>(exponent.size() - 1));
    }
    expSize = maxExp;
    precision = static_cast<unsigned>(maxFraction);
    minDigits = precision;
    padRight = expSize + 2 + precision;
  } else {
    for (double value : finite) {
      std::string text = positional(value);
      auto [intPart, fraction] = llvm::StringRef(text).split('.');
      padLeft = std::max(padLeft, intPart.ltrim(' ').size());
      padRight = std::max(padRight, fraction.rtrim(' ').size());
    }
  }
  if (hasNonFinite) {
    size_t infLength = 3 + (plusSign || hasNegInf);
    size_t offset = padRight + 1;
    for (size_t length : {size_t(3), infLength})
      if (length > offset)
        padLeft = std::max(padLeft, length - offset);
  }
}

std::string FloatFormat::operator()(double value) const {
  if (!std::isfinite(value)) {
    std::string text;
    if (std::isnan(value))
      text = plusSign ? "+nan" : "nan";
    else
      text = std::string(value < 0 ? "-" : plusSign ? "+" : "") + "inf";
    size_t width = padLeft + padRight + 1;
    return std::string(width > text.size() ? width - text.size() : 0, ' ') +
           text;
  }
  if (expFormat)
    return scientific(value, precision, minDigits, expSize);
  return positional(value);
}

FloatKind getFloatKind(DType dtype) {
  switch (dtype) {
  case DType::F16:
    return FloatKind::F16;
  case DType::BF16:
    return FloatKind::BF16;
  case DType::F32:
  case DType::C64:
    return FloatKind::F32;
  default:
    return FloatKind::F64;
  }
}

//===----------------------------------------------------------------------===//
// _formatArray
//===----------------------------------------------------------------------===//

using ElementFormatter = std::function<std::string(int64_t)>;

/// Builds the element formatter from the elements that will be shown.
ElementFormatter makeFormatter(const HostTensor &tensor,
                               const std::vector<int64_t> &shown,
                               const PrintOptions &options) {
  DType dtype = tensor.getDType();
  if (dtype == DType::Bool) {
    std::string trueText = tensor.getRank() == 0 ? "True" : " True";
    return [&tensor, trueText](int64_t i) {
      return getIntegerElement(tensor, i) ? trueText : std::string("False");
    };
  }
  if (isIntegerDType(dtype)) {
    size_t width = 0;
    for (int64_t i : shown)
      width =
          std::max(width, std::to_string(getIntegerElement(tensor, i)).size());
    return [&tensor, width](int64_t i) {
      std::string text = std::to_string(getIntegerElement(tensor, i));
      return std::string(width > text.size() ? width - text.size() : 0, ' ') +
             text;
    };
  }
  FloatKind kind = getFloatKind(dtype);
  if (isFloatDType(dtype)) {
    std::vector<double> values;
    for (int64_t i : shown)
      values.push_back(getRealElement(tensor, i));
    FloatFormat format(values, kind, options.precision, /*plusSign=*/false);
    return [&tensor, format](int64_t i) {
      return format(getRealElement(tensor, i));
    };
  }
  std::vector<double> reals, imags;
  for (int64_t i : shown) {
    std::complex<double> value = getComplexElement(tensor, i);
    reals.push_back(value.real());
    imags.push_back(value.imag());
  }
  FloatFormat realFormat(reals, kind, options.precision, /*plusSign=*/false);
  FloatFormat imagFormat(imags, kind, options.precision, /*plusSign=*/true);
  return [&tensor, realFormat, imagFormat](int64_t i) {
    std::complex<double> value = getComplexElement(tensor, i);
    std::string imag = imagFormat(value.imag());
    // The 'j' goes before the imaginary part's trailing padding.
    size_t end = imag.find_last_not_of(' ') + 1;
    imag.insert(end, "j");
    return realFormat(value.real()) + imag;
  };
}

class ArrayFormatter {
public:
  ArrayFormatter(const HostTensor &tensor, const PrintOptions &options,
                 bool summarize, ElementFormatter format)
      : shape(tensor.getShape()), options(options), summarize(summarize),
        format(std::move(format)) {}

  std::string run() {
    std::vector<int64_t> index;
    return recurse(index, " ", static_cast<int64_t>(options.lineWidth));
  }

private:
  static constexpr const char *kSeparator = ", ";

  int64_t flatIndex(const std::vector<int64_t> &index) const {
    int64_t flat = 0;
    for (size_t i = 0; i < index.size(); ++i)
      flat = flat * shape[i] + index[i];
    return flat;
  }

  /// _extendLine: appends `word`, wrapping first if it would not fit (and
  /// wrapping would help).
  static void extendLine(std::string &text, std::string &line,
                         const std::string &word, int64_t width,
                         const std::string &nextLinePrefix) {
    bool needsWrap = static_cast<int64_t>(line.size() + word.size()) > width &&
                     line.size() > nextLinePrefix.size();
    if (needsWrap) {
      text += llvm::StringRef(line).rtrim().str() + "\n";
      line = nextLinePrefix;
    }
    line += word;
  }

  std::string recurse(std::vector<int64_t> &index,
                      const std::string &hangingIndent, int64_t width) {
    size_t axis = index.size();
    size_t axesLeft = shape.size() - axis;
    if (axesLeft == 0)
      return format(flatIndex(index));

    std::string nextHangingIndent = hangingIndent + " ";
    int64_t nextWidth = width - 1; // len(']')
    int64_t length = shape[axis];
    bool showSummary = summarize && 2 * options.edgeItems < length;
    int64_t leading = showSummary ? options.edgeItems : 0;
    int64_t trailing = showSummary ? options.edgeItems : length;

    auto child = [&](int64_t i) {
      index.push_back(i);
      std::string text = recurse(index, nextHangingIndent, nextWidth);
      index.pop_back();
      return text;
    };

    std::string text;
    if (axesLeft == 1) {
      // Room up to the separator or the closing bracket.
      int64_t elemWidth = width - 1;
      std::string line = hangingIndent;
      for (int64_t i = 0; i < leading; ++i) {
        extendLine(text, line, child(i), elemWidth, hangingIndent);
        line += kSeparator;
      }
      if (showSummary) {
        extendLine(text, line, "...", elemWidth, hangingIndent);
        line += kSeparator;
      }
      for (int64_t i = trailing; i > 1; --i) {
        extendLine(text, line, child(length - i), elemWidth, hangingIndent);
        line += kSeparator;
      }
      extendLine(text, line, child(length - 1), elemWidth, hangingIndent);
      text += line;
    } else {
      std::string lineSep = "," + std::string(axesLeft - 1, '\n');
      for (int64_t i = 0; i < leading; ++i)
        text += hangingIndent + child(i) + lineSep;
      if (showSummary)
        text += hangingIndent + "..." + lineSep;
      for (int64_t i = trailing; i > 1; --i)
        text += hangingIndent + child(length - i) + lineSep;
      text += hangingIndent + child(length - 1);
    }
    return "[" + text.substr(hangingIndent.size()) + "]";
  }

  llvm::ArrayRef<int64_t> shape;
  const PrintOptions &options;
  bool summarize;
  ElementFormatter format;
};

/// _leading_trailing: the flat indices of the elements a summarized print
/// shows (all of them when not summarizing).
std::vector<int64_t> shownElements(llvm::ArrayRef<int64_t> shape,
                                   bool summarize, int64_t edgeItems) {
  std::vector<std::vector<int64_t>> perAxis;
  for (int64_t dim : shape) {
    std::vector<int64_t> kept;
    if (summarize && dim > 2 * edgeItems) {
      for (int64_t i = 0; i < edgeItems; ++i)
        kept.push_back(i);
      for (int64_t i = dim - edgeItems; i < dim; ++i)
        kept.push_back(i);
    } else {
      for (int64_t i = 0; i < dim; ++i)
        kept.push_back(i);
    }
    perAxis.push_back(std::move(kept));
  }
  std::vector<int64_t> flat;
  std::function<void(size_t, int64_t)> walk = [&](size_t axis, int64_t base) {
    if (axis == shape.size()) {
      flat.push_back(base);
      return;
    }
    for (int64_t i : perAxis[axis])
      walk(axis + 1, base * shape[axis] + i);
  };
  walk(0, 0);
  return flat;
}

} // namespace

std::string tessera::formatTensor(const HostTensor &tensor,
                                  const PrintOptions &options) {
  std::string header =
      options.showHeader ? formatTensorType(tensor) + "\n" : std::string();
  if (!tensor.hasStorage())
    return header + "<no data>";
  if (tensor.getNumElements() == 0)
    return header + "[]";
  bool summarize = tensor.getNumElements() > options.threshold;
  std::vector<int64_t> shown =
      shownElements(tensor.getShape(), summarize, options.edgeItems);
  ArrayFormatter formatter(tensor, options, summarize,
                           makeFormatter(tensor, shown, options));
  return header + formatter.run();
}
