//===- DiscretizeKernelsTest.cpp - Dense zero-order hold and bilinear -----===//
//
// tessera_ssm_discretize_f32/f64 against closed forms computed here:
// diagonal and nilpotent matrices, rotations exp(dt [[0, -w], [w, 0]]) =
// [[cos, -sin], [sin, cos]] with B integrated exactly (from small norms,
// one Pade degree each, to norms that take many squarings), a symmetric
// matrix through its eigendecomposition by Jacobi rotations, the bilinear
// transform against an explicit 2 x 2 inverse (with a row exchange), strided
// and transposed layouts, and NaN inputs.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace {

/// A discretization's results, row-major: abar n x n, bbar n x m.
struct Discrete {
  std::vector<double> abar, bbar;
};

/// The f64 kernel on row-major a (n x n) and b (n x m).
Discrete run(int32_t method, int64_t n, int64_t m, double dt,
             const std::vector<double> &a, const std::vector<double> &b) {
  Discrete r{std::vector<double>(n * n, -7.0), std::vector<double>(n * m)};
  std::vector<double> work(8 * (n + m) * (n + m));
  int64_t aSt[] = {n, 1}, bSt[] = {m, 1};
  tessera_ssm_discretize_f64(method, n, m, dt, a.data(), aSt, b.data(), bSt,
                             r.abar.data(), aSt, r.bbar.data(), bSt,
                             work.data());
  return r;
}

/// The largest |x - y| over two vectors of the same length.
double maxError(const std::vector<double> &x, const std::vector<double> &y) {
  double e = 0;
  for (size_t i = 0; i < x.size(); ++i)
    e = std::max(e, std::fabs(x[i] - y[i]));
  return e;
}

TEST(DiscretizeKernelsTest, DiagonalMatchesScalarFormulas) {
  std::vector<double> d = {-1.5, -0.25, 0.0, 3.0}, a(16, 0.0), b = {1, 2, 3, 4};
  for (int i = 0; i < 4; ++i)
    a[i * 4 + i] = d[i];
  for (double dt : {1e-3, 0.1, 1.0, 7.0}) {
    Discrete r = run(0, 4, 1, dt, a, b);
    for (int i = 0; i < 4; ++i) {
      double e = std::exp(dt * d[i]);
      double bbar = d[i] == 0 ? dt * b[i] : (e - 1) / d[i] * b[i];
      EXPECT_NEAR(r.abar[i * 4 + i], e, 1e-14 * std::max(1.0, e)) << dt;
      EXPECT_NEAR(r.bbar[i], bbar, 1e-13 * std::max(1.0, std::fabs(bbar)))
          << dt;
      for (int j = 0; j < 4; ++j)
        if (j != i)
          EXPECT_EQ(r.abar[i * 4 + j], 0.0);
    }
    Discrete t = run(1, 4, 1, dt, a, b);
    for (int i = 0; i < 4; ++i) {
      double den = 1 - dt / 2 * d[i];
      EXPECT_NEAR(t.abar[i * 4 + i], (1 + dt / 2 * d[i]) / den, 1e-14);
      EXPECT_NEAR(t.bbar[i], dt * b[i] / den, 1e-14 * std::fabs(dt * b[i]));
    }
  }
}

TEST(DiscretizeKernelsTest, NilpotentIsExact) {
  // exp(dt [[0, 1], [0, 0]]) = [[1, dt], [0, 1]]; with B = [0, 1]: Bbar =
  // [dt^2 / 2, dt].
  std::vector<double> a = {0, 1, 0, 0}, b = {0, 1};
  Discrete r = run(0, 2, 1, 0.5, a, b);
  EXPECT_EQ(r.abar, (std::vector<double>{1, 0.5, 0, 1}));
  EXPECT_NEAR(r.bbar[0], 0.125, 1e-16);
  EXPECT_NEAR(r.bbar[1], 0.5, 1e-16);
}

