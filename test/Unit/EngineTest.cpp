//===- EngineTest.cpp - Entry signatures, CPU pipeline, codegen and JIT ---===//
//
// Hand-written front-end style modules (func.func on tensors with tess.entry
// and tess.dims) go through buildTesseraCPUPipeline, the LLVM code generator
// and the JIT, and their results are compared with plain C++ loops. The AOT
// path is checked end to end by compiling and running a C program against
// the emitted shared library and header.
//
//===----------------------------------------------------------------------===//

#include "tessera/InitAllDialects.h"
#include "tessera/Pipelines/Pipelines.h"
#include "tessera/Runtime/CHeader.h"
#include "tessera/Runtime/Codegen.h"
#include "tessera/Runtime/Convert.h"
#include "tessera/Runtime/EntryABI.h"
#include "tessera/Runtime/JITSession.h"
#include "tessera/Transforms/EntrySignature.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>
#include <complex>
#include <cstring>

using namespace tessera;

namespace {

#define ASSERT_NO_ERROR(expr)                                                  \
  do {                                                                         \
    if (llvm::Error assertError = (expr))                                      \
      FAIL() << llvm::toString(std::move(assertError));                        \
  } while (false)

#define ASSERT_EXPECTED(var, expr)                                             \
  auto var = (expr);                                                           \
  if (!var)                                                                    \
  FAIL() << llvm::toString(var.takeError())

//===----------------------------------------------------------------------===//
// Modules in the front end's form.
//===----------------------------------------------------------------------===//

const char *kMatmul = R"mlir(
func.func @matmul(%a: tensor<?x?xf32> {tess.dims = ["M", "K"], tess.name = "a"},
                  %b: tensor<?x?xf32> {tess.dims = ["K", "N"], tess.name = "b"})
    -> (tensor<?x?xf32> {tess.dims = ["M", "N"]}) attributes {tess.entry} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %a, %c0 : tensor<?x?xf32>
  %n = tensor.dim %b, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%m, %n) : tensor<?x?xf32>
  %zero = arith.constant 0.0 : f32
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>)
                     outs(%f : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
)mlir";

// Two results: exp(x) and sum(x); the second is a scalar (rank 0).
const char *kStats = R"mlir(
#id = affine_map<(i) -> (i)>
func.func @stats(%x: tensor<?xf32> {tess.dims = ["N"], tess.name = "x"})
    -> (tensor<?xf32> {tess.dims = ["N"]}, tensor<f32> {tess.dims = []})
    attributes {tess.entry} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %ex = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<?xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = math.exp %v : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  %zero = arith.constant 0.0 : f32
  %s0 = tensor.empty() : tensor<f32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<f32>) -> tensor<f32>
  %sum = linalg.reduce ins(%x : tensor<?xf32>) outs(%s1 : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %t = arith.addf %in, %acc : f32
      linalg.yield %t : f32
    }
  return %ex, %sum : tensor<?xf32>, tensor<f32>
}
)mlir";

// An index parameter binding L, a literal dimension, a scalar parameter.
const char *kRamp = R"mlir(
func.func @ramp(%s: tensor<f32> {tess.name = "s"}, %L: index {tess.size = "L"})
    -> (tensor<?x3xf32> {tess.dims = ["L", 3]}) attributes {tess.entry} {
  %e = tensor.empty(%L) : tensor<?x3xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> ()>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<f32>) outs(%e : tensor<?x3xf32>) {
  ^bb0(%sv: f32, %o: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %c3 = arith.constant 3 : index
    %k0 = arith.muli %i, %c3 : index
    %k = arith.addi %k0, %j : index
    %ki = arith.index_cast %k : index to i64
    %kf = arith.sitofp %ki : i64 to f32
    %v = arith.mulf %kf, %sv : f32
    linalg.yield %v : f32
  } -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}
)mlir";

// One entry calling another (the front end's func.call between fns).
const char *kCalls = R"mlir(
#id = affine_map<(i) -> (i)>
func.func @scale(%x: tensor<?xf32> {tess.dims = ["N"], tess.name = "x"})
    -> (tensor<?xf32> {tess.dims = ["N"]}) attributes {tess.entry} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<?xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%v: f32, %o: f32):
    %two = arith.constant 2.0 : f32
    %t = arith.mulf %v, %two : f32
    linalg.yield %t : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func @scale_plus_one(%x: tensor<?xf32> {tess.dims = ["N"], tess.name = "x"})
    -> (tensor<?xf32> {tess.dims = ["N"]}) attributes {tess.entry} {
  %s = func.call @scale(%x) : (tensor<?xf32>) -> tensor<?xf32>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%s : tensor<?xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%v: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %t = arith.addf %v, %one : f32
    linalg.yield %t : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}
)mlir";

// Complex multiply plus a bool result (one byte per element).
const char *kComplex = R"mlir(
#id = affine_map<(i) -> (i)>
func.func @cmul(%a: tensor<?xcomplex<f32>> {tess.dims = ["N"], tess.name = "a"},
                %b: tensor<?xcomplex<f32>> {tess.dims = ["N"], tess.name = "b"})
    -> (tensor<?xcomplex<f32>> {tess.dims = ["N"]}, tensor<?xi1> {tess.dims = ["N"]})
    attributes {tess.entry} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?xcomplex<f32>>
  %e = tensor.empty(%n) : tensor<?xcomplex<f32>>
  %eb = tensor.empty(%n) : tensor<?xi1>
  %r:2 = linalg.generic {indexing_maps = [#id, #id, #id, #id],
                         iterator_types = ["parallel"]}
      ins(%a, %b : tensor<?xcomplex<f32>>, tensor<?xcomplex<f32>>)
      outs(%e, %eb : tensor<?xcomplex<f32>>, tensor<?xi1>) {
  ^bb0(%x: complex<f32>, %y: complex<f32>, %o: complex<f32>, %ob: i1):
    %p = complex.mul %x, %y : complex<f32>
    %m = complex.abs %p : complex<f32>
    %one = arith.constant 1.0 : f32
    %big = arith.cmpf ogt, %m, %one : f32
    linalg.yield %p, %big : complex<f32>, i1
  } -> (tensor<?xcomplex<f32>>, tensor<?xi1>)
  return %r#0, %r#1 : tensor<?xcomplex<f32>>, tensor<?xi1>
}
)mlir";

