//===- Discretize.cpp - Discretization of dense linear systems ------------===//
//
// tessera_ssm_discretize_f32/f64 (Kernels.h): the zero-order hold and the
// bilinear (Tustin) discretization of x' = A x + B u with a dense n x n A
// and an n x m B, computed in double in a workspace that compiled code
// allocates (and checks) for the call.
//
// Zero-order hold: exp(dt [[A, B], [0, 0]]) = [[Abar, Bbar], [0, I]] (Van
// Loan), so Bbar = A^-1 (exp(dt A) - I) B needs no inverse of A. The
// exponential is Higham's scaling and squaring algorithm ("The scaling and
// squaring method for the matrix exponential revisited", SIAM J. Matrix
// Anal. Appl. 26(4), 2005, Algorithm 2.3): the [m/m] Pade approximant r_m
// with m = 3, 5, 7 or 9 when ||dt M||_1 <= theta_m, else r_13 of dt M / 2^s
// squared s times, s = ceil(log2(||dt M||_1 / theta_13)). The theta_m are
// the norms up to which r_m has a relative backward error of at most
// 2^-53 in exact arithmetic: r_m(X)^(2^s) = exp(X + E), ||E||_1 <= 2^-53
// ||X||_1. r_m = q_m(X)^-1 p_m(X) is solved by Gaussian elimination with
// partial pivoting.
//
// Bilinear: Abar = (I - dt/2 A)^-1 (I + dt/2 A), Bbar = (I - dt/2 A)^-1 dt B
// by one elimination with partial pivoting on [I - dt/2 A | I + dt/2 A,
// dt B]. A singular I - dt/2 A gives infinities or NaNs, never a trap.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

namespace {

/// c = a b for k x k matrices (c distinct from a and b).
void multiply(const double *__restrict a, const double *__restrict b,
              double *__restrict c, int64_t k) {
  std::memset(c, 0, sizeof(double) * k * k);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t p = 0; p < k; ++p) {
      double x = a[i * k + p];
      const double *row = b + p * k;
      double *out = c + i * k;
      for (int64_t j = 0; j < k; ++j)
        out[j] += x * row[j];
    }
}

/// out = sum_t coeffs[t] mats[t] + identity I, for `count` k x k matrices.
void combine(double *out, const double *coeffs, double *const *mats, int count,
             double identity, int64_t k) {
  for (int64_t i = 0; i < k * k; ++i) {
    double s = 0;
    for (int t = 0; t < count; ++t)
      s += coeffs[t] * mats[t][i];
    out[i] = s;
  }
  for (int64_t i = 0; i < k; ++i)
    out[i * k + i] += identity;
}

/// Solves l x = r in place for the k x k `l` and the k x cols `r` (both
/// row-major, overwritten: r becomes x) by Gaussian elimination with
/// partial pivoting.
void solve(double *l, double *r, int64_t k, int64_t cols) {
  for (int64_t j = 0; j < k; ++j) {
    int64_t pivot = j;
    for (int64_t i = j + 1; i < k; ++i)
      if (std::fabs(l[i * k + j]) > std::fabs(l[pivot * k + j]))
        pivot = i;
    if (pivot != j) {
      for (int64_t c = 0; c < k; ++c)
        std::swap(l[j * k + c], l[pivot * k + c]);
      for (int64_t c = 0; c < cols; ++c)
        std::swap(r[j * cols + c], r[pivot * cols + c]);
    }
    double d = l[j * k + j];
    for (int64_t i = j + 1; i < k; ++i) {
      double f = l[i * k + j] / d;
      if (f == 0)
        continue;
      for (int64_t c = j; c < k; ++c)
        l[i * k + c] -= f * l[j * k + c];
      for (int64_t c = 0; c < cols; ++c)
        r[i * cols + c] -= f * r[j * cols + c];
    }
  }
  for (int64_t j = k - 1; j >= 0; --j) {
    double d = l[j * k + j];
    for (int64_t c = 0; c < cols; ++c) {
      double s = r[j * cols + c];
      for (int64_t p = j + 1; p < k; ++p)
        s -= l[j * k + p] * r[p * cols + c];
      r[j * cols + c] = s / d;
    }
  }
}

/// The coefficients b_0 .. b_m of the [m/m] Pade approximant of exp
/// (Higham 2005, Table 2.3 and equation 2.2), and the norm bound theta_m.
struct Pade {
  int m;
  double theta;
  double b[14];
};

