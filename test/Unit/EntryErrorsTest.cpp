//===- EntryErrorsTest.cpp - Tensor size checks and entry errors ----------===//
//
// The host side of the checks compiled code makes (EntryABI.h): byte sizes
// computed without overflow, the messages of the error statuses and records,
// memref descriptors of tensors whose strides would overflow; then compiled
// entries end to end through tessera::Compiler: an intermediate too large to
// describe or to allocate is an error naming it, and an empty iteration
// domain returns at once however large the other extents.
//
//===----------------------------------------------------------------------===//

#include "tessera/Driver/Compiler.h"
#include "tessera/Runtime/EntryABI.h"
#include "tessera/Runtime/JITSession.h"

#include "llvm/Support/Error.h"

#include "gtest/gtest.h"

#include <chrono>

using namespace tessera;

namespace {

constexpr int64_t k2to62 = int64_t(1) << 62;

TEST(EntryErrorsTest, TensorBytesWithoutOverflow) {
  EXPECT_EQ(computeTensorBytes(DType::F32, {2, 3}), 24);
  EXPECT_EQ(computeTensorBytes(DType::C128, {}), 16);
  // A zero extent makes a tensor empty, whatever the other extents.
  EXPECT_EQ(computeTensorBytes(DType::F32, {k2to62, k2to62, 0}), 0);
  EXPECT_EQ(computeTensorBytes(DType::F32, {0, k2to62, k2to62}), 0);
  // The element count overflows; the count fits but the bytes do not.
  EXPECT_EQ(computeTensorBytes(DType::F32, {k2to62, k2to62}), std::nullopt);
  EXPECT_EQ(computeTensorBytes(DType::F64, {int64_t(1) << 61}), std::nullopt);
  EXPECT_EQ(computeTensorBytes(DType::Bool, {int64_t(1) << 62}), k2to62);
  EXPECT_EQ(computeTensorBytes(DType::F32, {-1}), std::nullopt);
  // The largest size that fits.
  EXPECT_EQ(computeTensorBytes(DType::Bool, {INT64_MAX}), INT64_MAX);
}

TEST(EntryErrorsTest, TooLargeMessages) {
  llvm::Error error =
      checkTensorSize("parameter 'x'", DType::F32, {k2to62, k2to62});
  EXPECT_EQ(llvm::toString(std::move(error)),
            "parameter 'x' of shape f32[4611686018427387904, "
            "4611686018427387904] has 2^124 elements: too large");
  error = checkTensorSize("parameter 'z'", DType::C128, {int64_t(1) << 61});
  EXPECT_EQ(llvm::toString(std::move(error)),
            "parameter 'z' of shape c128[2305843009213693952] has "
            "2305843009213693952 elements of 16 bytes: too large");
  error =
      checkTensorSize("parameter 'y'", DType::F32, {3, 1000000000000000000});
  EXPECT_EQ(llvm::toString(std::move(error)),
            "parameter 'y' of shape f32[3, 1000000000000000000] has "
            "3000000000000000000 elements of 4 bytes: too large");
  error =
      checkTensorSize("parameter 'u'", DType::F32, {30, 1000000000000000000});
  EXPECT_EQ(llvm::toString(std::move(error)),
            "parameter 'u' of shape f32[30, 1000000000000000000] has about "
            "2^64.7 elements: too large");
  error = checkTensorSize("parameter 'w'", DType::F32, {3, -1});
  EXPECT_EQ(llvm::toString(std::move(error)),
            "parameter 'w' has a negative extent: f32[3, -1]");
  EXPECT_FALSE(static_cast<bool>(
      checkTensorSize("parameter 'v'", DType::F32, {k2to62, 0, k2to62})));
}

TEST(EntryErrorsTest, RecordMessages) {
  EntrySignature sig;
  sig.name = "f";
  EntryErrorRecord record;
  record.status = kStatusOutOfMemory;
  record.rank = 2;
  record.what = "intermediate 's'";
  record.where = "f.tess:4:3";
  record.dtype = "f32";
  record.bytes = 4096;
  record.shape[0] = 16;
  record.shape[1] = 64;
  EXPECT_EQ(describeEntryError(sig, kStatusOutOfMemory, &record),
            "cannot allocate 4096 bytes for intermediate 's' of shape "
            "f32[16, 64] (defined at f.tess:4:3): out of memory");

  // Extents past the record's capacity are left out.
  record.status = kStatusTooLarge;
  record.rank = kErrorRecordMaxRank + 2;
  record.where = "";
  for (unsigned i = 0; i != kErrorRecordMaxRank; ++i)
    record.shape[i] = 1 << 20;
  EXPECT_EQ(describeEntryError(sig, kStatusTooLarge, &record),
            "intermediate 's' of shape f32[1048576, 1048576, 1048576, "
            "1048576, 1048576, 1048576, 1048576, 1048576, ...] has 2^160 "
            "elements: too large");

  // Without a record (or with one the entry did not fill), the generic
  // messages; the size checks keep theirs.
  EXPECT_EQ(describeEntryError(sig, kStatusOutOfMemory, nullptr),
            "out of memory: an intermediate tensor could not be allocated");
  EXPECT_EQ(describeEntryError(sig, kStatusOutOfMemory, &record),
            describeEntryStatus(sig, kStatusOutOfMemory));
  EXPECT_EQ(describeEntryStatus(sig, kStatusTooLarge),
            "a tensor is too large: its element count or byte size does not "
            "fit in 64 bits");
  EXPECT_EQ(describeEntryStatus(sig, 7), "entry 'f' returned unknown status 7");
}

// Every stride of a tensor with elements fits; with a zero extent the
// products may not, and the descriptor gets 0 for them instead of an
// overflow (no element is ever addressed).
TEST(EntryErrorsTest, DescriptorOfAnEmptyTensor) {
  HostTensor empty(DType::F32, {0, k2to62, k2to62});
  std::vector<int64_t> descriptor = makeMemRefDescriptor(empty);
  ASSERT_EQ(descriptor.size(), 9u);
  EXPECT_EQ(descriptor[3], 0);
  EXPECT_EQ(descriptor[4], k2to62);
  EXPECT_EQ(descriptor[6], 0);      // 2^124 does not fit
  EXPECT_EQ(descriptor[7], k2to62); // k2to62 * 1
  EXPECT_EQ(descriptor[8], 1);
  HostTensor dense(DType::F32, {2, 3, 4});
  descriptor = makeMemRefDescriptor(dense);
  EXPECT_EQ(std::vector<int64_t>(descriptor.begin() + 6, descriptor.end()),
            (std::vector<int64_t>{12, 4, 1}));
}

const char *kEntries = "fn gram_max(a: f32[T, D], b: f32[S, D]) -> f32 {\n"
                       "  s[t, u] = a[t, d] * b[u, d]\n"
                       "  return max[t, u](s[t, u])\n"
                       "}\n"
                       "fn matmul(a: f32[M, K], b: f32[K, N]) -> f32[M, N] {\n"
                       "  c[m, n] = a[m, k] * b[k, n]\n"
                       "  return c\n"
                       "}\n";

/// Runs gram_max with a and b of the given extents (D = 0: no data).
llvm::Expected<std::vector<HostTensor>> runGramMax(Compiler &compiler,
                                                   int64_t t, int64_t s) {
  CallArguments args;
  args.tensors.emplace("a", HostTensor(DType::F32, {t, 0}));
  args.tensors.emplace("b", HostTensor(DType::F32, {s, 0}));
  return compiler.run("gram_max", args);
}

class EntryErrorsRunTest : public ::testing::TestWithParam<unsigned> {
protected:
  void SetUp() override {
    CompilerOptions options;
    options.optLevel = GetParam();
    compiler = std::make_unique<Compiler>(options);
    ASSERT_TRUE(compiler->loadSource("gram.tess", kEntries));
  }
  std::unique_ptr<Compiler> compiler;
};

TEST_P(EntryErrorsRunTest, IntermediateTooLargeToAllocate) {
  // 's' has 2^56 floats: 2^58 bytes, more than any address space.
  auto results = runGramMax(*compiler, int64_t(1) << 28, int64_t(1) << 28);
  ASSERT_FALSE(static_cast<bool>(results));
  EXPECT_EQ(llvm::toString(results.takeError()),
            "gram_max: cannot allocate 288230376151711744 bytes for "
            "intermediate 's' of shape f32[268435456, 268435456] "
            "(defined at gram.tess:2:3): out of memory");
}

TEST_P(EntryErrorsRunTest, IntermediateSizeOverflows) {
  auto results = runGramMax(*compiler, k2to62, k2to62);
  ASSERT_FALSE(static_cast<bool>(results));
  EXPECT_EQ(llvm::toString(results.takeError()),
            "gram_max: intermediate 's' of shape f32["
            "4611686018427387904, 4611686018427387904] has 2^124 elements: "
            "too large (defined at gram.tess:2:3)");
}

TEST_P(EntryErrorsRunTest, EmptyDomainReturnsAtOnce) {
  CallArguments args;
  args.tensors.emplace("a", HostTensor(DType::F32, {100000000000000, 0}));
  args.tensors.emplace("b", HostTensor(DType::F32, {0, 0}));
  auto start = std::chrono::steady_clock::now();
  auto results = compiler->run("matmul", args);
  ASSERT_TRUE(static_cast<bool>(results))
      << llvm::toString(results.takeError());
  EXPECT_EQ((*results)[0].getShape().vec(),
            (std::vector<int64_t>{100000000000000, 0}));
  // Walking 10^14 rows would take hours; compiling takes well under this.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));

  // An empty reduction leaves the output's initial zeros.
  CallArguments reduce;
  reduce.tensors.emplace("a", HostTensor(DType::F32, {2, 0}));
  reduce.tensors.emplace("b", HostTensor(DType::F32, {0, 3}));
  results = compiler->run("matmul", reduce);
  ASSERT_TRUE(static_cast<bool>(results))
      << llvm::toString(results.takeError());
  const HostTensor &c = (*results)[0];
  ASSERT_EQ(c.getNumElements(), 6);
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ(c.dataAs<float>()[i], 0.0f) << i;
}

// invokeEntry checks every tensor argument before the call: one without
// data (a default HostTensor) would be read through a null pointer.
TEST(EntryErrorsHostTest, ParameterWithoutData) {
  Compiler compiler;
  ASSERT_TRUE(compiler.loadSource("twice.tess", "fn twice(x: f32) -> f32 {\n"
                                                "  return x * 2.0\n"
                                                "}\n"));
  CallArguments args;
  args.tensors.emplace("x", HostTensor());
  auto results = compiler.run("twice", args);
  ASSERT_FALSE(static_cast<bool>(results));
  EXPECT_EQ(llvm::toString(results.takeError()),
            "twice: parameter 'x' has no data");
}

INSTANTIATE_TEST_SUITE_P(OptLevels, EntryErrorsRunTest,
                         ::testing::Values(0u, 2u));

} // namespace
