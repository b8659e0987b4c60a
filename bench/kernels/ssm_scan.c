/* The `c.kernel` peer of the `mamba` workload (bench/workloads.py): Mamba's
 * selective scan as a hand-written C kernel of the kind of llama.cpp's CPU
 * ssm_scan (ggml's ggml_compute_forward_ssm_scan_f32, Mamba-1 branch):
 * sequential over the sequence l, the state's n elements in a vectorizable
 * inner loop with plain expf from libm, threads over the channels d.
 *
 * It computes what mamba_np computes, for u, delta: [B, D, L], A: [D, N],
 * Bm, Cm: [B, N, L], Dv: [D], y: [B, D, L], all dense row-major float32:
 *
 *   dt = softplus(delta[b, d, l])
 *   x[n] = exp(dt * A[d, n]) * x[n] + dt * Bm[b, n, l] * u[b, d, l]
 *   y[b, d, l] = sum_n x[n] * Cm[b, n, l] + Dv[d] * u[b, d, l]
 *
 * with x = 0 before l = 0. Differences from llama.cpp's loop, all forced by
 * the benchmark's layout (u and delta contiguous along l, B and C [N, L]):
 *
 * - llama.cpp runs the tokens outermost and keeps the state in memory
 *   ([D, N], read and written once per token); here each (b, d) row runs
 *   its whole sequence, its state in a local array of N floats (registers).
 *   The rows are independent, so the order changes nothing in the result.
 * - llama.cpp's B and C hold a token's N values contiguously ([L, N]); the
 *   benchmark's are [N, L]. The kernel packs them once per call into [L, N]
 *   (2 * B * L * N floats of scratch, 256 KB at the benchmark's sizes) so
 *   that the inner loop reads them as llama.cpp does, contiguously.
 * - llama.cpp splits the channels over its own thread pool; here an OpenMP
 *   `parallel for` over the (b, d) rows, with a given thread count.
 *
 * Compiled by bench/run.py with
 *   clang-22 -O3 -march=native -fopenmp -shared -fPIC ssm_scan.c -lm
 * and called through ctypes. No -ffast-math: expf is libm's scalar expf,
 * called in a loop of its own (clang does not vectorize a loop that calls
 * it: expf may set errno), so that the state's update and the readout's sum
 * vectorize; the sum is declared an OpenMP simd reduction so that the
 * compiler may reorder it (the only reordering; llama.cpp's x86 path sums
 * in order).
 */

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* The largest state size N (Mamba uses 16). */
#define SSM_SCAN_MAX_STATE 256

/* softplus(x) = log(1 + exp(x)), as llama.cpp computes it. */
static inline float softplus(float x) {
  return x > 20.0f ? x : log1pf(expf(x));
}

/* Packs src [N, L] into dst [L, N]. */
static void pack_transposed(const float *src, float *dst, int64_t len,
                            int64_t nstate) {
  for (int64_t n = 0; n < nstate; ++n)
    for (int64_t l = 0; l < len; ++l)
      dst[l * nstate + n] = src[n * len + l];
}

/* The scan of one (b, d) row: its sequence u, delta, y of `len` floats,
 * A's row `a` and the packed bt, ct [L, N] of its batch. */
static void scan_row(const float *u, const float *delta, const float *a,
                     const float *bt, const float *ct, float dv, float *y,
                     int64_t len, int64_t nstate) {
  float x[SSM_SCAN_MAX_STATE];
  for (int64_t n = 0; n < nstate; ++n)
    x[n] = 0.0f;
  for (int64_t l = 0; l < len; ++l) {
    const float dt = softplus(delta[l]);
    const float dtu = dt * u[l];
    const float *bl = bt + l * nstate;
    const float *cl = ct + l * nstate;
    /* libm's expf is a scalar call: in a loop of its own, so that the
     * update and the sum below vectorize. */
    float decay[SSM_SCAN_MAX_STATE];
    for (int64_t n = 0; n < nstate; ++n)
      decay[n] = expf(dt * a[n]);
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int64_t n = 0; n < nstate; ++n) {
      x[n] = decay[n] * x[n] + dtu * bl[n];
      sum += x[n] * cl[n];
    }
    y[l] = sum + dv * u[l];
  }
}

/* y = the scan of the inputs on `threads` OpenMP threads. Returns 0, 1 when
 * nstate exceeds SSM_SCAN_MAX_STATE, 2 when the scratch cannot be
 * allocated. */
int ssm_scan_f32(const float *u, const float *delta, const float *a,
                 const float *bm, const float *cm, const float *dv, float *y,
                 int64_t batch, int64_t dim, int64_t len, int64_t nstate,
                 int threads) {
  if (nstate > SSM_SCAN_MAX_STATE)
    return 1;
  const int64_t plane = len * nstate;
  float *packed = malloc((size_t)(2 * batch * plane) * sizeof(float));
  if (!packed && batch * plane > 0)
    return 2;
  for (int64_t b = 0; b < batch; ++b) {
    pack_transposed(bm + b * plane, packed + (2 * b) * plane, len, nstate);
    pack_transposed(cm + b * plane, packed + (2 * b + 1) * plane, len, nstate);
  }
  const int64_t rows = batch * dim;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t b = r / dim, d = r % dim;
    scan_row(u + r * len, delta + r * len, a + d * nstate,
             packed + (2 * b) * plane, packed + (2 * b + 1) * plane, dv[d],
             y + r * len, len, nstate);
  }
  free(packed);
  return 0;
}
