//===- CompilerTest.cpp - The embedding API, end to end -------------------===//

#include "tessera/Driver/Compiler.h"
#include "tessera/InitAllDialects.h"
#include "tessera/Transforms/EntrySignature.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>

using namespace tessera;

namespace {

const char *kMatmul = "fn matmul(a: f32[M, K], b: f32[K, N]) -> f32[M, N] {\n"
                      "  c[m, n] = a[m, k] * b[k, n]\n"
                      "  return c\n"
                      "}\n";

const char *kTwoFunctions =
    "fn stats(x: f64[N, 3], L: index) -> (f64[N], i64[L]) {\n"
    "  total[i] = sum[j](x[i, j])\n"
    "  ramp[l] = l * l where l in 0..L\n"
    "  return total, ramp\n"
    "}\n"
    "fn twice(x: f32[4, K]) -> f32[4, K] {\n"
    "  return x * 2.0\n"
    "}\n";

/// A one-line rendering of `sig` for comparisons.
std::string describe(const EntrySignature &sig) {
  std::string text = sig.name + "(";
  auto value = [&](const ValueSpec &v) {
    text += v.name + ":";
    if (v.kind == ValueSpec::Kind::Index) {
      text += "index ";
      return;
    }
    text += getDTypeName(v.dtype).str() + "[";
    for (const DimSpec &d : v.dims)
      text += (d.isSymbol ? d.symbol : std::to_string(d.extent)) + ",";
    text += "] ";
  };
  for (const ValueSpec &p : sig.params)
    value(p);
  text += ") -> (";
  for (const ValueSpec &r : sig.results)
    value(r);
  return text + ")";
}

/// Runs `emit(kind)` into a temporary file and returns its contents.
std::string emitToString(Compiler &compiler, EmitKind kind) {
  llvm::SmallString<128> path;
  if (llvm::sys::fs::createTemporaryFile("compiler-test", "out", path))
    return "<no temporary file>";
  llvm::FileRemover remove(path);
  if (!compiler.emit(kind, path))
    return "<emit failed>";
  auto buffer = llvm::MemoryBuffer::getFile(path);
  return buffer ? (*buffer)->getBuffer().str() : "<unreadable>";
}

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

// compileOnly: the entry and what it calls are compiled, nothing else.
TEST(CompilerTest, CompilesOnlyTheEntryItRuns) {
  const char *source = "fn twice(x: f32[N]) -> f32[N] {\n"
                       "  y[n] = 2.0 * x[n]\n  return y\n}\n"
                       "fn quad(x: f32[N]) -> f32[N] {\n"
                       "  return twice(twice(x))\n}\n"
                       "fn other(x: f32[N]) -> f32[N] {\n"
                       "  z[n] = x[n] + 1.0\n  return z\n}\n";
  Compiler compiler;
  ASSERT_TRUE(compiler.loadSource("three.tess", source));
  compiler.compileOnly("quad");
  CallArguments args;
  args.tensors.emplace("x", filled({5}, 1.0f));
  auto results = compiler.run("quad", args);
  ASSERT_TRUE(static_cast<bool>(results))
      << llvm::toString(results.takeError());
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ((*results)[0].dataAs<float>()[i],
              4.0f * args.tensors.at("x").dataAs<float>()[i]);
  auto other = compiler.run("other", args);
  ASSERT_FALSE(static_cast<bool>(other));
  EXPECT_EQ(llvm::toString(other.takeError()),
            "'other' is not compiled: this compiler compiles only 'quad'");
  std::string lowered = emitToString(compiler, EmitKind::Lowered);
  EXPECT_NE(lowered.find("@quad"), std::string::npos);
  EXPECT_EQ(lowered.find("@other"), std::string::npos);
  EXPECT_EQ(lowered.find("@_tess_packed_twice"), std::string::npos);
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

// The diagnostic callback receives every diagnostic as a record, besides
// the printed text; errors without a position (a missing file) too.
TEST(CompilerTest, DiagnosticsReachTheCallbackAsRecords) {
  std::vector<DiagnosticRecord> records;
  CompilerOptions options;
  options.diagnosticStream = &llvm::nulls();
  options.diagnosticCallback = [&](const DiagnosticRecord &record) {
    records.push_back(record);
  };
  Compiler compiler(options);
  EXPECT_FALSE(compiler.loadSource("bad.tess", "fn f(x: f32[N]) -> f32[N] {\n"
                                               "  y[i] = x[i] + z[i]\n"
                                               "  return w\n"
                                               "}\n"));
  ASSERT_GE(records.size(), 2u);
  EXPECT_EQ(records[0].severity, DiagnosticRecord::Severity::Error);
  EXPECT_EQ(records[0].file, "bad.tess");
  EXPECT_EQ(records[0].line, 2u);
  EXPECT_EQ(records[0].column, 17u);
  EXPECT_EQ(records[0].message, "unknown name 'z'");
  EXPECT_EQ(records[1].line, 3u);

  records.clear();
  Compiler missing(options);
  EXPECT_FALSE(missing.loadFile("/nonexistent/dir/x.tess"));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].file, "/nonexistent/dir/x.tess");
  EXPECT_EQ(records[0].line, 0u);
}

