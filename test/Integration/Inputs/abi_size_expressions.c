/* Calls entries with size expressions (size_expressions.tess) through the
 * header of `tessc --emit=lib`: the helpers compute `N / 2 + 1` from N, and
 * the entries reject what does not fit their expressions with a status whose
 * message names the dimension and the expression. */
#include <stdio.h>
#include <string.h>

#include "size_expressions.h"

static int failures = 0;

static void expect(int ok, const char *what) {
  printf("%s: %s\n", what, ok ? "OK" : "FAILED");
  if (!ok)
    ++failures;
}

static void report(const char *entry, int32_t status, const char *message) {
  printf("%s: status %d: %s\n", entry, (int)status, message);
}

int main(void) {
  enum { N = 8, H = N / 2 + 1 };
  float x[N], y[H], z[H];
  for (int i = 0; i < N; ++i)
    x[i] = (float)i + 0.5f;
  for (int i = 0; i < H; ++i)
    y[i] = 10.0f * (float)i;
  int32_t status = tessera_half(N, x, y, z);
  int ok = status == 0;
  for (int i = 0; i < H; ++i)
    ok &= z[i] == y[i] + (2 * i < N ? x[2 * i] : 0.0f);
  expect(ok, "half");

  /* y with 4 elements where N / 2 + 1 = 5. */
  tessera_memref1 dx = {x, x, 0, {N}, {1}};
  tessera_memref1 dy = {y, y, 0, {H - 1}, {1}};
  tessera_memref1 dz = {z, z, 0, {H}, {1}};
  memset(z, 0x7f, sizeof(z));
  status = _mlir_ciface_half(&dx, &dy, &dz);
  report("half", status, tessera_half_strerror(status));
  unsigned char untouched = 1;
  for (size_t i = 0; i < sizeof(z); ++i)
    untouched &= ((unsigned char *)z)[i] == 0x7f;
  expect(status > 0 && untouched, "mismatch rejected, output untouched");

  /* log2(N) for N = 12: the helper passes some extent, the entry refuses. */
  float x12[12], t[3 * 2] = {1, 2, 3, 4, 5, 6}, s[3];
  memset(x12, 0, sizeof(x12));
  status = tessera_stages(12, x12, t, s);
  report("stages", status, tessera_stages_strerror(status));
  status = tessera_stages(N, x, t, s);
  expect(status == 0 && s[0] == 2 && s[1] == 12 && s[2] == 30, "stages");

  /* N - 4 for N = 2. */
  status = tessera_trim(2, x, y, z);
  report("trim", status, tessera_trim_strerror(status));

  /* N / M for M = 0. */
  status = tessera_ratio(N, 0, x, y, y, z);
  report("ratio", status, tessera_ratio_strerror(status));

  /* An output of L - 5 for L = 2. */
  status = tessera_ramp(2, z);
  report("ramp", status, tessera_ramp_strerror(status));
  status = tessera_ramp(7, z);
  expect(status == 0 && z[0] == 0 && z[1] == 1, "ramp");
  return failures != 0;
}
