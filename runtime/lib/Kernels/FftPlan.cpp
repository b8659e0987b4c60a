//===- FftPlan.cpp - FFT plans, their cache and row dispatch --------------===//
//
// A plan holds the factorization and every table of one transform length,
// direction and ISA, computed once (twiddles in long double) and kept for
// the life of the process in a lock-free list: a thread that does not find
// its plan builds one and pushes it with a compare-and-swap; when another
// thread pushed the same plan first, it frees its own and uses that one.
//
//===----------------------------------------------------------------------===//

#include "FftKernel.h"

#include "tessera/Runtime/UnitRoots.h"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace tessera::kernels {
namespace {

/// The radices of a smooth n, first stage first: 8s, a 4 or a 2 for the
/// rest of the power of two (4 x 4 rather than 8 x 2) and odd primes.
int factor(int64_t n, int32_t *radix) {
  int count = 0, twos = 0;
  while (n % 2 == 0) {
    n /= 2;
    ++twos;
  }
  int eights = twos / 3, rest = twos % 3;
  if (rest == 1 && eights > 0) {
    --eights;
    radix[count++] = 4;
    radix[count++] = 4;
    rest = 0;
  }
  for (int i = 0; i < eights; ++i)
    radix[count++] = 8;
  if (rest)
    radix[count++] = rest == 2 ? 4 : 2;
  for (int64_t p : kFftRadixPrimes)
    for (; p > 2 && n % p == 0; n /= p)
      radix[count++] = int32_t(p);
  // Ascending: the last stage multiplies by no twiddles, so the largest
  // radix there saves the most.
  for (int i = 1; i < count; ++i)
    for (int j = i; j > 0 && radix[j - 1] > radix[j]; --j) {
      int32_t t = radix[j];
      radix[j] = radix[j - 1];
      radix[j - 1] = t;
    }
  return count;
}

/// Relative cost per element of a stage of each radix (operations, roughly).
double stageCost(int radix) {
  switch (radix) {
  case 2:
    return 1.0;
  case 4:
    return 1.3;
  case 8:
    return 1.7;
  case 3:
    return 1.7;
  case 5:
    return 2.3;
  case 7:
    return 3.2;
  default:
    return radix * 0.45;
  }
}

/// The estimated cost of column transforms of length n over `cols`.
double columnsCost(int64_t n, int64_t cols, int64_t lanes) {
  int32_t radix[kFftMaxStages];
  int stages = factor(n, radix);
  double perElement = 0.3;
  for (int i = 0; i < stages; ++i)
    perElement += stageCost(radix[i]);
  double vectors = cols >= lanes ? double((cols + lanes - 1) / lanes) : cols;
  return double(n) * perElement * vectors;
}

/// The four-step split n = n1 n2 of least estimated cost, or 0 when none
/// beats transposing rows into columns.
int64_t chooseSplit(int64_t n, int64_t lanes) {
  if (n < 4 * lanes * lanes)
    return 0;
  int64_t best = 0;
  double bestCost = 0;
  for (int64_t d = 2; d * d <= n; ++d) {
    if (n % d)
      continue;
    for (int side = 0; side < 2; ++side) {
      int64_t n1 = side ? n / d : d, n2 = n / n1;
      double cost = columnsCost(n1, n2, lanes) + columnsCost(n2, n1, lanes);
      cost += double(n) * (n1 >= lanes && n2 >= lanes ? 0.6 : 4.0);
      // A slight preference for square splits (smaller panels).
      cost *= 1.0 + 0.01 * std::fabs(std::log2(double(n1) / double(n2)));
      if (!best || cost < bestCost) {
        best = n1;
        bestCost = cost;
      }
    }
  }
  return best;
}

/// The unit roots of one order a plan reads its twiddles from: a view of a
/// given table whose order is a multiple (the compiler's, or the one the
/// plan of a multiple of the length built), or a table built here.
template <typename T> class RootSource {
public:
  RootSource(int64_t order, const FftRoots<T> *given) : order(order) {
    if (given && given->table && given->order > 0 &&
        given->order % order == 0) {
      table = given->table;
      tableOrder = given->order;
      stride = given->order / order;
      return;
    }
    owned =
        static_cast<T *>(std::malloc(2 * unitRootEntries(order) * sizeof(T)));
    if (owned)
      fillUnitRoots(order, owned);
    table = owned;
    tableOrder = order;
  }
  ~RootSource() { std::free(owned); }
  RootSource(const RootSource &) = delete;
  RootSource &operator=(const RootSource &) = delete;

  /// False when the table could not be allocated.
  bool valid() const { return table != nullptr; }
  /// (cos, sin) of sign 2 pi k / order (any k >= 0).
  void get(int64_t k, int sign, T *c, T *s) const {
    lookUpUnitRoot(table, tableOrder, (k % order) * stride, sign, c, s);
  }
  /// e^(sign 2 pi i a / b) for b dividing the order.
  void get(int64_t a, int64_t b, int sign, T *c, T *s) const {
    get((a % b) * (order / b), sign, c, s);
  }
  /// The table, for the plans of divisors of the order.
  FftRoots<T> share() const { return {table, tableOrder}; }

private:
  int64_t order;
  const T *table = nullptr;
  int64_t tableOrder = 0, stride = 1;
  T *owned = nullptr;
};

/// The cache: one list per element type.
std::atomic<FftPlan<float> *> floatPlans{nullptr};
std::atomic<FftPlan<double> *> doublePlans{nullptr};
template <typename T> std::atomic<FftPlan<T> *> &cacheHead();
template <> std::atomic<FftPlan<float> *> &cacheHead<float>() {
  return floatPlans;
}
template <> std::atomic<FftPlan<double> *> &cacheHead<double>() {
  return doublePlans;
}

template <typename T>
FftPlan<T> *findPlan(FftPlan<T> *from, FftPlan<T> *to, int64_t n, int32_t key,
                     int32_t isa) {
  for (FftPlan<T> *p = from; p != to; p = p->next)
    if (p->n == n && p->inverse == key && p->isa == isa)
      return p;
  return nullptr;
}

template <typename T> void destroyPlan(FftPlan<T> *plan) {
  if (!plan)
    return;
  std::free(plan->memory);
  std::free(plan);
}

/// Allocates a zeroed plan with `scalars` T of tables after the header.
template <typename T>
FftPlan<T> *allocatePlan(int64_t n, int32_t key, int32_t isa, int64_t scalars) {
  auto *plan = static_cast<FftPlan<T> *>(std::calloc(1, sizeof(FftPlan<T>)));
  if (!plan)
    return nullptr;
  plan->n = n;
  plan->inverse = key;
  plan->isa = isa;
  size_t bytes = (size_t(scalars) * sizeof(T) + 63) / 64 * 64 + 64;
  plan->memory = std::aligned_alloc(64, bytes);
  if (!plan->memory) {
    std::free(plan);
    return nullptr;
  }
  return plan;
}

/// Fills the Stockham stage tables of `plan` from `tables` on; returns the
/// end of what it used.
template <typename T>
T *fillStages(FftPlan<T> *plan, T *tables, int sign,
              const RootSource<T> &roots) {
  int64_t m = plan->n;
  for (int k = 0; k < plan->numStages; ++k) {
    int r = plan->radix[k];
    m /= r;
    T *table = tables;
    plan->stageTables[k] = table;
    T c, s;
    for (int j = 0; j < r; ++j)
      roots.get(j, r, 1, &table[2 * j], &table[2 * j + 1]);
    T *tw = table + 2 * r;
    for (int64_t p = 0; p < m; ++p)
      for (int j = 1; j < r; ++j) {
        roots.get(j * p, r * m, sign, &c, &s);
        T *w = tw + 4 * ((r - 1) * p + j - 1);
        w[0] = w[1] = c;
        w[2] = -s;
        w[3] = s;
      }
    tables = tw + 4 * (r - 1) * m;
  }
  return tables;
}

/// Scalars of the stage tables of n.
int64_t stageScalars(int64_t n) {
  int32_t radix[kFftMaxStages];
  int stages = factor(n, radix);
  int64_t total = 0, m = n;
  for (int k = 0; k < stages; ++k) {
    m /= radix[k];
    total += 2 * radix[k] + 4 * (radix[k] - 1) * m;
  }
  return total;
}

/// The kernel of Bluestein's convolution, transformed and divided by m.
template <typename T> bool fillKernel(FftPlan<T> *plan) {
  int64_t n = plan->n, m = plan->m;
  T *b = plan->kernel;
  std::memset(b, 0, 2 * m * sizeof(T));
  for (int64_t k = 0; k < n; ++k) {
    T re = plan->chirp[2 * k], im = -plan->chirp[2 * k + 1];
    b[2 * k] = re;
    b[2 * k + 1] = im;
    if (k) {
      b[2 * (m - k)] = re;
      b[2 * (m - k) + 1] = im;
    }
  }
  int64_t scratchElems = 2 * fftScratch(plan->planM) + 2 * m;
  T *scratch = static_cast<T *>(
      std::aligned_alloc(64, (scratchElems * sizeof(T) + 63) / 64 * 64));
  if (!scratch)
    return false;
  T *copy = scratch + 2 * fftScratch(plan->planM);
  std::memcpy(copy, b, 2 * m * sizeof(T));
  const T *in[1] = {copy};
  T *out[1] = {b};
  fftRunRows(plan->planM, in, out, 1, scratch);
  std::free(scratch);
  for (int64_t k = 0; k < 2 * m; ++k)
    b[k] /= T(m);
  return true;
}

/// The convolution length of Bluestein for at least `least` points: the
/// next power of two, or the next 2^a 3^b 5^c when that is shorter by a
/// fifth (its stages cost a little more per point).
int64_t bluesteinLength(int64_t least) {
  int64_t power = 1;
  while (power < least)
    power *= 2;
  int64_t best = power;
  for (int64_t p5 = 1; p5 < power; p5 *= 5)
    for (int64_t p35 = p5; p35 < power; p35 *= 3) {
      int64_t x = p35;
      while (x < least)
        x *= 2;
      best = x < best ? x : best;
    }
  return best * 5 < power * 4 ? best : power;
}

template <typename T>
FftPlan<T> *buildBluestein(int64_t n, int32_t inverse, int32_t isa,
                           const FftRoots<T> *given) {
  int64_t m = bluesteinLength(2 * n - 1);
  const FftPlan<T> *forward = fftGetPlan<T>(m, 0, isa, given);
  const FftPlan<T> *backward = fftGetPlan<T>(m, 1, isa, given);
  RootSource<T> roots(2 * n, given);
  if (!forward || !backward || !roots.valid())
    return nullptr;
  FftPlan<T> *plan = allocatePlan<T>(n, inverse, isa, 2 * n + 2 * m);
  if (!plan)
    return nullptr;
  plan->kind = FftKind::Bluestein;
  plan->m = m;
  plan->planM = forward;
  plan->planMInverse = backward;
  plan->chirp = static_cast<T *>(plan->memory);
  plan->kernel = plan->chirp + 2 * n;
  // e = k^2 mod 2n, stepped by (k + 1)^2 - k^2 = 2k + 1 (no overflow).
  for (int64_t k = 0, e = 0; k < n; ++k) {
    roots.get(e, inverse ? 1 : -1, &plan->chirp[2 * k],
              &plan->chirp[2 * k + 1]);
    e = (e + (2 * k + 1) % (2 * n)) % (2 * n);
  }
  if (!fillKernel(plan)) {
    destroyPlan(plan);
    return nullptr;
  }
  return plan;
}

template <typename T>
FftPlan<T> *buildComplexPlan(int64_t n, int32_t inverse, int32_t isa,
                             const FftRoots<T> *given) {
  if (!isFftSmoothLength(n))
    return buildBluestein<T>(n, inverse, isa, given);
  RootSource<T> roots(n, given);
  if (!roots.valid())
    return nullptr;
  FftRoots<T> shared = roots.share();
  int64_t lanes = fftLanes(isa, sizeof(T));
  int64_t n1 = chooseSplit(n, lanes), n2 = n1 ? n / n1 : 0;
  const FftPlan<T> *plan1 = nullptr, *plan2 = nullptr;
  if (n1) {
    plan1 = fftGetPlan<T>(n1, inverse, isa, &shared);
    plan2 = fftGetPlan<T>(n2, inverse, isa, &shared);
    if (!plan1 || !plan2)
      return nullptr;
  }
  int64_t scalars = stageScalars(n) + (n1 ? 2 * n : 0);
  FftPlan<T> *plan = allocatePlan<T>(n, inverse, isa, scalars);
  if (!plan)
    return nullptr;
  int sign = inverse ? 1 : -1;
  plan->numStages = factor(n, plan->radix);
  T *rest = fillStages(plan, static_cast<T *>(plan->memory), sign, roots);
  plan->kind = n1 ? FftKind::FourStep : FftKind::Batched;
  if (n1) {
    plan->n1 = n1;
    plan->n2 = n2;
    plan->plan1 = plan1;
    plan->plan2 = plan2;
    plan->rowTwiddles = rest;
    for (int64_t k1 = 0; k1 < n1; ++k1)
      for (int64_t j2 = 0; j2 < n2; ++j2) {
        T *w = rest + 2 * (k1 * n2 + j2);
        roots.get(k1 * j2, sign, &w[0], &w[1]);
      }
  }
  return plan;
}

/// The real plan of n: plan1 and plan2 the forward and inverse complex
/// plans of n / 2 (even n) or n (odd n), rowTwiddles w_n^k for k <= n / 2.
template <typename T>
FftPlan<T> *buildRealPlan(int64_t n, int32_t isa, const FftRoots<T> *given) {
  int64_t half = n % 2 ? n : n / 2;
  RootSource<T> roots(n, given);
  if (!roots.valid())
    return nullptr;
  FftRoots<T> shared = roots.share();
  const FftPlan<T> *forward = fftGetPlan<T>(half, 0, isa, &shared);
  const FftPlan<T> *backward = fftGetPlan<T>(half, 1, isa, &shared);
  if (!forward || !backward)
    return nullptr;
  FftPlan<T> *plan = allocatePlan<T>(n, 2, isa, 2 * (n / 2 + 1));
  if (!plan)
    return nullptr;
  plan->plan1 = forward;
  plan->plan2 = backward;
  plan->rowTwiddles = static_cast<T *>(plan->memory);
  for (int64_t k = 0; k <= n / 2; ++k)
    roots.get(k, -1, &plan->rowTwiddles[2 * k], &plan->rowTwiddles[2 * k + 1]);
  return plan;
}

} // namespace