// getCompiledEntry hands out the code, which callEntry runs on the caller's
// own memory.
TEST(CompilerTest, CompiledEntriesRunOnCallerMemory) {
  Compiler compiler;
  ASSERT_TRUE(compiler.loadSource("s.tess", "fn scale(x: f64[N], s: f64) -> "
                                            "f64[N] {\n  return x * s\n}\n"));
  auto entry = compiler.getCompiledEntry("scale");
  ASSERT_TRUE(static_cast<bool>(entry)) << llvm::toString(entry.takeError());
  double x[3] = {1, 2, 3}, s = 0.5, y[3] = {0, 0, 0};
  int64_t shape[] = {3};
  TensorView inputs[] = {{x, DType::F64, shape}, {&s, DType::F64, {}}};
  TensorView outputs[] = {{y, DType::F64, shape}};
  int32_t status = -1;
  llvm::Error error = callEntry(*entry, *compiler.getSignature("scale"), inputs,
                                {}, outputs, &status);
  ASSERT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));
  EXPECT_EQ(status, 0);
  EXPECT_EQ(y[0], 0.5);
  EXPECT_EQ(y[2], 1.5);
  auto none = compiler.getCompiledEntry("nope");
  ASSERT_FALSE(static_cast<bool>(none));
  EXPECT_EQ(llvm::toString(none.takeError()), "no function named 'nope'");
}

// File problems print as one line `PATH: error: MESSAGE` on the given
// stream; an output that is an input is refused and nothing is written.
TEST(CompilerTest, FileErrorsAreOneLine) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("compiler-test", dir));
  std::string source = (dir + "/libmm.h").str();
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(source, ec);
    ASSERT_FALSE(ec);
    os << kMatmul;
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  CompilerOptions options;
  options.diagnosticStream = &os;
  EXPECT_FALSE(Compiler(options).loadFile((dir + "/missing.tess").str()));
  EXPECT_EQ(text, (dir + "/missing.tess: error: cannot open source file: No "
                         "such file or directory\n")
                      .str());
  text.clear();
  Compiler compiler(options);
  ASSERT_TRUE(compiler.loadFile(source));
  EXPECT_FALSE(compiler.emit(EmitKind::MLIR, source));
  EXPECT_EQ(text, source + ": error: cannot write output: it is also an "
                           "input file\n");
  text.clear();
  // The header of the library would overwrite the source.
  EXPECT_FALSE(compiler.emit(EmitKind::Library, (dir + "/libmm.so").str()));
  EXPECT_EQ(text, source + ": error: cannot write C header: it is also an "
                           "input file\n");
  EXPECT_FALSE(llvm::sys::fs::exists(dir + "/libmm.so"));
  auto buffer = llvm::MemoryBuffer::getFile(source);
  ASSERT_TRUE(static_cast<bool>(buffer));
  EXPECT_EQ((*buffer)->getBuffer(), kMatmul);
  llvm::sys::fs::remove_directories(dir);
}