constexpr Pade kPade[] = {
    {3, 1.495585217958292e-2, {120, 60, 12, 1}},
    {5, 2.539398330063230e-1, {30240, 15120, 3360, 420, 30, 1}},
    {7,
     9.504178996162932e-1,
     {17297280, 8648640, 1995840, 277200, 25200, 1512, 56, 1}},
    {9,
     2.097847961257068e0,
     {17643225600., 8821612800., 2075673600., 302702400., 30270240., 2162160.,
      110880., 3960., 90., 1.}},
    {13,
     5.371920351148152e0,
     {64764752532480000., 32382376266240000., 7771770303897600.,
      1187353796428800., 129060195264000., 10559470521600., 670442572800.,
      33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.}},
};

/// The eight k x k matrices of the exponential's workspace.
struct ExpmWork {
  double *x, *x2, *x4, *x6, *x8, *u, *v, *t;
  ExpmWork(double *work, int64_t k) {
    double **slots[] = {&x, &x2, &x4, &x6, &x8, &u, &v, &t};
    for (int i = 0; i < 8; ++i)
      *slots[i] = work + i * k * k;
  }
};

/// U = X (odd part) and V (even part) of r_m(X) for m <= 9, the powers
/// X^2 .. X^(m-1) in w already computed.
void padeLow(const Pade &p, ExpmWork &w, int64_t k) {
  double *powers[] = {w.x2, w.x4, w.x6, w.x8};
  int n = (p.m - 1) / 2; // powers X^2 .. X^(2n)
  double odd[4], even[4];
  for (int t = 0; t < n; ++t) {
    odd[t] = p.b[2 * t + 3];
    even[t] = p.b[2 * t + 2];
  }
  combine(w.t, odd, powers, n, p.b[1], k);
  multiply(w.x, w.t, w.u, k);
  combine(w.v, even, powers, n, p.b[0], k);
}

/// U and V of r_13(X) (Higham 2005, equation 2.3).
void pade13(const Pade &p, ExpmWork &w, int64_t k) {
  const double *b = p.b;
  double *high[] = {w.x2, w.x4, w.x6};
  double oddHigh[] = {b[9], b[11], b[13]}, evenHigh[] = {b[8], b[10], b[12]};
  double oddLow[] = {b[3], b[5], b[7]}, evenLow[] = {b[2], b[4], b[6]};
  // U = X [X6 (b13 X6 + b11 X4 + b9 X2) + b7 X6 + b5 X4 + b3 X2 + b1 I].
  combine(w.t, oddHigh, high, 3, 0, k);
  multiply(w.x6, w.t, w.x8, k);
  combine(w.t, oddLow, high, 3, b[1], k);
  for (int64_t i = 0; i < k * k; ++i)
    w.t[i] += w.x8[i];
  multiply(w.x, w.t, w.u, k);
  // V = X6 (b12 X6 + b10 X4 + b8 X2) + b6 X6 + b4 X4 + b2 X2 + b0 I.
  combine(w.t, evenHigh, high, 3, 0, k);
  multiply(w.x6, w.t, w.x8, k);
  combine(w.v, evenLow, high, 3, b[0], k);
  for (int64_t i = 0; i < k * k; ++i)
    w.v[i] += w.x8[i];
}

/// The 1-norm (largest column sum of magnitudes) of the k x k `x`.
double norm1(const double *x, int64_t k) {
  double best = 0;
  for (int64_t j = 0; j < k; ++j) {
    double s = 0;
    for (int64_t i = 0; i < k; ++i)
      s += std::fabs(x[i * k + j]);
    if (std::isnan(s))
      return s;
    best = std::max(best, s);
  }
  return best;
}