template <typename T>
const FftPlan<T> *fftGetPlan(int64_t n, int32_t key, int32_t isa,
                             const FftRoots<T> *roots) {
  if (n < 1)
    return nullptr;
  std::atomic<FftPlan<T> *> &head = cacheHead<T>();
  FftPlan<T> *seen = head.load(std::memory_order_acquire);
  if (FftPlan<T> *found = findPlan<T>(seen, nullptr, n, key, isa))
    return found;
  FftPlan<T> *plan = key == 2 ? buildRealPlan<T>(n, isa, roots)
                              : buildComplexPlan<T>(n, key, isa, roots);
  if (!plan)
    return nullptr;
  for (;;) {
    FftPlan<T> *now = head.load(std::memory_order_acquire);
    // Only plans pushed since the last look can be new copies of this one.
    if (FftPlan<T> *found = findPlan<T>(now, seen, n, key, isa)) {
      destroyPlan(plan);
      return found;
    }
    seen = now;
    plan->next = now;
    if (head.compare_exchange_weak(now, plan, std::memory_order_acq_rel))
      return plan;
  }
}

template <typename T> int64_t fftScratch(const FftPlan<T> *plan) {
  if (plan->kind == FftKind::Bluestein)
    return 2 * plan->m + fftScratch(plan->planM);
  return fftRowScratch(plan, fftLanes(plan->isa, sizeof(T)));
}

