//===- EntryABITest.cpp - Size bindings and checks of entries -------------===//
//
// The entry calling convention as plain data (EntryABI.h): which argument
// binds each size symbol, the ordered checks an entry performs and their
// messages, and host-side size binding. No MLIR, no JIT.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/EntryABI.h"

#include "llvm/Support/Error.h"

#include "gtest/gtest.h"

using namespace tessera;

namespace {

EntrySignature matmulSignature() {
  auto dim = [](const char *s) {
    DimSpec d;
    d.isSymbol = true;
    d.symbol = s;
    return d;
  };
  EntrySignature sig;
  sig.name = "matmul";
  ValueSpec a, b, r;
  a.name = "a";
  a.dims = {dim("M"), dim("K")};
  b.name = "b";
  b.dims = {dim("K"), dim("N")};
  r.name = "result0";
  r.dims = {dim("M"), dim("N")};
  sig.params = {a, b};
  sig.results = {r};
  return sig;
}

//===----------------------------------------------------------------------===//
// EntryABI: pure data.
//===----------------------------------------------------------------------===//

TEST(EntryABITest, MatmulChecks) {
  EntrySignature sig = matmulSignature();
  std::vector<SizeBinding> bindings = computeSizeBindings(sig);
  ASSERT_EQ(bindings.size(), 3u);
  EXPECT_EQ(bindings[0].symbol, "M");
  EXPECT_EQ(bindings[1].symbol, "K");
  EXPECT_EQ(bindings[1].source.position, 0u);
  EXPECT_EQ(bindings[1].source.dim, 1u);
  EXPECT_EQ(bindings[2].symbol, "N");

  std::vector<SizeCheck> checks = computeSizeChecks(sig);
  ASSERT_EQ(checks.size(), 3u);
  EXPECT_EQ(checks[0].kind, SizeCheck::Kind::Symbol);
  EXPECT_EQ(checks[0].message, "size symbol K: parameter 'a' dim 1 does not "
                               "match parameter 'b' dim 0");
  EXPECT_EQ(checks[1].message, "size symbol M: parameter 'a' dim 0 does not "
                               "match output 'result0' dim 0");
  EXPECT_EQ(checks[2].message, "size symbol N: parameter 'b' dim 1 does not "
                               "match output 'result0' dim 1");
  EXPECT_EQ(describeEntryStatus(sig, 1), checks[0].message);
  EXPECT_EQ(describeEntryStatus(sig, 9),
            "entry 'matmul' returned unknown status 9");
}

TEST(EntryABITest, LiteralAndIndexChecks) {
  EntrySignature sig;
  sig.name = "f";
  ValueSpec x, l, r;
  x.name = "x";
  x.dims.resize(2);
  x.dims[0].isSymbol = true;
  x.dims[0].symbol = "L";
  x.dims[1].extent = 4;
  l.kind = ValueSpec::Kind::Index;
  l.name = "L";
  l.dtype = DType::I64;
  r.name = "result0";
  r.dims = {x.dims[0]};
  sig.params = {x, l};
  sig.results = {r};

  std::vector<SizeCheck> checks = computeSizeChecks(sig);
  ASSERT_EQ(checks.size(), 4u);
  EXPECT_EQ(checks[0].kind, SizeCheck::Kind::NonNegative);
  EXPECT_EQ(checks[0].message, "index parameter 'L' must be non-negative");
  EXPECT_EQ(checks[1].kind, SizeCheck::Kind::Literal);
  EXPECT_EQ(checks[1].message, "parameter 'x' dim 1 must be 4");
  EXPECT_EQ(checks[2].message, "size symbol L: parameter 'x' dim 0 does not "
                               "match index parameter 'L'");
  EXPECT_EQ(checks[3].subject.kind, SizeSource::Kind::ResultDim);

  std::vector<int64_t> shape = {5, 4};
  std::vector<llvm::ArrayRef<int64_t>> shapes = {shape};
  auto ok = bindSizes(sig, shapes, {5});
  ASSERT_TRUE(static_cast<bool>(ok)) << llvm::toString(ok.takeError());
  EXPECT_EQ(ok->at("L"), 5);
  auto outShapes = resultShapes(sig, *ok);
  ASSERT_TRUE(static_cast<bool>(outShapes));
  EXPECT_EQ((*outShapes)[0], std::vector<int64_t>{5});

  auto mismatch = bindSizes(sig, shapes, {6});
  ASSERT_FALSE(static_cast<bool>(mismatch));
  EXPECT_EQ(llvm::toString(mismatch.takeError()),
            "size mismatch for L: x has 5 (dim 0) but L is 6");
  auto negative = bindSizes(sig, shapes, {-1});
  ASSERT_FALSE(static_cast<bool>(negative));
  EXPECT_EQ(llvm::toString(negative.takeError()),
            "index parameter 'L' must be non-negative but is -1");
  std::vector<int64_t> wrong = {5, 3};
  std::vector<llvm::ArrayRef<int64_t>> wrongShapes = {wrong};
  auto literal = bindSizes(sig, wrongShapes, {5});
  ASSERT_FALSE(static_cast<bool>(literal));
  EXPECT_EQ(llvm::toString(literal.takeError()),
            "shape mismatch: parameter 'x' dim 1 must be 4 but is 3");
}

TEST(EntryABITest, BindSizesNamesBothSizes) {
  EntrySignature sig = matmulSignature();
  std::vector<int64_t> a = {2, 3}, b = {4, 5};
  std::vector<llvm::ArrayRef<int64_t>> shapes = {a, b};
  auto bound = bindSizes(sig, shapes, {});
  ASSERT_FALSE(static_cast<bool>(bound));
  EXPECT_EQ(llvm::toString(bound.takeError()),
            "size mismatch for K: a has 3 (dim 1) but b has 4 (dim 0)");
  std::vector<int64_t> rank1 = {3};
  std::vector<llvm::ArrayRef<int64_t>> badRank = {a, rank1};
  auto ranked = bindSizes(sig, badRank, {});
  ASSERT_FALSE(static_cast<bool>(ranked));
  EXPECT_EQ(llvm::toString(ranked.takeError()),
            "parameter 'b' must have rank 2 but has rank 1");
}

} // namespace
