//===- RuntimeSupportTest.cpp - Tests of the runtime support library ------===//
//
// HostTensor, the NumPy-style printer (cross-checked against NumPy run in a
// subprocess), the seeded generator and dtype conversion. The .npy reader and
// writer are tested in NpyTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "RuntimeSupportTestUtils.h"

#include "tessera/Runtime/Convert.h"
#include "tessera/Runtime/HostTensor.h"
#include "tessera/Runtime/Npy.h"
#include "tessera/Runtime/Printer.h"
#include "tessera/Runtime/Random.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <map>

using namespace tessera;
using namespace tessera::unittest;

namespace {

//===----------------------------------------------------------------------===//
// HostTensor
//===----------------------------------------------------------------------===//

TEST(HostTensorTest, DTypeNamesAndSizes) {
  const std::pair<DType, size_t> sizes[] = {
      {DType::Bool, 1}, {DType::I32, 4},  {DType::I64, 8},
      {DType::F16, 2},  {DType::BF16, 2}, {DType::F32, 4},
      {DType::F64, 8},  {DType::C64, 8},  {DType::C128, 16}};
  for (auto [dtype, size] : sizes) {
    EXPECT_EQ(getDTypeSize(dtype), size);
    EXPECT_EQ(parseDTypeName(getDTypeName(dtype)), dtype);
  }
  EXPECT_EQ(getDTypeName(DType::BF16), "bf16");
  EXPECT_EQ(getDTypeName(DType::C128), "c128");
  EXPECT_EQ(parseDTypeName("f128"), std::nullopt);
  EXPECT_EQ(parseDTypeName(""), std::nullopt);
  EXPECT_TRUE(isComplexDType(DType::C64));
  EXPECT_TRUE(isFloatDType(DType::BF16));
  EXPECT_FALSE(isFloatDType(DType::C64));
  EXPECT_TRUE(isIntegerDType(DType::I64));
  EXPECT_FALSE(isIntegerDType(DType::Bool));
}

TEST(HostTensorTest, StorageIsAlignedAndZeroed) {
  for (DType dtype : kAllDTypes) {
    HostTensor tensor(dtype, {3, 5});
    EXPECT_EQ(tensor.getNumElements(), 15);
    EXPECT_EQ(tensor.getNumBytes(), 15 * getDTypeSize(dtype));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(tensor.data()) % 64, 0u);
    EXPECT_EQ(bytesOf(tensor), std::string(tensor.getNumBytes(), '\0'));
  }
  HostTensor scalar(DType::F64, {});
  EXPECT_EQ(scalar.getRank(), 0);
  EXPECT_EQ(scalar.getNumElements(), 1);
  HostTensor empty(DType::F32, {4, 0});
  EXPECT_EQ(empty.getNumElements(), 0);
  EXPECT_NE(empty.data(), nullptr);
  HostTensor none;
  EXPECT_FALSE(none.hasStorage());
  EXPECT_EQ(none.getNumElements(), 0);
  EXPECT_EQ(none.getNumBytes(), 0u);
}

TEST(HostTensorTest, CloneIsDeep) {
  HostTensor tensor(DType::I32, {2, 2});
  tensor.dataAs<int32_t>()[3] = 7;
  HostTensor copy = tensor.clone();
  tensor.dataAs<int32_t>()[3] = 8;
  EXPECT_EQ(copy.dataAs<int32_t>()[3], 7);
  EXPECT_EQ(copy.getShape(), tensor.getShape());
  HostTensor moved = std::move(tensor);
  EXPECT_EQ(moved.dataAs<int32_t>()[3], 8);
}

TEST(HostTensorTest, ComputeNumElements) {
  EXPECT_EQ(computeNumElements({}), 1);
  EXPECT_EQ(computeNumElements({2, 3, 4}), 24);
  EXPECT_EQ(computeNumElements({5, 0}), 0);
  EXPECT_EQ(computeNumElements({2, -1}), std::nullopt);
  EXPECT_EQ(computeNumElements({int64_t(1) << 32, int64_t(1) << 32}),
            std::nullopt);
  // Fits in int64_t as a count, but not as c128 bytes.
  EXPECT_EQ(computeNumElements({int64_t(1) << 60}), std::nullopt);
}

//===----------------------------------------------------------------------===//
// Random
//===----------------------------------------------------------------------===//

