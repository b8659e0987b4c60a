//===- Call.cpp - Calling functions on the caller's arrays ----------------===//
//
// tessera_function_result_shapes and tessera_call: every argument and result
// view is checked against the signature (dtype, rank, layout, alignment,
// sizes, overlap) before anything runs, the sizes select the code generated
// for them (generated at their first call), and the entry runs on the
// caller's memory.
//
//===----------------------------------------------------------------------===//

#include "CAPIImpl.h"

#include "tessera/Runtime/EntryABI.h"
#include "tessera/Runtime/Printer.h"
#include "tessera/Runtime/SizeExpr.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

using namespace tessera;
using namespace tessera::capi;

namespace {

/// A call's arguments, checked, and what they imply.
struct PreparedCall {
  llvm::SmallVector<TensorView, 8> tensors;
  llvm::SmallVector<int64_t, 4> indexValues;
  std::map<std::string, int64_t> bindings;
  std::vector<std::vector<int64_t>> resultShapes;
};

/// "argument 'a' of 'matmul'".
std::string describeArgument(const EntrySignature &sig, const ValueSpec &p) {
  return "argument '" + p.name + "' of '" + sig.name + "'";
}

/// "[2, 3]".
std::string formatExtents(llvm::ArrayRef<int64_t> extents) {
  return "[" +
         llvm::join(llvm::map_range(
                        extents, [](int64_t e) { return std::to_string(e); }),
                    ", ") +
         "]";
}

/// The alignment an element of `dtype` needs (a complex number's part's).
size_t elementAlignment(DType dtype) {
  size_t size = getDTypeSize(dtype);
  return isComplexDType(dtype) ? size / 2 : size;
}

/// Checks the memory of one view that holds a tensor of `shape` (already
/// checked against the signature): strides, data, alignment, byte size.
tessera_status checkMemory(const tessera_tensor_view &view, DType dtype,
                           llvm::ArrayRef<int64_t> shape,
                           llvm::function_ref<std::string()> what,
                           tessera_failure **error) {
  for (int64_t extent : shape)
    if (extent < 0)
      return fail(error, TESSERA_SHAPE_ERROR,
                  what() + " has a negative extent: " + formatExtents(shape));
  // The message is built only for a failure: this runs at every call.
  if (!computeTensorBytes(dtype, shape))
    if (llvm::Error e = checkTensorSize(what(), dtype, shape))
      return fail(error, TESSERA_SHAPE_ERROR, llvm::toString(std::move(e)));
  bool empty = llvm::is_contained(shape, 0);
  if (view.strides && !empty) {
    int64_t expected = 1;
    for (size_t d = shape.size(); d-- > 0;) {
      if (shape[d] != 1 && view.strides[d] != expected)
        return fail(error, TESSERA_TYPE_ERROR,
                    what() + " is not C-contiguous (strides " +
                        formatExtents({view.strides, shape.size()}) +
                        " in elements for shape " + formatExtents(shape) +
                        "): pass a contiguous copy (numpy.ascontiguousarray, "
                        "torch's .contiguous())");
      expected *= shape[d];
    }
  }
  if (!view.data && !empty)
    return fail(error, TESSERA_INVALID_ARGUMENT, what() + " has no data");
  if (reinterpret_cast<uintptr_t>(view.data) % elementAlignment(dtype))
    return fail(error, TESSERA_TYPE_ERROR,
                what() + " is not aligned to its " + getDTypeName(dtype) +
                    " elements: pass an aligned copy");
  return TESSERA_OK;
}

/// Checks `args` against the signature of `function` and binds its sizes.
tessera_status prepare(const tessera_function *function,
                       const tessera_tensor_view *args, size_t numArgs,
                       PreparedCall &call, tessera_failure **error) {
  if (!function || (numArgs && !args))
    return fail(error, TESSERA_INVALID_ARGUMENT,
                "a call needs a function and its arguments (NULL given)");
  const EntrySignature &sig = function->signature;
  if (numArgs != sig.params.size()) {
    std::vector<std::string> names;
    for (const ValueSpec &p : sig.params)
      names.push_back(p.name);
    return fail(error, TESSERA_INVALID_ARGUMENT,
                "'" + sig.name + "' takes " + llvm::Twine(sig.params.size()) +
                    " argument(s) (" + llvm::join(names, ", ") + ") but " +
                    llvm::Twine(numArgs) + " were given");
  }
  llvm::SmallVector<llvm::ArrayRef<int64_t>, 8> shapes;
  for (size_t i = 0; i != numArgs; ++i) {
    const ValueSpec &p = sig.params[i];
    const tessera_tensor_view &view = args[i];
    auto what = [&] { return describeArgument(sig, p); };
    bool isIndex = p.kind == ValueSpec::Kind::Index;
    DType dtype = isIndex ? DType::I64 : p.dtype;
    if (view.dtype != static_cast<int32_t>(dtype)) {
      const char *given = tessera_dtype_name(view.dtype);
      return fail(error, TESSERA_TYPE_ERROR,
                  what() + " must be " + getDTypeName(dtype) + " but is " +
                      (given ? given : "of an unknown dtype") +
                      " (Tessera never converts: convert it first)");
    }
    if (view.rank != static_cast<int32_t>(p.dims.size())) {
      std::string declared = getDTypeName(dtype).str();
      if (!p.dims.empty())
        declared += "[" +
                    llvm::join(llvm::map_range(p.dims, formatDimSpec), ", ") +
                    "]";
      return fail(error, TESSERA_SHAPE_ERROR,
                  what() + " must have rank " + llvm::Twine(p.dims.size()) +
                      " (" + declared + ") but has rank " +
                      llvm::Twine(view.rank));
    }
    if (view.rank && !view.shape)
      return fail(error, TESSERA_INVALID_ARGUMENT, what() + " has no shape");
    llvm::ArrayRef<int64_t> shape(view.shape, view.rank);
    if (tessera_status s = checkMemory(view, dtype, shape, what, error))
      return s;
    if (isIndex) {
      call.indexValues.push_back(*static_cast<const int64_t *>(view.data));
      continue;
    }
    call.tensors.push_back({view.data, dtype, shape});
    shapes.push_back(shape);
  }
  auto bindings = bindSizes(sig, shapes, call.indexValues);
  if (!bindings)
    return fail(error, TESSERA_SHAPE_ERROR,
                sig.name + ": " + llvm::toString(bindings.takeError()));
  auto resultShapes = tessera::resultShapes(sig, *bindings);
  if (!resultShapes)
    return fail(error, TESSERA_SHAPE_ERROR,
                sig.name + ": " + llvm::toString(resultShapes.takeError()));
  call.bindings = std::move(*bindings);
  call.resultShapes = std::move(*resultShapes);
  return TESSERA_OK;
}

/// The byte range [begin, end) of a checked view; empty for no elements.
std::pair<uintptr_t, uintptr_t> byteRange(const TensorView &view) {
  auto bytes = computeTensorBytes(view.dtype, view.shape);
  auto begin = reinterpret_cast<uintptr_t>(view.data);
  return {begin, begin + (bytes ? *bytes : 0)};
}

bool overlaps(const TensorView &a, const TensorView &b) {
  auto [aBegin, aEnd] = byteRange(a);
  auto [bBegin, bEnd] = byteRange(b);
  return aBegin < aEnd && bBegin < bEnd && aBegin < bEnd && bBegin < aEnd;
}

/// Checks the result views against the shapes `call` implies.
tessera_status checkResults(const tessera_function *function,
                            const tessera_tensor_view *results,
                            size_t numResults, const PreparedCall &call,
                            llvm::SmallVectorImpl<TensorView> &outputs,
                            tessera_failure **error) {
  const EntrySignature &sig = function->signature;
  if (numResults != sig.results.size() || (numResults && !results))
    return fail(error, TESSERA_INVALID_ARGUMENT,
                "'" + sig.name + "' has " + llvm::Twine(sig.results.size()) +
                    " result(s) but " + llvm::Twine(numResults) +
                    " result view(s) were given");
  for (size_t r = 0; r != numResults; ++r) {
    const tessera_tensor_view &view = results[r];
    const ValueSpec &spec = sig.results[r];
    const std::vector<int64_t> &shape = call.resultShapes[r];
    auto what = [&] {
      return "result " + std::to_string(r) + " of '" + sig.name + "'";
    };
    auto expected = [&] { return formatTensorType(spec.dtype, shape); };
    if (view.dtype != static_cast<int32_t>(spec.dtype)) {
      const char *given = tessera_dtype_name(view.dtype);
      return fail(error, TESSERA_TYPE_ERROR,
                  what() + " is " + expected() + " but the output is " +
                      (given ? given : "of an unknown dtype"));
    }
    if (view.rank != static_cast<int32_t>(shape.size()) ||
        (view.rank && !view.shape) ||
        !llvm::equal(llvm::ArrayRef(view.shape, view.rank), shape))
      return fail(error, TESSERA_SHAPE_ERROR,
                  what() + " is " + expected() + " but the output has shape " +
                      (view.rank >= 0 && (view.shape || !view.rank)
                           ? formatExtents({view.shape, size_t(view.rank)})
                           : "of rank " + std::to_string(view.rank)));
    if (tessera_status s = checkMemory(view, spec.dtype, shape, what, error))
      return s;
    TensorView output{view.data, spec.dtype, shape};
    for (const TensorView &input : call.tensors)
      if (overlaps(output, input))
        return fail(error, TESSERA_INVALID_ARGUMENT,
                    what() + " overlaps an argument: write it elsewhere");
    for (const TensorView &other : outputs)
      if (overlaps(output, other))
        return fail(error, TESSERA_INVALID_ARGUMENT,
                    what() + " overlaps another result");
    outputs.push_back(output);
  }
  return TESSERA_OK;
}

/// The code generated for the sizes of `call`, generating it at the first
/// call with those sizes.
tessera_status specialize(const tessera_function *function,
                          const PreparedCall &call,
                          std::shared_ptr<Specialization> &result,
                          tessera_failure **error) {
  std::vector<int64_t> key;
  for (const auto &binding : call.bindings)
    key.push_back(binding.second);
  {
    std::lock_guard<std::mutex> lock(function->mutex);
    auto found = function->specializations.find(key);
    if (found != function->specializations.end()) {
      found->second->lastUse = ++function->useCounter;
      result = found->second;
      return TESSERA_OK;
    }
  }
  tessera_module *module = function->module;
  std::lock_guard<std::mutex> compileLock(module->compileMutex);
  // Another thread may have generated it meanwhile.
  {
    std::lock_guard<std::mutex> lock(function->mutex);
    auto found = function->specializations.find(key);
    if (found != function->specializations.end()) {
      result = found->second;
      return TESSERA_OK;
    }
  }
  auto generated = std::make_shared<Specialization>();
  generated->sink = std::make_unique<DiagnosticSink>();
  CompilerOptions options;
  // Contractions are planned for these sizes.
  options.sizeHints = call.bindings;
  const std::string &name = function->signature.name;
  generated->compiler = module->load(std::move(options), *generated->sink);
  if (!generated->compiler)
    return generated->sink->toError(error, TESSERA_COMPILE_ERROR,
                                    "cannot compile '" + name + "'");
  generated->compiler->compileOnly(name);
  auto entry = generated->compiler->getCompiledEntry(name);
  if (!entry) {
    std::string message = llvm::toString(entry.takeError());
    return generated->sink->toError(error, TESSERA_COMPILE_ERROR, message);
  }
  generated->entry = *entry;

  std::lock_guard<std::mutex> lock(function->mutex);
  auto &cache = function->specializations;
  if (cache.size() >= kMaxSpecializations) {
    auto oldest = cache.begin();
    for (auto it = cache.begin(); it != cache.end(); ++it)
      if (it->second->lastUse < oldest->second->lastUse)
        oldest = it;
    // A call still running it holds its own reference.
    cache.erase(oldest);
  }
  generated->lastUse = ++function->useCounter;
  cache.emplace(std::move(key), generated);
  result = std::move(generated);
  return TESSERA_OK;
}

} // namespace

