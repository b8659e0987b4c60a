//===- RuntimeSupportTest.cpp - Tests of the runtime support library ------===//
//
// HostTensor, .npy reading and writing (cross-checked against NumPy run in a
// subprocess), the NumPy-style printer (also cross-checked against NumPy),
// the seeded generator and dtype conversion.
//
//===----------------------------------------------------------------------===//

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

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

const DType kAllDTypes[] = {DType::Bool, DType::I32,  DType::I64,
                            DType::F16,  DType::BF16, DType::F32,
                            DType::F64,  DType::C64,  DType::C128};
/// The dtypes NumPy can hold.
const DType kNpyDTypes[] = {DType::Bool, DType::I32, DType::I64, DType::F16,
                            DType::F32,  DType::F64, DType::C64, DType::C128};

/// A fresh directory, removed with its contents at the end of the test.
class TempDir {
public:
  TempDir() {
    std::error_code ec =
        llvm::sys::fs::createUniqueDirectory("tessera-support-test", path);
    EXPECT_FALSE(ec) << ec.message();
  }
  ~TempDir() { llvm::sys::fs::remove_directories(path); }
  std::string file(llvm::StringRef name) const {
    llvm::SmallString<256> result(path);
    llvm::sys::path::append(result, name);
    return std::string(result);
  }
  std::string get() const { return std::string(path); }

private:
  llvm::SmallString<256> path;
};

void writeFile(const std::string &path, llvm::StringRef bytes) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  os << bytes;
}

std::string readFile(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return "<unreadable>";
  return (*buffer)->getBuffer().str();
}

/// The value of an Expected that must have succeeded.
template <typename T> T unwrap(llvm::Expected<T> value) {
  if (!value) {
    ADD_FAILURE() << llvm::toString(value.takeError());
    return T();
  }
  return std::move(*value);
}

std::string bytesOf(const HostTensor &tensor) {
  return std::string(static_cast<const char *>(tensor.data()),
                     tensor.getNumBytes());
}

const char *kPython = "/usr/bin/python3";

/// Runs `script` with NumPy's Python; returns its exit code and stdout.
int runPython(const std::string &script, std::string *output = nullptr) {
  TempDir dir;
  std::string outPath = dir.file("stdout.txt");
  std::optional<llvm::StringRef> redirects[] = {
      llvm::StringRef(""), llvm::StringRef(outPath), std::nullopt};
  llvm::StringRef args[] = {kPython, "-c", script};
  int rc = llvm::sys::ExecuteAndWait(kPython, args, std::nullopt, redirects);
  if (output)
    *output = readFile(outPath);
  return rc;
}

bool haveNumPy() {
  static int available = -1;
  if (available < 0)
    available =
        llvm::sys::fs::can_execute(kPython) && runPython("import numpy") == 0;
  return available == 1;
}

#define REQUIRE_NUMPY()                                                        \
  do {                                                                         \
    if (!haveNumPy())                                                          \
      GTEST_SKIP() << kPython << " with numpy is not available";               \
  } while (0)

std::string pyString(llvm::StringRef text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\\' || c == '\'')
      quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

/// Builds a .npy image with an arbitrary header (padded like NumPy).
std::string makeNpy(llvm::StringRef header, llvm::StringRef data,
                    unsigned major = 1) {
  std::string text = header.str();
  size_t lengthSize = major == 1 ? 2 : 4;
  while ((8 + lengthSize + text.size() + 1) % 64)
    text += ' ';
  text += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < lengthSize; ++i)
    out += static_cast<char>((text.size() >> (8 * i)) & 0xff);
  return out + text + data.str();
}

/// Checks that `result` failed with `PATH:LINE:COL: error: ...` containing
/// `message`, followed by the source line `lineText` (when given) and a caret
/// under column COL.
void expectLocatedError(llvm::Expected<HostTensor> result,
                        const std::string &path, unsigned line, unsigned col,
                        llvm::StringRef message,
                        std::optional<std::string> lineText = std::nullopt) {
  ASSERT_FALSE(static_cast<bool>(result)) << "expected an error";
  std::string text = llvm::toString(result.takeError());
  llvm::SmallVector<llvm::StringRef> lines;
  llvm::StringRef(text).split(lines, '\n');
  ASSERT_EQ(lines.size(), 3u) << text;
  std::string prefix = path + ":" + std::to_string(line) + ":" +
                       std::to_string(col) + ": error: ";
  EXPECT_TRUE(lines[0].starts_with(prefix)) << text;
  EXPECT_TRUE(lines[0].contains(message)) << text;
  if (lineText)
    EXPECT_EQ(lines[1], *lineText) << text;
  EXPECT_EQ(lines[2], std::string(col - 1, ' ') + "^") << text;
}

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