TEST(DiscretizeKernelsTest, RotationsAtEveryPadeDegreeAndScaling) {
  // A = [[0, -w], [w, 0]], B = I: Abar = R(w dt), Bbar = A^-1 (R - I).
  // With w = 1, ||dt M||_1 = dt picks r_3, r_5, r_7, r_9, r_13 unscaled,
  // then r_13 with 3 and 6 squarings.
  for (double wdt : {0.005, 0.2, 0.8, 1.9, 4.0, 30.0, 200.0}) {
    double dt = wdt, w = 1.0;
    std::vector<double> a = {0, -w, w, 0}, b = {1, 0, 0, 1};
    Discrete r = run(0, 2, 2, dt, a, b);
    double c = std::cos(wdt), s = std::sin(wdt);
    std::vector<double> abar = {c, -s, s, c};
    // A^-1 = [[0, 1 / w], [-1 / w, 0]]; (R - I) = [[c - 1, -s], [s, c - 1]].
    std::vector<double> bbar = {s / w, (c - 1) / w, (1 - c) / w, s / w};
    double tol = 1e-14 * std::max(1.0, wdt);
    EXPECT_LT(maxError(r.abar, abar), tol) << wdt;
    EXPECT_LT(maxError(r.bbar, bbar), tol) << wdt;
  }
}

/// Eigenvalues and eigenvectors (columns of v) of the symmetric n x n `s`
/// by cyclic Jacobi rotations.
void jacobi(std::vector<double> s, int n, std::vector<double> &values,
            std::vector<double> &v) {
  v.assign(n * n, 0.0);
  for (int i = 0; i < n; ++i)
    v[i * n + i] = 1;
  for (int sweep = 0; sweep < 50; ++sweep)
    for (int p = 0; p < n; ++p)
      for (int q = p + 1; q < n; ++q) {
        double apq = s[p * n + q];
        if (std::fabs(apq) < 1e-300)
          continue;
        double theta = (s[q * n + q] - s[p * n + p]) / (2 * apq);
        double t = (theta >= 0 ? 1 : -1) /
                   (std::fabs(theta) + std::sqrt(theta * theta + 1));
        double c = 1 / std::sqrt(t * t + 1), sn = t * c;
        for (int k = 0; k < n; ++k) { // columns p, q of s
          double x = s[k * n + p], y = s[k * n + q];
          s[k * n + p] = c * x - sn * y;
          s[k * n + q] = sn * x + c * y;
        }
        for (int k = 0; k < n; ++k) { // rows p, q of s
          double x = s[p * n + k], y = s[q * n + k];
          s[p * n + k] = c * x - sn * y;
          s[q * n + k] = sn * x + c * y;
        }
        for (int k = 0; k < n; ++k) {
          double x = v[k * n + p], y = v[k * n + q];
          v[k * n + p] = c * x - sn * y;
          v[k * n + q] = sn * x + c * y;
        }
      }
  values.resize(n);
  for (int i = 0; i < n; ++i)
    values[i] = s[i * n + i];
}

TEST(DiscretizeKernelsTest, SymmetricMatchesEigendecomposition) {
  const int n = 6;
  std::mt19937 gen(5);
  std::normal_distribution<double> normal;
  std::vector<double> a(n * n), b(n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j <= i; ++j)
      a[i * n + j] = a[j * n + i] = normal(gen) - (i == j ? 2.0 : 0.0);
  for (double &x : b)
    x = normal(gen);
  std::vector<double> lambda, v;
  jacobi(a, n, lambda, v);
  double dt = 0.7;
  Discrete r = run(0, n, 1, dt, a, b);
  // exp(dt A) = V diag(e^(dt l)) V^T; Bbar = V diag((e^(dt l) - 1) / l) V^T b.
  std::vector<double> abar(n * n, 0.0), bbar(n, 0.0), vtb(n, 0.0);
  for (int k = 0; k < n; ++k)
    for (int i = 0; i < n; ++i)
      vtb[k] += v[i * n + k] * b[i];
  for (int k = 0; k < n; ++k) {
    double e = std::exp(dt * lambda[k]), g = (e - 1) / lambda[k];
    for (int i = 0; i < n; ++i) {
      bbar[i] += v[i * n + k] * g * vtb[k];
      for (int j = 0; j < n; ++j)
        abar[i * n + j] += v[i * n + k] * e * v[j * n + k];
    }
  }
  EXPECT_LT(maxError(r.abar, abar), 1e-12);
  EXPECT_LT(maxError(r.bbar, bbar), 1e-12);
}

