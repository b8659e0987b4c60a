/*===- tessera/tessera.h - Tessera's stable C API -------------------*- C
 * -*-===*
 *
 * Compile Tessera source and call its functions on your own arrays, from C
 * or any language with a C FFI. Link libTessera (CMake: Tessera::Tessera).
 *
 *   tessera_context *ctx = tessera_context_create(NULL);
 *   tessera_module *mod;
 *   tessera_failure *err;
 *   if (tessera_compile_string(ctx, "mm.tess", src, strlen(src), NULL, &mod,
 *                              &err) != TESSERA_OK) {
 *     fprintf(stderr, "%s", tessera_failure_message(err));
 *     tessera_failure_destroy(err);
 *   }
 *   const tessera_function *mm = tessera_module_lookup(mod, "matmul");
 *   int64_t ashape[] = {M, K}, bshape[] = {K, N}, cshape[] = {M, N};
 *   tessera_tensor_view args[] = {{a, TESSERA_F32, 2, ashape, NULL},
 *                                 {b, TESSERA_F32, 2, bshape, NULL}};
 *   tessera_tensor_view out = {c, TESSERA_F32, 2, cshape, NULL};
 *   tessera_call(mm, args, 2, &out, 1, &err);
 *   tessera_module_destroy(mod);
 *   tessera_context_destroy(ctx);
 *
 * Rules that hold for every function here:
 * - Nothing aborts on bad input: every failure is a status code, and, when
 *   the caller passes a `tessera_failure **`, an object with a message
 *   (and, for compile errors, the diagnostics one by one). Pass NULL to get
 *   the code alone.
 * - Arrays are borrowed, never copied: arguments are read and results
 *   written in place. They must be dense, row-major (C-contiguous) and of the
 *   parameter's exact dtype; nothing is converted.
 * - Contexts, modules and functions may be used from several threads at once;
 *   calls run concurrently (compilation is serialized per module).
 * - Objects are freed by their own `_destroy`; a function handle lives as
 *   long as its module, a context as long as its modules; strings returned
 *   as `char *` are freed with tessera_string_destroy.
 * - When a call fails at run time (TESSERA_RUNTIME_ERROR: memory exhausted
 *   or an intermediate too large, found while computing), its results are
 *   unspecified: they may be partly written. Every other failure writes
 *   nothing. Running out of memory inside the compiler itself aborts, as it
 *   does in LLVM.
 *
 * The API is versioned by TESSERA_API_VERSION; additions keep old programs
 * working, and a change that would not bumps the major version.
 *
 *===----------------------------------------------------------------------===*/

#ifndef TESSERA_TESSERA_H
#define TESSERA_TESSERA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The API version: major * 10000 + minor * 100 + patch. */
#define TESSERA_API_VERSION 100

/** Status codes. TESSERA_OK is 0; every other code is a failure. */
typedef enum tessera_status {
  TESSERA_OK = 0,
  /** A NULL pointer, a count that does not match, an unknown option. */
  TESSERA_INVALID_ARGUMENT = 1,
  /** The source has errors (see the error's diagnostics). */
  TESSERA_COMPILE_ERROR = 2,
  /** An argument of the wrong dtype, or an array that is not C-contiguous or
   *  not aligned to its element size. */
  TESSERA_TYPE_ERROR = 3,
  /** Ranks or extents that do not match the signature's size symbols. */
  TESSERA_SHAPE_ERROR = 4,
  /** The function failed while running: a size rule it checks at run time,
   *  an intermediate too large or memory exhausted. */
  TESSERA_RUNTIME_ERROR = 5,
  /** A file that cannot be read. */
  TESSERA_IO_ERROR = 6,
  /** No function of that name. */
  TESSERA_NOT_FOUND = 7,
} tessera_status;

/** Element types, as Tessera spells them. */
typedef enum tessera_dtype {
  TESSERA_BOOL = 0, /**< 1 byte, 0 or 1 */
  TESSERA_I32 = 1,
  TESSERA_I64 = 2,
  TESSERA_F16 = 3,
  TESSERA_BF16 = 4,
  TESSERA_F32 = 5,
  TESSERA_F64 = 6,
  TESSERA_C64 = 7,  /**< two f32: real, imaginary */
  TESSERA_C128 = 8, /**< two f64: real, imaginary */
} tessera_dtype;