TEST(RandomTest, SameSeedSameData) {
  for (DType dtype : kAllDTypes) {
    HostTensor a(dtype, {7, 9}), b(dtype, {7, 9}), c(dtype, {7, 9});
    fillRandom(a, 1234);
    fillRandom(b, 1234);
    fillRandom(c, 1235);
    EXPECT_EQ(bytesOf(a), bytesOf(b)) << getDTypeName(dtype).str();
    EXPECT_NE(bytesOf(a), bytesOf(c)) << getDTypeName(dtype).str();
  }
}

TEST(RandomTest, GoldenValues) {
  // Reference values of xoshiro256** seeded by splitmix64(0), as computed by
  // an independent implementation; they pin the stream across machines.
  RandomGenerator rng(0);
  EXPECT_EQ(rng.next(), 0x99ec5f36cb75f2b4ULL);
  EXPECT_EQ(rng.next(), 0xbf6e1f784956452aULL);
  EXPECT_EQ(rng.next(), 0x1a5f849d4933e6e0ULL);

  HostTensor f32(DType::F32, {4});
  fillRandom(f32, 42);
  const float expectedF32[] = {-0x1.aa1fd4p-1f, -0x1.efb27p-3f, 0x1.70ba98p-2f,
                               0x1.b2e2b4p-1f};
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(f32.dataAs<float>()[i], expectedF32[i]) << i;
  HostTensor i32(DType::I32, {6});
  fillRandom(i32, 42);
  const int32_t expectedI32[] = {-9, -3, 4, 9, 10, 6};
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(i32.dataAs<int32_t>()[i], expectedI32[i]) << i;
}

TEST(RandomTest, Ranges) {
  const int64_t n = 20000;
  for (DType dtype : {DType::F16, DType::BF16, DType::F32, DType::F64,
                      DType::C64, DType::C128}) {
    HostTensor tensor(dtype, {n});
    fillRandom(tensor, 7);
    double lo = 2, hi = -2, sum = 0;
    for (int64_t i = 0; i < n; ++i) {
      std::complex<double> value = getComplexElement(tensor, i);
      for (double part : {value.real(), value.imag()}) {
        if (isComplexDType(dtype) || part != value.imag()) {
          lo = std::min(lo, part);
          hi = std::max(hi, part);
        }
      }
      sum += value.real();
    }
    EXPECT_GE(lo, -1.0) << getDTypeName(dtype).str();
    EXPECT_LT(hi, 1.0) << getDTypeName(dtype).str();
    EXPECT_LT(lo, -0.99) << getDTypeName(dtype).str();
    EXPECT_GT(hi, 0.98) << getDTypeName(dtype).str();
    EXPECT_NEAR(sum / n, 0.0, 0.05) << getDTypeName(dtype).str();
  }
  for (DType dtype : {DType::I32, DType::I64, DType::Bool}) {
    HostTensor tensor(dtype, {n});
    fillRandom(tensor, 9);
    std::map<int64_t, int> counts;
    for (int64_t i = 0; i < n; ++i)
      ++counts[getIntegerElement(tensor, i)];
    if (dtype == DType::Bool) {
      EXPECT_EQ(counts.size(), 2u);
      EXPECT_EQ(counts.begin()->first, 0);
      EXPECT_NEAR(counts[1], n / 2, n / 20);
    } else {
      EXPECT_EQ(counts.size(), 21u);
      EXPECT_EQ(counts.begin()->first, -10);
      EXPECT_EQ(counts.rbegin()->first, 10);
      for (auto [value, count] : counts)
        EXPECT_NEAR(count, n / 21, n / 60) << value;
    }
  }
}

TEST(RandomTest, SharedGeneratorContinuesTheStream) {
  RandomGenerator rng(5);
  HostTensor a(DType::F64, {3}), b(DType::F64, {3}), both(DType::F64, {6});
  fillRandom(a, rng);
  fillRandom(b, rng);
  fillRandom(both, 5);
  EXPECT_EQ(bytesOf(a) + bytesOf(b), bytesOf(both));
}

//===----------------------------------------------------------------------===//
// Conversion
//===----------------------------------------------------------------------===//

