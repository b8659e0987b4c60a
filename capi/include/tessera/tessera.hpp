//===- tessera/tessera.hpp - C++ API over tessera/tessera.h -----*- C++ -*-===//
//
// Header-only C++17 classes over the stable C API: RAII handles, exceptions
// instead of status codes, views built from pointers and shapes.
//
//   tessera::Context context;
//   tessera::Module module = tessera::Module::compile(context, source);
//   tessera::Function matmul = module.function("matmul");
//   std::vector<float> a(M * K), b(K * N), c(M * N);
//   matmul({tessera::View(a.data(), {M, K}), tessera::View(b.data(), {K, N})},
//          {tessera::View(c.data(), {M, N})});
//
// Errors throw tessera::Error (a std::runtime_error) with the status, the
// message and, for compile errors, the diagnostics.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_TESSERA_HPP
#define TESSERA_TESSERA_HPP

#include "tessera/tessera.h"

#include <complex>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace tessera {

/// One diagnostic of a compile error.
struct Diagnostic {
  tessera_severity severity = TESSERA_SEVERITY_ERROR;
  std::string file;
  uint32_t line = 0, column = 0;
  std::string message;
};

/// A failed call of the C API.
class Error : public std::runtime_error {
public:
  Error(tessera_status status, const std::string &message,
        std::vector<Diagnostic> diagnostics = {})
      : std::runtime_error(message), status_(status),
        diagnostics_(std::move(diagnostics)) {}
  tessera_status status() const { return status_; }
  /// Every diagnostic of a compile error; empty otherwise.
  const std::vector<Diagnostic> &diagnostics() const { return diagnostics_; }

private:
  tessera_status status_;
  std::vector<Diagnostic> diagnostics_;
};

namespace detail {
/// Throws the error behind a failed status (and frees it). `slot` points at
/// the variable the call filled: read after the call, whatever the order in
/// which the arguments of check() are evaluated.
inline void check(tessera_status status, tessera_failure **slot) {
  if (status == TESSERA_OK)
    return;
  tessera_failure *error = *slot;
  std::string message = error ? tessera_failure_message(error) : "";
  std::vector<Diagnostic> diagnostics;
  for (size_t i = 0, e = tessera_failure_num_diagnostics(error); i != e; ++i) {
    tessera_diagnostic d;
    if (tessera_failure_diagnostic(error, i, &d) == TESSERA_OK)
      diagnostics.push_back({d.severity, d.file, d.line, d.column, d.message});
  }
  tessera_failure_destroy(error);
  throw Error(status, message, std::move(diagnostics));
}

template <typename T> struct DTypeOf;
template <> struct DTypeOf<bool> {
  static constexpr tessera_dtype value = TESSERA_BOOL;
};
template <> struct DTypeOf<int32_t> {
  static constexpr tessera_dtype value = TESSERA_I32;
};
template <> struct DTypeOf<int64_t> {
  static constexpr tessera_dtype value = TESSERA_I64;
};
template <> struct DTypeOf<float> {
  static constexpr tessera_dtype value = TESSERA_F32;
};
template <> struct DTypeOf<double> {
  static constexpr tessera_dtype value = TESSERA_F64;
};
template <> struct DTypeOf<std::complex<float>> {
  static constexpr tessera_dtype value = TESSERA_C64;
};
template <> struct DTypeOf<std::complex<double>> {
  static constexpr tessera_dtype value = TESSERA_C128;
};
} // namespace detail

/// A dense row-major array the caller owns; the view keeps its own shape.
class View {
public:
  /// A view of `data` with `shape`, its dtype taken from T.
  template <typename T>
  View(T *data, std::vector<int64_t> shape)
      : View(static_cast<void *>(const_cast<std::remove_const_t<T> *>(data)),
             detail::DTypeOf<std::remove_const_t<T>>::value, std::move(shape)) {
  }
  /// A view of untyped memory (f16, bf16).
  View(void *data, tessera_dtype dtype, std::vector<int64_t> shape)
      : shape_(std::move(shape)) {
    view_.data = data;
    view_.dtype = dtype;
    view_.rank = static_cast<int32_t>(shape_.size());
    view_.shape = shape_.data();
    view_.strides = nullptr;
  }
  /// A scalar: a rank-0 view of one element (an `index` parameter takes an
  /// int64_t).
  template <typename T> static View scalar(T *value) { return View(value, {}); }

