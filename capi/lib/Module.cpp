//===- Module.cpp - Contexts, modules, functions and errors of the C API --===//
//
// Everything of tessera/tessera.h but the calls (Call.cpp). No function here
// lets a C++ exception or an abort out: bad handles and arguments are status
// codes.
//
//===----------------------------------------------------------------------===//

#include "CAPIImpl.h"

#include "tessera/Runtime/FileIO.h"
#include "tessera/Runtime/SizeExpr.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Threading.h"

#include <cstdlib>
#include <cstring>

using namespace tessera;
using namespace tessera::capi;

//===----------------------------------------------------------------------===//
// Errors and strings
//===----------------------------------------------------------------------===//

tessera_status tessera::capi::fail(tessera_failure **error,
                                   tessera_status status,
                                   const llvm::Twine &message) {
  if (error) {
    auto *e = new tessera_failure;
    e->status = status;
    e->message = message.str();
    *error = e;
  }
  return status;
}

void DiagnosticSink::attach(CompilerOptions &options) {
  options.diagnosticStream = &stream;
  options.diagnosticCallback = [this](const DiagnosticRecord &record) {
    records.push_back(record);
  };
}

tessera_status DiagnosticSink::toError(tessera_failure **error,
                                       tessera_status status,
                                       const llvm::Twine &fallback) {
  if (!error)
    return status;
  auto *e = new tessera_failure;
  e->status = status;
  e->message = text.empty() ? fallback.str() : text;
  e->diagnostics = std::move(records);
  *error = e;
  return status;
}

tessera_status tessera_failure_status(const tessera_failure *error) {
  return error ? error->status : TESSERA_INVALID_ARGUMENT;
}

const char *tessera_failure_message(const tessera_failure *error) {
  return error ? error->message.c_str() : "";
}

size_t tessera_failure_num_diagnostics(const tessera_failure *error) {
  return error ? error->diagnostics.size() : 0;
}

tessera_status tessera_failure_diagnostic(const tessera_failure *error,
                                          size_t index,
                                          tessera_diagnostic *diagnostic) {
  if (!error || !diagnostic || index >= error->diagnostics.size())
    return TESSERA_INVALID_ARGUMENT;
  const DiagnosticRecord &record = error->diagnostics[index];
  diagnostic->severity = static_cast<tessera_severity>(record.severity);
  diagnostic->file = record.file.c_str();
  diagnostic->line = record.line;
  diagnostic->column = record.column;
  diagnostic->message = record.message.c_str();
  return TESSERA_OK;
}

void tessera_failure_destroy(tessera_failure *error) { delete error; }

void tessera_string_destroy(char *string) { std::free(string); }

/// A copy of `text` that tessera_string_destroy frees, or null.
static char *copyString(llvm::StringRef text) {
  auto *copy = static_cast<char *>(std::malloc(text.size() + 1));
  if (!copy)
    return nullptr;
  std::memcpy(copy, text.data(), text.size());
  copy[text.size()] = '\0';
  return copy;
}

static_assert(
    int(DiagnosticRecord::Severity::Error) == TESSERA_SEVERITY_ERROR &&
        int(DiagnosticRecord::Severity::Warning) == TESSERA_SEVERITY_WARNING &&
        int(DiagnosticRecord::Severity::Note) == TESSERA_SEVERITY_NOTE &&
        int(DiagnosticRecord::Severity::Remark) == TESSERA_SEVERITY_REMARK,
    "tessera_severity mirrors DiagnosticRecord::Severity");

//===----------------------------------------------------------------------===//
// Dtypes
//===----------------------------------------------------------------------===//

static_assert(
    int(DType::Bool) == TESSERA_BOOL && int(DType::I32) == TESSERA_I32 &&
        int(DType::I64) == TESSERA_I64 && int(DType::F16) == TESSERA_F16 &&
        int(DType::BF16) == TESSERA_BF16 && int(DType::F32) == TESSERA_F32 &&
        int(DType::F64) == TESSERA_F64 && int(DType::C64) == TESSERA_C64 &&
        int(DType::C128) == TESSERA_C128,
    "tessera_dtype mirrors tessera::DType");

static bool isKnownDType(int32_t dtype) {
  return dtype >= TESSERA_BOOL && dtype <= TESSERA_C128;
}

const char *tessera_dtype_name(int32_t dtype) {
  if (!isKnownDType(dtype))
    return nullptr;
  // The names are string literals.
  return getDTypeName(static_cast<DType>(dtype)).data();
}

size_t tessera_dtype_size(int32_t dtype) {
  return isKnownDType(dtype) ? getDTypeSize(static_cast<DType>(dtype)) : 0;
}

//===----------------------------------------------------------------------===//
// Contexts
//===----------------------------------------------------------------------===//

void tessera_context_options_init(tessera_context_options *options) {
  if (options)
    *options = tessera_context_options{0};
}

void tessera_compile_options_init(tessera_compile_options *options) {
  if (options)
    *options = tessera_compile_options{2};
}

