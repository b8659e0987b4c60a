//===- TesseraModule.cpp - The Python extension _tessera ------------------===//
//
// nanobind bindings over the stable C API (tessera/tessera.h): a Module owns
// a tessera_module, a Function calls one of its functions. Arguments are
// borrowed through nanobind's ndarray (NumPy, the buffer protocol, DLPack:
// PyTorch CPU tensors, JAX arrays) without a copy; results are allocated as
// NumPy arrays, or written into `out`. The GIL is released while a function
// compiles or runs. Exceptions: tessera.CompileError, tessera.ShapeError
// (a ValueError), TypeError, ValueError and RuntimeError; nothing a caller
// passes crashes the interpreter.
//
//===----------------------------------------------------------------------===//

#include "tessera/tessera.h"

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <array>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace nb = nanobind;

namespace {

/// The exception classes, created at import.
/// Plain handles, not nb::object: a static object's destructor would run
/// after the interpreter is gone. Each keeps one reference forever.
nb::handle compileErrorType, shapeErrorType;

/// A diagnostic of a CompileError.
struct Diagnostic {
  std::string file;
  uint32_t line = 0, column = 0;
  std::string severity;
  std::string message;
};

const char *severityName(tessera_severity severity) {
  switch (severity) {
  case TESSERA_SEVERITY_ERROR:
    return "error";
  case TESSERA_SEVERITY_WARNING:
    return "warning";
  case TESSERA_SEVERITY_NOTE:
    return "note";
  case TESSERA_SEVERITY_REMARK:
    return "remark";
  }
  return "error";
}

/// Frees a tessera_failure at scope exit.
struct ErrorDeleter {
  void operator()(tessera_failure *e) const { tessera_failure_destroy(e); }
};
using ErrorPtr = std::unique_ptr<tessera_failure, ErrorDeleter>;

/// Raises the Python exception for a failed status (frees `error`).
[[noreturn]] void raise(tessera_status status, tessera_failure *raw) {
  ErrorPtr error(raw);
  std::string message = error ? tessera_failure_message(error.get()) : "failed";
  switch (status) {
  case TESSERA_COMPILE_ERROR: {
    nb::list diagnostics;
    for (size_t i = 0, e = tessera_failure_num_diagnostics(error.get()); i != e;
         ++i) {
      tessera_diagnostic d;
      if (tessera_failure_diagnostic(error.get(), i, &d) == TESSERA_OK)
        diagnostics.append(Diagnostic{d.file, d.line, d.column,
                                      severityName(d.severity), d.message});
    }
    nb::object exception = compileErrorType(message);
    exception.attr("diagnostics") = diagnostics;
    PyErr_SetObject(compileErrorType.ptr(), exception.ptr());
    throw nb::python_error();
  }
  case TESSERA_SHAPE_ERROR:
    PyErr_SetString(shapeErrorType.ptr(), message.c_str());
    throw nb::python_error();
  case TESSERA_TYPE_ERROR:
    throw nb::type_error(message.c_str());
  case TESSERA_NOT_FOUND:
    throw nb::attribute_error(message.c_str());
  case TESSERA_IO_ERROR:
    PyErr_SetString(PyExc_OSError, message.c_str());
    throw nb::python_error();
  case TESSERA_INVALID_ARGUMENT:
    throw nb::value_error(message.c_str());
  default:
    throw std::runtime_error(message);
  }
}

/// Raises for a failed status. `error` points at the variable the call
/// filled, so that it is read after the call whatever the evaluation order.
void check(tessera_status status, tessera_failure **error) {
  if (status != TESSERA_OK)
    raise(status, *error);
}

/// The process's compiler context, shared by every module; it lives as long
/// as the last module that uses it.
std::shared_ptr<tessera_context> defaultContext() {
  static std::weak_ptr<tessera_context> current;
  std::shared_ptr<tessera_context> context = current.lock();
  if (!context) {
    context.reset(tessera_context_create(nullptr), tessera_context_destroy);
    if (!context)
      throw std::runtime_error("cannot create a Tessera context");
    current = context;
  }
  return context;
}

/// A compiled module.
class Module {
public:
  Module(std::shared_ptr<tessera_context> context, tessera_module *module)
      : context(std::move(context)), module(module) {}
  ~Module() { tessera_module_destroy(module); }
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;