HostTensor makeF64(std::vector<int64_t> shape, std::vector<double> values) {
  HostTensor tensor(DType::F64, std::move(shape));
  std::copy(values.begin(), values.end(), tensor.dataAs<double>());
  return tensor;
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
// .npy round trips
//===----------------------------------------------------------------------===//

std::vector<std::vector<int64_t>> roundTripShapes() {
  return {{}, {5}, {3, 4}, {2, 3, 4}, {2, 1, 3, 2}, {0}, {3, 0, 2}};
}

TEST(NpyTest, RoundTripEveryDTypeAndRank) {
  TempDir dir;
  unsigned seed = 1;
  for (DType dtype : kNpyDTypes) {
    for (const std::vector<int64_t> &shape : roundTripShapes()) {
      HostTensor tensor(dtype, shape);
      fillRandom(tensor, seed++);
      std::string path = dir.file("t.npy");
      ASSERT_FALSE(static_cast<bool>(writeNpy(path, tensor)));
      llvm::Expected<HostTensor> back = readNpy(path);
      ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
      EXPECT_EQ(back->getDType(), dtype);
      EXPECT_EQ(back->getShape(), tensor.getShape());
      EXPECT_EQ(bytesOf(*back), bytesOf(tensor));
      // The data starts 64-byte aligned, as NumPy writes it.
      std::string image = readFile(path);
      EXPECT_EQ((image.size() - tensor.getNumBytes()) % 64, 0u);
      llvm::Expected<HostTensor> parsed = parseNpy("mem", image);
      ASSERT_TRUE(static_cast<bool>(parsed));
      EXPECT_EQ(bytesOf(*parsed), bytesOf(tensor));
    }
  }
  // No temporary files are left behind.
  std::error_code ec;
  int entries = 0;
  for (llvm::sys::fs::directory_iterator it(dir.get(), ec), end;
       it != end && !ec; it.increment(ec))
    ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(NpyTest, HeaderLayout) {
  HostTensor tensor(DType::F32, {2, 3});
  llvm::Expected<std::string> image = encodeNpy(tensor);
  ASSERT_TRUE(static_cast<bool>(image));
  EXPECT_EQ(image->substr(0, 10), std::string("\x93NUMPY\x01\x00\x76\x00", 10));
  EXPECT_EQ(image->substr(10, 118),
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" +
                std::string(58, ' ') + "\n");
  HostTensor vector(DType::Bool, {7});
  image = encodeNpy(vector);
  ASSERT_TRUE(static_cast<bool>(image));
  EXPECT_NE(image->find("'descr': '|b1'"), std::string::npos);
  EXPECT_NE(image->find("'shape': (7,)"), std::string::npos);
  HostTensor scalar(DType::C128, {});
  image = encodeNpy(scalar);
  ASSERT_TRUE(static_cast<bool>(image));
  EXPECT_NE(image->find("'descr': '<c16'"), std::string::npos);
  EXPECT_NE(image->find("'shape': ()"), std::string::npos);

  // A header beyond 64 KiB needs format 2.0.
  HostTensor wide(DType::Bool, std::vector<int64_t>(30000, 1));
  image = encodeNpy(wide);
  ASSERT_TRUE(static_cast<bool>(image));
  EXPECT_EQ((*image)[6], 2);
  EXPECT_EQ((image->size() - 1) % 64, 0u);
  llvm::Expected<HostTensor> back = parseNpy("wide.npy", *image);
  ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->getRank(), 30000);
}

TEST(NpyTest, WriteFailuresKeepExistingFile) {
  TempDir dir;
  std::string path = dir.file("keep.npy");
  writeFile(path, "precious");
  HostTensor bf16(DType::BF16, {2, 3});
  llvm::Error err = writeNpy(path, bf16);
  ASSERT_TRUE(static_cast<bool>(err));
  EXPECT_EQ(llvm::toString(std::move(err)),
            path + ":1:1: error: bf16 tensors cannot be stored in .npy files "
                   "(NumPy has no such dtype); convert to f32 first\n"
                   "<writing bf16[2, 3]>\n^");
  EXPECT_EQ(readFile(path), "precious");

  llvm::Error noStorage = writeNpy(path, HostTensor());
  ASSERT_TRUE(static_cast<bool>(noStorage));
  llvm::consumeError(std::move(noStorage));
  EXPECT_EQ(readFile(path), "precious");

  HostTensor f32(DType::F32, {2});
  llvm::Error missingDir = writeNpy(dir.file("no/such/dir/x.npy"), f32);
  ASSERT_TRUE(static_cast<bool>(missingDir));
  std::string message = llvm::toString(std::move(missingDir));
  EXPECT_NE(message.find(":1:1: error: cannot create a temporary file in"),
            std::string::npos)
      << message;

  llvm::Error toDir = writeNpy(dir.get(), f32);
  ASSERT_TRUE(static_cast<bool>(toDir));
  EXPECT_NE(llvm::toString(std::move(toDir)).find("it is a directory"),
            std::string::npos);

  // Success replaces the file, keeping its permissions.
  llvm::sys::fs::setPermissions(path, llvm::sys::fs::perms(0600));
  ASSERT_FALSE(static_cast<bool>(writeNpy(path, f32)));
  EXPECT_EQ(*llvm::sys::fs::getPermissions(path), llvm::sys::fs::perms(0600));
  llvm::Expected<HostTensor> back = readNpy(path);
  ASSERT_TRUE(static_cast<bool>(back));
  EXPECT_EQ(back->getShape(), llvm::ArrayRef<int64_t>({2}));
}

TEST(NpyTest, WritesThroughSymlinks) {
  TempDir dir;
  std::string target = dir.file("target.npy");
  std::string link = dir.file("link.npy");
  writeFile(target, "old");
  ASSERT_FALSE(llvm::sys::fs::create_link(target, link));
  HostTensor tensor(DType::I64, {3});
  fillRandom(tensor, 3);
  ASSERT_FALSE(static_cast<bool>(writeNpy(link, tensor)));
  EXPECT_TRUE(llvm::sys::fs::is_symlink_file(link));
  llvm::Expected<HostTensor> back = readNpy(target);
  ASSERT_TRUE(static_cast<bool>(back));
  EXPECT_EQ(bytesOf(*back), bytesOf(tensor));
}

TEST(NpyTest, ReadNpyAsConverts) {
  TempDir dir;
  std::string path = dir.file("f64.npy");
  HostTensor source = makeF64({3}, {1.5, -2.0, 3e10});
  ASSERT_FALSE(static_cast<bool>(writeNpy(path, source)));
  llvm::Expected<HostTensor> f32 = readNpyAs(path, DType::F32);
  ASSERT_TRUE(static_cast<bool>(f32));
  EXPECT_EQ(f32->getDType(), DType::F32);
  EXPECT_EQ(f32->dataAs<float>()[0], 1.5f);
  llvm::Expected<HostTensor> same = readNpyAs(path, DType::F64);
  ASSERT_TRUE(static_cast<bool>(same));
  EXPECT_EQ(bytesOf(*same), bytesOf(source));
  expectLocatedError(
      readNpyAs(path, DType::I32), path, 1, 11,
      "cannot use '<f8' data as i32: value 30000000000 at index [2] is out of "
      "range for i32",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }");
}

//===----------------------------------------------------------------------===//
// Malformed .npy files
//===----------------------------------------------------------------------===//

class MalformedNpyTest : public ::testing::Test {
protected:
  /// Writes `bytes` to a file and expects reading it to fail at line 1,
  /// column `col` with `message`.
  void expectError(llvm::StringRef bytes, unsigned col, llvm::StringRef message,
                   std::optional<std::string> lineText = std::nullopt) {
    std::string path = dir.file("bad.npy");
    writeFile(path, bytes);
    expectLocatedError(readNpy(path), path, 1, col, message, lineText);
    // The in-memory decoder reports the same.
    expectLocatedError(parseNpy(path, bytes), path, 1, col, message, lineText);
  }
  /// A header whose dict is `dict`, with f32 data for `count` elements.
  void expectHeaderError(const std::string &dict, llvm::StringRef marker,
                         llvm::StringRef message, size_t count = 0) {
    size_t col = dict.find(marker.str());
    ASSERT_NE(col, std::string::npos) << marker.str();
    expectError(makeNpy(dict, std::string(count * 4, '\0')), col + 1, message,
                dict);
  }

  TempDir dir;
};

TEST_F(MalformedNpyTest, Preamble) {
  expectError("", 1, "empty file is not a .npy file", "<empty file>");
  expectError(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10", 20), 1,
              "not a .npy file: it does not start with the magic string "
              "'\\x93NUMPY'",
              "\\x89PNG\\x0d\\x0a\\x1a\\x0a\\x00\\x00\\x00\\x0dIHDR...");
  expectError("\x93NUM", 1, "truncated .npy file: it ends inside the preamble",
              "\\x93NUM");
  expectError(std::string("\x93NUMPY\x04\x00\x10\x00", 10), 1,
              "unsupported .npy format version 4.0 (supported: 1.0, 2.0, "
              "3.0)");
  expectError(std::string("\x93NUMPY\x01\x01\x10\x00", 10), 1,
              "unsupported .npy format version 1.1");
  expectError(std::string("\x93NUMPY\x02\x00\x10\x00", 10), 1,
              "truncated .npy file: it ends inside the header length");
  expectError(std::string("\x93NUMPY\x01\x00\xff\x00{}", 12), 1,
              "header length 255 runs past the end of the file (12 bytes)");
  expectError(std::string("\x93NUMPY\x03\x00\xff\xff\xff\xff{}", 14), 1,
              "header length 4294967295 runs past the end of the file");
}

TEST_F(MalformedNpyTest, DTypes) {
  expectHeaderError("{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }",
                    "'>f4'",
                    "big-endian dtype '>f4' is not supported; save the array "
                    "as little-endian (arr.astype('<f4'))",
                    3);
  expectHeaderError("{'descr': '<u4', 'fortran_order': False, 'shape': (3,), }",
                    "'<u4'",
                    "unsupported dtype '<u4' (supported: '|b1', '<i4', '<i8', "
                    "'<f2', '<f4', '<f8', '<c8', '<c16')",
                    3);
  expectHeaderError("{'descr': '|O', 'fortran_order': False, 'shape': (3,), }",
                    "'|O'", "object arrays ('|O') are not supported", 3);
  expectHeaderError("{'descr': [('a', '<f4')], 'fortran_order': False, "
                    "'shape': (3,), }",
                    "[('a'", "structured dtypes are not supported", 3);
  expectHeaderError("{'descr': 4, 'fortran_order': False, 'shape': (3,), }",
                    "4,", "'descr' must be a string such as '<f4'", 3);
}

TEST_F(MalformedNpyTest, OrderAndShape) {
  expectHeaderError("{'descr': '<f4', 'fortran_order': True, 'shape': (3,), }",
                    "True", "Fortran-ordered arrays are not supported", 3);
  expectHeaderError("{'descr': '<f4', 'fortran_order': 'no', 'shape': (3,), }",
                    "'no'", "'fortran_order' must be True or False", 3);
  expectHeaderError(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", "-3",
      "negative dimension -3 in 'shape'");
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': "
                    "(99999999999999999999,), }",
                    "999",
                    "dimension 99999999999999999999 in 'shape' is too "
                    "large");
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': "
                    "(4294967296, 4294967296), }",
                    "(4294967296",
                    "shape (4294967296, 4294967296) has too many "
                    "elements");
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': (3), }",
                    "(3)", "'shape' must be a tuple of integers", 3);
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': [3], }",
                    "[3]", "'shape' must be a tuple of integers", 3);
  expectHeaderError(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }", "2.5",
      "dimensions in 'shape' must be integers");
  expectHeaderError(
      "{'descr': '<f4', 'fortran_order': False, 'shape': ('a',), }", "'a'",
      "dimensions in 'shape' must be integers");
}

