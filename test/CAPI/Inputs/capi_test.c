/* Exercises tessera/tessera.h from C: compiles source text, checks each
 * function's results against reference loops (float32 within 1e-4 relative,
 * exact for integers), and checks that every misuse is a status with a
 * message. Prints one "name: OK" line per check, "name: FAILED ..." else. */

#include <tessera/tessera.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *source =
    "fn matmul(a: f32[M, K], b: f32[K, N]) -> f32[M, N] {\n"
    "  c[m, n] = a[m, k] * b[k, n]\n"
    "  return c\n"
    "}\n"
    "fn stats(x: f64[N, M]) -> (f64[N], f64) {\n"
    "  rowsum[i] = sum[j](x[i, j])\n"
    "  total = sum[i, j](x[i, j])\n"
    "  return rowsum, total\n"
    "}\n"
    "fn ramp(x: f32[N], L: index, s: f32) -> f32[N, L] {\n"
    "  r[n, l] = x[n] * l * s where l in 0..L\n"
    "  return r\n"
    "}\n";

static int failures = 0;

static void report(const char *name, int ok, const char *detail) {
  if (ok) {
    printf("%s: OK\n", name);
  } else {
    printf("%s: FAILED %s\n", name, detail ? detail : "");
    ++failures;
  }
}

static int close_to(double got, double want) {
  return fabs(got - want) <= 1e-4 * (1.0 + fabs(want));
}

/* Fills `x` with values in [-1, 1) from a fixed sequence. */
static void fill(float *x, size_t n, unsigned seed) {
  for (size_t i = 0; i != n; ++i) {
    seed = seed * 1103515245u + 12345u;
    x[i] = (float)((seed >> 8) % 2000) / 1000.0f - 1.0f;
  }
}

/* Calls matmul on M x K and K x N data and compares with a reference loop. */
static int check_matmul(const tessera_function *mm, int64_t M, int64_t K,
                        int64_t N, unsigned seed) {
  float *a = malloc(sizeof(float) * (size_t)(M * K + 1));
  float *b = malloc(sizeof(float) * (size_t)(K * N + 1));
  float *c = malloc(sizeof(float) * (size_t)(M * N + 1));
  fill(a, (size_t)(M * K), seed);
  fill(b, (size_t)(K * N), seed + 1);
  int64_t as[] = {M, K}, bs[] = {K, N}, cs[] = {M, N};
  tessera_tensor_view args[] = {{a, TESSERA_F32, 2, as, NULL},
                                {b, TESSERA_F32, 2, bs, NULL}};
  tessera_tensor_view out = {c, TESSERA_F32, 2, cs, NULL};
  tessera_failure *error = NULL;
  int ok = tessera_call(mm, args, 2, &out, 1, &error) == TESSERA_OK;
  if (!ok) {
    printf("  %s\n", tessera_failure_message(error));
    tessera_failure_destroy(error);
  }
  for (int64_t i = 0; ok && i != M; ++i)
    for (int64_t j = 0; ok && j != N; ++j) {
      double want = 0;
      for (int64_t k = 0; k != K; ++k)
        want += (double)a[i * K + k] * b[k * N + j];
      ok = close_to(c[i * N + j], want);
    }
  free(a);
  free(b);
  free(c);
  return ok;
}

struct thread_work {
  const tessera_function *mm;
  int64_t size;
  int ok;
};

static void *thread_main(void *arg) {
  struct thread_work *work = arg;
  work->ok = 1;
  for (unsigned i = 0; i != 20; ++i)
    work->ok &=
        check_matmul(work->mm, work->size, work->size + 1, work->size + 2, i);
  return NULL;
}

/* Expects `status` with a message containing `needle`. */
static void expect_error(const char *name, tessera_status status,
                         tessera_status want, tessera_failure *error,
                         const char *needle) {
  const char *message = tessera_failure_message(error);
  int ok = status == want && tessera_failure_status(error) == want &&
           strstr(message, needle) != NULL;
  printf("%s message: %s\n", name, message);
  report(name, ok, message);
  tessera_failure_destroy(error);
}

