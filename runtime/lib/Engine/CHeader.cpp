//===- CHeader.cpp - C header for compiled entries ------------------------===//

#include "tessera/Runtime/CHeader.h"

#include "tessera/Runtime/EntryABI.h"
#include "tessera/Runtime/SizeExpr.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <set>

using namespace tessera;

llvm::StringRef tessera::getCElementTypeName(DType dtype) {
  switch (dtype) {
  case DType::Bool:
    return "uint8_t";
  case DType::I32:
    return "int32_t";
  case DType::I64:
    return "int64_t";
  case DType::F16:
  case DType::BF16:
    return "uint16_t";
  case DType::F32:
    return "float";
  case DType::F64:
    return "double";
  case DType::C64:
    return "tessera_c64";
  case DType::C128:
    return "tessera_c128";
  }
  return "void";
}

namespace {

/// Spelling of a dtype in Tessera source, for the signature comments.
llvm::StringRef dtypeSpelling(DType dtype) {
  switch (dtype) {
  case DType::Bool:
    return "bool";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::C64:
    return "c64";
  case DType::C128:
    return "c128";
  }
  return "?";
}

/// A C string literal with the contents of `text`.
std::string cStringLiteral(llvm::StringRef text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c >= 0x20 && c < 0x7f) {
      out += c;
    } else {
      out += llvm::formatv("\\{0:o3}", static_cast<unsigned>(c)).str();
    }
  }
  return out + "\"";
}

/// Hands out C identifiers that are neither keywords nor taken.
class NameAllocator {
public:
  NameAllocator() {
    // C and C++ keywords a Tessera identifier could spell.
    for (const char *keyword :
         {"auto",      "bool",      "break",    "case",     "catch",
          "char",      "class",     "const",    "continue", "default",
          "delete",    "do",        "double",   "else",     "enum",
          "explicit",  "extern",    "false",    "float",    "for",
          "friend",    "goto",      "if",       "inline",   "int",
          "long",      "namespace", "new",      "operator", "private",
          "protected", "public",    "register", "restrict", "return",
          "short",     "signed",    "sizeof",   "static",   "struct",
          "switch",    "template",  "this",     "throw",    "true",
          "try",       "typedef",   "typename", "union",    "unsigned",
          "using",     "virtual",   "void",     "volatile", "while",
          "int8_t",    "int16_t",   "int32_t",  "int64_t",  "uint8_t",
          "uint16_t",  "uint32_t",  "uint64_t", "status"})
      taken.insert(keyword);
  }
  std::string allocate(llvm::StringRef wanted) {
    std::string name = wanted.str();
    // Helper-local names all start with "tessera_".
    if (name.empty() || llvm::StringRef(name).starts_with("tessera_"))
      name = "p_" + name;
    while (!taken.insert(name).second)
      name += "_";
    return name;
  }

private:
  llvm::StringSet<> taken;
};

std::string describeShape(const ValueSpec &spec) {
  std::string text = dtypeSpelling(spec.dtype).str();
  if (spec.dims.empty())
    return text;
  text += "[";
  for (auto [i, dim] : llvm::enumerate(spec.dims)) {
    if (i)
      text += ", ";
    text += formatDimSpec(dim);
  }
  return text + "]";
}

/// The C expression for the steps `expr`, with `symbolExpr` giving the C
/// expression of each symbol. Division and log2 call the header's helpers
/// (emitSizeHelpers), which return some value for an invalid operand: the
/// entry's own checks then fail with the status that names the problem.
std::string getCSizeExpr(llvm::ArrayRef<SizeOp> expr,
                         const std::map<std::string, std::string> &symbolExpr) {
  std::vector<std::string> stack;
  for (const SizeOp &op : expr) {
    std::string b = stack.empty() ? "0" : stack.back();
    switch (op.kind) {
    case SizeOp::Kind::Literal:
      stack.push_back("INT64_C(" + std::to_string(op.value) + ")");
      continue;
    case SizeOp::Kind::Symbol:
      stack.push_back(symbolExpr.at(op.symbol));
      continue;
    case SizeOp::Kind::Neg:
      stack.back() = "(-" + b + ")";
      continue;
    case SizeOp::Kind::Log2:
      stack.back() = "tessera_size_log2(" + b + ")";
      continue;
    default:
      break;
    }
    stack.pop_back();
    std::string &a = stack.back();
    if (op.kind == SizeOp::Kind::FloorDiv)
      a = "tessera_size_floordiv(" + a + ", " + b + ")";
    else
      a = "(" + a +
          (op.kind == SizeOp::Kind::Add   ? " + "
           : op.kind == SizeOp::Kind::Sub ? " - "
                                          : " * ") +
          b + ")";
  }
  return stack.empty() ? "0" : stack.back();
}