tessera_context *
tessera_context_create(const tessera_context_options *options) {
  unsigned threads = options ? options->compiler_threads : 0;
  auto *context = new (std::nothrow) tessera_context;
  if (!context)
    return nullptr;
  // At most the hardware's threads, whatever was asked for: a pool that
  // cannot start its threads aborts.
  llvm::ThreadPoolStrategy strategy =
      threads ? llvm::heavyweight_hardware_concurrency(threads)
              : llvm::heavyweight_hardware_concurrency();
  strategy.Limit = true;
  context->threadPool = std::make_unique<llvm::DefaultThreadPool>(strategy);
  return context;
}

void tessera_context_destroy(tessera_context *context) {
  if (context)
    context->release();
}

//===----------------------------------------------------------------------===//
// Modules
//===----------------------------------------------------------------------===//

std::unique_ptr<Compiler> tessera_module::load(CompilerOptions options,
                                               DiagnosticSink &sink) const {
  options.optLevel = optLevel;
  options.threadPool = context->threadPool.get();
  sink.attach(options);
  auto compiler = std::make_unique<Compiler>(std::move(options));
  if (!compiler->loadSource(name, source) || compiler->getNumErrors() != 0)
    return nullptr;
  return compiler;
}

/// "a: f32[M, K]", "L: index", "f32[M, N]" (without a name).
static std::string spellValue(const ValueSpec &value, bool withName,
                              SpelledValue &spelled) {
  for (const DimSpec &dim : value.dims)
    spelled.dims.push_back(formatDimSpec(dim));
  for (const std::string &dim : spelled.dims)
    spelled.dimPointers.push_back(dim.c_str());
  std::string text = withName ? value.name + ": " : "";
  if (value.kind == ValueSpec::Kind::Index)
    return text + "index";
  text += getDTypeName(value.dtype).str();
  if (!spelled.dims.empty())
    text += "[" + llvm::join(spelled.dims, ", ") + "]";
  return text;
}

/// The function handle for `sig`, with its spelled signature.
static std::unique_ptr<tessera_function>
makeFunction(tessera_module *module, const EntrySignature &sig) {
  auto function = std::make_unique<tessera_function>();
  function->module = module;
  function->signature = sig;
  function->params.resize(sig.params.size());
  function->results.resize(sig.results.size());
  std::vector<std::string> params, results;
  for (auto [value, spelled] : llvm::zip(sig.params, function->params))
    params.push_back(spellValue(value, true, spelled));
  for (auto [value, spelled] : llvm::zip(sig.results, function->results))
    results.push_back(spellValue(value, false, spelled));
  function->signatureText = sig.name + "(" + llvm::join(params, ", ") + ")";
  if (results.size() == 1)
    function->signatureText += " -> " + results[0];
  else if (!results.empty())
    function->signatureText += " -> (" + llvm::join(results, ", ") + ")";
  return function;
}

static tessera_status compileModule(tessera_context *context, std::string name,
                                    std::string source,
                                    const tessera_compile_options *options,
                                    tessera_module **result,
                                    tessera_failure **error) {
  auto module = std::make_unique<tessera_module>(context);
  module->name = std::move(name);
  module->source = std::move(source);
  module->optLevel = options ? std::min(options->opt_level, 3u) : 2;
  DiagnosticSink sink;
  std::unique_ptr<Compiler> compiler = module->load({}, sink);
  if (!compiler)
    return sink.toError(error, TESSERA_COMPILE_ERROR,
                        "'" + module->name + "' has errors");
  for (const EntrySignature &sig : compiler->getSignatures())
    module->functions.push_back(makeFunction(module.get(), sig));
  *result = module.release();
  return TESSERA_OK;
}

/// The checks both compile functions begin with: clears `*error`, and
/// `*module` when there is one. Fails when `module` is null or when
/// `inputsGiven` (a context and a source) is false.
static tessera_status startCompile(const char *function, bool inputsGiven,
                                   const char *inputs, tessera_module **module,
                                   tessera_failure **error) {
  if (error)
    *error = nullptr;
  if (!module)
    return fail(error, TESSERA_INVALID_ARGUMENT,
                llvm::Twine(function) + ": `module` is NULL");
  *module = nullptr;
  if (!inputsGiven)
    return fail(error, TESSERA_INVALID_ARGUMENT,
                llvm::Twine(function) + ": " + inputs + " is NULL");
  return TESSERA_OK;
}

tessera_status tessera_compile_string(tessera_context *context,
                                      const char *name, const char *source,
                                      size_t length,
                                      const tessera_compile_options *options,
                                      tessera_module **module,
                                      tessera_failure **error) {
  if (tessera_status s =
          startCompile("tessera_compile_string", context && (source || !length),
                       "`context` or `source`", module, error))
    return s;
  return compileModule(context, name ? name : "<string>",
                       std::string(source ? source : "", length), options,
                       module, error);
}