int main(void) {
  tessera_context_options context_options;
  tessera_context_options_init(&context_options);
  tessera_context *context = tessera_context_create(&context_options);
  tessera_module *module = NULL;
  tessera_failure *error = NULL;
  tessera_status status = tessera_compile_string(
      context, "capi.tess", source, strlen(source), NULL, &module, &error);
  if (status != TESSERA_OK) {
    printf("compile: FAILED %s\n", tessera_failure_message(error));
    return 1;
  }

  /* Signatures. */
  const tessera_function *mm = tessera_module_lookup(module, "matmul");
  const tessera_function *stats = tessera_module_lookup(module, "stats");
  const tessera_function *ramp = tessera_module_lookup(module, "ramp");
  tessera_value_info info;
  report("signatures",
         tessera_module_num_functions(module) == 3 && mm && stats && ramp &&
             !tessera_module_lookup(module, "nope") &&
             strcmp(tessera_function_signature(mm),
                    "matmul(a: f32[M, K], b: f32[K, N]) -> f32[M, N]") == 0 &&
             tessera_function_param(ramp, 1, &info) == TESSERA_OK &&
             info.is_index && strcmp(info.name, "L") == 0 &&
             tessera_function_result(stats, 1, &info) == TESSERA_OK &&
             info.rank == 0 && info.dtype == TESSERA_F64 &&
             tessera_function_param(mm, 2, &info) == TESSERA_INVALID_ARGUMENT,
         tessera_function_signature(mm));

  /* Calls against reference loops, at several sizes. */
  report("matmul",
         check_matmul(mm, 8, 8, 8, 1) && check_matmul(mm, 3, 5, 7, 2) &&
             check_matmul(mm, 1, 1, 1, 3) && check_matmul(mm, 65, 31, 17, 4) &&
             check_matmul(mm, 8, 8, 8, 5),
         NULL);
  report("one code per set of sizes", tessera_function_num_compiled(mm) == 4,
         NULL);

  double x[6] = {1, 2, 3, 4, 5, 6}, rowsum[2] = {0, 0}, total = 0;
  int64_t xs[] = {2, 3}, rs[] = {2};
  tessera_tensor_view sx = {x, TESSERA_F64, 2, xs, NULL};
  tessera_tensor_view souts[] = {{rowsum, TESSERA_F64, 1, rs, NULL},
                                 {&total, TESSERA_F64, 0, NULL, NULL}};
  status = tessera_call(stats, &sx, 1, souts, 2, NULL);
  report("stats",
         status == TESSERA_OK && rowsum[0] == 6 && rowsum[1] == 15 &&
             total == 21,
         NULL);

  float v[3] = {1, 2, 3}, r[12];
  int64_t L = 4;
  float s = 0.5f;
  int64_t vs[] = {3}, shape_r[] = {3, 4}, extents[2] = {0, 0};
  tessera_tensor_view rargs[] = {{v, TESSERA_F32, 1, vs, NULL},
                                 {&L, TESSERA_I64, 0, NULL, NULL},
                                 {&s, TESSERA_F32, 0, NULL, NULL}};
  tessera_tensor_view rout = {r, TESSERA_F32, 2, shape_r, NULL};
  int ok = tessera_function_result_shapes(ramp, rargs, 3, extents, 2, NULL) ==
               TESSERA_OK &&
           extents[0] == 3 && extents[1] == 4 &&
           tessera_call(ramp, rargs, 3, &rout, 1, NULL) == TESSERA_OK;
  for (int n = 0; ok && n != 3; ++n)
    for (int l = 0; ok && l != 4; ++l)
      ok = r[n * 4 + l] == v[n] * (float)l * s;
  report("index and scalar parameters", ok, NULL);

  /* Threads calling at once, with sizes of their own. */
  struct thread_work works[2] = {{mm, 16, 0}, {mm, 37, 0}};
  pthread_t threads[2];
  for (int t = 0; t != 2; ++t)
    pthread_create(&threads[t], NULL, thread_main, &works[t]);
  for (int t = 0; t != 2; ++t)
    pthread_join(threads[t], NULL);
  report("threads", works[0].ok && works[1].ok, NULL);

  /* Misuse: statuses with messages, nothing written. */
  float a[12], b[12], c[16];
  fill(a, 12, 9);
  fill(b, 12, 10);
  for (int i = 0; i != 16; ++i)
    c[i] = -7;
  int64_t as[] = {3, 4}, bs[] = {3, 4}, cs[] = {3, 4};
  tessera_tensor_view bad[] = {{a, TESSERA_F32, 2, as, NULL},
                               {b, TESSERA_F32, 2, bs, NULL}};
  tessera_tensor_view out = {c, TESSERA_F32, 2, cs, NULL};
  status = tessera_call(mm, bad, 2, &out, 1, &error);
  expect_error("size mismatch", status, TESSERA_SHAPE_ERROR, error,
               "size mismatch for K: a has 4 (dim 1) but b has 3 (dim 0)");
  report("output untouched", c[0] == -7 && c[11] == -7, NULL);

  bad[1].dtype = TESSERA_F64;
  status = tessera_call(mm, bad, 2, &out, 1, &error);
  expect_error("dtype", status, TESSERA_TYPE_ERROR, error,
               "argument 'b' of 'matmul' must be f32 but is f64");

  int64_t bs2[] = {4, 3}, transposed[] = {1, 4}, unit[] = {99, 1};
  bad[1].dtype = TESSERA_F32;
  bad[1].shape = bs2;
  bad[1].strides = transposed;
  status = tessera_call(mm, bad, 2, &out, 1, &error);
  expect_error("strides", status, TESSERA_TYPE_ERROR, error,
               "is not C-contiguous");
  int64_t one_row[] = {1, 4}, cs1[] = {1, 3};
  tessera_tensor_view row[] = {{a, TESSERA_F32, 2, one_row, unit},
                               {b, TESSERA_F32, 2, bs2, NULL}};
  tessera_tensor_view out1 = {c, TESSERA_F32, 2, cs1, NULL};
  report("strides of extent-1 dimensions are free",
         tessera_call(mm, row, 2, &out1, 1, NULL) == TESSERA_OK, NULL);

  tessera_tensor_view overlap = {a, TESSERA_F32, 2, cs1, NULL};
  status = tessera_call(mm, row, 2, &overlap, 1, &error);
  expect_error("overlap", status, TESSERA_INVALID_ARGUMENT, error,
               "overlaps an argument");

  int64_t wrong[] = {1, 4};
  tessera_tensor_view badout = {c, TESSERA_F32, 2, wrong, NULL};
  status = tessera_call(mm, row, 2, &badout, 1, &error);
  expect_error("output shape", status, TESSERA_SHAPE_ERROR, error,
               "result 0 of 'matmul' is f32[1, 3] but the output has shape "
               "[1, 4]");

  status = tessera_call(mm, row, 1, &out1, 1, &error);
  expect_error("argument count", status, TESSERA_INVALID_ARGUMENT, error,
               "'matmul' takes 2 argument(s) (a, b) but 1 were given");
  status = tessera_call(NULL, NULL, 0, NULL, 0, &error);
  expect_error("null function", status, TESSERA_INVALID_ARGUMENT, error,
               "NULL");
  row[0].data = NULL;
  status = tessera_call(mm, row, 2, &out1, 1, &error);
  expect_error("null data", status, TESSERA_INVALID_ARGUMENT, error,
               "has no data");
  row[0].data = (char *)a + 1;
  status = tessera_call(mm, row, 2, &out1, 1, &error);
  expect_error("misaligned", status, TESSERA_TYPE_ERROR, error, "not aligned");
  row[0].data = a;
  row[0].dtype = (tessera_dtype)42;
  status = tessera_call(mm, row, 2, &out1, 1, &error);
  expect_error("unknown dtype", status, TESSERA_TYPE_ERROR, error,
               "unknown dtype");

  /* Compile errors: every diagnostic, located. */
  const char *broken = "fn f(x: f32[N]) -> f32[N] {\n  return x + y\n}\n"
                       "fn g(x: f32[N]) -> f32[N] {\n  return x * z\n}\n";
  tessera_module *none = (tessera_module *)&error;
  status = tessera_compile_string(context, "broken.tess", broken,
                                  strlen(broken), NULL, &none, &error);
  tessera_diagnostic d0, d1;
  ok = status == TESSERA_COMPILE_ERROR && none == NULL &&
       tessera_failure_num_diagnostics(error) == 2 &&
       tessera_failure_diagnostic(error, 0, &d0) == TESSERA_OK &&
       tessera_failure_diagnostic(error, 1, &d1) == TESSERA_OK &&
       d0.line == 2 && d0.column == 14 && d1.line == 5 && d1.column == 14 &&
       strcmp(d0.file, "broken.tess") == 0 &&
       strcmp(d0.message, "unknown name 'y'") == 0 &&
       d0.severity == TESSERA_SEVERITY_ERROR &&
       tessera_failure_diagnostic(error, 2, &d0) == TESSERA_INVALID_ARGUMENT;
  printf("%s", tessera_failure_message(error));
  report("compile errors", ok, NULL);
  tessera_failure_destroy(error);

  status =
      tessera_compile_file(context, "/nonexistent/x.tess", NULL, &none, &error);
  expect_error("missing file", status, TESSERA_IO_ERROR, error,
               "/nonexistent/x.tess");
  status = tessera_compile_string(NULL, NULL, NULL, 0, NULL, &none, &error);
  expect_error("null context", status, TESSERA_INVALID_ARGUMENT, error, "NULL");

  /* Printing. */
  char *text = NULL;
  const char *names[] = {"M", "K", "N"};
  int64_t sizes[] = {512, 256, 128};
  ok = tessera_module_print(module, "matmul", TESSERA_PRINT_MLIR, NULL, NULL, 0,
                            &text, NULL) == TESSERA_OK &&
       strstr(text, "func.func @matmul") != NULL;
  tessera_string_destroy(text);
  ok = ok &&
       tessera_module_print(module, "matmul", TESSERA_PRINT_EXPLAIN, names,
                            sizes, 3, &text, NULL) == TESSERA_OK &&
       strstr(text, "M 512") != NULL;
  tessera_string_destroy(text);
  report("print", ok, NULL);
  status = tessera_module_print(module, "nope", TESSERA_PRINT_MLIR, NULL, NULL,
                                0, &text, &error);
  expect_error("print unknown", status, TESSERA_NOT_FOUND, error, "nope");

  tessera_module_destroy(module);
  tessera_context_destroy(context);

  /* A module keeps its context alive: the context may go first. */
  context = tessera_context_create(NULL);
  status = tessera_compile_string(context, "capi.tess", source, strlen(source),
                                  NULL, &module, NULL);
  tessera_context_destroy(context);
  report("context released before its module",
         status == TESSERA_OK &&
             check_matmul(tessera_module_lookup(module, "matmul"), 4, 3, 2, 11),
         NULL);
  tessera_module_destroy(module);
  printf("%s\n", failures ? "FAILURES" : "ALL OK");
  return failures != 0;
}