/// The helpers of getCSizeExpr, when some entry has an expression dim.
void emitSizeHelpers(llvm::raw_ostream &os,
                     llvm::ArrayRef<EntrySignature> entries) {
  auto hasExpr = [](const ValueSpec &spec) {
    return llvm::any_of(spec.dims, [](const DimSpec &d) { return d.isExpr(); });
  };
  if (!llvm::any_of(entries, [&](const EntrySignature &sig) {
        return llvm::any_of(sig.params, hasExpr) ||
               llvm::any_of(sig.results, hasExpr);
      }))
    return;
  os << "#ifndef TESSERA_SIZE_HELPERS_DEFINED\n"
     << "#define TESSERA_SIZE_HELPERS_DEFINED\n"
     << "/* Size expressions: `/` rounds down; log2 of a power of two. For\n"
     << " * invalid operands they return some value: the entry checks the\n"
     << " * sizes and reports the problem through its status. */\n"
     << "static inline int64_t tessera_size_floordiv(int64_t a, int64_t b) "
        "{\n"
     << "  int64_t q;\n"
     << "  if (b == 0 || b == -1)\n"
     << "    return (int64_t)(0u - (uint64_t)a * (uint64_t)(b == -1));\n"
     << "  q = a / b;\n"
     << "  return q - (a % b != 0 && (a < 0) != (b < 0));\n"
     << "}\n"
     << "static inline int64_t tessera_size_log2(int64_t x) {\n"
     << "  int64_t r = 0;\n"
     << "  while (x > 1) {\n    x >>= 1;\n    ++r;\n  }\n"
     << "  return r;\n"
     << "}\n"
     << "#endif\n\n";
}

/// `f(a: f32[M, K], L: index) -> (f32[M, N])`, for a comment.
std::string describeSignature(const EntrySignature &sig) {
  std::string text = sig.name + "(";
  for (auto [i, param] : llvm::enumerate(sig.params)) {
    if (i)
      text += ", ";
    text += param.name + ": " +
            (param.kind == ValueSpec::Kind::Index ? std::string("index")
                                                  : describeShape(param));
  }
  text += ") -> (";
  for (auto [i, result] : llvm::enumerate(sig.results)) {
    if (i)
      text += ", ";
    text += describeShape(result);
  }
  return text + ")";
}

/// Writes the declarations and helpers of one entry.
class EntryEmitter {
public:
  EntryEmitter(llvm::raw_ostream &os, const EntrySignature &sig)
      : os(os), sig(sig) {
    allocateNames();
  }

  void emit() {
    os << "/* " << describeSignature(sig) << " */\n";
    emitConstraints();
    emitPrototypes();
    emitStrerror();
    emitHelpers();
  }

private:
  void allocateNames();
  void emitConstraints();
  void emitPrototypes();
  void emitStrerror();
  void emitHelpers();
  std::string emitDescriptor(const ValueSpec &spec, const std::string &data);

  static void addArg(std::string &list, const std::string &arg) {
    list += (list.empty() ? "" : ", ") + arg;
  }
  std::string dimExpr(const DimSpec &dim) {
    if (dim.isExpr())
      return getCSizeExpr(dim.expr, symbolExpr);
    return dim.isSymbol ? symbolExpr[dim.symbol] : std::to_string(dim.extent);
  }

