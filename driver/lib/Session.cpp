//===- Session.cpp - The REPL's cells -------------------------------------===//
//
// Cells in, values out: see tessera/Driver/Session.h for how a cell becomes
// an entry function. The commands are in SessionCommands.cpp.
//
//===----------------------------------------------------------------------===//

#include "SessionImpl.h"

#include "tessera/Frontend/Builtins.h"
#include "tessera/Runtime/Printer.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <set>

using namespace tessera;

//===----------------------------------------------------------------------===//
// ModuleText
//===----------------------------------------------------------------------===//

void ModuleText::advance(llvm::StringRef s) {
  for (char c : s) {
    if (c == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  text += s;
}

void ModuleText::appendOwn(llvm::StringRef s, llvm::StringRef file,
                           unsigned fileLine, unsigned fileCol) {
  map.addPiece(line, col, file, fileLine, fileCol);
  advance(s);
  // Whatever follows on the last line is mapped by the next piece.
}

void ModuleText::appendCopy(llvm::StringRef s, llvm::StringRef file,
                            unsigned fileLine, unsigned fileCol) {
  // One piece per line: columns carry over within a line.
  while (true) {
    map.addPiece(line, col, file, fileLine, fileCol);
    size_t nl = s.find('\n');
    if (nl == llvm::StringRef::npos) {
      advance(s);
      return;
    }
    advance(s.take_front(nl + 1));
    s = s.drop_front(nl + 1);
    ++fileLine;
    fileCol = 1;
  }
}

//===----------------------------------------------------------------------===//
// Diagnostics of the cells' syntax
//===----------------------------------------------------------------------===//

namespace {

/// Prints the parser's errors as `<cell N>:line:col: error: message` with
/// the line and a caret, as the Compiler prints every later one.
class CellDiagnostics : public DiagnosticSink {
public:
  CellDiagnostics(llvm::StringRef file, llvm::StringRef text,
                  llvm::raw_ostream &os)
      : os(os) {
    buffer = mgr.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(text, file), llvm::SMLoc());
  }
  void note(ast::SourceLoc loc, const llvm::Twine &message) override {
    print(loc, llvm::SourceMgr::DK_Note, message);
  }

protected:
  void emitError(ast::SourceLoc loc, const llvm::Twine &message) override {
    print(loc, llvm::SourceMgr::DK_Error, message);
  }
  void emitWarning(ast::SourceLoc loc, const llvm::Twine &message) override {
    print(loc, llvm::SourceMgr::DK_Warning, message);
  }

private:
  void print(ast::SourceLoc loc, llvm::SourceMgr::DiagKind kind,
             const llvm::Twine &message) {
    llvm::SMLoc at = mgr.FindLocForLineAndColumn(buffer, std::max(loc.line, 1u),
                                                 std::max(loc.col, 1u));
    mgr.PrintMessage(os, at, kind, message);
  }
  llvm::SourceMgr mgr;
  unsigned buffer;
  llvm::raw_ostream &os;
};

} // namespace

//===----------------------------------------------------------------------===//
// Definitions
//===----------------------------------------------------------------------===//

const Definition *Session::Impl::findDefinition(llvm::StringRef name) const {
  for (const Definition &d : definitions)
    if (d.name == name)
      return &d;
  return nullptr;
}

std::vector<const Definition *>
Session::Impl::closure(const std::vector<std::string> &names,
                       const std::vector<Definition> &extra) const {
  std::map<std::string, const Definition *> byName;
  for (const Definition &d : definitions)
    byName[d.name] = &d;
  for (const Definition &d : extra)
    byName[d.name] = &d;
  std::set<const Definition *> used;
  std::vector<std::string> work(names.rbegin(), names.rend());
  while (!work.empty()) {
    std::string name = std::move(work.back());
    work.pop_back();
    auto it = byName.find(name);
    if (it == byName.end() || !used.insert(it->second).second)
      continue;
    work.insert(work.end(), it->second->names.begin(), it->second->names.end());
  }
  std::vector<const Definition *> result;
  for (const Definition &d : definitions)
    if (used.count(byName[d.name]))
      result.push_back(byName[d.name]);
  for (const Definition &d : extra)
    if (used.count(&d) && !findDefinition(d.name))
      result.push_back(&d);
  return result;
}

void Session::Impl::commit(std::vector<Definition> defs) {
  for (Definition &d : defs) {
    // Cells compiled with another text of `d` would call the old one.
    for (auto it = cache.begin(); it != cache.end();) {
      auto use = it->second.uses.find(d.name);
      if (use != it->second.uses.end() && use->second != d.text)
        it = cache.erase(it);
      else
        ++it;
    }
    values.erase(d.name);
    auto old = llvm::find_if(
        definitions, [&](const Definition &e) { return e.name == d.name; });
    if (old != definitions.end())
      *old = std::move(d);
    else
      definitions.push_back(std::move(d));
  }
}

//===----------------------------------------------------------------------===//
// Cells
//===----------------------------------------------------------------------===//

std::vector<std::string> Session::Impl::valuesUsed(const CellBody &body) const {
  std::vector<std::string> used;
  for (const CellItem &item : body.items)
    for (const std::string &n : item.names)
      if (values.count(body.valueOf(n)) && !llvm::is_contained(used, n))
        used.push_back(n);
  return used;
}

ModuleText Session::Impl::buildModule(llvm::ArrayRef<const Definition *> defs,
                                      const CellBody *body,
                                      llvm::StringRef entry,
                                      const std::vector<std::string> &params,
                                      std::vector<std::string> &binds) const {
  ModuleText m;
  std::set<std::string> added;
  auto addFile = [&](const std::string &file, const std::string &text) {
    if (added.insert(file).second)
      m.getMap().addFile(file, text);
  };
  for (const Definition *d : defs) {
    auto text = files.find(d->file);
    if (text != files.end())
      addFile(d->file, text->second);
    m.appendCopy(d->text, d->file, d->line, d->col);
    m.appendOwn("\n", d->file, d->line, d->col);
  }
  binds.clear();
  if (!body || body->items.empty())
    return m;
  addFile(body->file, body->fileText);
  const CellItem &first = body->items.front();
  std::string header = ("fn " + entry + "(").str();
  for (const auto &[i, p] : llvm::enumerate(params))
    header += (i ? ", " : "") + p + ": " +
              formatTensorType(values.at(body->valueOf(p)));
  m.appendOwn(header + ") {\n", body->file, first.loc.line, first.loc.col);
  std::vector<std::string> returned;
  unsigned numValues = 0;
  for (const CellItem &item : body->items) {
    if (item.kind == CellItem::Kind::Expression) {
      std::string name = "__value_" + std::to_string(numValues++);
      m.appendOwn(name + " = ", body->file, item.loc.line, item.loc.col);
      returned.push_back(name);
    } else {
      for (const std::string &n : item.defines)
        if (!llvm::is_contained(returned, n))
          returned.push_back(n);
    }
    m.appendCopy(llvm::StringRef(body->fileText).slice(item.begin, item.end),
                 body->file, item.loc.line, item.loc.col);
    m.appendOwn("\n", body->file, item.loc.line, item.loc.col);
  }
  const CellItem &last = body->items.back();
  m.appendOwn("return " + llvm::join(returned, ", ") + "\n}\n", body->file,
              last.loc.line, last.loc.col);
  for (const std::string &r : returned)
    binds.push_back(llvm::StringRef(r).starts_with("__value_") ? "" : r);
  return m;
}

JITSession *Session::Impl::getJIT() {
  if (!jit) {
    auto created = JITSession::create(options.optLevel);
    if (!created) {
      error(llvm::toString(created.takeError()));
      return nullptr;
    }
    jit = std::move(*created);
  }
  return jit.get();
}

std::unique_ptr<Compiler> Session::Impl::load(ModuleText &text,
                                              llvm::raw_ostream *explainTo,
                                              llvm::raw_ostream *diagnostics) {
  CompilerOptions co;
  co.optLevel = options.optLevel;
  co.diagnosticStream = explainTo     ? explainTo
                        : diagnostics ? diagnostics
                                      : &err;
  co.explain = explainTo != nullptr;
  co.sharedJIT = getJIT();
  co.threadPool = &threadPool;
  if (!co.sharedJIT)
    return nullptr;
  auto compiler = std::make_unique<Compiler>(co);
  if (!compiler->loadSource("<session>", text.getText(), &text.getMap()))
    return nullptr;
  return compiler;
}

std::string Session::Impl::freshEntryName(const std::vector<Definition> &defs) {
  while (true) {
    std::string name = "repl_cell_" + std::to_string(nextEntry++);
    if (!findDefinition(name) && llvm::none_of(defs, [&](const Definition &d) {
          return d.name == name;
        }))
      return name;
  }
}

CellUse Session::Impl::compileCell(const CellBody &body,
                                   const std::vector<Definition> &defs) {
  CellUse use;
  const CellBody *compiled = &body;
  std::optional<CellBody> call = asDirectCall(body);
  if (call) {
    std::string diagnostics;
    llvm::raw_string_ostream os(diagnostics);
    use.cell = compileBody(*call, defs, &os);
    // Otherwise the cell as written reports the errors where they are.
    if (use.cell)
      compiled = &*call;
  }
  if (!use.cell)
    use.cell = compileBody(body, defs, nullptr);
  if (!use.cell)
    return use;
  // A cached call serves every cell of its shape: the values it takes and
  // what its results bind are this cell's.
  for (const std::string &p : use.cell->params)
    use.arguments.push_back(compiled->valueOf(p));
  use.binds = compiled == &body ? use.cell->binds : call->bindAs;
  return use;
}

CompiledCell *Session::Impl::compileBody(const CellBody &body,
                                         const std::vector<Definition> &defs,
                                         llvm::raw_ostream *diagnostics) {
  std::vector<std::string> params = valuesUsed(body);
  // The cell's own definitions are checked with it, used or not.
  std::vector<std::string> names;
  for (const Definition &d : defs)
    names.push_back(d.name);
  for (const CellItem &item : body.items)
    names.insert(names.end(), item.names.begin(), item.names.end());
  std::vector<const Definition *> used = closure(names, defs);
  std::vector<std::string> binds;
  // The key: the module with a fixed entry name.
  std::string key =
      buildModule(used, &body, "repl_cell", params, binds).getText();
  if (auto it = cache.find(key); it != cache.end()) {
    it->second.lastUse = ++useClock;
    return &it->second;
  }
  std::string entry = freshEntryName(defs);
  ModuleText text = buildModule(used, &body, entry, params, binds);
  std::unique_ptr<Compiler> compiler = load(text, nullptr, diagnostics);
  if (!compiler)
    return nullptr;
  compiler->compileOnly(entry);
  CompiledCell cell;
  cell.compiler = std::move(compiler);
  cell.entry = entry;
  cell.params = std::move(params);
  cell.binds = std::move(binds);
  for (const Definition *d : used)
    cell.uses[d->name] = d->text;
  cell.lastUse = ++useClock;
  CompiledCell &added = cache[key] = std::move(cell);
  trimCache();
  return &added;
}

void Session::Impl::trimCache() {
  while (cache.size() > std::max(options.cacheSize, 1u)) {
    auto oldest = llvm::min_element(cache, [](const auto &a, const auto &b) {
      return a.second.lastUse < b.second.lastUse;
    });
    cache.erase(oldest);
  }
}

bool Session::Impl::runCell(const CellUse &use,
                            std::vector<HostTensor> &results) {
  ComputeResult r = compute(use, [&](const CallArguments &args) {
    return use.cell->compiler->run(use.cell->entry, args);
  });
  if (!r) {
    error(llvm::toString(r.takeError()));
    return false;
  }
  results = std::move(*r);
  return true;
}

ComputeResult Session::Impl::compute(
    const CellUse &use,
    llvm::function_ref<ComputeResult(const CallArguments &)> work) {
  CompiledCell &cell = *use.cell;
  // Compiled here, so that a child process has the code (and the cache
  // keeps it).
  if (llvm::Error e = cell.compiler->compile(cell.entry))
    return std::move(e);
  for (const std::string &value : use.arguments)
    if (!values.count(value))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "no value named '" + value + "'");
  // The values are lent to the call, not copied.
  CallArguments args;
  for (auto [param, value] : llvm::zip(cell.params, use.arguments))
    args.tensors[param] = std::move(values[value]);
  // A child process inherits unwritten output: write it out first.
  out.flush();
  err.flush();
  auto call = [&]() -> ComputeResult { return work(args); };
  ComputeResult r =
      options.interrupt ? runInterruptibly(call, *options.interrupt) : call();
  for (auto [param, value] : llvm::zip(cell.params, use.arguments))
    values[value] = std::move(args.tensors[param]);
  return r;
}