// matmul followed by tanh: the matmul result is a temporary buffer that
// must be allocated and freed inside the entry.
const char *kMatmulTanh = R"mlir(
#id = affine_map<(i, j) -> (i, j)>
func.func @mmtanh(%a: tensor<?x?xf32> {tess.dims = ["M", "K"], tess.name = "a"},
                  %b: tensor<?x?xf32> {tess.dims = ["K", "N"], tess.name = "b"})
    -> (tensor<?x?xf32> {tess.dims = ["M", "N"]}) attributes {tess.entry} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %a, %c0 : tensor<?x?xf32>
  %n = tensor.dim %b, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%m, %n) : tensor<?x?xf32>
  %zero = arith.constant 0.0 : f32
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>)
                     outs(%f : tensor<?x?xf32>) -> tensor<?x?xf32>
  %t = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%r : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = math.tanh %x : f32
    linalg.yield %y : f32
  } -> tensor<?x?xf32>
  return %t : tensor<?x?xf32>
}
)mlir";

// The tess dialect, as MLIRGen emits it: a contraction, softmax, a
// reduction, and entries calling each other with tess.call.
const char *kTess = R"mlir(
func.func @mm_softmax(%a: tensor<?x?xf32> {tess.dims = ["M", "K"], tess.name = "a"},
                      %b: tensor<?x?xf32> {tess.dims = ["K", "N"], tess.name = "b"})
    -> (tensor<?x?xf32> {tess.dims = ["M", "N"]}) attributes {tess.entry} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %M = tensor.dim %a, %c0 : tensor<?x?xf32>
  %K = tensor.dim %a, %c1 : tensor<?x?xf32>
  %N = tensor.dim %b, %c1 : tensor<?x?xf32>
  %c = tess.contract sum ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) bounds(%M, %N, %K)
         maps [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>,
               affine_map<(m, n, k) -> (m, n)>] -> tensor<?x?xf32> {
  ^bb0(%x: f32, %y: f32):
    %p = arith.mulf %x, %y : f32
    tess.yield %p : f32
  }
  %s = tess.softmax %c axis 1 : tensor<?x?xf32>
  return %s : tensor<?x?xf32>
}
func.func @rowmax(%x: tensor<?x?xf32> {tess.dims = ["R", "C"], tess.name = "x"})
    -> (tensor<?xf32> {tess.dims = ["R"]}) attributes {tess.entry} {
  %m = tess.reduce max %x dims [1] : tensor<?x?xf32> -> tensor<?xf32>
  return %m : tensor<?xf32>
}
func.func @both(%a: tensor<?x?xf32> {tess.dims = ["M", "K"], tess.name = "a"},
                %b: tensor<?x?xf32> {tess.dims = ["K", "N"], tess.name = "b"})
    -> (tensor<?x?xf32> {tess.dims = ["M", "N"]}, tensor<?xf32> {tess.dims = ["M"]})
    attributes {tess.entry} {
  %s = tess.call @mm_softmax(%a, %b) : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %m = tess.call @rowmax(%s) : (tensor<?x?xf32>) -> tensor<?xf32>
  return %s, %m : tensor<?x?xf32>, tensor<?xf32>
}
)mlir";

// Every element type crossing the boundary: bf16/f16 in and out, i32, i64,
// f64.
const char *kDTypes = R"mlir(
#id = affine_map<(i) -> (i)>
func.func @mix(%x: tensor<?xbf16> {tess.dims = ["N"], tess.name = "x"},
               %y: tensor<?xf16> {tess.dims = ["N"], tess.name = "y"},
               %z: tensor<?xi32> {tess.dims = ["N"], tess.name = "z"},
               %w: tensor<?xf64> {tess.dims = ["N"], tess.name = "w"},
               %v: tensor<?xi64> {tess.dims = ["N"], tess.name = "v"})
    -> (tensor<?xf64> {tess.dims = ["N"]}, tensor<?xbf16> {tess.dims = ["N"]},
        tensor<?xf16> {tess.dims = ["N"]}, tensor<?xi64> {tess.dims = ["N"]}) attributes {tess.entry} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xbf16>
  %e0 = tensor.empty(%n) : tensor<?xf64>
  %e1 = tensor.empty(%n) : tensor<?xbf16>
  %e2 = tensor.empty(%n) : tensor<?xf16>
  %e3 = tensor.empty(%n) : tensor<?xi64>
  %r:4 = linalg.generic {indexing_maps = [#id, #id, #id, #id, #id, #id, #id, #id, #id],
                         iterator_types = ["parallel"]}
      ins(%x, %y, %z, %w, %v : tensor<?xbf16>, tensor<?xf16>, tensor<?xi32>, tensor<?xf64>, tensor<?xi64>)
      outs(%e0, %e1, %e2, %e3 : tensor<?xf64>, tensor<?xbf16>, tensor<?xf16>, tensor<?xi64>) {
  ^bb0(%xb: bf16, %yh: f16, %zi: i32, %wd: f64, %vi: i64, %o0: f64, %o1: bf16, %o2: f16, %o3: i64):
    %xf = arith.extf %xb : bf16 to f64
    %yf = arith.extf %yh : f16 to f64
    %zf = arith.sitofp %zi : i32 to f64
    %s0 = arith.addf %xf, %yf : f64
    %s1 = arith.addf %s0, %zf : f64
    %s = arith.addf %s1, %wd : f64
    %s32 = arith.truncf %s : f64 to f32
    %sb = arith.truncf %s32 : f32 to bf16
    %sh = arith.truncf %s32 : f32 to f16
    %ze = arith.extsi %zi : i32 to i64
    %two = arith.constant 2 : i64
    %v2 = arith.muli %vi, %two : i64
    %vz = arith.addi %v2, %ze : i64
    linalg.yield %s, %sb, %sh, %vz : f64, bf16, f16, i64
  } -> (tensor<?xf64>, tensor<?xbf16>, tensor<?xf16>, tensor<?xi64>)
  return %r#0, %r#1, %r#2, %r#3 : tensor<?xf64>, tensor<?xbf16>, tensor<?xf16>, tensor<?xi64>
}
)mlir";

