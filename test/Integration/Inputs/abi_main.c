/* Calls functions compiled by `tessc --emit=lib` through the generated
 * header and checks them against direct reference loops. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "abi_lib.h"

static int failures = 0;

static void expect(int ok, const char *what) {
  printf("%s: %s\n", what, ok ? "OK" : "FAILED");
  if (!ok)
    ++failures;
}

int main(void) {
  enum { M = 3, K = 4, N = 2 };
  float a[M * K], b[K * N], c[M * N], ref[M * N];
  for (int i = 0; i < M * K; ++i)
    a[i] = (float)(i % 7) - 2.5f;
  for (int i = 0; i < K * N; ++i)
    b[i] = 0.25f * (float)(i % 5) - 0.5f;
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      float s = 0;
      for (int k = 0; k < K; ++k)
        s += a[m * K + k] * b[k * N + n];
      ref[m * N + n] = s;
    }
  int32_t status = tessera_matmul(M, K, N, a, b, c);
  int ok = status == 0;
  for (int i = 0; i < M * N; ++i)
    ok &= fabsf(c[i] - ref[i]) <= 1e-5f * (1.0f + fabsf(ref[i]));
  expect(ok, "matmul");

  enum { R = 5, L = 4 };
  double x[R * 3], total[R];
  int64_t ramp[L];
  for (int i = 0; i < R * 3; ++i)
    x[i] = 0.5 * i - 1.0;
  status = tessera_stats(R, L, x, total, ramp);
  ok = status == 0;
  for (int i = 0; i < R; ++i)
    ok &= fabs(total[i] - (x[3 * i] + x[3 * i + 1] + x[3 * i + 2])) < 1e-12;
  for (int l = 0; l < L; ++l)
    ok &= ramp[l] == (int64_t)l * l;
  expect(ok, "stats");

  /* Complex values are (re, im) pairs: y = z i + x, m = |z|. */
  enum { C = 7 };
  tessera_c64 z[C], y[C];
  float xr[C], mod[C];
  for (int i = 0; i < C; ++i) {
    z[i].re = 0.5f * (float)i - 1.0f;
    z[i].im = 1.0f - 0.25f * (float)i;
    xr[i] = (float)i;
  }
  status = tessera_rotate(C, z, xr, y, mod);
  ok = status == 0;
  for (int i = 0; i < C; ++i) {
    ok &= fabsf(y[i].re - (xr[i] - z[i].im)) < 1e-6f;
    ok &= fabsf(y[i].im - z[i].re) < 1e-6f;
    ok &= fabsf(mod[i] - hypotf(z[i].re, z[i].im)) < 1e-6f;
  }
  expect(ok, "rotate");

  /* The FFT kernel linked into the library, against a direct DFT. */
  enum { F = 12 };
  tessera_c128 sig[F], spec[F];
  for (int i = 0; i < F; ++i) {
    sig[i].re = cos(0.7 * i) + 0.1 * i;
    sig[i].im = sin(1.3 * i);
  }
  status = tessera_spectrum(F, sig, spec);
  ok = status == 0;
  for (int k = 0; k < F; ++k) {
    double re = 0, im = 0;
    for (int n = 0; n < F; ++n) {
      double w = -2 * 3.14159265358979323846 * k * n / F;
      re += sig[n].re * cos(w) - sig[n].im * sin(w);
      im += sig[n].re * sin(w) + sig[n].im * cos(w);
    }
    ok &= fabs(spec[k].re - re) < 1e-12 && fabs(spec[k].im - im) < 1e-12;
  }
  expect(ok, "spectrum");

  /* Inconsistent descriptors: K is 4 in a but 5 in b. */
  float big[5 * N];
  memset(c, 0x7f, sizeof(c));
  tessera_memref2 da = {a, a, 0, {M, K}, {K, 1}};
  tessera_memref2 db = {big, big, 0, {5, N}, {N, 1}};
  tessera_memref2 dc = {c, c, 0, {M, N}, {N, 1}};
  status = _mlir_ciface_matmul(&da, &db, &dc);
  printf("mismatch status %d: %s\n", (int)status,
         tessera_matmul_strerror(status));
  unsigned char untouched = 1;
  for (size_t i = 0; i < sizeof(c); ++i)
    untouched &= ((unsigned char *)c)[i] == 0x7f;
  expect(status != 0 && untouched, "size mismatch rejected, output untouched");
  return failures != 0;
}
