//===- Builtins.cpp - The table of built-in functions ---------------------===//

#include "tessera/Frontend/Builtins.h"

#include "llvm/ADT/STLExtras.h"

using namespace tessera;

namespace {

using K = BuiltinKind;
using U = UnaryFn;

/// Unary math functions first, in UnaryFn order (getUnaryFnName relies on
/// it), then the rest.
const Builtin kBuiltins[] = {
    {"neg", K::Planned, 1, U::Neg},
    {"exp", K::UnaryMath, 1, U::Exp},
    {"log", K::UnaryMath, 1, U::Log},
    {"sqrt", K::UnaryMath, 1, U::Sqrt},
    {"rsqrt", K::UnaryMath, 1, U::Rsqrt},
    {"sin", K::UnaryMath, 1, U::Sin},
    {"cos", K::UnaryMath, 1, U::Cos},
    {"tanh", K::UnaryMath, 1, U::Tanh},
    {"sigmoid", K::UnaryMath, 1, U::Sigmoid},
    {"softplus", K::UnaryMath, 1, U::Softplus},
    {"silu", K::UnaryMath, 1, U::Silu},
    {"gelu", K::UnaryMath, 1, U::Gelu},
    {"relu", K::UnaryMath, 1, U::Relu},
    {"abs", K::UnaryMath, 1, U::Abs},
    {"re", K::UnaryMath, 1, U::Re},
    {"im", K::UnaryMath, 1, U::Im},
    {"conj", K::UnaryMath, 1, U::Conj},
    {"sum", K::Reducer, 1, U::Neg},
    {"mean", K::Reducer, 1, U::Neg},
    {"prod", K::Reducer, 1, U::Neg},
    {"max", K::MinMax, 2, U::Neg},
    {"min", K::MinMax, 2, U::Neg},
    {"where", K::Select, 3, U::Neg},
    {"complex", K::MakeComplex, 2, U::Neg},
    {"softmax", K::Softmax, 2, U::Neg},
    {"zeros", K::Splat, 1, U::Neg},
    {"ones", K::Splat, 1, U::Neg},
    {"einsum", K::Einsum, -1, U::Neg},
    // The language design's later built-ins.
    {"reshape", K::Planned, 2, U::Neg},
    {"concat", K::Planned, 2, U::Neg},
    {"causal_conv", K::AxisTransform, 3, U::Neg},
    // The state-space building blocks.
    {"discretize_zoh", K::StateSpace, 3, U::Neg},
    {"discretize_bilinear", K::StateSpace, 3, U::Neg},
    {"hippo_legs", K::StateSpace, -1, U::Neg},
    {"hippo_legt", K::StateSpace, -1, U::Neg},
    {"hippo_fourier", K::StateSpace, -1, U::Neg},
    {"selective_scan", K::StateSpace, -1, U::Neg},
    {"fft", K::AxisTransform, 2, U::Neg},
    {"ifft", K::AxisTransform, 2, U::Neg},
    {"rfft", K::AxisTransform, 2, U::Neg},
    {"irfft", K::AxisTransform, -1, U::Neg},
    {"fwht", K::AxisTransform, 2, U::Neg},
    {"bitreverse", K::AxisTransform, 2, U::Neg},
    {"permute", K::AxisTransform, 3, U::Neg},
    {"butterfly", K::AxisTransform, 3, U::Neg},
    {"fft_twiddles", K::AxisTransform, -1, U::Neg},
    {"blockdiag", K::AxisTransform, 3, U::Neg},
    {"monarch", K::AxisTransform, 4, U::Neg},
};

} // namespace

llvm::ArrayRef<Builtin> tessera::getBuiltins() {
  // "neg" is not callable by name: it only names UnaryFn::Neg.
  return llvm::ArrayRef(kBuiltins).drop_front();
}

const Builtin *tessera::lookupBuiltin(llvm::StringRef name) {
  for (const Builtin &b : getBuiltins())
    if (b.name == name)
      return &b;
  return nullptr;
}

bool tessera::isReducerName(llvm::StringRef name) {
  const Builtin *b = lookupBuiltin(name);
  return b && (b->kind == K::Reducer || b->kind == K::MinMax);
}

bool tessera::isTensorBuiltin(llvm::StringRef name) {
  const Builtin *b = lookupBuiltin(name);
  return b && (b->kind == K::Softmax || b->kind == K::AxisTransform ||
               b->kind == K::Splat || b->kind == K::Einsum ||
               b->kind == K::StateSpace);
}

llvm::StringRef tessera::getUnaryFnName(UnaryFn fn) {
  return kBuiltins[static_cast<unsigned>(fn)].name;
}

std::optional<std::string>
tessera::suggestName(llvm::StringRef name, llvm::ArrayRef<std::string> extra) {
  // A third of the name may differ: "sigmod" -> "sigmoid", "expp" -> "exp".
  // Names of one or two letters are too short to guess from.
  if (name.size() < 3)
    return std::nullopt;
  unsigned limit = name.size() / 3;
  std::optional<std::string> best;
  unsigned bestDistance = limit + 1;
  auto consider = [&](llvm::StringRef candidate) {
    if (candidate == name)
      return;
    unsigned d = name.edit_distance(candidate, /*AllowReplacements=*/true,
                                    /*MaxEditDistance=*/limit);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate.str();
    }
  };
  for (const Builtin &b : getBuiltins())
    consider(b.name);
  for (const std::string &s : extra)
    consider(s);
  return best;
}