//===----------------------------------------------------------------------===//
// Helpers.
//===----------------------------------------------------------------------===//

/// Parses `source`, runs the CPU pipeline and translates to optimized LLVM
/// IR; `signatures` receives the entry signatures read before lowering.
llvm::Expected<std::unique_ptr<llvm::Module>>
compileToLLVM(mlir::MLIRContext &context, llvm::StringRef source,
              unsigned optLevel, llvm::LLVMContext &llvmContext,
              llvm::TargetMachine &targetMachine,
              std::vector<EntrySignature> &signatures) {
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diag) {
    llvm::raw_string_ostream os(diagnostics);
    os << diag.getLocation() << ": " << diag << "\n";
    return mlir::success();
  });
  auto fail = [&](llvm::StringRef what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   what + ":\n" + diagnostics);
  };
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  if (!module)
    return fail("parse failed");
  auto sigs = collectEntrySignatures(*module);
  if (mlir::failed(sigs))
    return fail("bad signature");
  signatures = std::move(*sigs);

  mlir::PassManager pm(&context);
  PipelineOptions options;
  options.optLevel = optLevel;
  buildTesseraCPUPipeline(pm, options);
  if (mlir::failed(pm.run(*module)))
    return fail("pipeline failed");
  auto llvmModule = translateToLLVMIR(*module, llvmContext, targetMachine);
  if (!llvmModule)
    return llvmModule.takeError();
  if (llvm::Error error =
          optimizeLLVMModule(**llvmModule, targetMachine, optLevel))
    return std::move(error);
  return llvmModule;
}

class EngineTest : public ::testing::Test {
protected:
  EngineTest() {
    mlir::DialectRegistry registry;
    registerAllDialects(registry);
    context = std::make_unique<mlir::MLIRContext>(registry);
  }

  /// Compiles `source` at `optLevel` into the session (created on first
  /// use); returns the entry signatures by name.
  llvm::Expected<std::map<std::string, EntrySignature>>
  load(llvm::StringRef source, unsigned optLevel = 2,
       JITModuleHandle *handle = nullptr) {
    if (!session) {
      auto created = JITSession::create(optLevel);
      if (!created)
        return created.takeError();
      session = std::move(*created);
    }
    auto machine = createHostTargetMachine(optLevel);
    if (!machine)
      return machine.takeError();
    auto llvmContext = std::make_unique<llvm::LLVMContext>();
    std::vector<EntrySignature> sigs;
    auto module = compileToLLVM(*context, source, optLevel, *llvmContext,
                                **machine, sigs);
    if (!module)
      return module.takeError();
    auto added = session->addModule(std::move(*module), std::move(llvmContext));
    if (!added)
      return added.takeError();
    if (handle)
      *handle = *added;
    std::map<std::string, EntrySignature> byName;
    for (EntrySignature &sig : sigs)
      byName[sig.name] = std::move(sig);
    return byName;
  }

  std::unique_ptr<mlir::MLIRContext> context;
  std::unique_ptr<JITSession> session;
};

HostTensor makeTensor(DType dtype, std::vector<int64_t> shape) {
  return HostTensor(dtype, std::move(shape));
}

/// Fills a float tensor with small distinct values.
void fillPattern(HostTensor &t, float scale) {
  float *data = t.dataAs<float>();
  for (int64_t i = 0, e = t.getNumElements(); i != e; ++i)
    data[i] = scale * static_cast<float>((i * 7) % 11 - 5);
}

//===----------------------------------------------------------------------===//
// Signatures read from func ops.
//===----------------------------------------------------------------------===//

TEST_F(EngineTest, SignatureFromFunc) {
  auto module = mlir::parseSourceString<mlir::ModuleOp>(kRamp, context.get());
  ASSERT_TRUE(module);
  auto sigs = collectEntrySignatures(*module);
  ASSERT_TRUE(mlir::succeeded(sigs));
  ASSERT_EQ(sigs->size(), 1u);
  const EntrySignature &sig = (*sigs)[0];
  EXPECT_EQ(sig.name, "ramp");
  ASSERT_EQ(sig.params.size(), 2u);
  EXPECT_EQ(sig.params[0].name, "s");
  EXPECT_TRUE(sig.params[0].dims.empty());
  EXPECT_EQ(sig.params[1].kind, ValueSpec::Kind::Index);
  EXPECT_EQ(sig.params[1].name, "L");
  ASSERT_EQ(sig.results.size(), 1u);
  EXPECT_EQ(sig.results[0].name, "result0");
  ASSERT_EQ(sig.results[0].dims.size(), 2u);
  EXPECT_TRUE(sig.results[0].dims[0].isSymbol);
  EXPECT_EQ(sig.results[0].dims[0].symbol, "L");
  EXPECT_FALSE(sig.results[0].dims[1].isSymbol);
  EXPECT_EQ(sig.results[0].dims[1].extent, 3);

  auto complexModule =
      mlir::parseSourceString<mlir::ModuleOp>(kComplex, context.get());
  auto complexSigs = collectEntrySignatures(*complexModule);
  ASSERT_TRUE(mlir::succeeded(complexSigs));
  EXPECT_EQ((*complexSigs)[0].params[0].dtype, DType::C64);
  EXPECT_EQ((*complexSigs)[0].results[1].dtype, DType::Bool);
}

