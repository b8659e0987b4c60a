//===- CompilerTest.cpp - The embedding API, end to end -------------------===//

#include "tessera/Runtime/Compiler.h"

#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace tessera;

namespace {

const char *kMatmul = "fn matmul(a: f32[M, K], b: f32[K, N]) -> f32[M, N] {\n"
                      "  c[m, n] = a[m, k] * b[k, n]\n"
                      "  return c\n"
                      "}\n";

HostTensor filled(std::vector<int64_t> shape, float start) {
  HostTensor t(DType::F32, shape);
  for (int64_t i = 0; i < t.getNumElements(); ++i)
    t.dataAs<float>()[i] = start + 0.5f * static_cast<float>(i % 7);
  return t;
}

TEST(CompilerTest, CompilesAndRunsFromMemory) {
  Compiler compiler;
  ASSERT_TRUE(compiler.loadSource("mm.tess", kMatmul));
  ASSERT_EQ(compiler.getSignatures().size(), 1u);
  CallArguments args;
  args.tensors.emplace("a", filled({3, 4}, -1.0f));
  args.tensors.emplace("b", filled({4, 2}, 0.25f));
  const float *a = args.tensors.at("a").dataAs<float>();
  const float *b = args.tensors.at("b").dataAs<float>();
  std::vector<float> want(6, 0.0f);
  for (int m = 0; m < 3; ++m)
    for (int n = 0; n < 2; ++n)
      for (int k = 0; k < 4; ++k)
        want[m * 2 + n] += a[m * 4 + k] * b[k * 2 + n];
  auto results = compiler.run("matmul", args);
  ASSERT_TRUE(static_cast<bool>(results))
      << llvm::toString(results.takeError());
  ASSERT_EQ(results->size(), 1u);
  const HostTensor &c = (*results)[0];
  ASSERT_EQ(c.getShape().vec(), (std::vector<int64_t>{3, 2}));
  for (int i = 0; i < 6; ++i)
    EXPECT_NEAR(c.dataAs<float>()[i], want[i], 1e-5f) << i;

  // The same compiled module runs again with other sizes.
  CallArguments more;
  more.tensors.emplace("a", filled({1, 2}, 1.0f));
  more.tensors.emplace("b", filled({2, 5}, 1.0f));
  auto again = compiler.run("matmul", more);
  ASSERT_TRUE(static_cast<bool>(again)) << llvm::toString(again.takeError());
  EXPECT_EQ((*again)[0].getShape().vec(), (std::vector<int64_t>{1, 5}));
}

TEST(CompilerTest, SizeMismatchIsAnError) {
  Compiler compiler;
  ASSERT_TRUE(compiler.loadSource("mm.tess", kMatmul));
  CallArguments args;
  args.tensors.emplace("a", filled({3, 4}, 0.0f));
  args.tensors.emplace("b", filled({5, 2}, 0.0f));
  auto results = compiler.run("matmul", args);
  ASSERT_FALSE(static_cast<bool>(results));
  EXPECT_EQ(llvm::toString(results.takeError()),
            "size mismatch for K: a has 4 (dim 1) but b has 5 (dim 0)");
}

TEST(CompilerTest, DiagnosticsGoToTheGivenStream) {
  std::string text;
  llvm::raw_string_ostream os(text);
  CompilerOptions options;
  options.diagnosticStream = &os;
  Compiler compiler(options);
  EXPECT_FALSE(compiler.loadSource("bad.tess", "fn f(x: f32[N]) -> f32[N] {\n"
                                               "  y[i] = x[i] + z[i]\n"
                                               "  return y\n"
                                               "}\n"));
  EXPECT_EQ(compiler.getNumErrors(), 1u);
  EXPECT_NE(text.find("bad.tess:2:17: error: unknown name 'z'\n"
                      "  y[i] = x[i] + z[i]\n"
                      "                ^"),
            std::string::npos)
      << text;
}

} // namespace
