/* Calls entries of a library made by `tessc --emit=lib` with sizes that no
 * machine can hold and checks the status and error record they report
 * (docs/abi.md), then an empty iteration domain with a huge extent. */
#include <stdio.h>
#include <string.h>

#include "entry_errors.h"

static int failures = 0;

static void expect(int ok, const char *what) {
  printf("%s: %s\n", what, ok ? "OK" : "FAILED");
  if (!ok)
    ++failures;
}

static void print_error(const char *entry, const tessera_error *e) {
  int32_t i;
  printf("%s: status %d (%s): %s of shape %s[", entry, (int)e->status,
         tessera_gram_max_strerror(e->status), e->what, e->dtype);
  for (i = 0; i < e->rank && i < TESSERA_ERROR_MAX_RANK; ++i)
    printf("%s%lld", i ? ", " : "", (long long)e->shape[i]);
  printf("], %lld bytes, defined at %s\n", (long long)e->bytes, e->where);
}

int main(void) {
  float none[1] = {0};
  float out[1] = {0};
  tessera_error e;
  int32_t status;
  const int64_t big = (int64_t)1 << 28, huge = (int64_t)1 << 62;

  /* T = S = 2^28 with D = 0: the inputs are empty, but the Gram matrix 's'
   * has 2^56 floats, which malloc cannot provide. */
  memset(&e, 0, sizeof(e));
  status = tessera_gram_max_errinfo(big, 0, big, none, none, out, &e);
  print_error("gram_max", &e);
  expect(status == TESSERA_STATUS_OUT_OF_MEMORY && e.status == status &&
             e.rank == 2 && e.shape[0] == big && e.shape[1] == big &&
             e.bytes == ((int64_t)1 << 58) &&
             !strcmp(e.what, "intermediate 's'"),
         "out of memory reported");
  /* Without a record the status is the same. */
  expect(tessera_gram_max(big, 0, big, none, none, out) ==
             TESSERA_STATUS_OUT_OF_MEMORY,
         "out of memory without a record");

  /* T = S = 2^62: 2^124 elements do not fit in 64 bits. */
  memset(&e, 0, sizeof(e));
  status = tessera_gram_max_errinfo(huge, 0, huge, none, none, out, &e);
  print_error("gram_max", &e);
  expect(status == TESSERA_STATUS_TOO_LARGE && e.bytes == -1 &&
             e.shape[0] == huge && !strcmp(e.what, "intermediate 's'"),
         "too large reported");

  /* A descriptor that claims 2^62 x 2^62 elements for a parameter. */
  {
    tessera_memref2 da = {none, none, 0, {huge, huge}, {huge, 1}};
    tessera_memref2 db = {none, none, 0, {huge, 0}, {0, 1}};
    tessera_memref2 dc = {out, out, 0, {huge, 0}, {0, 1}};
    memset(&e, 0, sizeof(e));
    status = _tess_errinfo_matmul(&da, &db, &dc, &e);
    printf("matmul: status %d: %s of shape %s[%lld, %lld]\n", (int)status,
           e.what, e.dtype, (long long)e.shape[0], (long long)e.shape[1]);
    expect(status == TESSERA_STATUS_TOO_LARGE && e.rank == 2 &&
               !strcmp(e.what, "parameter 'a'"),
           "parameter too large reported");
    expect(_mlir_ciface_matmul(&da, &db, &dc) == TESSERA_STATUS_TOO_LARGE,
           "parameter too large without a record");
  }

  /* M = 10^14 with K = N = 0: nothing to compute, at once. */
  status = tessera_matmul(100000000000000LL, 0, 0, none, none, out);
  expect(status == 0, "empty domain");
  return failures != 0;
}