  View(const View &other) : shape_(other.shape_), view_(other.view_) {
    view_.shape = shape_.data();
  }
  View &operator=(const View &other) {
    shape_ = other.shape_;
    view_ = other.view_;
    view_.shape = shape_.data();
    return *this;
  }

  const tessera_tensor_view &get() const { return view_; }
  const std::vector<int64_t> &shape() const { return shape_; }

private:
  std::vector<int64_t> shape_;
  tessera_tensor_view view_;
};

/// A compiler context: create one and share it among modules and threads.
/// Modules keep their context alive, so it may go out of scope first.
class Context {
public:
  /// `compilerThreads`: threads of the compiler itself (0: every core).
  explicit Context(uint32_t compilerThreads = 0) {
    tessera_context_options options;
    tessera_context_options_init(&options);
    options.compiler_threads = compilerThreads;
    context_.reset(tessera_context_create(&options), tessera_context_destroy);
    if (!context_)
      throw Error(TESSERA_RUNTIME_ERROR, "cannot create a Tessera context");
  }
  tessera_context *get() const { return context_.get(); }

private:
  friend class Module;
  /// Shared with the modules compiled in it, which keep it alive.
  std::shared_ptr<tessera_context> context_;
};

/// A parameter or result of a function.
struct ValueInfo {
  std::string name;
  bool isIndex = false;
  tessera_dtype dtype = TESSERA_F32;
  std::vector<std::string> dims;
};

/// A function of a module (valid while the module lives).
class Function {
public:
  explicit Function(const tessera_function *function) : function_(function) {}

  std::string name() const { return tessera_function_name(function_); }
  /// "matmul(a: f32[M, K], b: f32[K, N]) -> f32[M, N]".
  std::string signature() const {
    return tessera_function_signature(function_);
  }
  std::vector<ValueInfo> params() const {
    return values(tessera_function_num_params(function_),
                  tessera_function_param);
  }
  std::vector<ValueInfo> results() const {
    return values(tessera_function_num_results(function_),
                  tessera_function_result);
  }

  /// The shape of every result for these arguments.
  std::vector<std::vector<int64_t>>
  resultShapes(const std::vector<View> &args) const {
    std::vector<tessera_tensor_view> views = raw(args);
    std::vector<ValueInfo> infos = results();
    size_t total = 0;
    for (const ValueInfo &info : infos)
      total += info.dims.size();
    std::vector<int64_t> extents(total);
    tessera_failure *error = nullptr;
    detail::check(tessera_function_result_shapes(function_, views.data(),
                                                 views.size(), extents.data(),
                                                 extents.size(), &error),
                  &error);
    std::vector<std::vector<int64_t>> shapes;
    size_t at = 0;
    for (const ValueInfo &info : infos) {
      shapes.emplace_back(extents.begin() + at,
                          extents.begin() + at + info.dims.size());
      at += info.dims.size();
    }
    return shapes;
  }

  /// Calls the function on `args`, writing its results into `results`.
  void operator()(const std::vector<View> &args,
                  const std::vector<View> &results) const {
    std::vector<tessera_tensor_view> in = raw(args), out = raw(results);
    tessera_failure *error = nullptr;
    detail::check(tessera_call(function_, in.data(), in.size(), out.data(),
                               out.size(), &error),
                  &error);
  }

