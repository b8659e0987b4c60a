// Exercises tessera/tessera.hpp, the C++ classes over the C API: an MLP with
// gelu checked against reference loops (float32 within 1e-4 relative), errors
// as tessera::Error with their status and diagnostics.

#include <tessera/tessera.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <vector>

static int failures = 0;

static void report(const char *name, bool ok) {
  std::cout << name << (ok ? ": OK" : ": FAILED") << "\n";
  failures += !ok;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    std::cerr << "usage: capi_test_cpp FILE.tess\n";
    return 2;
  }
  tessera::Context context;
  tessera::Module module = tessera::Module::load(context, argv[1]);
  tessera::Function mlp = module.function("mlp");
  std::cout << mlp.signature() << "\n";

  // x: [B, I], w1: [H, I], b1: [H], w2: [O, H], b2: [O].
  const int64_t B = 5, I = 7, H = 6, O = 3;
  std::vector<float> x(B * I), w1(H * I), b1(H), w2(O * H), b2(O), y(B * O);
  // Values in [-1, 1) from a fixed sequence.
  uint32_t seed = 12345;
  for (std::vector<float> *v : {&x, &w1, &b1, &w2, &b2})
    for (float &e : *v) {
      seed = seed * 1103515245u + 12345u;
      e = float((seed >> 8) % 2000) / 1000.0f - 1.0f;
    }
  std::vector<tessera::View> args = {
      tessera::View(x.data(), {B, I}), tessera::View(w1.data(), {H, I}),
      tessera::View(b1.data(), {H}), tessera::View(w2.data(), {O, H}),
      tessera::View(b2.data(), {O})};
  auto shapes = mlp.resultShapes(args);
  report("result shapes",
         shapes.size() == 1 && shapes[0] == std::vector<int64_t>{B, O});
  mlp(args, {tessera::View(y.data(), {B, O})});
  bool ok = true;
  for (int64_t b = 0; b != B; ++b)
    for (int64_t o = 0; o != O; ++o) {
      double want = b2[o];
      for (int64_t h = 0; h != H; ++h) {
        double hidden = b1[h];
        for (int64_t i = 0; i != I; ++i)
          hidden += double(x[b * I + i]) * w1[h * I + i];
        // gelu, exact form (docs/language.md).
        double gelu = 0.5 * hidden * (1 + std::erf(hidden / std::sqrt(2.0)));
        want += gelu * w2[o * H + h];
      }
      ok &= std::fabs(y[b * O + o] - want) <= 1e-4 * (1 + std::fabs(want));
    }
  report("mlp", ok);

  try {
    args[0] = tessera::View(x.data(), {I, B});
    mlp(args, {tessera::View(y.data(), {B, O})});
    report("shape error", false);
  } catch (const tessera::Error &e) {
    std::cout << e.what() << "\n";
    report("shape error", e.status() == TESSERA_SHAPE_ERROR);
  }
  try {
    tessera::Module::compile(context,
                             "fn f(x: f32[N]) -> f32[N] {\n  "
                             "return x + q\n}\n",
                             "bad.tess");
    report("compile error", false);
  } catch (const tessera::Error &e) {
    std::cout << e.what();
    report("compile error",
           e.status() == TESSERA_COMPILE_ERROR && e.diagnostics().size() == 1 &&
               e.diagnostics()[0].line == 2 && e.diagnostics()[0].column == 14);
  }
  try {
    module.function("nope");
    report("not found", false);
  } catch (const tessera::Error &e) {
    report("not found", e.status() == TESSERA_NOT_FOUND);
  }
  report("print", module.print("mlp", TESSERA_PRINT_LLVM).find("define") !=
                      std::string::npos);
  // A module keeps its context alive, even a temporary one.
  tessera::Module scaled = tessera::Module::compile(
      tessera::Context(1),
      "fn twice(x: f64[N]) -> f64[N] {\n  return x + x\n}\n");
  std::vector<double> in = {1, 2, 3}, twice(3);
  scaled.function("twice")({tessera::View(in.data(), {3})},
                           {tessera::View(twice.data(), {3})});
  report("temporary context", twice == std::vector<double>{2, 4, 6});
  std::cout << (failures ? "FAILURES" : "ALL OK") << "\n";
  return failures != 0;
}