TEST_F(MalformedNpyTest, DictSyntax) {
  expectHeaderError("['descr', '<f4']", "[", "expected '{' at the start");
  expectHeaderError("{'descr' '<f4', 'fortran_order': False, 'shape': (3,), }",
                    "'<f4'", "expected ':' after a key");
  expectHeaderError("{'descr': '<f4, 'fortran_order': False, 'shape': (3,), }",
                    "fortran_order'", "expected ',' or '}'");
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': (3,),",
                    "{", "unclosed '{' in the .npy header");
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"
                    " junk",
                    "junk", "unexpected text after the .npy header dictionary");
  expectHeaderError(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3,;), }", ";",
      "unexpected character ';' in the .npy header");
  expectHeaderError(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3 4), }", "4)",
      "expected ',' or ')' in the .npy header");
  expectHeaderError("{'descr': '<f4', 'fortran_order': Flase, 'shape': (3,), }",
                    "Flase", "unexpected name 'Flase'");
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': @, }",
                    "@", "unexpected character '@'");
  expectHeaderError("{'descr': \"<f4, 'fortran_order': False, 'shape': (3,), }",
                    "\"", "unterminated string");
  std::string open = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,";
  expectError(makeNpy(open, ""), open.size() + 1,
              "unexpected end of the .npy header", open);
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': (3",
                    "(3", "unclosed '(' in the .npy header");
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': {}, }",
                    "{}", "nested dictionaries are not supported");
  expectHeaderError("{'descr': '\\x3c', 'fortran_order': False, 'shape': (), }",
                    "\\x", "unsupported escape sequence");
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), "
                    "'shape': (3,), }",
                    "'shape': (3,), }", "duplicate key 'shape'");
  expectHeaderError(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1, }", "'x'",
      "unexpected key 'x' in the .npy header (expected 'descr', "
      "'fortran_order' and 'shape')");
  expectHeaderError("{'descr': '<f4', 'shape': (3,), }", "{",
                    "missing key 'fortran_order' in the .npy header");
  // Nesting is cut off at depth 32, long before the stack is at risk.
  std::string deep = "{'descr': '<f4', 'fortran_order': False, 'shape': " +
                     std::string(100000, '(') + "3" + std::string(100000, ')') +
                     ", }";
  expectError(makeNpy(deep, "", 2), deep.find('(') + 34,
              "values nested too deeply in the .npy header", deep);
}