  llvm::raw_ostream &os;
  const EntrySignature &sig;
  std::vector<std::string> paramNames, resultNames;
  /// The C expression for each size symbol: an index parameter or a helper
  /// argument of its own.
  std::map<std::string, std::string> symbolExpr;
  /// The helpers' size arguments, in order of first appearance in the
  /// parameters: index parameters and symbols that no index parameter
  /// binds.
  std::vector<std::string> sizeArgs;
  /// The helper argument that takes the error record.
  std::string errorName;
  unsigned numDescriptors = 0;
};

void EntryEmitter::allocateNames() {
  // Names first, so helper arguments never collide with each other.
  NameAllocator names;
  unsigned descriptors = 0;
  for (const ValueSpec &param : sig.params)
    descriptors += param.kind == ValueSpec::Kind::Tensor;
  descriptors += sig.results.size();
  for (unsigned i = 0; i != descriptors; ++i)
    names.allocate(("tessera_d" + llvm::Twine(i)).str());
  for (const ValueSpec &param : sig.params)
    paramNames.push_back(names.allocate(param.name));
  for (const ValueSpec &result : sig.results)
    resultNames.push_back(names.allocate(result.name));
  for (const SizeBinding &binding : computeSizeBindings(sig)) {
    std::string name = binding.source.kind == SizeSource::Kind::IndexParam
                           ? paramNames[binding.source.position]
                           : names.allocate(binding.symbol);
    symbolExpr[binding.symbol] = name;
    sizeArgs.push_back(name);
  }
  // An index parameter always binds its symbol (Sema sees to it); should a
  // hand-written signature bind it earlier, the parameter is still passed.
  for (auto [i, param] : llvm::enumerate(sig.params))
    if (param.kind == ValueSpec::Kind::Index &&
        !llvm::is_contained(sizeArgs, paramNames[i]))
      sizeArgs.push_back(paramNames[i]);
  errorName = names.allocate("error");
}

void EntryEmitter::emitPrototypes() {
  std::string args;
  for (auto [i, param] : llvm::enumerate(sig.params)) {
    if (param.kind == ValueSpec::Kind::Index)
      addArg(args, "int64_t " + paramNames[i]);
    else
      addArg(args, llvm::formatv("tessera_memref{0} *{1}", param.dims.size(),
                                 paramNames[i]));
  }
  for (auto [i, result] : llvm::enumerate(sig.results))
    addArg(args, llvm::formatv("tessera_memref{0} *{1}", result.dims.size(),
                               resultNames[i]));
  std::string withRecord = args;
  addArg(withRecord, "tessera_error *" + errorName);
  os << "int32_t _mlir_ciface_" << sig.name << "("
     << (args.empty() ? "void" : args) << ");\n"
     << "int32_t _tess_errinfo_" << sig.name << "(" << withRecord << ");\n\n";
}

/// Lists the size rules of the entry (SizeConstraint) with the status that
/// reports each, in a comment.
void EntryEmitter::emitConstraints() {
  if (sig.constraints.empty())
    return;
  os << "/* Size rules, checked at each call (status: rule):\n";
  for (auto [i, check] : llvm::enumerate(computeSizeChecks(sig))) {
    if (check.kind != SizeCheck::Kind::Constraint)
      continue;
    // A file name could end the comment.
    std::string text = check.message;
    for (size_t at = text.find("*/"); at != std::string::npos;
         at = text.find("*/", at))
      text.replace(at, 2, "* /");
    os << " *   " << i + 1 << ": " << text << "\n";
  }
  os << " */\n";
}

void EntryEmitter::emitStrerror() {
  os << "static inline const char *tessera_" << sig.name
     << "_strerror(int32_t status) {\n"
     << "  switch (status) {\n"
     << "  case 0:\n    return \"success\";\n";
  for (int32_t status : {kStatusTooLarge, kStatusOutOfMemory})
    os << "  case " << status << ":\n    return "
       << cStringLiteral(describeEntryStatus(sig, status)) << ";\n";
  for (auto [i, check] : llvm::enumerate(computeSizeChecks(sig)))
    os << "  case " << i + 1 << ":\n    return "
       << cStringLiteral(check.message) << ";\n";
  os << "  default:\n    return \"unknown status\";\n  }\n}\n\n";
}