// The signatures are those of the generated module's tess.entry functions
// (the attributes tess-expose-entries compiles into the entries): reading
// the emitted MLIR back gives exactly the same ones.
TEST(CompilerTest, SignaturesComeFromTheModule) {
  Compiler compiler;
  ASSERT_TRUE(compiler.loadSource("two.tess", kTwoFunctions));
  llvm::ArrayRef<EntrySignature> sigs = compiler.getSignatures();
  ASSERT_EQ(sigs.size(), 2u);
  EXPECT_EQ(describe(sigs[0]), "stats(x:f64[N,3,] L:index ) -> "
                               "(total:f64[N,] ramp:i64[L,] )");
  EXPECT_EQ(describe(sigs[1]), "twice(x:f32[4,K,] ) -> (result0:f32[4,K,] )");
  EXPECT_EQ(compiler.getSignature("twice"), &sigs[1]);
  EXPECT_EQ(compiler.getSignature("nothing"), nullptr);

  std::string mlirText = emitToString(compiler, EmitKind::MLIR);
  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(mlirText, &context);
  ASSERT_TRUE(module) << mlirText;
  auto fromModule = collectEntrySignatures(*module);
  ASSERT_TRUE(mlir::succeeded(fromModule));
  ASSERT_EQ(fromModule->size(), sigs.size());
  for (size_t i = 0; i < sigs.size(); ++i)
    EXPECT_EQ(describe((*fromModule)[i]), describe(sigs[i]));

  // The C header of --emit=lib uses them too: results by their names.
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("compiler-test", dir));
  std::string library = (dir + "/libtwo.so").str();
  ASSERT_TRUE(compiler.emit(EmitKind::Library, library));
  auto header = llvm::MemoryBuffer::getFile((dir + "/libtwo.h").str());
  ASSERT_TRUE(static_cast<bool>(header));
  EXPECT_NE((*header)->getBuffer().find(
                "static inline int32_t tessera_stats(int64_t N, int64_t L, "
                "const double *x, double *total, int64_t *ramp)"),
            llvm::StringRef::npos)
      << (*header)->getBuffer().str();
  llvm::sys::fs::remove_directories(dir);
}

// run converts inputs of another dtype into temporaries: the caller's
// tensors keep their dtype and data.
TEST(CompilerTest, RunLeavesTheCallersTensorsAlone) {
  Compiler compiler;
  ASSERT_TRUE(compiler.loadSource("mm.tess", kMatmul));
  CallArguments args;
  HostTensor a(DType::F64, {2, 3}), b(DType::F64, {3, 2});
  for (int i = 0; i < 6; ++i) {
    a.dataAs<double>()[i] = 0.5 * i;
    b.dataAs<double>()[i] = 1.0 - i;
  }
  args.tensors.emplace("a", a.clone());
  args.tensors.emplace("b", b.clone());
  auto results = compiler.run("matmul", args);
  ASSERT_TRUE(static_cast<bool>(results))
      << llvm::toString(results.takeError());
  EXPECT_EQ((*results)[0].getDType(), DType::F32);
  for (auto [name, original] :
       {std::pair<const char *, const HostTensor *>{"a", &a}, {"b", &b}}) {
    const HostTensor &t = args.tensors.at(name);
    EXPECT_EQ(t.getDType(), DType::F64) << name;
    ASSERT_EQ(t.getShape(), original->getShape()) << name;
    EXPECT_EQ(std::memcmp(t.data(), original->data(), t.getNumBytes()), 0)
        << name;
  }
  // c[0, 0] = sum_k a[0, k] * b[k, 0] = 0 * 1 + 0.5 * -1 + 1 * -3.
  EXPECT_FLOAT_EQ((*results)[0].dataAs<float>()[0], -3.5f);
}

// Results too large to allocate are a clean error from run.
TEST(CompilerTest, HugeResultIsAnError) {
  Compiler compiler;
  ASSERT_TRUE(compiler.loadSource("big.tess",
                                  "fn big(s: f32, L: index) -> f32[L, 3] {\n"
                                  "  r[i, j] = s where i in 0..L, j in 0..3\n"
                                  "  return r\n"
                                  "}\n"));
  CallArguments args;
  args.tensors.emplace("s", HostTensor(DType::F32, {}));
  args.indices["L"] = int64_t(1) << 45;
  auto results = compiler.run("big", args);
  ASSERT_FALSE(static_cast<bool>(results));
  std::string message = llvm::toString(results.takeError());
  EXPECT_NE(message.find("big: result 'r': cannot allocate"), std::string::npos)
      << message;
}

