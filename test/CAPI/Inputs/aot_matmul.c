/* Calls the matmul of a library written by `tessc --emit=lib` through its
 * header and compares with a reference loop (float32, 1e-4 relative). */
#include "libmm.h"

#include <math.h>
#include <stdio.h>

int main(void) {
  enum { M = 5, K = 9, N = 4 };
  float a[M * K], b[K * N], c[M * N];
  for (int i = 0; i != M * K; ++i)
    a[i] = (float)((i * 37) % 11) / 11.0f - 0.5f;
  for (int i = 0; i != K * N; ++i)
    b[i] = (float)((i * 53) % 13) / 13.0f - 0.5f;
  int32_t status = tessera_matmul(M, K, N, a, b, c);
  int ok = status == 0;
  for (int i = 0; ok && i != M; ++i)
    for (int j = 0; ok && j != N; ++j) {
      double want = 0;
      for (int k = 0; k != K; ++k)
        want += (double)a[i * K + k] * b[k * N + j];
      ok = fabs(c[i * N + j] - want) <= 1e-4 * (1 + fabs(want));
    }
  printf("aot matmul: %s\n", ok ? "OK" : "FAILED");
  return !ok;
}