  std::shared_ptr<tessera_context> context;
  tessera_module *module;
};

/// The tessera_dtype of an array's DLPack dtype, or -1.
int toTesseraDType(nb::dlpack::dtype dtype) {
  using Code = nb::dlpack::dtype_code;
  if (dtype.lanes != 1)
    return -1;
  switch (static_cast<Code>(dtype.code)) {
  case Code::Bool:
    return dtype.bits == 8 ? TESSERA_BOOL : -1;
  case Code::Int:
    return dtype.bits == 32 ? TESSERA_I32 : dtype.bits == 64 ? TESSERA_I64 : -1;
  case Code::Float:
    return dtype.bits == 16   ? TESSERA_F16
           : dtype.bits == 32 ? TESSERA_F32
           : dtype.bits == 64 ? TESSERA_F64
                              : -1;
  case Code::Bfloat:
    return dtype.bits == 16 ? TESSERA_BF16 : -1;
  case Code::Complex:
    return dtype.bits == 64    ? TESSERA_C64
           : dtype.bits == 128 ? TESSERA_C128
                               : -1;
  default:
    return -1;
  }
}

/// The DLPack dtype of a tessera_dtype.
nb::dlpack::dtype toDLPack(tessera_dtype dtype) {
  using Code = nb::dlpack::dtype_code;
  auto make = [](Code code, int bits) {
    nb::dlpack::dtype d;
    d.code = static_cast<uint8_t>(code);
    d.bits = static_cast<uint8_t>(bits);
    d.lanes = 1;
    return d;
  };
  switch (dtype) {
  case TESSERA_BOOL:
    return make(Code::Bool, 8);
  case TESSERA_I32:
    return make(Code::Int, 32);
  case TESSERA_I64:
    return make(Code::Int, 64);
  case TESSERA_F16:
    return make(Code::Float, 16);
  case TESSERA_BF16:
    return make(Code::Bfloat, 16);
  case TESSERA_F32:
    return make(Code::Float, 32);
  case TESSERA_F64:
    return make(Code::Float, 64);
  case TESSERA_C64:
    return make(Code::Complex, 64);
  case TESSERA_C128:
    return make(Code::Complex, 128);
  }
  return make(Code::Float, 32);
}

/// A short name of a Python object's type, for messages.
std::string typeName(nb::handle object) {
  return nb::cast<std::string>(nb::type_name(object.type()));
}

/// The arguments of one call as views, with what keeps their memory alive.
struct CallViews {
  std::vector<tessera_tensor_view> views;
  std::vector<std::vector<int64_t>> shapes, strides;
  std::vector<nb::ndarray<nb::ro>> arrays;
  /// Storage of Python scalars (16 bytes each: the largest dtype).
  std::vector<std::array<unsigned char, 16>> scalars;
};

/// Stores the Python scalar `object` as a `dtype` scalar in `storage`;
/// false when it is not a scalar of a kind that converts exactly.
template <typename Describe>
bool storeScalar(nb::handle object, tessera_dtype dtype, unsigned char *storage,
                 Describe what) {
  bool isBool = PyBool_Check(object.ptr());
  bool isInt = PyLong_Check(object.ptr()) && !isBool;
  bool isFloat = PyFloat_Check(object.ptr());
  bool isComplex = PyComplex_Check(object.ptr());
  if (!isBool && !isInt && !isFloat && !isComplex)
    return false;
  auto store = [&](auto value) { std::memcpy(storage, &value, sizeof(value)); };
  switch (dtype) {
  case TESSERA_BOOL:
    if (!isBool)
      return false;
    store(static_cast<uint8_t>(object.ptr() == Py_True));
    return true;
  case TESSERA_I32:
  case TESSERA_I64: {
    if (!isInt)
      return false;
    int overflow = 0;
    long long value = PyLong_AsLongLongAndOverflow(object.ptr(), &overflow);
    if (overflow ||
        (dtype == TESSERA_I32 && (value < INT32_MIN || value > INT32_MAX)))
      throw nb::value_error(
          (what() + " does not fit in " + tessera_dtype_name(dtype)).c_str());
    if (dtype == TESSERA_I32)
      store(static_cast<int32_t>(value));
    else
      store(static_cast<int64_t>(value));
    return true;
  }
  case TESSERA_F32:
  case TESSERA_F64: {
    if (!isFloat && !isInt)
      return false;
    double value = PyFloat_AsDouble(object.ptr());
    if (value == -1.0 && PyErr_Occurred())
      throw nb::python_error();
    if (dtype == TESSERA_F32 && std::isfinite(value) &&
        std::fabs(value) > std::numeric_limits<float>::max())
      throw nb::value_error(
          (what() + " = " + std::to_string(value) + " does not fit in f32")
              .c_str());
    if (dtype == TESSERA_F32)
      store(static_cast<float>(value));
    else
      store(value);
    return true;
  }
  case TESSERA_C64:
  case TESSERA_C128: {
    if (isBool)
      return false;
    Py_complex value = PyComplex_AsCComplex(object.ptr());
    if (value.real == -1.0 && PyErr_Occurred())
      throw nb::python_error();
    auto fitsFloat = [](double part) {
      return !std::isfinite(part) ||
             std::fabs(part) <= std::numeric_limits<float>::max();
    };
    if (dtype == TESSERA_C64 &&
        (!fitsFloat(value.real) || !fitsFloat(value.imag)))
      throw nb::value_error((what() + " does not fit in c64").c_str());
    if (dtype == TESSERA_C64)
      store(std::complex<float>(float(value.real), float(value.imag)));
    else
      store(std::complex<double>(value.real, value.imag));
    return true;
  }
  default:
    return false; // f16, bf16: no exact Python spelling
  }
}

/// Adds a view of the array behind `object` to `call`; raises TypeError for
/// anything that is not an array in CPU memory of a dtype Tessera knows.
template <typename Array, typename Describe>
void addArray(nb::handle object, Describe what, CallViews &call,
              std::vector<Array> &keep) {
  Array array;
  if (!nb::try_cast(object, array, /*convert=*/false)) {
    // PyTorch refuses DLPack for tensors that require gradients.
    if (nb::hasattr(object, "requires_grad") &&
        nb::cast<bool>(nb::bool_(object.attr("requires_grad"))))
      throw nb::type_error((what() + " requires grad: pass it .detach()'ed "
                                     "(Tessera computes no gradients)")
                               .c_str());
    throw nb::type_error(
        (what() +
         " must be an array (NumPy, a PyTorch CPU tensor, anything "
         "with DLPack or the buffer protocol" +
         std::string(std::is_same_v<Array, nb::ndarray<nb::ro>>
                         ? ", or a Python scalar for a scalar parameter"
                         : ", writable") +
         "), not " + typeName(object) +
         (std::is_same_v<Array, nb::ndarray<nb::ro>>
              ? ": convert it with numpy.asarray"
              : ""))
            .c_str());
  }
  if (array.device_type() != nb::device::cpu::value)
    throw nb::type_error((what() + " is not in CPU memory: Tessera runs on the "
                                   "CPU; pass a CPU copy (torch: .cpu())")
                             .c_str());
  int dtype = toTesseraDType(array.dtype());
  if (dtype < 0)
    throw nb::type_error((what() + " has a dtype Tessera does not have (bool, "
                                   "i32, i64, f16, bf16, f32, f64, c64, c128)")
                             .c_str());
  std::vector<int64_t> shape(array.ndim()), strides(array.ndim());
  for (size_t d = 0; d != array.ndim(); ++d) {
    shape[d] = static_cast<int64_t>(array.shape(d));
    strides[d] = array.stride(d);
  }
  call.shapes.push_back(std::move(shape));
  call.strides.push_back(std::move(strides));
  tessera_tensor_view view;
  view.data = const_cast<void *>(static_cast<const void *>(array.data()));
  view.dtype = static_cast<tessera_dtype>(dtype);
  view.rank = static_cast<int32_t>(array.ndim());
  view.shape = nullptr; // set once `shapes` no longer moves
  view.strides = nullptr;
  call.views.push_back(view);
  keep.push_back(std::move(array));
}

/// Points each view at its shape and strides (after the vectors are final).
void finishViews(CallViews &call) {
  for (size_t i = 0; i != call.views.size(); ++i) {
    call.views[i].shape = call.shapes[i].data();
    call.views[i].strides = call.strides[i].data();
  }
}

/// A function of a module, callable from Python.
class Function {
public:
  Function(std::shared_ptr<Module> module, const tessera_function *function)
      : module(std::move(module)), function(function) {
    for (size_t i = 0, e = tessera_function_num_params(function); i != e; ++i) {
      tessera_value_info info;
      tessera_function_param(function, i, &info);
      params.push_back(info);
    }
    for (size_t i = 0, e = tessera_function_num_results(function); i != e;
         ++i) {
      tessera_value_info info;
      tessera_function_result(function, i, &info);
      results.push_back(info);
    }
  }