std::string EntryEmitter::emitDescriptor(const ValueSpec &spec,
                                         const std::string &data) {
  std::string local = "tessera_d" + std::to_string(numDescriptors++);
  size_t rank = spec.dims.size();
  // Through uintptr_t, so that dropping const does not trip -Wcast-qual;
  // entries never write their inputs.
  os << "  tessera_memref" << rank << " " << local << " = {(void *)(uintptr_t)"
     << data << ", (void *)(uintptr_t)" << data << ", 0";
  if (rank) {
    // Products in uint64_t: with a zero extent a stride may not fit (nothing
    // is addressed then, and the entry checks the sizes, not the strides).
    std::vector<std::string> strides(rank);
    std::vector<std::string> factors;
    for (size_t d = rank; d-- > 0;) {
      if (factors.empty())
        strides[d] = "1";
      else if (factors.size() == 1)
        strides[d] = factors.front();
      else
        strides[d] = "(int64_t)((uint64_t)" +
                     llvm::join(llvm::reverse(factors), " * (uint64_t)") + ")";
      factors.push_back(dimExpr(spec.dims[d]));
    }
    os << ", {";
    for (size_t d = 0; d != rank; ++d)
      os << (d ? ", " : "") << dimExpr(spec.dims[d]);
    os << "}, {" << llvm::join(strides, ", ") << "}";
  }
  os << "};\n";
  return "&" + local;
}

void EntryEmitter::emitHelpers() {
  // tessera_<name>_errinfo builds the descriptors and calls the entry;
  // tessera_<name> is the same without a record.
  // Sizes first, in the order they appear in the parameters (index
  // parameters among them), so that they cannot be mistaken for data; then
  // the inputs' data and the outputs', in order.
  std::string helperArgs, forwardArgs;
  for (const std::string &size : sizeArgs) {
    addArg(helperArgs, "int64_t " + size);
    addArg(forwardArgs, size);
  }
  for (auto [i, param] : llvm::enumerate(sig.params)) {
    if (param.kind != ValueSpec::Kind::Tensor)
      continue;
    addArg(helperArgs, "const " + getCElementTypeName(param.dtype).str() +
                           " *" + paramNames[i]);
    addArg(forwardArgs, paramNames[i]);
  }
  for (auto [i, result] : llvm::enumerate(sig.results)) {
    addArg(helperArgs,
           getCElementTypeName(result.dtype).str() + " *" + resultNames[i]);
    addArg(forwardArgs, resultNames[i]);
  }
  std::string withRecord = helperArgs;
  addArg(withRecord, "tessera_error *" + errorName);
  os << "static inline int32_t tessera_" << sig.name << "_errinfo("
     << withRecord << ") {\n";
  std::string callArgs;
  for (auto [i, param] : llvm::enumerate(sig.params)) {
    if (param.kind == ValueSpec::Kind::Index)
      addArg(callArgs, paramNames[i]);
    else
      addArg(callArgs, emitDescriptor(param, paramNames[i]));
  }
  for (auto [i, result] : llvm::enumerate(sig.results))
    addArg(callArgs, emitDescriptor(result, resultNames[i]));
  addArg(callArgs, errorName);
  os << "  return _tess_errinfo_" << sig.name << "(" << callArgs << ");\n}\n";

  addArg(forwardArgs, "0");
  os << "static inline int32_t tessera_" << sig.name << "("
     << (helperArgs.empty() ? "void" : helperArgs) << ") {\n"
     << "  return tessera_" << sig.name << "_errinfo(" << forwardArgs
     << ");\n}\n\n";
}