size_t tessera_function_num_compiled(const tessera_function *function) {
  if (!function)
    return 0;
  std::lock_guard<std::mutex> lock(function->mutex);
  return function->specializations.size();
}

tessera_status tessera_function_result_shapes(const tessera_function *function,
                                              const tessera_tensor_view *args,
                                              size_t numArgs, int64_t *extents,
                                              size_t capacity,
                                              tessera_failure **error) {
  if (error)
    *error = nullptr;
  PreparedCall call;
  if (tessera_status s = prepare(function, args, numArgs, call, error))
    return s;
  size_t needed = 0;
  for (const auto &shape : call.resultShapes)
    needed += shape.size();
  if (needed > capacity || (needed && !extents))
    return fail(error, TESSERA_INVALID_ARGUMENT,
                "the results of '" + function->signature.name + "' have " +
                    llvm::Twine(needed) + " extent(s) but room for " +
                    llvm::Twine(capacity) + " was given");
  for (const auto &shape : call.resultShapes)
    extents = std::copy(shape.begin(), shape.end(), extents);
  return TESSERA_OK;
}

tessera_status tessera_call(const tessera_function *function,
                            const tessera_tensor_view *args, size_t numArgs,
                            const tessera_tensor_view *results,
                            size_t numResults, tessera_failure **error) {
  if (error)
    *error = nullptr;
  PreparedCall call;
  if (tessera_status s = prepare(function, args, numArgs, call, error))
    return s;
  llvm::SmallVector<TensorView, 4> outputs;
  if (tessera_status s =
          checkResults(function, results, numResults, call, outputs, error))
    return s;
  std::shared_ptr<Specialization> code;
  if (tessera_status s = specialize(function, call, code, error))
    return s;
  if (llvm::Error e = callEntry(code->entry, function->signature, call.tensors,
                                call.indexValues, outputs))
    return fail(error, TESSERA_RUNTIME_ERROR, llvm::toString(std::move(e)));
  return TESSERA_OK;
}