/** The spelling of `dtype` ("f32"), or NULL for an unknown value. */
const char *tessera_dtype_name(int32_t dtype);
/** The size of one element of `dtype` in bytes, or 0 for an unknown value. */
size_t tessera_dtype_size(int32_t dtype);

/** An array the caller owns. `shape` has `rank` extents. `strides` (in
 *  elements) may be NULL for a C-contiguous array; otherwise they must be
 *  those of a C-contiguous array (any stride of a dimension of extent 1 is
 *  accepted). A rank-0 view is a scalar; an `index` parameter takes a rank-0
 *  view of an int64_t (TESSERA_I64). */
typedef struct tessera_tensor_view {
  void *data;
  /** A tessera_dtype value (an int32_t: any value is checked, none is
   *  undefined behaviour). */
  int32_t dtype;
  int32_t rank;
  const int64_t *shape;
  const int64_t *strides;
} tessera_tensor_view;

/* ---------------------------------------------------------------------- */
/* Failures                                                               */
/* ---------------------------------------------------------------------- */

/** Why a call failed: its status, its message and, for compile errors, the
 *  diagnostics. (Not `tessera_error`: that is the error record of the
 *  headers `tessc --emit=lib` writes, which a program may include too.) */
typedef struct tessera_failure tessera_failure;

/** Diagnostic severities. */
typedef enum tessera_severity {
  TESSERA_SEVERITY_ERROR = 0,
  TESSERA_SEVERITY_WARNING = 1,
  TESSERA_SEVERITY_NOTE = 2,
  TESSERA_SEVERITY_REMARK = 3,
} tessera_severity;

/** One diagnostic of a compile error. Strings live as long as the error. */
typedef struct tessera_diagnostic {
  tessera_severity severity;
  /** The file or buffer name it points into; "" when it has no location. */
  const char *file;
  /** 1-based; 0 when it has no location. */
  uint32_t line;
  uint32_t column;
  const char *message;
} tessera_diagnostic;

/** The error's status code. */
tessera_status tessera_failure_status(const tessera_failure *error);
/** The whole message. For a compile error: every diagnostic as
 *  `file:line:col: error: message` with the source line and a caret. */
const char *tessera_failure_message(const tessera_failure *error);
/** The number of diagnostics (0 unless a compile error). */
size_t tessera_failure_num_diagnostics(const tessera_failure *error);
/** The diagnostic `index`; TESSERA_INVALID_ARGUMENT when out of range. */
tessera_status tessera_failure_diagnostic(const tessera_failure *error,
                                          size_t index,
                                          tessera_diagnostic *diagnostic);
/** Frees `error` (NULL is fine). */
void tessera_failure_destroy(tessera_failure *error);

/** Frees a string returned by this API (NULL is fine). */
void tessera_string_destroy(char *string);

/* ---------------------------------------------------------------------- */
/* Contexts and modules                                                   */
/* ---------------------------------------------------------------------- */

typedef struct tessera_context tessera_context;
typedef struct tessera_module tessera_module;
typedef struct tessera_function tessera_function;

/** Options of a context: set them up with tessera_context_options_init. */
typedef struct tessera_context_options {
  /** Threads the compiler itself uses (0: as many as cores). The compiled
   *  code's threads are set with the TESSERA_NUM_THREADS variable. */
  uint32_t compiler_threads;
} tessera_context_options;

/** Options of one compilation: set them up with
 *  tessera_compile_options_init. */
typedef struct tessera_compile_options {
  /** 0 .. 3 (-O0 .. -O3; larger values count as 3). Default 2. */
  uint32_t opt_level;
} tessera_compile_options;

/** Sets every option to its default. */
void tessera_context_options_init(tessera_context_options *options);
/** Sets every option to its default. */
void tessera_compile_options_init(tessera_compile_options *options);

/** A new context (options may be NULL), or NULL when out of memory. */
tessera_context *tessera_context_create(const tessera_context_options *options);
/** Releases `context` (NULL is fine). Modules compiled in it keep it alive:
 *  it is freed with the last of them. */
void tessera_context_destroy(tessera_context *context);

/** Compiles `length` bytes of source text named `name` (used in diagnostics;
 *  NULL: "<string>"). On success `*module` is the module; on failure it is
 *  NULL and, when `error` is not NULL, `*error` tells why. Code is generated
 *  for each function at its first call with a given set of sizes. */
tessera_status tessera_compile_string(tessera_context *context,
                                      const char *name, const char *source,
                                      size_t length,
                                      const tessera_compile_options *options,
                                      tessera_module **module,
                                      tessera_failure **error);