TEST_F(MalformedNpyTest, ControlCharacterLocation) {
  std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (\x01,), }";
  std::string shown = dict;
  shown[shown.find('\x01')] = '?';
  expectError(makeNpy(dict, ""), shown.find('?') + 1,
              "unexpected character '?' in the .npy header", shown);
}

TEST_F(MalformedNpyTest, MultiLineHeader) {
  std::string dict = "{'descr': '<f4',\n 'fortran_order': False,\n 'shape': "
                     "(-1,), }";
  std::string path = dir.file("lines.npy");
  writeFile(path, makeNpy(dict, ""));
  expectLocatedError(readNpy(path), path, 3, 12,
                     "negative dimension -1 in 'shape'",
                     std::string(" 'shape': (-1,), }"));
}

TEST_F(MalformedNpyTest, DataSize) {
  std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  expectError(makeNpy(dict, std::string(20, '\0')), 1,
              "array data is truncated: shape (2, 3) of '<f4' needs 24 bytes "
              "but the file has 20",
              dict);
  expectError(makeNpy(dict, std::string(28, '\0')), 1,
              "unexpected 4 bytes after the array data (shape (2, 3) of '<f4' "
              "needs 24 bytes)",
              dict);
  // Exactly right is fine, also with padding-free headers.
  std::string path = dir.file("ok.npy");
  writeFile(path, makeNpy(dict, std::string(24, '\0')));
  EXPECT_TRUE(static_cast<bool>(readNpy(path)));
}

