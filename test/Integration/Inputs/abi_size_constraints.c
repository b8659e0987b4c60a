/* Calls entries whose transforms run along axes of symbolic length
 * (symbolic_lengths.tess) through the header of `tessc --emit=lib`: lengths
 * that fit their rules run, one compiled library serving every length;
 * others make the entry return the status of the failing rule, whose
 * message names the length, its place and the rule, and leave the output
 * untouched. */
#include <stdio.h>
#include <string.h>

#include "symbolic_lengths.h"

static int failures = 0;

static void expect(int ok, const char *what) {
  printf("%s: %s\n", what, ok ? "OK" : "FAILED");
  if (!ok)
    ++failures;
}

static void report(const char *entry, int32_t status, const char *message) {
  printf("%s: status %d: %s\n", entry, (int)status, message);
}

/* The squared norm of the fwht of n ones: n^2 for any Hadamard matrix. */
static double norm_of_fwht(int64_t n) {
  float x[64], y[64];
  double sum = 0;
  for (int64_t i = 0; i < n; ++i)
    x[i] = 1.0f;
  if (tessera_hadamard(1, n, x, y) != 0)
    return -1;
  for (int64_t i = 0; i < n; ++i)
    sum += (double)y[i] * y[i];
  return sum;
}

int main(void) {
  expect(norm_of_fwht(8) == 64 && norm_of_fwht(12) == 144 &&
             norm_of_fwht(20) == 400 && norm_of_fwht(40) == 1600,
         "fwht of 8, 12, 20 and 40");

  float x[36], y[36];
  memset(x, 0, sizeof(x));
  memset(y, 0x7f, sizeof(y));
  int32_t status = tessera_hadamard(1, 36, x, y);
  report("hadamard", status, tessera_hadamard_strerror(status));
  unsigned char untouched = 1;
  for (size_t i = 0; i < sizeof(y); ++i)
    untouched &= ((unsigned char *)y)[i] == 0x7f;
  expect(status == 1 && untouched, "36 rejected, output untouched");

  float m[18];
  status = tessera_doubled(1, 18, x, m, y);
  report("doubled", status, tessera_doubled_strerror(status));

  tessera_c128 tw[3 * 6 * 4];
  status = tessera_twiddles(12, tw);
  report("twiddles", status, tessera_twiddles_strerror(status));
  status = tessera_twiddles(8, tw);
  expect(status == 0 && tw[0].re == 1 && tw[3].re == -1, "twiddles of 8");

  double t[4 * 4 * 4], v[8], w[8];
  memset(t, 0, sizeof(t));
  memset(v, 0, sizeof(v));
  status = tessera_layer(4, 1, 8, t, v, w);
  report("layer", status, tessera_layer_strerror(status));
  return failures != 0;
}