/// exp(w.x), in one of the matrices of w (w.u or w.t); w.x is overwritten.
/// Null when w.x has an infinite or NaN element.
double *expm(ExpmWork &w, int64_t k) {
  double norm = norm1(w.x, k);
  if (!(norm <= std::numeric_limits<double>::max()))
    return nullptr;
  const Pade *p = nullptr;
  int s = 0;
  for (const Pade &candidate : kPade)
    if (!p && (norm <= candidate.theta || candidate.m == 13))
      p = &candidate;
  if (norm > p->theta) {
    s = static_cast<int>(std::ceil(std::log2(norm / p->theta)));
    double scale = std::ldexp(1.0, -s);
    for (int64_t i = 0; i < k * k; ++i)
      w.x[i] *= scale;
  }
  multiply(w.x, w.x, w.x2, k);
  if (p->m > 3)
    multiply(w.x2, w.x2, w.x4, k);
  if (p->m > 5)
    multiply(w.x2, w.x4, w.x6, k);
  if (p->m == 9)
    multiply(w.x4, w.x4, w.x8, k);
  if (p->m == 13)
    pade13(*p, w, k);
  else
    padeLow(*p, w, k);
  // r = (V - U)^-1 (V + U).
  for (int64_t i = 0; i < k * k; ++i) {
    double v = w.v[i];
    w.v[i] = v - w.u[i];
    w.u[i] = v + w.u[i];
  }
  solve(w.v, w.u, k, k);
  double *r = w.u, *other = w.t;
  for (int i = 0; i < s; ++i) {
    multiply(r, r, other, k);
    std::swap(r, other);
  }
  return r;
}

/// Element (i, j) of a matrix at `p` with (row, column) strides `st`.
template <typename T>
T &element(T *p, const int64_t *st, int64_t i, int64_t j) {
  return p[i * st[0] + j * st[1]];
}

/// Writes the n x (n + m) `r` (row stride `cols`) as abar = r[:, :n] and
/// bbar = r[:, n:].
template <typename T>
void writeResults(const double *r, int64_t cols, int64_t n, int64_t m, T *abar,
                  const int64_t *abarStrides, T *bbar,
                  const int64_t *bbarStrides) {
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j)
      element(abar, abarStrides, i, j) = static_cast<T>(r[i * cols + j]);
    for (int64_t j = 0; j < m; ++j)
      element(bbar, bbarStrides, i, j) = static_cast<T>(r[i * cols + n + j]);
  }
}

template <typename T>
void discretize(int32_t method, int64_t n, int64_t m, double dt, const T *a,
                const int64_t *aStrides, const T *b, const int64_t *bStrides,
                T *abar, const int64_t *abarStrides, T *bbar,
                const int64_t *bbarStrides, double *work) {
  if (n <= 0 || m < 0)
    return;
  int64_t k = n + m;
  if (method == 0) {
    // exp(dt [[A, B], [0, 0]]).
    ExpmWork w(work, k);
    std::memset(w.x, 0, sizeof(double) * k * k);
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < n; ++j)
        w.x[i * k + j] = dt * double(element(a, aStrides, i, j));
      for (int64_t j = 0; j < m; ++j)
        w.x[i * k + n + j] = dt * double(element(b, bStrides, i, j));
    }
    const double *r = expm(w, k);
    if (!r) {
      std::fill(w.u, w.u + k * k, std::numeric_limits<double>::quiet_NaN());
      r = w.u;
    }
    writeResults(r, k, n, m, abar, abarStrides, bbar, bbarStrides);
    return;
  }
  // [I - dt/2 A | I + dt/2 A, dt B].
  double *l = work, *r = work + n * n;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double half = 0.5 * dt * double(element(a, aStrides, i, j));
      double one = i == j ? 1.0 : 0.0;
      l[i * n + j] = one - half;
      r[i * k + j] = one + half;
    }
    for (int64_t j = 0; j < m; ++j)
      r[i * k + n + j] = dt * double(element(b, bStrides, i, j));
  }
  solve(l, r, n, k);
  writeResults(r, k, n, m, abar, abarStrides, bbar, bbarStrides);
}

} // namespace

extern "C" {

void tessera_ssm_discretize_f32(int32_t method, int64_t n, int64_t m, double dt,
                                const float *a, const int64_t *aStrides,
                                const float *b, const int64_t *bStrides,
                                float *abar, const int64_t *abarStrides,
                                float *bbar, const int64_t *bbarStrides,
                                double *work) {
  discretize(method, n, m, dt, a, aStrides, b, bStrides, abar, abarStrides,
             bbar, bbarStrides, work);
}

void tessera_ssm_discretize_f64(int32_t method, int64_t n, int64_t m, double dt,
                                const double *a, const int64_t *aStrides,
                                const double *b, const int64_t *bStrides,
                                double *abar, const int64_t *abarStrides,
                                double *bbar, const int64_t *bbarStrides,
                                double *work) {
  discretize(method, n, m, dt, a, aStrides, b, bStrides, abar, abarStrides,
             bbar, bbarStrides, work);
}

} // extern "C"