/** Like tessera_compile_string for the file at `path`. */
tessera_status tessera_compile_file(tessera_context *context, const char *path,
                                    const tessera_compile_options *options,
                                    tessera_module **module,
                                    tessera_failure **error);
/** Frees `module`, its functions and their compiled code (NULL is fine).
 *  No call of its functions may be running. */
void tessera_module_destroy(tessera_module *module);

/** The number of functions of `module`, in source order. */
size_t tessera_module_num_functions(const tessera_module *module);
/** The function `index` (NULL when out of range). */
const tessera_function *tessera_module_function(const tessera_module *module,
                                                size_t index);
/** The function called `name`, or NULL. */
const tessera_function *tessera_module_lookup(const tessera_module *module,
                                              const char *name);

/** What tessera_module_print prints. */
typedef enum tessera_print_kind {
  TESSERA_PRINT_MLIR = 0,    /**< the tess-dialect function */
  TESSERA_PRINT_LOWERED = 1, /**< lowered to MLIR's LLVM dialect */
  TESSERA_PRINT_LLVM = 2,    /**< LLVM IR */
  TESSERA_PRINT_ASM = 3,     /**< native assembly */
  TESSERA_PRINT_EXPLAIN = 4, /**< the contraction plans, with their costs */
} tessera_print_kind;

/** Prints `kind` for the function `name` into `*text` (free it with
 *  tessera_string_destroy). Size symbols named in `size_names` take the
 *  extents in `sizes` (`num_sizes` of them) for planning; others are
 *  assumed to be 64. */
tessera_status tessera_module_print(tessera_module *module, const char *name,
                                    int32_t kind, const char *const *size_names,
                                    const int64_t *sizes, size_t num_sizes,
                                    char **text, tessera_failure **error);

/* ---------------------------------------------------------------------- */
/* Functions and calls                                                    */
/* ---------------------------------------------------------------------- */

/** A parameter or result of a function. Strings live as long as the module. */
typedef struct tessera_value_info {
  /** The parameter's name; a result's is the name it is returned by, or
   *  "result0", "result1", ... for an expression. */
  const char *name;
  /** Non-zero for an `index` parameter (a rank-0 TESSERA_I64 view). */
  int32_t is_index;
  tessera_dtype dtype;
  int32_t rank;
  /** The declared dimensions as spelled: "M", "8", "N / 2 + 1". */
  const char *const *dims;
} tessera_value_info;

/** The function's name. */
const char *tessera_function_name(const tessera_function *function);
/** Its signature: "matmul(a: f32[M, K], b: f32[K, N]) -> f32[M, N]". */
const char *tessera_function_signature(const tessera_function *function);
size_t tessera_function_num_params(const tessera_function *function);
size_t tessera_function_num_results(const tessera_function *function);
/** Parameter `index`; TESSERA_INVALID_ARGUMENT when out of range. */
tessera_status tessera_function_param(const tessera_function *function,
                                      size_t index, tessera_value_info *info);
/** Result `index`; TESSERA_INVALID_ARGUMENT when out of range. */
tessera_status tessera_function_result(const tessera_function *function,
                                       size_t index, tessera_value_info *info);

/** How many sets of sizes the function has code for (it keeps the 32 most
 *  recently used). */
size_t tessera_function_num_compiled(const tessera_function *function);

/** Checks `args` (one per parameter) and writes the extents of every result
 *  into `extents`, result after result (result r has the rank
 *  tessera_function_result gives), `capacity` entries at most. Fails with
 *  TESSERA_TYPE_ERROR or TESSERA_SHAPE_ERROR and a message that names the
 *  parameter, the size symbol and both extents. */
tessera_status tessera_function_result_shapes(const tessera_function *function,
                                              const tessera_tensor_view *args,
                                              size_t num_args, int64_t *extents,
                                              size_t capacity,
                                              tessera_failure **error);

/** Calls `function` on `args` (one per parameter) and writes its results
 *  into `results` (one per result, with the dtypes and the extents
 *  tessera_function_result_shapes gives, not overlapping any argument).
 *  The first call with a set of sizes compiles code for those sizes; later
 *  calls with the same sizes reuse it. */
tessera_status tessera_call(const tessera_function *function,
                            const tessera_tensor_view *args, size_t num_args,
                            const tessera_tensor_view *results,
                            size_t num_results, tessera_failure **error);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TESSERA_TESSERA_H */