TEST_F(EngineTest, SignatureErrors) {
  const char *missingDims = R"mlir(
func.func @f(%x: tensor<?xf32>) -> (tensor<?xf32> {tess.dims = ["N"]})
    attributes {tess.entry} {
  return %x : tensor<?xf32>
})mlir";
  const char *unboundResult = R"mlir(
func.func @g(%x: tensor<?xf32> {tess.dims = ["N"]})
    -> (tensor<?xf32> {tess.dims = ["P"]}) attributes {tess.entry} {
  return %x : tensor<?xf32>
})mlir";
  const char *wrongLiteral = R"mlir(
func.func @h(%x: tensor<4xf32> {tess.dims = [5]}) -> (tensor<4xf32>)
    attributes {tess.entry} {
  return %x : tensor<4xf32>
})mlir";
  std::vector<std::pair<const char *, const char *>> cases = {
      {missingDims, "parameter 'arg0' of 'f' dim 0 is dynamic but has no "
                    "'tess.dims' entry naming its size"},
      {unboundResult, "result 0 of 'g' has size symbol P, which no parameter "
                      "binds"},
      {wrongLiteral, "parameter 'arg0' of 'h' dim 0 is declared 5 but the "
                     "type has 4"},
  };
  for (auto [source, expected] : cases) {
    std::string messages;
    mlir::ScopedDiagnosticHandler handler(context.get(),
                                          [&](mlir::Diagnostic &diag) {
                                            messages += diag.str();
                                            return mlir::success();
                                          });
    auto module =
        mlir::parseSourceString<mlir::ModuleOp>(source, context.get());
    ASSERT_TRUE(module);
    EXPECT_TRUE(mlir::failed(collectEntrySignatures(*module)));
    EXPECT_EQ(messages, expected);
  }
}

//===----------------------------------------------------------------------===//
// JIT.
//===----------------------------------------------------------------------===//

void referenceMatmul(const HostTensor &a, const HostTensor &b,
                     std::vector<float> &c) {
  int64_t m = a.getShape()[0], k = a.getShape()[1], n = b.getShape()[1];
  c.assign(m * n, 0.0f);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float sum = 0.0f;
      for (int64_t p = 0; p < k; ++p)
        sum += a.dataAs<float>()[i * k + p] * b.dataAs<float>()[p * n + j];
      c[i * n + j] = sum;
    }
}

class EngineOptTest : public EngineTest,
                      public ::testing::WithParamInterface<unsigned> {};

TEST_P(EngineOptTest, MatmulDynamicSizes) {
  ASSERT_EXPECTED(sigs, load(kMatmul, GetParam()));
  const EntrySignature &sig = sigs->at("matmul");
  // Several shapes through the same code, including empty and odd sizes.
  for (auto [m, k, n] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
           {2, 3, 4}, {17, 5, 33}, {1, 1, 1}, {0, 3, 2}, {64, 64, 64}}) {
    HostTensor a = makeTensor(DType::F32, {m, k});
    HostTensor b = makeTensor(DType::F32, {k, n});
    fillPattern(a, 0.5f);
    fillPattern(b, 0.25f);
    std::vector<HostTensor> results(1);
    ASSERT_NO_ERROR(invokeEntry(*session, sig, {&a, &b}, {}, results));
    ASSERT_EQ(results[0].getShape(), llvm::ArrayRef<int64_t>({m, n}));
    std::vector<float> expected;
    referenceMatmul(a, b, expected);
    const float *got = results[0].dataAs<float>();
    for (int64_t i = 0; i < m * n; ++i)
      ASSERT_FLOAT_EQ(got[i], expected[i]) << "element " << i;
  }
}

TEST_P(EngineOptTest, TwoResults) {
  ASSERT_EXPECTED(sigs, load(kStats, GetParam()));
  HostTensor x = makeTensor(DType::F32, {10});
  fillPattern(x, 0.3f);
  std::vector<HostTensor> results(2);
  ASSERT_NO_ERROR(invokeEntry(*session, sigs->at("stats"), {&x}, {}, results));
  ASSERT_EQ(results[0].getShape(), llvm::ArrayRef<int64_t>({10}));
  ASSERT_EQ(results[1].getRank(), 0);
  float sum = 0.0f;
  for (int64_t i = 0; i < 10; ++i) {
    EXPECT_NEAR(results[0].dataAs<float>()[i], std::exp(x.dataAs<float>()[i]),
                1e-5f);
    sum += x.dataAs<float>()[i];
  }
  EXPECT_FLOAT_EQ(results[1].dataAs<float>()[0], sum);
}