TEST_F(MalformedNpyTest, FileSystem) {
  std::string missing = dir.file("missing.npy");
  expectLocatedError(readNpy(missing), missing, 1, 1,
                     "cannot open .npy file: No such file or directory",
                     std::string("<missing file>"));
  expectLocatedError(readNpy(dir.get()), dir.get(), 1, 1,
                     "cannot read .npy file: it is a directory",
                     std::string("<directory>"));
}

TEST_F(MalformedNpyTest, AcceptedVariants) {
  // Versions 2.0 and 3.0, double quotes, Python 2 longs, no trailing comma,
  // keys in any order, '|' and '=' byte orders, bytes other than 0/1 as bool.
  struct Case {
    std::string dict;
    unsigned major;
    DType dtype;
    std::vector<int64_t> shape;
  } cases[] = {
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
       2,
       DType::F64,
       {2}},
      {"{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), }",
       3,
       DType::I32,
       {1, 2}},
      {"{\"shape\": (2L, 1L), \"descr\": \"=i8\", \"fortran_order\": False}",
       1,
       DType::I64,
       {2, 1}},
      {"{'descr':'|f4','fortran_order':False,'shape':( 2 , )}",
       1,
       DType::F32,
       {2}},
      {"{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }",
       1,
       DType::Bool,
       {3}},
  };
  for (const Case &c : cases) {
    size_t bytes = *computeNumElements(c.shape) * getDTypeSize(c.dtype);
    std::string data(bytes, '\0');
    if (c.dtype == DType::Bool)
      data = std::string("\0\2\1", 3);
    llvm::Expected<HostTensor> result =
        parseNpy("v.npy", makeNpy(c.dict, data, c.major));
    ASSERT_TRUE(static_cast<bool>(result))
        << llvm::toString(result.takeError());
    EXPECT_EQ(result->getDType(), c.dtype);
    EXPECT_EQ(result->getShape(), llvm::ArrayRef<int64_t>(c.shape));
    if (c.dtype == DType::Bool)
      EXPECT_EQ(bytesOf(*result), std::string("\0\1\1", 3));
  }
}