bool Session::Impl::parseBody(CellBody &body, std::vector<Definition> &defs,
                              bool isFinal, bool *incomplete) {
  CellDiagnostics diag(body.file, body.fileText, err);
  ParsedCell parsed = parseCell(body.fileText, diag, !isFinal);
  if (incomplete)
    *incomplete = parsed.incomplete;
  if (!parsed.ok)
    return false;
  llvm::StringRef text = body.fileText;
  // The cell's own definitions count wherever they are in it.
  std::set<std::string> defined;
  for (const CellItem &item : parsed.items)
    if (item.kind == CellItem::Kind::Function ||
        item.kind == CellItem::Kind::Constant)
      defined.insert(item.defines.begin(), item.defines.end());
  for (CellItem &item : parsed.items) {
    bool isFunction = item.kind == CellItem::Kind::Function;
    if (!isFunction && item.kind != CellItem::Kind::Constant) {
      for (const std::string &n : item.defines)
        if (std::optional<std::string> why = whyNotAValueName(n, defined))
          diag.error(item.loc, *why);
      body.items.push_back(std::move(item));
      continue;
    }
    if (item.defines.empty())
      continue;
    Definition d;
    d.name = item.defines.front();
    d.isFunction = isFunction;
    d.file = body.file;
    d.line = item.loc.line;
    d.col = item.loc.col;
    d.text = text.slice(item.begin, item.end).str();
    d.names = std::move(item.names);
    defs.push_back(std::move(d));
  }
  return diag.getNumErrors() == 0;
}