TEST_P(EngineOptTest, TemporaryBuffers) {
  ASSERT_EXPECTED(sigs, load(kMatmulTanh, GetParam()));
  HostTensor a = makeTensor(DType::F32, {7, 9});
  HostTensor b = makeTensor(DType::F32, {9, 6});
  fillPattern(a, 0.1f);
  fillPattern(b, 0.2f);
  std::vector<HostTensor> results(1);
  ASSERT_NO_ERROR(
      invokeEntry(*session, sigs->at("mmtanh"), {&a, &b}, {}, results));
  std::vector<float> expected;
  referenceMatmul(a, b, expected);
  for (size_t i = 0; i < expected.size(); ++i)
    ASSERT_NEAR(results[0].dataAs<float>()[i], std::tanh(expected[i]), 1e-6f);
}

TEST_P(EngineOptTest, TessDialect) {
  ASSERT_EXPECTED(sigs, load(kTess, GetParam()));
  int64_t m = 5, k = 7, n = 4;
  HostTensor a = makeTensor(DType::F32, {m, k});
  HostTensor b = makeTensor(DType::F32, {k, n});
  fillPattern(a, 0.1f);
  fillPattern(b, 0.3f);
  std::vector<float> c;
  referenceMatmul(a, b, c);
  std::vector<float> softmax(m * n), rowMax(m);
  for (int64_t i = 0; i < m; ++i) {
    float mx = -INFINITY, sum = 0.0f;
    for (int64_t j = 0; j < n; ++j)
      mx = std::max(mx, c[i * n + j]);
    for (int64_t j = 0; j < n; ++j)
      sum += std::exp(c[i * n + j] - mx);
    rowMax[i] = -INFINITY;
    for (int64_t j = 0; j < n; ++j) {
      softmax[i * n + j] = std::exp(c[i * n + j] - mx) / sum;
      rowMax[i] = std::max(rowMax[i], softmax[i * n + j]);
    }
  }
  std::vector<HostTensor> results(2);
  ASSERT_NO_ERROR(
      invokeEntry(*session, sigs->at("both"), {&a, &b}, {}, results));
  ASSERT_EQ(results[1].getShape(), llvm::ArrayRef<int64_t>({m}));
  for (int64_t i = 0; i < m * n; ++i)
    EXPECT_NEAR(results[0].dataAs<float>()[i], softmax[i], 1e-6f);
  for (int64_t i = 0; i < m; ++i)
    EXPECT_NEAR(results[1].dataAs<float>()[i], rowMax[i], 1e-6f);

  // The callees stay callable entries of their own.
  std::vector<HostTensor> one(1);
  ASSERT_NO_ERROR(invokeEntry(*session, sigs->at("rowmax"), {&a}, {}, one));
  for (int64_t i = 0; i < m; ++i) {
    float mx = -INFINITY;
    for (int64_t j = 0; j < k; ++j)
      mx = std::max(mx, a.dataAs<float>()[i * k + j]);
    EXPECT_EQ(one[0].dataAs<float>()[i], mx);
  }
}

TEST_P(EngineOptTest, ElementTypes) {
  ASSERT_EXPECTED(sigs, load(kDTypes, GetParam()));
  const int64_t n = 6;
  HostTensor x = makeTensor(DType::BF16, {n}), y = makeTensor(DType::F16, {n}),
             z = makeTensor(DType::I32, {n}), w = makeTensor(DType::F64, {n}),
             v = makeTensor(DType::I64, {n});
  for (int64_t i = 0; i < n; ++i) {
    x.dataAs<uint16_t>()[i] = roundToBF16(0.5 * i);
    y.dataAs<uint16_t>()[i] = roundToF16(-0.25 * i);
    z.dataAs<int32_t>()[i] = static_cast<int32_t>(3 - i);
    w.dataAs<double>()[i] = 1.0 / 8.0;
    v.dataAs<int64_t>()[i] = (int64_t(1) << 40) + i;
  }
  std::vector<HostTensor> results(4);
  ASSERT_NO_ERROR(invokeEntry(*session, sigs->at("mix"), {&x, &y, &z, &w, &v},
                              {}, results));
  for (int64_t i = 0; i < n; ++i) {
    double expected = 0.5 * i - 0.25 * i + (3 - i) + 0.125;
    EXPECT_EQ(results[0].dataAs<double>()[i], expected) << i;
    EXPECT_EQ(bf16ToDouble(results[1].dataAs<uint16_t>()[i]), expected) << i;
    EXPECT_EQ(f16ToDouble(results[2].dataAs<uint16_t>()[i]), expected) << i;
    EXPECT_EQ(results[3].dataAs<int64_t>()[i],
              2 * ((int64_t(1) << 40) + i) + (3 - i))
        << i;
  }
}

INSTANTIATE_TEST_SUITE_P(OptLevels, EngineOptTest,
                         ::testing::Values(0u, 1u, 2u, 3u));

TEST_F(EngineTest, IndexParameterAndLiteralDim) {
  ASSERT_EXPECTED(sigs, load(kRamp));
  const EntrySignature &sig = sigs->at("ramp");
  HostTensor s = makeTensor(DType::F32, {});
  s.dataAs<float>()[0] = 0.5f;
  std::vector<HostTensor> results(1);
  ASSERT_NO_ERROR(invokeEntry(*session, sig, {&s}, {4}, results));
  ASSERT_EQ(results[0].getShape(), llvm::ArrayRef<int64_t>({4, 3}));
  for (int64_t i = 0; i < 12; ++i)
    EXPECT_FLOAT_EQ(results[0].dataAs<float>()[i], 0.5f * i);

  auto negative = invokeEntry(*session, sig, {&s}, {-2}, results);
  EXPECT_EQ(llvm::toString(std::move(negative)),
            "index parameter 'L' must be non-negative but is -2");
}