TEST_F(MalformedNpyTest, MutationsNeverCrash) {
  HostTensor tensor(DType::C64, {2, 3});
  fillRandom(tensor, 11);
  std::string image = unwrap(encodeNpy(tensor));
  // Every truncation fails cleanly.
  for (size_t length = 0; length < image.size(); ++length) {
    llvm::Expected<HostTensor> result =
        parseNpy("cut.npy", llvm::StringRef(image).take_front(length));
    ASSERT_FALSE(static_cast<bool>(result)) << length;
    std::string message = llvm::toString(result.takeError());
    EXPECT_TRUE(llvm::StringRef(message).starts_with("cut.npy:")) << message;
  }
  // Random byte changes either decode or fail with a located message.
  RandomGenerator rng(2024);
  for (int trial = 0; trial < 5000; ++trial) {
    std::string mutated = image;
    int changes = static_cast<int>(rng.uniformInt(1, 4));
    for (int i = 0; i < changes; ++i) {
      size_t at = static_cast<size_t>(
          rng.uniformInt(0, static_cast<int64_t>(mutated.size()) - 1));
      mutated[at] = static_cast<char>(rng.next() & 0xff);
    }
    llvm::Expected<HostTensor> result = parseNpy("m.npy", mutated);
    if (!result) {
      std::string message = llvm::toString(result.takeError());
      EXPECT_TRUE(llvm::StringRef(message).starts_with("m.npy:")) << message;
      EXPECT_EQ(llvm::StringRef(message).count('\n'), 2u) << message;
    }
  }
  // Random headers built from the tokens a header is made of.
  const char *tokens[] = {"{",
                          "}",
                          "(",
                          ")",
                          "[",
                          "]",
                          "'",
                          "\"",
                          ",",
                          ":",
                          " ",
                          "\n",
                          "-",
                          "1",
                          "99999999999999999999",
                          "L",
                          "True",
                          "False",
                          "None",
                          "'descr'",
                          "'shape'",
                          "'fortran_order'",
                          "'<f4'",
                          "'|b1'",
                          "(2, 3)",
                          "\\",
                          "\x01",
                          "\xff",
                          "2.5",
                          "0x",
                          "_"};
  for (int trial = 0; trial < 20000; ++trial) {
    std::string header;
    int length = static_cast<int>(rng.uniformInt(0, 40));
    for (int i = 0; i < length; ++i)
      header += tokens[rng.uniformInt(0, std::size(tokens) - 1)];
    std::string data(static_cast<size_t>(rng.uniformInt(0, 30)), '\0');
    llvm::Expected<HostTensor> result =
        parseNpy("h.npy", makeNpy(header, data,
                                  static_cast<unsigned>(rng.uniformInt(1, 3))));
    if (!result) {
      std::string message = llvm::toString(result.takeError());
      EXPECT_TRUE(llvm::StringRef(message).starts_with("h.npy:")) << message;
    }
  }
}