uint16_t apfloatRound(double value, const llvm::fltSemantics &semantics) {
  llvm::APFloat f(value);
  bool losesInfo;
  f.convert(semantics, llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return static_cast<uint16_t>(f.bitcastToAPInt().getZExtValue());
}

TEST(ConvertTest, HalfBitsMatchAPFloat) {
  // Every half and bfloat16 value round-trips; every midpoint between
  // neighbours (a tie) and values just beside it round like APFloat.
  for (bool bf16 : {false, true}) {
    const llvm::fltSemantics &sem =
        bf16 ? llvm::APFloat::BFloat() : llvm::APFloat::IEEEhalf();
    auto round = bf16 ? roundToBF16 : roundToF16;
    auto widen = bf16 ? bf16ToDouble : f16ToDouble;
    for (uint32_t bits = 0; bits < 0x10000; ++bits) {
      double value = widen(static_cast<uint16_t>(bits));
      if (std::isnan(value)) {
        EXPECT_TRUE(std::isnan(widen(round(value))));
        continue;
      }
      ASSERT_EQ(round(value), bits) << bf16 << " " << bits;
      llvm::APFloat exact(sem, llvm::APInt(16, bits));
      ASSERT_EQ(exact.convertToDouble(), value);
      if ((bits & 0x7fff) >= (bf16 ? 0x7f7fu : 0x7bffu))
        continue;
      double next = widen(static_cast<uint16_t>(bits + 1));
      double mid = value + (next - value) / 2;
      for (double probe :
           {mid, std::nextafter(mid, 0.0), std::nextafter(mid, INFINITY),
            std::nextafter(mid, -INFINITY)})
        ASSERT_EQ(round(probe), apfloatRound(probe, sem))
            << bf16 << " " << probe;
    }
    // Random doubles over a wide exponent range, and floats.
    RandomGenerator rng(99);
    for (int i = 0; i < 200000; ++i) {
      double value =
          std::ldexp(rng.uniformSigned(53), rng.uniformInt(-140, 140));
      ASSERT_EQ(round(value), apfloatRound(value, sem)) << value;
      float single = static_cast<float>(value);
      ASSERT_EQ(round(single), apfloatRound(single, sem)) << single;
    }
    EXPECT_EQ(round(INFINITY), apfloatRound(INFINITY, sem));
    EXPECT_EQ(round(-INFINITY), apfloatRound(-INFINITY, sem));
    EXPECT_EQ(round(1e300), apfloatRound(1e300, sem));
    EXPECT_EQ(round(-0.0), apfloatRound(-0.0, sem));
    EXPECT_EQ(round(5e-324), 0);
    EXPECT_TRUE(std::isnan(widen(round(std::nan("")))));
  }
  EXPECT_EQ(roundToF16(1.0), 0x3c00);
  EXPECT_EQ(roundToF16(65504.0), 0x7bff);
  EXPECT_EQ(roundToF16(65520.0), 0x7c00); // rounds up to infinity
  EXPECT_EQ(roundToBF16(1.0), 0x3f80);
  EXPECT_EQ(roundToBF16(-2.0), 0xc000);
}

TEST(ConvertTest, FloatToInteger) {
  HostTensor source = makeF64({5}, {1.9, -1.9, 0.0, -0.5, 2147483647.0});
  llvm::Expected<HostTensor> i32 = convertTensor(source, DType::I32);
  ASSERT_TRUE(static_cast<bool>(i32)) << llvm::toString(i32.takeError());
  const int32_t expected[] = {1, -1, 0, 0, 2147483647};
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(i32->dataAs<int32_t>()[i], expected[i]);

  HostTensor big = makeF64({2, 2}, {0, 1, 3e10, 4});
  llvm::Expected<HostTensor> bad = convertTensor(big, DType::I32);
  ASSERT_FALSE(static_cast<bool>(bad));
  EXPECT_EQ(llvm::toString(bad.takeError()),
            "value 30000000000 at index [1, 0] is out of range for i32");
  llvm::Expected<HostTensor> asI64 = convertTensor(big, DType::I64);
  ASSERT_TRUE(static_cast<bool>(asI64));
  EXPECT_EQ(asI64->dataAs<int64_t>()[2], 30000000000);

  HostTensor nan = makeF64({}, {std::nan("")});
  llvm::Expected<HostTensor> badNan = convertTensor(nan, DType::I64);
  ASSERT_FALSE(static_cast<bool>(badNan));
  EXPECT_EQ(llvm::toString(badNan.takeError()),
            "value nan at index [] is out of range for i64");
  HostTensor huge = makeF64({1}, {0x1p63});
  llvm::Expected<HostTensor> badHuge = convertTensor(huge, DType::I64);
  ASSERT_FALSE(static_cast<bool>(badHuge));
  llvm::consumeError(badHuge.takeError());
}

TEST(ConvertTest, LosslessConversions) {
  auto check = [](const HostTensor &tensor, DType to) {
    llvm::Error e = checkLosslessConversion(tensor, to);
    return e ? llvm::toString(std::move(e)) : std::string("ok");
  };
  // Rounding to a narrower float is fine; overflowing to infinity is not
  // (infinities and NaNs in the data stay what they are).
  HostTensor rounded = makeF64({3}, {0.1, -1e30, INFINITY});
  EXPECT_EQ(check(rounded, DType::F32), "ok");
  HostTensor big = makeF64({2, 2}, {1, 2, 3, -1e39});
  EXPECT_EQ(check(big, DType::F32),
            "f64 data for f32: value -1e+39 at index [1, 1] overflows f32");
  EXPECT_EQ(check(makeF64({1}, {70000.0}), DType::F16),
            "f64 data for f16: value 70000 at index [0] overflows f16");
  EXPECT_EQ(check(makeF64({1}, {70000.0}), DType::BF16), "ok");
  // Floats never become integers or booleans silently; integers must fit.
  EXPECT_EQ(check(makeF64({1}, {2.0}), DType::I32),
            "f64 data for i32: floating-point values would be truncated");
  EXPECT_EQ(check(makeF64({1}, {2.0}), DType::Bool),
            "f64 data for bool: floating-point values would be truncated");
  HostTensor wide(DType::I64, {2});
  wide.dataAs<int64_t>()[0] = 1;
  wide.dataAs<int64_t>()[1] = int64_t(1) << 40;
  EXPECT_EQ(check(wide, DType::I32),
            "i64 data for i32: value 1099511627776 at index [1] is out of "
            "range for i32");
  EXPECT_EQ(check(wide, DType::F64), "ok");
  EXPECT_EQ(check(wide, DType::Bool),
            "i64 data for bool: integers would become true or false");
  // Complex values keep both parts or nothing.
  HostTensor z(DType::C128, {1});
  z.dataAs<double>()[0] = 1.0;
  z.dataAs<double>()[1] = 1e39;
  EXPECT_EQ(check(z, DType::C64),
            "c128 data for c64: value 1+1e+39j at index [0] overflows c64");
  EXPECT_EQ(check(z, DType::F64),
            "c128 data for f64: the imaginary parts would be dropped");
  HostTensor flags(DType::Bool, {1});
  EXPECT_EQ(check(flags, DType::F16), "ok");
}

TEST(ConvertTest, IntegerConversions) {
  HostTensor source(DType::I64, {4});
  const int64_t values[] = {0, -3, (int64_t(1) << 40) + 1, 7};
  std::copy(values, values + 4, source.dataAs<int64_t>());
  llvm::Expected<HostTensor> i32 = convertTensor(source, DType::I32);
  ASSERT_FALSE(static_cast<bool>(i32));
  EXPECT_EQ(llvm::toString(i32.takeError()),
            "value 1099511627777 at index [2] is out of range for i32");

  llvm::Expected<HostTensor> f64 = convertTensor(source, DType::F64);
  ASSERT_TRUE(static_cast<bool>(f64));
  EXPECT_EQ(f64->dataAs<double>()[2], 1099511627777.0);
  llvm::Expected<HostTensor> boolean = convertTensor(source, DType::Bool);
  ASSERT_TRUE(static_cast<bool>(boolean));
  EXPECT_EQ(bytesOf(*boolean), std::string("\0\1\1\1", 4));
  llvm::Expected<HostTensor> c64 = convertTensor(source, DType::C64);
  ASSERT_TRUE(static_cast<bool>(c64));
  EXPECT_EQ(getComplexElement(*c64, 1), std::complex<double>(-3, 0));

  // Large integers round once, straight to the narrow format.
  HostTensor wide(DType::I64, {3});
  const int64_t wideValues[] = {(int64_t(1) << 60) + (int64_t(1) << 52) + 1,
                                INT64_MAX, INT64_MIN};
  std::copy(wideValues, wideValues + 3, wide.dataAs<int64_t>());
  llvm::Expected<HostTensor> bf16 = convertTensor(wide, DType::BF16);
  ASSERT_TRUE(static_cast<bool>(bf16));
  for (int i = 0; i < 3; ++i) {
    llvm::APFloat expected(llvm::APFloat::BFloat());
    expected.convertFromAPInt(llvm::APInt(64, wideValues[i], true), true,
                              llvm::APFloat::rmNearestTiesToEven);
    EXPECT_EQ(bf16->dataAs<uint16_t>()[i],
              expected.bitcastToAPInt().getZExtValue())
        << i;
  }
  llvm::Expected<HostTensor> f16 = convertTensor(wide, DType::F16);
  ASSERT_TRUE(static_cast<bool>(f16));
  EXPECT_EQ(f16->dataAs<uint16_t>()[0], 0x7c00);
}

TEST(ConvertTest, FloatAndComplexConversions) {
  HostTensor source = makeF64({2, 2}, {0.1, -2.5, 1e10, 0.0});
  llvm::Expected<HostTensor> f32 = convertTensor(source, DType::F32);
  ASSERT_TRUE(static_cast<bool>(f32));
  EXPECT_EQ(f32->dataAs<float>()[0], 0.1f);
  llvm::Expected<HostTensor> f16 = convertTensor(source, DType::F16);
  ASSERT_TRUE(static_cast<bool>(f16));
  EXPECT_EQ(f16->dataAs<uint16_t>()[0], roundToF16(0.1));
  EXPECT_EQ(f16->dataAs<uint16_t>()[2], 0x7c00);
  llvm::Expected<HostTensor> back = convertTensor(*f16, DType::F64);
  ASSERT_TRUE(static_cast<bool>(back));
  EXPECT_EQ(back->dataAs<double>()[1], -2.5);
  llvm::Expected<HostTensor> boolean = convertTensor(source, DType::Bool);
  ASSERT_TRUE(static_cast<bool>(boolean));
  EXPECT_EQ(bytesOf(*boolean), std::string("\1\1\1\0", 4));
  llvm::Expected<HostTensor> c128 = convertTensor(source, DType::C128);
  ASSERT_TRUE(static_cast<bool>(c128));
  EXPECT_EQ(getComplexElement(*c128, 1), std::complex<double>(-2.5, 0));
  EXPECT_EQ(c128->getShape(), source.getShape());

  HostTensor complex(DType::C128, {2});
  complex.dataAs<double>()[0] = 0.1;
  complex.dataAs<double>()[1] = -0.2;
  llvm::Expected<HostTensor> c64 = convertTensor(complex, DType::C64);
  ASSERT_TRUE(static_cast<bool>(c64));
  EXPECT_EQ(c64->dataAs<float>()[0], 0.1f);
  EXPECT_EQ(c64->dataAs<float>()[1], -0.2f);
  for (DType to : {DType::F32, DType::F64, DType::I32, DType::Bool}) {
    llvm::Expected<HostTensor> bad = convertTensor(complex, to);
    ASSERT_FALSE(static_cast<bool>(bad));
    EXPECT_EQ(llvm::toString(bad.takeError()),
              "cannot convert complex c128 data to real " +
                  getDTypeName(to).str() + " (take the real part explicitly)");
  }
  llvm::Expected<HostTensor> same = convertTensor(source, DType::F64);
  ASSERT_TRUE(static_cast<bool>(same));
  EXPECT_EQ(bytesOf(*same), bytesOf(source));

  HostTensor flags(DType::Bool, {3});
  flags.dataAs<uint8_t>()[1] = 1;
  llvm::Expected<HostTensor> asFloat = convertTensor(flags, DType::BF16);
  ASSERT_TRUE(static_cast<bool>(asFloat));
  EXPECT_EQ(asFloat->dataAs<uint16_t>()[1], 0x3f80);
}

//===----------------------------------------------------------------------===//
// Printer
//===----------------------------------------------------------------------===//

template <typename T>
HostTensor makeTensor(DType dtype, std::vector<int64_t> shape,
                      std::vector<T> values) {
  HostTensor tensor(dtype, std::move(shape));
  EXPECT_EQ(values.size() * sizeof(T), tensor.getNumBytes());
  std::memcpy(tensor.data(), values.data(), tensor.getNumBytes());
  return tensor;
}

TEST(PrinterTest, Floats) {
  EXPECT_EQ(formatTensor(makeF64({3}, {1, 2.5, 3.25})), "[1.  , 2.5 , 3.25]");
  EXPECT_EQ(formatTensor(makeF64({2}, {1e-5, 2.5})), "[1.0e-05, 2.5e+00]");
  EXPECT_EQ(formatTensor(makeF64({3}, {NAN, 1, -INFINITY})),
            "[ nan,   1., -inf]");
  EXPECT_EQ(formatTensor(makeF64({3}, {NAN, 1e-5, -INFINITY})),
            "[   nan, 1.e-05,   -inf]");
  EXPECT_EQ(formatTensor(makeF64({2, 2}, {0.1, -0.2, 0.3, 1.0 / 3})),
            "[[ 0.1       , -0.2       ],\n [ 0.3       ,  0.33333333]]");
  EXPECT_EQ(
      formatTensor(makeTensor<float>(DType::F32, {2}, {0.1f, 1.234567e-5f})),
      "[1.000000e-01, 1.234567e-05]");
  EXPECT_EQ(formatTensor(makeTensor<uint16_t>(DType::F16, {3},
                                              {0x3c00, 0x2e66, 0xc500})),
            "[ 1. ,  0.1, -5. ]");
  EXPECT_EQ(
      formatTensor(makeTensor<uint16_t>(DType::BF16, {2}, {0x3f80, 0x3dcd})),
      "[1. , 0.1]");
  EXPECT_EQ(formatTensor(makeF64({}, {1.5})), "1.5");
  EXPECT_EQ(formatTensor(makeF64({}, {-0.0})), "-0.");
  EXPECT_EQ(formatTensor(makeF64({0}, {})), "[]");
}

TEST(PrinterTest, IntegersBoolsComplex) {
  EXPECT_EQ(formatTensor(makeTensor<int32_t>(DType::I32, {2, 3},
                                             {1, -20, 300, 4, 5, 6})),
            "[[  1, -20, 300],\n [  4,   5,   6]]");
  EXPECT_EQ(formatTensor(makeTensor<int64_t>(DType::I64, {}, {-42})), "-42");
  EXPECT_EQ(
      formatTensor(makeTensor<uint8_t>(DType::Bool, {2, 2}, {1, 0, 1, 1})),
      "[[ True, False],\n [ True,  True]]");
  EXPECT_EQ(formatTensor(makeTensor<uint8_t>(DType::Bool, {}, {1})), "True");
  EXPECT_EQ(
      formatTensor(makeTensor<double>(DType::C128, {2}, {1, 2, 1.5, 2.25})),
      "[1. +2.j  , 1.5+2.25j]");
  EXPECT_EQ(formatTensor(makeTensor<float>(DType::C64, {}, {1, -2})), "1.-2.j");
  EXPECT_EQ(formatTensor(
                makeTensor<double>(DType::C128, {2}, {NAN, 1, NAN, INFINITY})),
            "[nan +1.j, nan+infj]");
}

TEST(PrinterTest, HeaderAndSummary) {
  PrintOptions options;
  options.showHeader = true;
  EXPECT_EQ(
      formatTensor(makeTensor<int32_t>(DType::I32, {2, 1}, {7, 8}), options),
      "i32[2, 1]\n[[7],\n [8]]");
  EXPECT_EQ(formatTensor(makeF64({}, {2.0}), options), "f64[]\n2.");
  EXPECT_EQ(formatTensor(HostTensor(), options), "f32[]\n<no data>");

  std::vector<double> values(2000);
  for (int i = 0; i < 2000; ++i)
    values[i] = i;
  EXPECT_EQ(formatTensor(makeF64({20, 100}, values)),
            "[[0.000e+00, 1.000e+00, 2.000e+00, ..., 9.700e+01, 9.800e+01, "
            "9.900e+01],\n"
            " [1.000e+02, 1.010e+02, 1.020e+02, ..., 1.970e+02, 1.980e+02, "
            "1.990e+02],\n"
            " [2.000e+02, 2.010e+02, 2.020e+02, ..., 2.970e+02, 2.980e+02, "
            "2.990e+02],\n"
            " ...,\n"
            " [1.700e+03, 1.701e+03, 1.702e+03, ..., 1.797e+03, 1.798e+03, "
            "1.799e+03],\n"
            " [1.800e+03, 1.801e+03, 1.802e+03, ..., 1.897e+03, 1.898e+03, "
            "1.899e+03],\n"
            " [1.900e+03, 1.901e+03, 1.902e+03, ..., 1.997e+03, 1.998e+03, "
            "1.999e+03]]");
  // Long rows wrap at 75 columns under a one-space hanging indent.
  std::vector<int64_t> ints(30);
  for (int i = 0; i < 30; ++i)
    ints[i] = i * 1000;
  EXPECT_EQ(formatTensor(makeTensor<int64_t>(DType::I64, {30}, ints)),
            "[    0,  1000,  2000,  3000,  4000,  5000,  6000,  7000,  8000,  "
            "9000,\n"
            " 10000, 11000, 12000, 13000, 14000, 15000, 16000, 17000, 18000, "
            "19000,\n"
            " 20000, 21000, 22000, 23000, 24000, 25000, 26000, 27000, 28000, "
            "29000]");
}

/// Prints every tensor with formatTensor and with NumPy's
/// np.array2string(a, separator=', ') and expects identical text.
void expectPrintsLikeNumPy(const std::vector<HostTensor> &tensors) {
  TempDir dir;
  std::string list;
  for (size_t i = 0; i < tensors.size(); ++i) {
    ASSERT_FALSE(static_cast<bool>(
        writeNpy(dir.file("p" + std::to_string(i) + ".npy"), tensors[i])));
    list += "'p" + std::to_string(i) + "',";
  }
  std::string script = "import numpy as np\nout = " + pyString(dir.get()) +
                       "\nfor name in [" + list + R"PY(]:
    a = np.load(out + '/' + name + '.npy')
    with open(out + '/' + name + '.txt', 'w') as f:
        f.write(np.array2string(a, separator=', '))
print('ok')
)PY";
  std::string output;
  ASSERT_EQ(runPython(script, &output), 0) << output;
  int mismatches = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    std::string expected = readFile(dir.file("p" + std::to_string(i) + ".txt"));
    std::string ours = formatTensor(tensors[i]);
    if (expected != ours && ++mismatches <= 5)
      ADD_FAILURE() << "tensor " << i << " (" << formatTensorType(tensors[i])
                    << ")\nnumpy:\n"
                    << expected << "\nours:\n"
                    << ours;
  }
  EXPECT_EQ(mismatches, 0) << "of " << tensors.size();
}