// invokeEntry allocates each result once, fallibly: a size no machine can
// hold is an error naming the result, not an abort, and the entry never runs.
TEST_F(EngineTest, ResultTooLargeToAllocateIsAnError) {
  ASSERT_EXPECTED(sigs, load(kRamp));
  const EntrySignature &sig = sigs->at("ramp");
  HostTensor s = makeTensor(DType::F32, {});
  // 2^45 x 3 floats: 384 TiB, more than a 47-bit address space.
  std::vector<HostTensor> results(1);
  llvm::Error error =
      invokeEntry(*session, sig, {&s}, {int64_t(1) << 45}, results);
  std::string message = llvm::toString(std::move(error));
  EXPECT_NE(message.find("ramp: result 'result0': cannot allocate"),
            std::string::npos)
      << message;
  EXPECT_FALSE(results[0].hasStorage());

  // A shape whose size overflows is reported the same way.
  error = invokeEntry(*session, sig, {&s}, {int64_t(1) << 62}, results);
  message = llvm::toString(std::move(error));
  EXPECT_NE(message.find("ramp: result 'result0': invalid tensor shape"),
            std::string::npos)
      << message;
}

// translateToLLVMIR adds the packed wrapper of every entry, once; adding
// wrappers again finds nothing to do.
TEST_F(EngineTest, PackedWrappersAreAddedOnce) {
  auto machine = createHostTargetMachine(0);
  ASSERT_TRUE(static_cast<bool>(machine))
      << llvm::toString(machine.takeError());
  llvm::LLVMContext llvmContext;
  std::vector<EntrySignature> sigs;
  auto module =
      compileToLLVM(*context, kMatmul, 0, llvmContext, **machine, sigs);
  ASSERT_TRUE(static_cast<bool>(module)) << llvm::toString(module.takeError());
  llvm::Function *packed = (*module)->getFunction("_tess_packed_matmul");
  ASSERT_NE(packed, nullptr);
  EXPECT_FALSE(packed->isDeclaration());
  EXPECT_TRUE(addPackedEntryWrappers(**module).empty());
  unsigned count = 0;
  for (const llvm::Function &f : **module)
    count += f.getName().starts_with("_tess_packed_");
  EXPECT_EQ(count, 1u);
}

TEST_F(EngineTest, EntriesCallEachOther) {
  ASSERT_EXPECTED(sigs, load(kCalls));
  HostTensor x = makeTensor(DType::F32, {5});
  fillPattern(x, 1.0f);
  std::vector<HostTensor> results(1);
  ASSERT_NO_ERROR(
      invokeEntry(*session, sigs->at("scale_plus_one"), {&x}, {}, results));
  for (int64_t i = 0; i < 5; ++i)
    EXPECT_FLOAT_EQ(results[0].dataAs<float>()[i],
                    2.0f * x.dataAs<float>()[i] + 1.0f);
  ASSERT_NO_ERROR(invokeEntry(*session, sigs->at("scale"), {&x}, {}, results));
  for (int64_t i = 0; i < 5; ++i)
    EXPECT_FLOAT_EQ(results[0].dataAs<float>()[i], 2.0f * x.dataAs<float>()[i]);
}

TEST_F(EngineTest, ComplexAndBool) {
  ASSERT_EXPECTED(sigs, load(kComplex));
  HostTensor a = makeTensor(DType::C64, {3});
  HostTensor b = makeTensor(DType::C64, {3});
  auto *pa = a.dataAs<std::complex<float>>();
  auto *pb = b.dataAs<std::complex<float>>();
  pa[0] = {1, 2};
  pb[0] = {3, -1};
  pa[1] = {0.1f, 0};
  pb[1] = {0.2f, 0.3f};
  pa[2] = {0, 1};
  pb[2] = {0, 1};
  std::vector<HostTensor> results(2);
  ASSERT_NO_ERROR(
      invokeEntry(*session, sigs->at("cmul"), {&a, &b}, {}, results));
  const auto *product = results[0].dataAs<std::complex<float>>();
  const auto *big = results[1].dataAs<uint8_t>();
  for (int i = 0; i < 3; ++i) {
    std::complex<float> expected = pa[i] * pb[i];
    EXPECT_NEAR(product[i].real(), expected.real(), 1e-6f);
    EXPECT_NEAR(product[i].imag(), expected.imag(), 1e-6f);
    EXPECT_EQ(big[i], std::abs(expected) > 1.0f ? 1 : 0) << i;
  }
}