//===----------------------------------------------------------------------===//
// Interoperation with NumPy
//===----------------------------------------------------------------------===//

TEST(NpyNumPyTest, ReadsFilesWrittenByNumPy) {
  REQUIRE_NUMPY();
  TempDir dir;
  // Each case: NumPy saves NAME.npy and the raw C-order bytes NAME.bin.
  std::string script = R"PY(
import numpy as np, sys
d = sys.argv[1] if len(sys.argv) > 1 else ''
out = )PY" + pyString(dir.get()) +
                       R"PY(
def case(name, a, version=None):
    with open(out + '/' + name + '.npy', 'wb') as f:
        np.lib.format.write_array(f, a, version=version)
    with open(out + '/' + name + '.bin', 'wb') as f:
        f.write(np.ascontiguousarray(a).tobytes())
    with open(out + '/' + name + '.txt', 'w') as f:
        f.write(a.dtype.str + ' ' + ','.join(map(str, a.shape)))
special = [0.0, -0.0, 1.5, -2.25, np.inf, -np.inf, np.nan, 1e-3, 3.0e4, 7.0]
shapes = [(), (5,), (3, 4), (2, 3, 4), (2, 1, 3, 2), (0,), (2, 0)]
for code in ['?', '<i4', '<i8', '<f2', '<f4', '<f8', '<c8', '<c16']:
    for r, shape in enumerate(shapes):
        n = int(np.prod(shape))
        base = np.arange(n, dtype=np.float64) * 1.25 - 3
        if code in ('<f2', '<f4', '<f8'):
            base[:min(n, len(special))] = special[:min(n, len(special))]
        if code == '?':
            a = (np.arange(n) % 3 == 1)
        elif code.startswith('<c'):
            a = (base + 1j * (base[::-1] * 0.5)).astype(code)
        else:
            a = base.astype(code)
        case('d%s_r%d' % (code.replace('<', '').replace('?', 'b'), r),
             a.reshape(shape))