TEST(PrinterTest, MatchesNumPyOnRandomData) {
  REQUIRE_NUMPY();
  // Random tensors of every NumPy dtype over shapes with and without
  // summarization, at scales that select positional and scientific output,
  // some with non-finite values.
  std::vector<std::vector<int64_t>> shapes = {
      {},       {1},    {7},      {3, 4},           {2, 3, 4},
      {40, 40}, {2000}, {3, 400}, {2, 2, 2, 2, 70}, {1, 1001},
      {6, 1, 5}};
  const double scales[] = {1, 1e-6, 1e5, 1e10, 123.456, -1};
  std::vector<HostTensor> tensors;
  unsigned seed = 500;
  for (DType dtype : kNpyDTypes) {
    for (size_t s = 0; s < shapes.size(); ++s) {
      for (size_t k = 0; k < std::size(scales); ++k) {
        if (!isFloatDType(dtype) && !isComplexDType(dtype) && k > 1)
          continue;
        HostTensor tensor(dtype, shapes[s]);
        fillRandom(tensor, seed++);
        int64_t n = tensor.getNumElements();
        if (isFloatDType(dtype) || isComplexDType(dtype)) {
          // Rescale through f64 and back; scale -1 mixes magnitudes and
          // adds nan/inf/zero.
          HostTensor wide = unwrap(convertTensor(
              tensor, isComplexDType(dtype) ? DType::C128 : DType::F64));
          double *data = wide.dataAs<double>();
          int64_t parts = n * (isComplexDType(dtype) ? 2 : 1);
          for (int64_t i = 0; i < parts; ++i) {
            if (scales[k] > 0)
              data[i] *= scales[k];
            else
              data[i] = std::ldexp(data[i], static_cast<int>(i % 40) - 20);
          }
          if (scales[k] < 0 && parts >= 4) {
            data[0] = NAN;
            data[1] = INFINITY;
            data[2] = 0.0;
            data[parts - 1] = -INFINITY;
          }
          if (k == 4)
            for (int64_t i = 0; i < parts; ++i)
              data[i] = std::round(data[i] * 100) / 100;
          tensor = unwrap(convertTensor(wide, dtype));
        } else if (k == 1 && dtype != DType::Bool) {
          for (int64_t i = 0; i < n; ++i) {
            int64_t value = getIntegerElement(tensor, i) * 123457;
            if (dtype == DType::I32)
              tensor.dataAs<int32_t>()[i] = static_cast<int32_t>(value);
            else
              tensor.dataAs<int64_t>()[i] = value * 1000003;
          }
        }
        tensors.push_back(std::move(tensor));
      }
    }
  }
  expectPrintsLikeNumPy(tensors);
}