tessera_status tessera_compile_file(tessera_context *context, const char *path,
                                    const tessera_compile_options *options,
                                    tessera_module **module,
                                    tessera_failure **error) {
  if (tessera_status s = startCompile("tessera_compile_file", context && path,
                                      "`context` or `path`", module, error))
    return s;
  auto text = readInputFile(path);
  if (!text)
    return fail(error, TESSERA_IO_ERROR, llvm::toString(text.takeError()));
  return compileModule(context, path, (*text)->getBuffer().str(), options,
                       module, error);
}

void tessera_module_destroy(tessera_module *module) { delete module; }

size_t tessera_module_num_functions(const tessera_module *module) {
  return module ? module->functions.size() : 0;
}

const tessera_function *tessera_module_function(const tessera_module *module,
                                                size_t index) {
  if (!module || index >= module->functions.size())
    return nullptr;
  return module->functions[index].get();
}

const tessera_function *tessera_module_lookup(const tessera_module *module,
                                              const char *name) {
  if (!module || !name)
    return nullptr;
  for (const auto &function : module->functions)
    if (function->signature.name == name)
      return function.get();
  return nullptr;
}

tessera_status tessera_module_print(tessera_module *module, const char *name,
                                    int32_t kind, const char *const *sizeNames,
                                    const int64_t *sizes, size_t numSizes,
                                    char **text, tessera_failure **error) {
  if (error)
    *error = nullptr;
  if (!module || !name || !text || (numSizes && (!sizeNames || !sizes)))
    return fail(error, TESSERA_INVALID_ARGUMENT,
                "tessera_module_print: a required pointer is NULL");
  *text = nullptr;
  if (!tessera_module_lookup(module, name))
    return fail(error, TESSERA_NOT_FOUND,
                "no function named '" + llvm::Twine(name) + "' in '" +
                    module->name + "'");
  static const EmitKind kinds[] = {EmitKind::MLIR, EmitKind::Lowered,
                                   EmitKind::LLVM, EmitKind::Assembly,
                                   EmitKind::Lowered};
  if (kind < TESSERA_PRINT_MLIR || kind > TESSERA_PRINT_EXPLAIN)
    return fail(error, TESSERA_INVALID_ARGUMENT,
                "tessera_module_print: unknown kind " + llvm::Twine(int(kind)));
  CompilerOptions options;
  for (size_t i = 0; i != numSizes; ++i) {
    if (!sizeNames[i] || sizes[i] < 0)
      return fail(error, TESSERA_INVALID_ARGUMENT,
                  "tessera_module_print: size " + llvm::Twine(i) +
                      " has no name or is negative");
    options.sizeHints[sizeNames[i]] = sizes[i];
  }
  bool explain = kind == TESSERA_PRINT_EXPLAIN;
  options.explain = explain;
  std::string printed;
  llvm::raw_string_ostream os(printed);
  // A fresh compiler each time: printing compiles the function alone.
  std::lock_guard<std::mutex> lock(module->compileMutex);
  DiagnosticSink sink;
  std::unique_ptr<Compiler> compiler = module->load(std::move(options), sink);
  bool ok = compiler &&
            compiler->printFunction(kinds[kind], name,
                                    explain ? llvm::nulls() : os) &&
            compiler->getNumErrors() == 0;
  if (!ok)
    return sink.toError(error, TESSERA_COMPILE_ERROR,
                        "cannot print '" + llvm::Twine(name) + "'");
  // The plans are remarks, printed as diagnostics.
  if (explain)
    printed = sink.text.empty() ? "no contraction to plan\n" : sink.text;
  *text = copyString(printed);
  if (!*text)
    return fail(error, TESSERA_RUNTIME_ERROR, "out of memory");
  return TESSERA_OK;
}

//===----------------------------------------------------------------------===//
// Functions
//===----------------------------------------------------------------------===//

const char *tessera_function_name(const tessera_function *function) {
  return function ? function->signature.name.c_str() : "";
}

const char *tessera_function_signature(const tessera_function *function) {
  return function ? function->signatureText.c_str() : "";
}

size_t tessera_function_num_params(const tessera_function *function) {
  return function ? function->signature.params.size() : 0;
}

size_t tessera_function_num_results(const tessera_function *function) {
  return function ? function->signature.results.size() : 0;
}

static void describeValue(const ValueSpec &value, const SpelledValue &spelled,
                          tessera_value_info *info) {
  info->name = value.name.c_str();
  info->is_index = value.kind == ValueSpec::Kind::Index;
  info->dtype = static_cast<tessera_dtype>(value.dtype);
  info->rank = static_cast<int32_t>(value.dims.size());
  info->dims = spelled.dimPointers.data();
}

tessera_status tessera_function_param(const tessera_function *function,
                                      size_t index, tessera_value_info *info) {
  if (!function || !info || index >= function->signature.params.size())
    return TESSERA_INVALID_ARGUMENT;
  describeValue(function->signature.params[index], function->params[index],
                info);
  return TESSERA_OK;
}

tessera_status tessera_function_result(const tessera_function *function,
                                       size_t index, tessera_value_info *info) {
  if (!function || !info || index >= function->signature.results.size())
    return TESSERA_INVALID_ARGUMENT;
  describeValue(function->signature.results[index], function->results[index],
                info);
  return TESSERA_OK;
}