case('v2', np.arange(6, dtype='<f4').reshape(2, 3), (2, 0))
case('v3', np.arange(6, dtype='<i8').reshape(3, 2), (3, 0))
case('slice', np.arange(24, dtype='<f8').reshape(4, 6)[::2, 1::2])
case('i4_extreme', np.array([-2**31, 2**31 - 1, 0], dtype='<i4'))
case('i8_extreme', np.array([-2**63, 2**63 - 1], dtype='<i8'))
np.save(out + '/bigendian.npy', np.arange(3, dtype='>f4'))
np.save(out + '/fortran.npy', np.asfortranarray(np.ones((2, 3))))
np.save(out + '/unicode.npy', np.array(['a', 'b']))
np.save(out + '/object.npy', np.array([1, None], dtype=object), allow_pickle=True)
np.save(out + '/uint8.npy', np.arange(3, dtype=np.uint8))
np.save(out + '/struct.npy', np.zeros(2, dtype=[('x', '<f4'), ('y', '<i4')]))
print('done')
)PY";
  std::string output;
  ASSERT_EQ(runPython(script, &output), 0) << output;
  ASSERT_EQ(output, "done\n");

  std::error_code ec;
  int checked = 0;
  for (llvm::sys::fs::directory_iterator it(dir.get(), ec), end;
       it != end && !ec; it.increment(ec)) {
    llvm::StringRef path = it->path();
    if (!path.ends_with(".bin"))
      continue;
    std::string stem = path.drop_back(4).str();
    llvm::Expected<HostTensor> tensor = readNpy(stem + ".npy");
    ASSERT_TRUE(static_cast<bool>(tensor))
        << llvm::toString(tensor.takeError());
    EXPECT_EQ(bytesOf(*tensor), readFile(stem + ".bin")) << stem;
    std::string info = readFile(stem + ".txt");
    auto [descr, shapeText] = llvm::StringRef(info).split(' ');
    EXPECT_EQ(getNpyDescr(tensor->getDType()), descr) << stem;
    llvm::SmallVector<llvm::StringRef> dims;
    if (!shapeText.empty())
      shapeText.split(dims, ',');
    ASSERT_EQ(dims.size(), static_cast<size_t>(tensor->getRank())) << stem;
    for (size_t i = 0; i < dims.size(); ++i)
      EXPECT_EQ(std::to_string(tensor->getShape()[i]), dims[i].str()) << stem;
    ++checked;
  }
  EXPECT_EQ(checked, 8 * 7 + 5);

  // Spot-check decoded values, not just bytes.
  llvm::Expected<HostTensor> f2 = readNpy(dir.file("df2_r2.npy"));
  ASSERT_TRUE(static_cast<bool>(f2));
  EXPECT_EQ(getRealElement(*f2, 2), 1.5);
  EXPECT_TRUE(std::signbit(getRealElement(*f2, 1)));
  EXPECT_TRUE(std::isnan(getRealElement(*f2, 6)));
  llvm::Expected<HostTensor> slice = readNpy(dir.file("slice.npy"));
  ASSERT_TRUE(static_cast<bool>(slice));
  EXPECT_EQ(slice->getShape(), llvm::ArrayRef<int64_t>({2, 3}));
  EXPECT_EQ(getRealElement(*slice, 4), 15.0);

  struct Rejected {
    const char *name;
    const char *message;
  } rejected[] = {
      {"bigendian", "big-endian dtype '>f4' is not supported"},
      {"fortran", "Fortran-ordered arrays are not supported"},
      {"unicode", "unsupported dtype '<U1'"},
      {"object", "object arrays ('|O') are not supported"},
      {"uint8", "unsupported dtype '|u1'"},
      {"struct", "structured dtypes are not supported"},
  };
  for (const Rejected &r : rejected) {
    std::string path = dir.file(std::string(r.name) + ".npy");
    llvm::Expected<HostTensor> result = readNpy(path);
    ASSERT_FALSE(static_cast<bool>(result)) << r.name;
    std::string message = llvm::toString(result.takeError());
    EXPECT_TRUE(llvm::StringRef(message).starts_with(path + ":1:")) << message;
    EXPECT_NE(message.find(r.message), std::string::npos) << message;
    EXPECT_EQ(llvm::StringRef(message).count('\n'), 2u) << message;
  }
}

TEST(NpyNumPyTest, NumPyReadsFilesWeWrite) {
  REQUIRE_NUMPY();
  TempDir dir;
  std::string expectations;
  unsigned seed = 100;
  int count = 0;
  for (DType dtype : kNpyDTypes) {
    for (const std::vector<int64_t> &shape : roundTripShapes()) {
      HostTensor tensor(dtype, shape);
      fillRandom(tensor, seed++);
      std::string name = "w" + std::to_string(count++);
      ASSERT_FALSE(
          static_cast<bool>(writeNpy(dir.file(name + ".npy"), tensor)));
      writeFile(dir.file(name + ".bin"), bytesOf(tensor));
      std::string shapeTuple = "(";
      for (int64_t dim : shape)
        shapeTuple += std::to_string(dim) + ",";
      expectations += "('" + name + "', '" + getNpyDescr(dtype)->str() + "', " +
                      shapeTuple + ")),\n";
    }
  }

  std::string script = "import numpy as np\nout = " + pyString(dir.get()) +
                       "\ncases = [\n" + expectations + R"PY(]
bad = 0
for name, descr, shape in cases:
    a = np.load(out + '/' + name + '.npy', allow_pickle=False)
    raw = open(out + '/' + name + '.bin', 'rb').read()
    with open(out + '/' + name + '.npy', 'rb') as f:
        version = np.lib.format.read_magic(f)
    ok = (a.dtype.str == descr and a.shape == shape and a.flags.c_contiguous
          and a.tobytes() == raw)
    ok = ok and version == (1, 0)
    if not ok:
        bad += 1
        print('mismatch', name, a.dtype.str, a.shape)
print('checked', len(cases), 'bad', bad)
)PY";
  std::string output;
  ASSERT_EQ(runPython(script, &output), 0) << output;
  EXPECT_EQ(output, "checked " + std::to_string(count) + " bad 0\n");
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