// The JIT module and the emitted IR have one packed wrapper per entry.
TEST(CompilerTest, OnePackedWrapperPerEntry) {
  Compiler compiler;
  ASSERT_TRUE(compiler.loadSource("mm.tess", kMatmul));
  std::string ir = emitToString(compiler, EmitKind::LLVM);
  size_t first = ir.find("define void @_tess_packed_matmul(");
  ASSERT_NE(first, std::string::npos) << ir;
  EXPECT_EQ(ir.find("define void @_tess_packed_", first + 1), std::string::npos)
      << ir;
  CallArguments args;
  args.tensors.emplace("a", filled({2, 2}, 1.0f));
  args.tensors.emplace("b", filled({2, 2}, 1.0f));
  auto results = compiler.run("matmul", args);
  ASSERT_TRUE(static_cast<bool>(results))
      << llvm::toString(results.takeError());
}

} // namespace

namespace {

/// A chain whose best order depends on the sizes.
constexpr const char *kChain =
    "fn chain(a: f32[I, J], b: f32[J, K], c: f32[K, L]) -> f32[I, L] {\n"
    "  d[i, l] = a[i, j] * b[j, k] * c[k, l]\n"
    "  return d\n"
    "}\n";

/// Runs `chain` once with the given extents and returns what --explain
/// printed, or "<failed>".
std::string explainFirstRun(CompilerOptions options, int64_t i, int64_t j,
                            int64_t k, int64_t l) {
  std::string text;
  llvm::raw_string_ostream os(text);
  options.explain = true;
  options.diagnosticStream = &os;
  Compiler compiler(options);
  if (!compiler.loadSource("chain.tess", kChain))
    return "<failed>";
  CallArguments args;
  args.tensors.emplace("a", filled({i, j}, 0.5f));
  args.tensors.emplace("b", filled({j, k}, 0.25f));
  args.tensors.emplace("c", filled({k, l}, -1.0f));
  auto results = compiler.run("chain", args);
  if (!results) {
    llvm::consumeError(results.takeError());
    return "<failed>";
  }
  return text;
}

TEST(CompilerTest, TheJITPlansForTheSizesOfTheFirstCall) {
  std::string text = explainFirstRun({}, 2, 30, 3, 20);
  EXPECT_NE(text.find("loops: i = I 2 (hint), l = L 20 (hint), j = J 30 "
                      "(hint), k = K 3 (hint)"),
            std::string::npos)
      << text;
  // Narrow K: (a b) c.
  EXPECT_NE(text.find("1. t1[i,k] = sum over j of a[i,j] * b[j,k]"),
            std::string::npos)
      << text;
  // Narrow J: a (b c).
  text = explainFirstRun({}, 20, 3, 30, 2);
  EXPECT_NE(text.find("1. t1[l,j] = sum over k of b[j,k] * c[k,l]"),
            std::string::npos)
      << text;
}

TEST(CompilerTest, GivenSizeHintsWinOverTheFirstCall) {
  CompilerOptions options;
  EXPECT_EQ(llvm::toString(addSizeHint(options, "J=-2")),
            "size hint 'J=-2' is not NAME=N with N a non-negative integer");
  EXPECT_EQ(llvm::toString(addSizeHint(options, "=3")),
            "size hint '=3' is not NAME=N with N a non-negative integer");
  EXPECT_TRUE(options.sizeHints.empty());
  EXPECT_EQ(llvm::toString(addSizeHint(options, "J=1000")), "");
  EXPECT_EQ(options.sizeHints.at("J"), 1000);
  std::string text = explainFirstRun(options, 2, 30, 3, 20);
  EXPECT_NE(text.find("j = J 1000 (hint)"), std::string::npos) << text;
}

} // namespace