  std::string name() const { return tessera_function_name(function); }
  std::string signature() const { return tessera_function_signature(function); }

  nb::object call(nb::args args, nb::handle out) const;

  nb::list describe(bool ofResults) const {
    nb::list list;
    for (const tessera_value_info &info : ofResults ? results : params) {
      nb::list dims;
      for (int32_t d = 0; d != info.rank; ++d)
        dims.append(nb::str(info.dims[d]));
      list.append(nb::make_tuple(
          nb::str(info.name),
          nb::str(info.is_index ? "index" : tessera_dtype_name(info.dtype)),
          nb::tuple(dims)));
    }
    return list;
  }

  std::shared_ptr<Module> module;
  const tessera_function *function;
  std::vector<tessera_value_info> params, results;
};

/// Converts the Python arguments of `fn` into views.
void convertArguments(const Function &fn, nb::args args, CallViews &call) {
  size_t n = fn.params.size();
  if (args.size() != n) {
    std::string names;
    for (const tessera_value_info &p : fn.params)
      names += (names.empty() ? "" : ", ") + std::string(p.name);
    throw nb::type_error((fn.name() + "() takes " + std::to_string(n) +
                          " argument(s) (" + names + ") but " +
                          std::to_string(args.size()) + " were given")
                             .c_str());
  }
  call.views.reserve(n);
  call.scalars.reserve(n);
  for (size_t i = 0; i != n; ++i) {
    const tessera_value_info &p = fn.params[i];
    nb::handle arg = args[i];
    // Built only for a message: this runs at every call.
    auto what = [&] {
      return "argument '" + std::string(p.name) + "' of '" + fn.name() + "'";
    };
    bool scalarParam = p.is_index || p.rank == 0;
    tessera_dtype dtype = p.is_index ? TESSERA_I64 : p.dtype;
    if (scalarParam && !nb::ndarray_check(arg)) {
      call.scalars.emplace_back();
      if (storeScalar(arg, dtype, call.scalars.back().data(), what)) {
        call.shapes.emplace_back();
        call.strides.emplace_back();
        call.views.push_back(
            {call.scalars.back().data(), dtype, 0, nullptr, nullptr});
        continue;
      }
      call.scalars.pop_back();
      // NumPy scalars and 0-d tensors go on as arrays.
      if (!PyObject_CheckBuffer(arg.ptr()) && !nb::hasattr(arg, "__dlpack__"))
        throw nb::type_error(
            (what() + " must be " +
             (p.is_index ? std::string("an int")
                         : std::string("a scalar of dtype ") +
                               tessera_dtype_name(dtype) +
                               " (a Python number, a NumPy scalar or a 0-d "
                               "array)") +
             ", not " + typeName(arg))
                .c_str());
    }
    addArray(arg, what, call, call.arrays);
  }
  finishViews(call);
}

nb::object Function::call(nb::args args, nb::handle out) const {
  CallViews call;
  convertArguments(*this, args, call);

  size_t numResults = results.size();
  std::vector<nb::ndarray<>> outputs;
  CallViews outViews;
  nb::object returned;
  if (!out.is_none()) {
    // Strong references: converting one target may run Python code (a
    // __dlpack__) that changes `out`, and a list subclass may iterate over
    // new objects.
    std::vector<nb::object> targets;
    if (numResults == 1 && !nb::isinstance<nb::tuple>(out) &&
        !nb::isinstance<nb::list>(out)) {
      targets.push_back(nb::borrow(out));
    } else {
      if (!nb::isinstance<nb::tuple>(out) && !nb::isinstance<nb::list>(out))
        throw nb::type_error((name() + "() has " + std::to_string(numResults) +
                              " results: `out` must be a tuple of as many "
                              "arrays")
                                 .c_str());
      nb::object items = nb::steal(PySequence_Tuple(out.ptr()));
      if (!items)
        throw nb::python_error();
      for (nb::handle h : nb::borrow<nb::tuple>(items))
        targets.push_back(nb::borrow(h));
      if (targets.size() != numResults)
        throw nb::value_error((name() + "() has " + std::to_string(numResults) +
                               " result(s) but `out` has " +
                               std::to_string(targets.size()) + " array(s)")
                                  .c_str());
    }
    for (size_t r = 0; r != targets.size(); ++r)
      addArray(
          targets[r],
          [&] { return "out[" + std::to_string(r) + "] of '" + name() + "'"; },
          outViews, outputs);
    finishViews(outViews);
    returned = nb::borrow(out);
  } else {
    // Allocate the results as NumPy arrays of the shapes the sizes imply.
    size_t total = 0;
    for (const tessera_value_info &r : results)
      total += r.rank;
    std::vector<int64_t> extents(total);
    tessera_failure *error = nullptr;
    check(tessera_function_result_shapes(function, call.views.data(),
                                         call.views.size(), extents.data(),
                                         extents.size(), &error),
          &error);
    nb::list arrays;
    size_t at = 0;
    for (size_t index = 0; index != results.size(); ++index) {
      const tessera_value_info &r = results[index];
      if (r.dtype == TESSERA_BF16)
        throw nb::type_error((name() + "() returns bf16, which NumPy does not "
                                       "have: pass `out=` a bf16 tensor "
                                       "(torch.bfloat16)")
                                 .c_str());
      size_t bytes = tessera_dtype_size(r.dtype);
      std::vector<size_t> shape;
      bool tooLarge = false;
      for (int32_t d = 0; d != r.rank; ++d) {
        shape.push_back(static_cast<size_t>(extents[at + d]));
        tooLarge |= __builtin_mul_overflow(bytes, shape.back(), &bytes);
      }
      if (tooLarge || bytes > (size_t(1) << 62))
        throw nb::value_error((name() + "(): result " + std::to_string(index) +
                               " would be too large to allocate")
                                  .c_str());
      // 64-byte aligned, at least one line so that the pointer is real.
      size_t allocated = (std::max<size_t>(bytes, 1) + 63) / 64 * 64;
      void *data = std::aligned_alloc(64, allocated);
      if (!data) {
        std::string message = "cannot allocate " + std::to_string(bytes) +
                              " bytes for result " + std::to_string(index) +
                              " of '" + name() + "'";
        PyErr_SetString(PyExc_MemoryError, message.c_str());
        throw nb::python_error();
      }
      nb::capsule owner(data, [](void *p) noexcept { std::free(p); });
      nb::ndarray<nb::numpy> array(data, shape.size(), shape.data(), owner,
                                   nullptr, toDLPack(r.dtype));
      outViews.shapes.emplace_back(extents.begin() + at,
                                   extents.begin() + at + r.rank);
      outViews.strides.emplace_back();
      outViews.views.push_back({data, r.dtype, r.rank, nullptr, nullptr});
      arrays.append(array.cast());
      at += r.rank;
    }
    for (size_t i = 0; i != outViews.views.size(); ++i)
      outViews.views[i].shape = outViews.shapes[i].data();
    if (numResults == 1)
      returned = arrays[0];
    else if (numResults == 0)
      returned = nb::none();
    else
      returned = nb::tuple(arrays);
  }

  tessera_status status;
  tessera_failure *error = nullptr;
  {
    nb::gil_scoped_release release;
    status = tessera_call(function, call.views.data(), call.views.size(),
                          outViews.views.data(), outViews.views.size(), &error);
  }
  check(status, &error);
  return returned;
}

/// Compiles `source` (or the file at `path` when `isPath`).
std::shared_ptr<Module> compileModule(const std::string &text,
                                      const std::string &name, bool isPath,
                                      unsigned optLevel) {
  if (isPath && text.find('\0') != std::string::npos)
    throw nb::value_error("the path contains a NUL character");
  std::shared_ptr<tessera_context> context = defaultContext();
  tessera_compile_options options;
  tessera_compile_options_init(&options);
  options.opt_level = optLevel;
  tessera_module *module = nullptr;
  tessera_failure *error = nullptr;
  tessera_status status;
  {
    nb::gil_scoped_release release;
    status = isPath ? tessera_compile_file(context.get(), text.c_str(),
                                           &options, &module, &error)
                    : tessera_compile_string(context.get(), name.c_str(),
                                             text.data(), text.size(), &options,
                                             &module, &error);
  }
  check(status, &error);
  return std::make_shared<Module>(std::move(context), module);
}

/// The functions of `module`, in source order.
std::vector<Function> listFunctions(const std::shared_ptr<Module> &module) {
  std::vector<Function> functions;
  for (size_t i = 0, e = tessera_module_num_functions(module->module); i != e;
       ++i)
    functions.emplace_back(module, tessera_module_function(module->module, i));
  return functions;
}

/// The text of `kind` for `fn`, planned for `sizes` (name -> extent).
std::string printFunction(const std::shared_ptr<Module> &module,
                          const std::string &fn, int kind, nb::dict sizes) {
  std::vector<std::string> names;
  std::vector<int64_t> values;
  for (auto [key, value] : sizes) {
    names.push_back(nb::cast<std::string>(key));
    values.push_back(nb::cast<int64_t>(value));
  }
  std::vector<const char *> namePointers;
  for (const std::string &n : names)
    namePointers.push_back(n.c_str());
  char *text = nullptr;
  tessera_failure *error = nullptr;
  tessera_status status;
  {
    nb::gil_scoped_release release;
    status = tessera_module_print(
        module->module, fn.c_str(), static_cast<tessera_print_kind>(kind),
        namePointers.data(), values.data(), values.size(), &text, &error);
  }
  check(status, &error);
  std::string result = text;
  tessera_string_destroy(text);
  return result;
}

} // namespace