Session::Status Session::Impl::evalCell(llvm::StringRef file,
                                        llvm::StringRef text, bool isFinal) {
  CellBody body{file.str(), text.str(), {}, {}, {}};
  std::vector<Definition> defs;
  bool incomplete = false;
  if (!parseBody(body, defs, isFinal, &incomplete))
    return incomplete ? Status::Incomplete : Status::Failed;
  if (defs.empty() && body.items.empty())
    return Status::Done; // comments only
  files[file.str()] = text.str();

  if (body.items.empty()) {
    // Definitions alone: check them (and what they use) now.
    std::vector<std::string> names;
    for (const Definition &d : defs)
      names.push_back(d.name);
    std::vector<std::string> binds;
    ModuleText m = buildModule(closure(names, defs), nullptr, "", {}, binds);
    if (!load(m))
      return Status::Failed;
    commit(std::move(defs));
    return Status::Done;
  }

  CellUse use = compileCell(body, defs);
  CompiledCell *cell = use.cell;
  std::vector<HostTensor> results;
  if (!cell || !runCell(use, results)) {
    for (auto it = cache.begin(); cell && it != cache.end(); ++it)
      if (&it->second == cell) {
        cache.erase(it);
        break;
      }
    return Status::Failed;
  }
  commit(std::move(defs));
  for (auto [name, value] : llvm::zip(use.binds, results)) {
    if (!name.empty()) {
      values[name] = std::move(value);
      continue;
    }
    out << formatTensor(value) << "\n";
    values["_"] = std::move(value);
  }
  return Status::Done;
}