namespace {

template <typename T> struct IsaKernels {
  void (*columns)(const FftPlan<T> *, const T *, int64_t, T *, int64_t, int64_t,
                  T *, T *);
  void (*rows)(const FftPlan<T> *, const T *const *, T *const *, int64_t, T *);
  void (*multiply)(const T *, const T *, T *, int64_t);
};

template <typename T> IsaKernels<T> isaKernels(int32_t isa);
template <> IsaKernels<float> isaKernels<float>(int32_t isa) {
#ifdef TESSERA_KERNELS_X86
  if (isa == 0)
    return {fftColumnsAVX512F32, fftRowsAVX512F32, fftMultiplyAVX512F32};
  if (isa == 1)
    return {fftColumnsAVX2F32, fftRowsAVX2F32, fftMultiplyAVX2F32};
#endif
  return {fftColumnsGenericF32, fftRowsGenericF32, fftMultiplyGenericF32};
}
template <> IsaKernels<double> isaKernels<double>(int32_t isa) {
#ifdef TESSERA_KERNELS_X86
  if (isa == 0)
    return {fftColumnsAVX512F64, fftRowsAVX512F64, fftMultiplyAVX512F64};
  if (isa == 1)
    return {fftColumnsAVX2F64, fftRowsAVX2F64, fftMultiplyAVX2F64};
#endif
  return {fftColumnsGenericF64, fftRowsGenericF64, fftMultiplyGenericF64};
}

/// Bluestein on each row: chirp, convolve with the kernel, chirp.
template <typename T>
void bluesteinRows(const FftPlan<T> *plan, const T *const *in, T *const *out,
                   int64_t count, T *scratch) {
  int64_t n = plan->n, m = plan->m;
  T *a = scratch, *b = a + 2 * m, *sub = b + 2 * m;
  const T *chirp = plan->chirp, *kernel = plan->kernel;
  auto multiply = isaKernels<T>(plan->isa).multiply;
  for (int64_t i = 0; i < count; ++i) {
    multiply(in[i], chirp, a, n);
    std::memset(a + 2 * n, 0, 2 * (m - n) * sizeof(T));
    const T *src[1] = {a};
    T *dst[1] = {b};
    fftRunRows(plan->planM, src, dst, 1, sub);
    multiply(b, kernel, b, m);
    const T *src2[1] = {b};
    T *dst2[1] = {a};
    fftRunRows(plan->planMInverse, src2, dst2, 1, sub);
    multiply(a, chirp, out[i], n);
  }
}

} // namespace