/// The status codes and the error record, shared by every library.
void emitErrorRecord(llvm::raw_ostream &os) {
  os << "#ifndef TESSERA_ERROR_DEFINED\n"
     << "#define TESSERA_ERROR_DEFINED\n"
     << "/* A tensor's element count or byte size does not fit in int64_t. */\n"
     << "#define TESSERA_STATUS_TOO_LARGE (" << kStatusTooLarge << ")\n"
     << "/* An intermediate tensor could not be allocated. */\n"
     << "#define TESSERA_STATUS_OUT_OF_MEMORY (" << kStatusOutOfMemory << ")\n"
     << "#define TESSERA_ERROR_MAX_RANK " << kErrorRecordMaxRank << "\n"
     << "/* Filled by _tess_errinfo_<entry> when it returns a negative\n"
     << " * TESSERA_STATUS_* code; strings are constants of the library. */\n"
     << "typedef struct tessera_error {\n"
     << "  int32_t status;    /* the entry's return value */\n"
     << "  int32_t rank;      /* rank of the tensor */\n"
     << "  const char *what;  /* \"parameter 'q'\", \"intermediate 's'\", ... "
        "*/\n"
     << "  const char *where; /* \"file.tess:3:3\", or \"\" */\n"
     << "  const char *dtype; /* element type, \"f32\" */\n"
     << "  int64_t bytes;     /* bytes asked for; -1 if they overflow */\n"
     << "  int64_t shape[TESSERA_ERROR_MAX_RANK]; /* first extents */\n"
     << "} tessera_error;\n"
     << "#endif\n\n";
}

} // namespace

std::string tessera::generateCHeader(llvm::ArrayRef<EntrySignature> entries,
                                     llvm::StringRef libraryName) {
  std::string guard = "TESSERA_";
  for (char c : libraryName)
    guard += llvm::isAlnum(c) ? llvm::toUpper(c) : '_';
  guard += "_H";

  std::string text;
  llvm::raw_string_ostream os(text);
  os << "/* " << libraryName
     << ": C interface of a Tessera library, generated by tessc.\n"
     << " *\n"
     << " * Tensors are dense, row-major arrays owned by the caller, who also\n"
     << " * allocates every output. Each entry returns 0 on success, the\n"
     << " * 1-based number of the first size check that failed, or a negative\n"
     << " * TESSERA_STATUS_* code, described by tessera_<entry>_strerror;\n"
     << " * _tess_errinfo_<entry> also fills a tessera_error record naming "
        "the\n"
     << " * tensor. See docs/abi.md of the Tessera sources.\n"
     << " */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "#ifndef TESSERA_COMPLEX_TYPES_DEFINED\n"
     << "#define TESSERA_COMPLEX_TYPES_DEFINED\n"
     << "/* Complex elements are interleaved (re, im) pairs. */\n"
     << "typedef struct tessera_c64 {\n  float re;\n  float im;\n} "
        "tessera_c64;\n"
     << "typedef struct tessera_c128 {\n  double re;\n  double im;\n} "
        "tessera_c128;\n"
     << "#endif\n\n";
  emitErrorRecord(os);
  emitSizeHelpers(os, entries);

  std::set<size_t> ranks;
  for (const EntrySignature &sig : entries) {
    for (const ValueSpec &param : sig.params)
      if (param.kind == ValueSpec::Kind::Tensor)
        ranks.insert(param.dims.size());
    for (const ValueSpec &result : sig.results)
      ranks.insert(result.dims.size());
  }
  for (size_t rank : ranks) {
    os << "#ifndef TESSERA_MEMREF" << rank << "_DEFINED\n"
       << "#define TESSERA_MEMREF" << rank << "_DEFINED\n"
       << "/* Descriptor of a rank-" << rank << " buffer: ";
    if (rank)
      os << "element (i0, ...) is at\n"
         << " * aligned + offset + i0 * strides[0] + ... (in elements). */\n";
    else
      os << "its element is at aligned + offset. */\n";
    os << "typedef struct tessera_memref" << rank << " {\n"
       << "  void *allocated;\n  void *aligned;\n  int64_t offset;\n";
    if (rank)
      os << "  int64_t sizes[" << rank << "];\n  int64_t strides[" << rank
         << "];\n";
    os << "} tessera_memref" << rank << ";\n#endif\n\n";
  }

  for (const EntrySignature &sig : entries)
    EntryEmitter(os, sig).emit();

  os << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n"
     << "#endif /* " << guard << " */\n";
  return text;
}