NB_MODULE(_tessera, m) {
  m.doc() = "Tessera's compiler and runtime (use the `tessera` package)";

  compileErrorType = nb::handle(PyErr_NewExceptionWithDoc(
      "tessera.CompileError",
      "The source has errors. str() gives every `file:line:col: error:` "
      "line with its source line and caret; `.diagnostics` gives them as "
      "objects with file, line, column, severity and message.",
      PyExc_Exception, nullptr));
  shapeErrorType = nb::handle(PyErr_NewExceptionWithDoc(
      "tessera.ShapeError",
      "The arguments' ranks or extents do not match the function's size "
      "symbols; the message names the symbol and both extents.",
      PyExc_ValueError, nullptr));
  if (!compileErrorType || !shapeErrorType)
    throw nb::python_error();
  // The references PyErr_NewExceptionWithDoc gave stay with the handles for
  // the life of the process (even if the attributes are deleted).
  m.attr("CompileError") = nb::borrow(compileErrorType);
  m.attr("ShapeError") = nb::borrow(shapeErrorType);

  nb::class_<Diagnostic>(m, "Diagnostic")
      .def_ro("file", &Diagnostic::file)
      .def_ro("line", &Diagnostic::line)
      .def_ro("column", &Diagnostic::column)
      .def_ro("severity", &Diagnostic::severity)
      .def_ro("message", &Diagnostic::message)
      .def("__repr__", [](const Diagnostic &d) {
        return d.file + ":" + std::to_string(d.line) + ":" +
               std::to_string(d.column) + ": " + d.severity + ": " + d.message;
      });

  nb::class_<Module>(m, "NativeModule");

  nb::class_<Function>(m, "Function")
      .def_prop_ro("name", &Function::name)
      .def_prop_ro("signature", &Function::signature)
      .def_prop_ro(
          "num_compiled",
          [](const Function &f) {
            return tessera_function_num_compiled(f.function);
          },
          "How many sets of argument sizes it has code for")
      .def_prop_ro("params",
                   [](const Function &f) { return f.describe(false); })
      .def_prop_ro("results",
                   [](const Function &f) { return f.describe(true); })
      .def("__call__", &Function::call, nb::arg("args"), nb::kw_only(),
           nb::arg("out") = nb::none())
      .def("__repr__", [](const Function &f) {
        return "<tessera function " + f.signature() + ">";
      });

  m.def(
      "compile_source",
      [](const std::string &source, const std::string &name, unsigned opt) {
        return compileModule(source, name, false, opt);
      },
      nb::arg("source"), nb::arg("name"), nb::arg("opt_level"));
  m.def(
      "compile_file",
      [](const std::string &path, unsigned opt) {
        return compileModule(path, path, true, opt);
      },
      nb::arg("path"), nb::arg("opt_level"));
  m.def("functions", &listFunctions, nb::arg("module"));
  m.def("print_function", &printFunction, nb::arg("module"), nb::arg("fn"),
        nb::arg("kind"), nb::arg("sizes"));
}