template <typename T>
void fftRunRows(const FftPlan<T> *plan, const T *const *in, T *const *out,
                int64_t count, T *scratch) {
  if (plan->kind == FftKind::Bluestein)
    return bluesteinRows(plan, in, out, count, scratch);
  isaKernels<T>(plan->isa).rows(plan, in, out, count, scratch);
}

template <typename T>
void fftRunColumns(const FftPlan<T> *plan, const T *in, int64_t inRow, T *out,
                   int64_t outRow, int64_t cols, T *s1, T *s2) {
  isaKernels<T>(plan->isa).columns(plan, in, inRow, out, outRow, cols, s1, s2);
}

template <typename T>
void fftRunMultiply(int32_t isa, const T *a, const T *b, T *out, int64_t n) {
  isaKernels<T>(isa).multiply(a, b, out, n);
}

template const FftPlan<float> *fftGetPlan(int64_t, int32_t, int32_t,
                                          const FftRoots<float> *);
template const FftPlan<double> *fftGetPlan(int64_t, int32_t, int32_t,
                                           const FftRoots<double> *);
template int64_t fftScratch(const FftPlan<float> *);
template int64_t fftScratch(const FftPlan<double> *);
template void fftRunRows(const FftPlan<float> *, const float *const *,
                         float *const *, int64_t, float *);
template void fftRunRows(const FftPlan<double> *, const double *const *,
                         double *const *, int64_t, double *);
template void fftRunColumns(const FftPlan<float> *, const float *, int64_t,
                            float *, int64_t, int64_t, float *, float *);
template void fftRunColumns(const FftPlan<double> *, const double *, int64_t,
                            double *, int64_t, int64_t, double *, double *);
template void fftRunMultiply(int32_t, const float *, const float *, float *,
                             int64_t);
template void fftRunMultiply(int32_t, const double *, const double *, double *,
                             int64_t);

} // namespace tessera::kernels