/// The bilinear transform of a 2 x 2 `a` and a 2 x 2 `b` with (I - h A)^-1,
/// h = dt / 2, in closed form.
Discrete bilinear2x2(const std::vector<double> &a, const std::vector<double> &b,
                     double dt) {
  double h = dt / 2;
  double l00 = 1 - h * a[0], l01 = -h * a[1], l10 = -h * a[2],
         l11 = 1 - h * a[3], det = l00 * l11 - l01 * l10;
  double inv[] = {l11 / det, -l01 / det, -l10 / det, l00 / det};
  double p[] = {1 + h * a[0], h * a[1], h * a[2], 1 + h * a[3]};
  Discrete r{std::vector<double>(4), std::vector<double>(4)};
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      r.abar[i * 2 + j] = inv[i * 2] * p[j] + inv[i * 2 + 1] * p[2 + j];
      r.bbar[i * 2 + j] = dt * (inv[i * 2] * b[j] + inv[i * 2 + 1] * b[2 + j]);
    }
  return r;
}

TEST(DiscretizeKernelsTest, BilinearMatchesInverse) {
  std::vector<double> a = {0.3, -2.0, 1.5, -0.7}, b = {1.0, -0.5, 2.0, 0.25};
  double dt = 0.4;
  Discrete want = bilinear2x2(a, b, dt), r = run(1, 2, 2, dt, a, b);
  EXPECT_LT(maxError(r.abar, want.abar), 1e-15);
  EXPECT_LT(maxError(r.bbar, want.bbar), 1e-15);
  // I - dt/2 A = [[0, -0.2], [-0.2, 1]]: a zero first pivot, so the rows
  // must be exchanged.
  std::vector<double> z = {2.0 / dt, 1.0, 1.0, 0.0};
  want = bilinear2x2(z, b, dt);
  r = run(1, 2, 2, dt, z, b);
  EXPECT_LT(maxError(r.abar, want.abar), 1e-14);
  EXPECT_LT(maxError(r.bbar, want.bbar), 1e-14);
}

TEST(DiscretizeKernelsTest, StridedLayoutsInF32) {
  // A read transposed (column-major), B with a row stride of 3, results
  // written with padding: the same values as the dense f64 call.
  const int64_t n = 3, m = 2;
  std::vector<double> a = {-1, 0.5, 0.2, 0.1, -2, 0.3, 0, 0.4, -0.5};
  std::vector<double> b = {1, 2, 3, 4, 5, 6};
  Discrete want = run(0, n, m, 0.3, a, b);
  std::vector<float> at(9), bs(9), abar(12, 99.f), bbar(9, 99.f);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      at[j * 3 + i] = float(a[i * 3 + j]);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j)
      bs[i * 3 + j] = float(b[i * 2 + j]);
  std::vector<double> work(8 * 25);
  int64_t atSt[] = {1, 3}, bSt[] = {3, 1}, abarSt[] = {4, 1}, bbarSt[] = {3, 1};
  tessera_ssm_discretize_f32(0, n, m, 0.3, at.data(), atSt, bs.data(), bSt,
                             abar.data(), abarSt, bbar.data(), bbarSt,
                             work.data());
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j)
      EXPECT_NEAR(abar[i * 4 + j], want.abar[i * 3 + j], 1e-6);
    EXPECT_EQ(abar[i * 4 + 3], 99.f); // padding untouched
    for (int j = 0; j < 2; ++j)
      EXPECT_NEAR(bbar[i * 3 + j], want.bbar[i * 2 + j], 1e-6);
  }
}

TEST(DiscretizeKernelsTest, NonFiniteInputsGiveNaN) {
  std::vector<double> a = {NAN, 0, 0, -1}, b = {1, 1};
  Discrete r = run(0, 2, 1, 0.1, a, b);
  for (double x : r.abar)
    EXPECT_TRUE(std::isnan(x));
  a[0] = INFINITY;
  r = run(0, 2, 1, 0.1, a, b);
  for (double x : r.bbar)
    EXPECT_TRUE(std::isnan(x));
  // An empty system reads and writes nothing.
  tessera_ssm_discretize_f64(0, 0, 0, 1.0, nullptr, nullptr, nullptr, nullptr,
                             nullptr, nullptr, nullptr, nullptr, nullptr);
}

} // namespace