  const tessera_function *get() const { return function_; }

private:
  static std::vector<tessera_tensor_view> raw(const std::vector<View> &views) {
    std::vector<tessera_tensor_view> result;
    for (const View &view : views)
      result.push_back(view.get());
    return result;
  }
  template <typename Getter>
  std::vector<ValueInfo> values(size_t count, Getter getter) const {
    std::vector<ValueInfo> result;
    for (size_t i = 0; i != count; ++i) {
      tessera_value_info info;
      if (getter(function_, i, &info) != TESSERA_OK)
        continue;
      ValueInfo value{info.name, info.is_index != 0, info.dtype, {}};
      for (int32_t d = 0; d != info.rank; ++d)
        value.dims.push_back(info.dims[d]);
      result.push_back(std::move(value));
    }
    return result;
  }

  const tessera_function *function_;
};

/// A compiled module.
class Module {
public:
  /// Compiles `source`, named `name` in diagnostics, at -O`optLevel`.
  static Module compile(const Context &context, const std::string &source,
                        const std::string &name = "<string>",
                        uint32_t optLevel = 2) {
    return build(context, optLevel,
                 [&](const tessera_compile_options *options,
                     tessera_module **module, tessera_failure **error) {
                   return tessera_compile_string(context.get(), name.c_str(),
                                                 source.data(), source.size(),
                                                 options, module, error);
                 });
  }
  /// Compiles the file at `path`.
  static Module load(const Context &context, const std::string &path,
                     uint32_t optLevel = 2) {
    return build(context, optLevel,
                 [&](const tessera_compile_options *options,
                     tessera_module **module, tessera_failure **error) {
                   return tessera_compile_file(context.get(), path.c_str(),
                                               options, module, error);
                 });
  }

  /// The functions, in source order.
  std::vector<Function> functions() const {
    std::vector<Function> result;
    for (size_t i = 0, e = tessera_module_num_functions(module_.get()); i != e;
         ++i)
      result.emplace_back(tessera_module_function(module_.get(), i));
    return result;
  }
  /// The function `name`; throws an Error (TESSERA_NOT_FOUND) if none.
  Function function(const std::string &name) const {
    const tessera_function *f =
        tessera_module_lookup(module_.get(), name.c_str());
    if (!f)
      throw Error(TESSERA_NOT_FOUND, "no function named '" + name + "'");
    return Function(f);
  }
  /// The text of `kind` for the function `name`, planned for `sizes`.
  std::string
  print(const std::string &name, tessera_print_kind kind,
        const std::vector<std::pair<std::string, int64_t>> &sizes = {}) const {
    std::vector<const char *> names;
    std::vector<int64_t> values;
    for (const auto &size : sizes) {
      names.push_back(size.first.c_str());
      values.push_back(size.second);
    }
    char *text = nullptr;
    tessera_failure *error = nullptr;
    detail::check(tessera_module_print(module_.get(), name.c_str(), kind,
                                       names.data(), values.data(),
                                       values.size(), &text, &error),
                  &error);
    std::string result = text;
    tessera_string_destroy(text);
    return result;
  }

  tessera_module *get() const { return module_.get(); }

private:
  /// Runs `compileWith(options, &module, &error)` at -O`optLevel`.
  template <typename Compile>
  static Module build(const Context &context, uint32_t optLevel,
                      Compile compileWith) {
    tessera_compile_options options;
    tessera_compile_options_init(&options);
    options.opt_level = optLevel;
    tessera_module *module = nullptr;
    tessera_failure *error = nullptr;
    detail::check(compileWith(&options, &module, &error), &error);
    return Module(context.context_, module);
  }

  Module(std::shared_ptr<tessera_context> context, tessera_module *module)
      : context_(std::move(context)), module_(module) {}
  struct Deleter {
    void operator()(tessera_module *m) const { tessera_module_destroy(m); }
  };
  /// Declared first: destroyed after the module.
  std::shared_ptr<tessera_context> context_;
  std::unique_ptr<tessera_module, Deleter> module_;
};

} // namespace tessera

#endif // TESSERA_TESSERA_HPP