TEST_F(EngineTest, SizeMismatchMessages) {
  ASSERT_EXPECTED(sigs, load(kMatmul));
  const EntrySignature &sig = sigs->at("matmul");
  HostTensor a = makeTensor(DType::F32, {2, 3});
  HostTensor b = makeTensor(DType::F32, {4, 5});
  std::vector<HostTensor> results(1);
  llvm::Error error = invokeEntry(*session, sig, {&a, &b}, {}, results);
  EXPECT_EQ(llvm::toString(std::move(error)),
            "size mismatch for K: a has 3 (dim 1) but b has 4 (dim 0)");

  HostTensor i32 = makeTensor(DType::I32, {3, 5});
  error = invokeEntry(*session, sig, {&a, &i32}, {}, results);
  EXPECT_EQ(llvm::toString(std::move(error)),
            "parameter 'b' of 'matmul' must be f32 but is i32");

  // The compiled checks, called directly: each returns its 1-based number.
  auto packed = session->lookup("_tess_packed_matmul");
  ASSERT_TRUE(static_cast<bool>(packed)) << llvm::toString(packed.takeError());
  auto call = [&](const HostTensor &x, const HostTensor &y,
                  const HostTensor &out) {
    std::vector<int64_t> dx = makeMemRefDescriptor(x),
                         dy = makeMemRefDescriptor(y),
                         dout = makeMemRefDescriptor(out);
    void *px = dx.data(), *py = dy.data(), *pout = dout.data();
    void *record = nullptr; // no error record
    int32_t status = -1;
    void *args[] = {&px, &py, &pout, &record, &status};
    reinterpret_cast<void (*)(void **)>(*packed)(args);
    return status;
  };
  HostTensor good = makeTensor(DType::F32, {3, 5});
  HostTensor out = makeTensor(DType::F32, {2, 5});
  EXPECT_EQ(call(a, good, out), 0);
  EXPECT_EQ(call(a, b, out), 1);
  EXPECT_EQ(describeEntryStatus(sig, 1),
            "size symbol K: parameter 'a' dim 1 does not match parameter 'b' "
            "dim 0");
  HostTensor wrongRows = makeTensor(DType::F32, {3, 5});
  EXPECT_EQ(call(a, good, wrongRows), 2);
  HostTensor wrongCols = makeTensor(DType::F32, {2, 6});
  EXPECT_EQ(call(a, good, wrongCols), 3);
  // A failed check leaves the output untouched.
  fillPattern(wrongCols, 1.0f);
  HostTensor before = makeTensor(DType::F32, {2, 6});
  std::memcpy(before.data(), wrongCols.data(), wrongCols.getNumBytes());
  EXPECT_EQ(call(a, good, wrongCols), 3);
  EXPECT_EQ(std::memcmp(before.data(), wrongCols.data(), before.getNumBytes()),
            0);
}

TEST_F(EngineTest, ReplaceModule) {
  const char *v1 = R"mlir(
func.func @answer(%x: tensor<f32> {tess.name = "x"}) -> (tensor<f32>) attributes {tess.entry} {
  %c = arith.constant dense<1.0> : tensor<f32>
  %r = arith.addf %x, %c : tensor<f32>
  return %r : tensor<f32>
})mlir";
  const char *v2 = R"mlir(
func.func @answer(%x: tensor<f32> {tess.name = "x"}) -> (tensor<f32>) attributes {tess.entry} {
  %c = arith.constant dense<2.0> : tensor<f32>
  %r = arith.mulf %x, %c : tensor<f32>
  return %r : tensor<f32>
})mlir";
  JITModuleHandle first;
  ASSERT_EXPECTED(sigs1, load(v1, 2, &first));
  HostTensor x = makeTensor(DType::F32, {});
  x.dataAs<float>()[0] = 20.0f;
  std::vector<HostTensor> results(1);
  ASSERT_NO_ERROR(
      invokeEntry(*session, sigs1->at("answer"), {&x}, {}, results));
  EXPECT_FLOAT_EQ(results[0].dataAs<float>()[0], 21.0f);

  ASSERT_NO_ERROR(session->removeModule(first));
  EXPECT_FALSE(static_cast<bool>(session->lookup("_tess_packed_answer")));
  ASSERT_EXPECTED(sigs2, load(v2));
  ASSERT_NO_ERROR(
      invokeEntry(*session, sigs2->at("answer"), {&x}, {}, results));
  EXPECT_FLOAT_EQ(results[0].dataAs<float>()[0], 40.0f);
}

TEST_F(EngineTest, PipelineReportsBadEntries) {
  // An entry whose result symbol nothing binds fails in tess-expose-entries
  // with a diagnostic, not a crash.
  const char *bad = R"mlir(
func.func @g(%x: tensor<?xf32> {tess.dims = ["N"]})
    -> (tensor<?xf32> {tess.dims = ["P"]}) attributes {tess.entry} {
  return %x : tensor<?xf32>
})mlir";
  std::string messages;
  mlir::ScopedDiagnosticHandler handler(context.get(),
                                        [&](mlir::Diagnostic &diag) {
                                          messages += diag.str();
                                          return mlir::success();
                                        });
  auto module = mlir::parseSourceString<mlir::ModuleOp>(bad, context.get());
  ASSERT_TRUE(module);
  mlir::PassManager pm(context.get());
  buildTesseraCPUPipeline(pm, PipelineOptions());
  EXPECT_TRUE(mlir::failed(pm.run(*module)));
  EXPECT_NE(messages.find("which no parameter binds"), std::string::npos)
      << messages;
}

//===----------------------------------------------------------------------===//
// AOT: object, shared library, header, and a C program using them.
//===----------------------------------------------------------------------===//

const char *kCProgram = R"c(
#include "engine_test.h"
#include <stdio.h>
#include <string.h>

int main(void) {
  enum { M = 3, K = 4, N = 5 };
  float a[M * K], b[K * N], c[M * N];
  for (int i = 0; i < M * K; ++i) a[i] = (float)(i % 7) - 2.0f;
  for (int i = 0; i < K * N; ++i) b[i] = (float)(i % 5) * 0.5f;
  memset(c, 0, sizeof(c));
  int32_t status = tessera_matmul(M, K, N, a, b, c);
  if (status != 0) {
    printf("unexpected status %d: %s\n", status, tessera_matmul_strerror(status));
    return 1;
  }
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      float s = 0.0f;
      for (int k = 0; k < K; ++k) s += a[i * K + k] * b[k * N + j];
      if (s != c[i * N + j]) {
        printf("mismatch at %d %d: %f vs %f\n", i, j, c[i * N + j], s);
        return 1;
      }
    }
  /* Descriptors by hand: b claims 3 rows but K is 4. */
  tessera_memref2 da = {a, a, 0, {M, K}, {K, 1}};
  tessera_memref2 db = {b, b, 0, {3, N}, {N, 1}};
  tessera_memref2 dc = {c, c, 0, {M, N}, {N, 1}};
  status = _mlir_ciface_matmul(&da, &db, &dc);
  printf("status %d: %s\n", status, tessera_matmul_strerror(status));

  float s = 2.0f, ramp[4 * 3];
  status = tessera_ramp(4, &s, ramp);
  printf("ramp %d %g %g\n", status, ramp[1], ramp[11]);
  printf("negative: %s\n", tessera_ramp_strerror(tessera_ramp(-1, &s, ramp)));
  return 0;
}
)c";

