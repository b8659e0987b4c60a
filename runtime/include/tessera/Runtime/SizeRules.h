//===- SizeRules.h - Lengths the structured transforms accept ---*- C++ -*-===//
//
// The one definition of the lengths that fwht, bitreverse, butterfly and
// fft_twiddles accept. Sema checks a literal length with it, the entry size
// checks (EntryABI.h, and the compiled checks through
// tessera_fwht_length_supported) check a symbolic one with it at every call,
// the structured dialect's verifiers check static lengths with it, and the
// fwht kernel splits its length with it. Header only, constexpr, plain C++
// with no dependency: the kernels (no LLVM, no C++ runtime) include it too.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_SIZERULES_H
#define TESSERA_RUNTIME_SIZERULES_H

#include <cstdint>

namespace tessera {

/// The rules a size of a structured transform must satisfy.
enum class SizeRule {
  PowerOfTwo, ///< n = 2^k, k >= 0 (bitreverse, butterfly, fft_twiddles)
  FwhtLength, ///< n = 2^k or m 2^k with m in {12, 20, 28, 40} (fwht)
  AtMostLog2, ///< f <= log2(n) for the bound n, i.e. 2^f <= n (butterfly
              ///< factors f for its length n)
};

/// Whether `n` is a power of two (1 included).
constexpr bool isPowerOfTwoLength(int64_t n) {
  return n > 0 && (n & (n - 1)) == 0;
}

/// Splits a length of fwht into m p, p = 2^k: m = 1 for a power of two, else
/// m in {12, 20, 28, 40} (40 rather than 20 when both divide n). False, with
/// m and p untouched, for any other n (n < 1 included).
constexpr bool splitFwhtLength(int64_t n, int64_t &m, int64_t &p) {
  if (n < 1)
    return false;
  int64_t odd = n / (n & -n);
  int64_t base = odd == 1   ? 1
                 : odd == 3 ? 12
                 : odd == 7 ? 28
                 : odd == 5 ? (n % 40 == 0 ? 40 : 20)
                            : 0;
  if (base == 0 || n % base != 0)
    return false;
  m = base;
  p = n / base;
  return true;
}

/// Whether fwht transforms vectors of length `n`: 2^k, or 12, 20, 28 or 40
/// times 2^k.
constexpr bool isFwhtLength(int64_t n) {
  int64_t m = 0, p = 0;
  return splitFwhtLength(n, m, p);
}

/// Whether 2^f <= n (f >= 0, n >= 1): f butterfly factors fit a length n.
constexpr bool fitsLog2Bound(int64_t f, int64_t n) {
  return f >= 0 && f <= 62 && n >= 1 && (int64_t(1) << f) <= n;
}

/// Whether `value` satisfies `rule`; `bound` is the bound of AtMostLog2.
constexpr bool satisfiesSizeRule(SizeRule rule, int64_t value,
                                 int64_t bound = 0) {
  switch (rule) {
  case SizeRule::PowerOfTwo:
    return isPowerOfTwoLength(value);
  case SizeRule::FwhtLength:
    return isFwhtLength(value);
  case SizeRule::AtMostLog2:
    return fitsLog2Bound(value, bound);
  }
  return false;
}

/// The name of `rule` in the `tess.size_constraints` attribute
/// (docs/abi.md): "power_of_two", "fwht_length", "at_most_log2".
constexpr const char *getSizeRuleName(SizeRule rule) {
  switch (rule) {
  case SizeRule::PowerOfTwo:
    return "power_of_two";
  case SizeRule::FwhtLength:
    return "fwht_length";
  case SizeRule::AtMostLog2:
    return "at_most_log2";
  }
  return "";
}

/// What `rule` asks of a size, for messages ("... must be <text>"): "a
/// power of two", "2^k or 12, 20, 28 or 40 times 2^k", and for AtMostLog2
/// "at most log2", which messages follow with the bound in parentheses.
constexpr const char *getSizeRuleText(SizeRule rule) {
  switch (rule) {
  case SizeRule::PowerOfTwo:
    return "a power of two";
  case SizeRule::FwhtLength:
    return "2^k or 12, 20, 28 or 40 times 2^k";
  case SizeRule::AtMostLog2:
    return "at most log2";
  }
  return "";
}

} // namespace tessera

#endif // TESSERA_RUNTIME_SIZERULES_H