//===----------------------------------------------------------------------===//
// Session
//===----------------------------------------------------------------------===//

Session::Impl::Impl(SessionOptions opts)
    : options(opts), out(opts.out ? *opts.out : llvm::outs()),
      err(opts.err ? *opts.err : llvm::errs()) {}

void Session::Impl::error(const llvm::Twine &message) {
  err << "error: " << message << "\n";
}

std::optional<std::string>
Session::Impl::whyNotAValueName(llvm::StringRef name,
                                const std::set<std::string> &defining) const {
  if (!isIdentifier(name))
    return "'" + name.str() + "' is not a name";
  if (findDefinition(name) || defining.count(name.str()))
    return "'" + name.str() +
           "' is the name of a function or constant; a value needs another "
           "name";
  if (name.starts_with("repl_") || name.starts_with("__value_"))
    return "names starting with 'repl_' or '__value_' are the REPL's own; "
           "choose another name for '" +
           name.str() + "'";
  if (lookupBuiltin(name) || isReducerName(name) || parseDTypeName(name) ||
      name == "index")
    return "'" + name.str() +
           "' is a built-in or type name; a value needs "
           "another name";
  return std::nullopt;
}

bool tessera::isIdentifier(llvm::StringRef name) {
  return !name.empty() && (llvm::isAlpha(name[0]) || name[0] == '_') &&
         llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

Session::Status Session::Impl::eval(llvm::StringRef input, bool isFinal) {
  llvm::StringRef trimmed = input.trim();
  if (trimmed.starts_with(":"))
    return runCommand(trimmed);
  if (trimmed.empty())
    return Status::Done;
  std::string file = "<cell " + std::to_string(nextCell) + ">";
  // Errors at the end are reported where the text ends, not on the empty
  // line after it.
  input = input.rtrim();
  Status status = evalCell(file, input, isFinal);
  if (status != Status::Incomplete)
    ++nextCell;
  return status;
}

Session::Session(SessionOptions options)
    : impl(std::make_unique<Impl>(options)) {}
Session::~Session() = default;

Session::Status Session::eval(llvm::StringRef input, bool isFinal) {
  return impl->eval(input, isFinal);
}

const HostTensor *Session::getValue(llvm::StringRef name) const {
  auto it = impl->values.find(name.str());
  return it == impl->values.end() ? nullptr : &it->second;
}

void Session::setValue(llvm::StringRef name, HostTensor value) {
  impl->values[name.str()] = std::move(value);
}

std::vector<std::string> Session::complete(llvm::StringRef prefix) const {
  std::vector<std::string> names;
  if (prefix.starts_with(":")) {
    for (llvm::StringRef c : getCommandNames())
      names.push_back((":" + c).str());
  } else {
    for (const Definition &d : impl->definitions)
      names.push_back(d.name);
    for (const auto &v : impl->values)
      names.push_back(v.first);
    for (const Builtin &b : getBuiltins())
      names.push_back(b.name.str());
    for (const char *t :
         {"bool", "i32", "i64", "f16", "bf16", "f32", "f64", "c64", "c128",
          "index", "fn", "const", "where", "init", "return"})
      names.push_back(t);
  }
  llvm::erase_if(names, [&](const std::string &n) {
    return !llvm::StringRef(n).starts_with(prefix);
  });
  llvm::sort(names);
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}