TEST(EngineAOTTest, SharedLibraryAndHeaderFromC) {
  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  auto machine = createHostTargetMachine(2);
  ASSERT_TRUE(static_cast<bool>(machine))
      << llvm::toString(machine.takeError());
  llvm::LLVMContext llvmContext;
  std::vector<EntrySignature> sigs;
  std::string source = std::string(kMatmul) + kRamp;
  auto module = compileToLLVM(context, source, 2, llvmContext, **machine, sigs);
  ASSERT_TRUE(static_cast<bool>(module)) << llvm::toString(module.takeError());

  // Only the C interfaces and the packed wrapper are exported.
  for (const llvm::Function &f : **module)
    if (!f.isDeclaration() && !f.hasLocalLinkage())
      EXPECT_TRUE(f.getName().starts_with("_mlir_ciface_") ||
                  f.getName().starts_with("_tess_errinfo_") ||
                  f.getName().starts_with("_tess_packed_"))
          << f.getName().str();

  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("tessera-aot", dir));
  auto path = [&](llvm::StringRef name) {
    llvm::SmallString<128> p(dir);
    llvm::sys::path::append(p, name);
    return std::string(p);
  };
  std::string object = path("engine_test.o"),
              library = path("libengine_test.so");
  std::string assembly = path("engine_test.s");
  ASSERT_NO_ERROR(writeMachineCodeFile(**module, **machine,
                                       MachineCodeKind::Object, object));
  ASSERT_NO_ERROR(writeMachineCodeFile(**module, **machine,
                                       MachineCodeKind::Assembly, assembly));
  auto asmText = llvm::MemoryBuffer::getFile(assembly);
  ASSERT_TRUE(static_cast<bool>(asmText));
  EXPECT_NE((*asmText)->getBuffer().find("_mlir_ciface_matmul"),
            llvm::StringRef::npos);
  EXPECT_NE(printLLVMIR(**module).find("define void @_tess_packed_matmul(ptr"),
            std::string::npos);
  ASSERT_NO_ERROR(linkSharedLibrary(object, library));

  std::string header = generateCHeader(sigs, "engine_test");
  // Sizes first, in the order they appear in the parameters.
  EXPECT_NE(header.find("static inline int32_t tessera_matmul(int64_t M, "
                        "int64_t K, int64_t N, const float *a, const float *b, "
                        "float *result0)"),
            std::string::npos)
      << header;
  EXPECT_NE(header.find("static inline int32_t tessera_ramp(int64_t L, "
                        "const float *s, float *result0)"),
            std::string::npos)
      << header;
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path("engine_test.h"), ec);
    ASSERT_FALSE(ec);
    os << header;
    llvm::raw_fd_ostream c(path("main.c"), ec);
    ASSERT_FALSE(ec);
    c << kCProgram;
  }

  auto cc = llvm::sys::findProgramByName("cc");
  ASSERT_TRUE(static_cast<bool>(cc)) << "no C compiler 'cc' on PATH";
  std::string program = path("main"), mainSource = path("main.c");
  std::string rpath = "-Wl,-rpath," + std::string(dir);
  std::string includeDir = "-I" + std::string(dir);
  std::string libDir = "-L" + std::string(dir);
  std::string log = path("log.txt");
  std::optional<llvm::StringRef> redirects[] = {
      std::nullopt, llvm::StringRef(log), llvm::StringRef(log)};
  auto readLog = [&] {
    auto buffer = llvm::MemoryBuffer::getFile(log);
    return buffer ? (*buffer)->getBuffer().str() : std::string();
  };
  llvm::SmallVector<llvm::StringRef> compile = {*cc,
                                                "-std=c99",
                                                "-Wall",
                                                "-Wextra",
                                                "-Wcast-qual",
                                                "-Werror",
                                                "-pedantic",
                                                "-o",
                                                program,
                                                mainSource,
                                                includeDir,
                                                libDir,
                                                "-lengine_test",
                                                rpath,
                                                "-lm"};
  ASSERT_EQ(llvm::sys::ExecuteAndWait(*cc, compile, std::nullopt, redirects), 0)
      << readLog();
  // The header (and the program) are valid C++ as well.
  if (auto cxx = llvm::sys::findProgramByName("c++")) {
    llvm::SmallVector<llvm::StringRef> check = {
        *cxx, "-std=c++17", "-Wall",    "-Werror", "-fsyntax-only",
        "-x", "c++",        includeDir, mainSource};
    EXPECT_EQ(llvm::sys::ExecuteAndWait(*cxx, check, std::nullopt, redirects),
              0)
        << readLog();
  }
  ASSERT_EQ(
      llvm::sys::ExecuteAndWait(program, {program}, std::nullopt, redirects), 0)
      << readLog();
  EXPECT_EQ(readLog(),
            "status 1: size symbol K: parameter 'a' dim 1 does not match "
            "parameter 'b' dim 0\n"
            "ramp 0 2 22\n"
            "negative: index parameter 'L' must be non-negative\n");
  llvm::sys::fs::remove_directories(dir);
}

} // namespace