TEST(PrinterTest, MatchesNumPyOnEdgeCases) {
  REQUIRE_NUMPY();
  const double inf = INFINITY, nan = NAN;
  std::vector<std::vector<double>> lists = {
      {0.123456789, 1.0, 2.0},
      {0.99999999999, 0.5},
      {0.999999996, 0.5},
      {1e8, 1.0},
      {99999999.0, 1.0},
      {1000.0, 1.0},
      {1000.1, 1.0},
      {0.0001, 1.0},
      {0.00009999, 1.0},
      {0.0, 0.0, 0.0},
      {-0.0, 0.0},
      {nan, nan},
      {inf, -inf},
      {nan, 1e-300},
      {nan, 2.5, -inf},
      {1e300, 1e-300, -1e200},
      {5e-324, 1.0},
      {1.7976931348623157e308},
      {16777216.0, 16777217.0, 33554434.0},
      {123456.7, 0.5},
      {1.0 / 3, 2.0 / 3},
      {6e-8, 1e-5, 65504.0},
      {65519.0, 65520.0, 1e5},
      {1.5, -2.5, 100.25},
      {3.14159, -2.71828, 1.41421, 1.73205, 2.23607, 0.57721, 1.61803},
      {1e-5},
      {1e20},
      {-1e-20, 3.0},
      {12345678.9, 0.1},
      {0.1, 0.2, 0.30000000000000004},
  };
  std::vector<HostTensor> tensors;
  for (const std::vector<double> &list : lists) {
    for (DType dtype : {DType::F16, DType::F32, DType::F64}) {
      HostTensor wide = makeF64({static_cast<int64_t>(list.size())}, list);
      tensors.push_back(unwrap(convertTensor(wide, dtype)));
      if (list.size() == 1) {
        HostTensor scalar = makeF64({}, list);
        tensors.push_back(unwrap(convertTensor(scalar, dtype)));
      }
    }
    // Complex: pair each value with the list reversed as imaginary parts.
    for (DType dtype : {DType::C64, DType::C128}) {
      HostTensor wide(DType::C128, {static_cast<int64_t>(list.size())});
      for (size_t i = 0; i < list.size(); ++i) {
        wide.dataAs<double>()[2 * i] = list[i];
        wide.dataAs<double>()[2 * i + 1] = list[list.size() - 1 - i];
      }
      tensors.push_back(unwrap(convertTensor(wide, dtype)));
    }
  }
  tensors.push_back(
      makeTensor<int64_t>(DType::I64, {3}, {INT64_MIN, INT64_MAX, 0}));
  tensors.push_back(makeTensor<int32_t>(DType::I32, {2}, {INT32_MIN, -1}));
  tensors.push_back(makeTensor<int32_t>(DType::I32, {}, {5}));
  tensors.push_back(makeTensor<uint8_t>(DType::Bool, {3}, {1, 1, 1}));
  tensors.push_back(makeTensor<uint8_t>(DType::Bool, {}, {0}));
  // Line wrapping of wide complex rows and of 3-d blocks.
  HostTensor complexRow(DType::C128, {3, 12});
  fillRandom(complexRow, 77);
  tensors.push_back(std::move(complexRow));
  HostTensor cube(DType::F32, {3, 2, 30});
  fillRandom(cube, 78);
  tensors.push_back(std::move(cube));
  expectPrintsLikeNumPy(tensors);
}

} // namespace
