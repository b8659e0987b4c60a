//===- tess-repl.cpp - The interactive JIT REPL ---------------------------===//
//
// A thin main over tessera::Session (tessera/Driver/Session.h): it reads
// inputs, with line editing, history (~/.tessera_history) and completion
// when standard input is a terminal, or line by line without a prompt from
// a pipe, and hands each finished cell or command to the session. Whether a
// cell is finished is the parser's call (Session::Status::Incomplete).
//
//===----------------------------------------------------------------------===//

#include "tessera/Driver/Session.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/LineEditor/LineEditor.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

using namespace llvm;
using tessera::Session;

static cl::OptionCategory category("tess-repl options");
static cl::list<std::string> files(cl::Positional,
                                   cl::desc("[file.tess...] (run first)"),
                                   cl::cat(category));
static cl::opt<unsigned> optLevel("O", cl::desc("Optimization level (0-3)"),
                                  cl::Prefix, cl::init(2), cl::cat(category));
static cl::opt<bool> noHistory("no-history",
                               cl::desc("Do not read or write the history "
                                        "file"),
                               cl::cat(category));

static const char *const kOverview = R"(Tessera's interactive JIT REPL

  Reads cells (fn and const definitions, statements, expressions) and
  :commands; :help lists the commands. From a pipe it reads line by line,
  without a prompt, and exits with status 1 if any input failed:

    printf 'x = ones(f32[2, 2])\nsum[i, j](x[i, j])\n' | tess-repl
)";

/// Set by SIGINT: the prompt's line is dropped, a computation stopped.
static std::atomic<bool> interrupted{false};

static void onInterrupt(int) { interrupted = true; }

/// The history file: $HOME/.tessera_history, or none without a home.
static std::string historyPath() {
  SmallString<128> path;
  if (noHistory || !sys::path::home_directory(path))
    return "";
  sys::path::append(path, ".tessera_history");
  return std::string(path);
}

/// The word before the cursor (a name, or a :command) and its completions.
static std::vector<LineEditor::Completion>
completeAt(const Session &session, StringRef buffer, size_t pos) {
  StringRef before = buffer.take_front(pos);
  size_t start = before.find_last_not_of(
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
  start = start == StringRef::npos ? 0 : start + 1;
  // A command only at the start of the line.
  if (start == 1 && before.starts_with(":"))
    start = 0;
  StringRef word = before.drop_front(start);
  std::vector<LineEditor::Completion> result;
  for (const std::string &name : session.complete(word))
    result.emplace_back(name.substr(word.size()), name);
  return result;
}

/// Adds `line` to the unfinished cell `pending` and runs it, or runs the
/// command `line` (after reporting what `pending` lacks).
/// `ok` becomes false if that unfinished cell failed.
static Session::Status feed(Session &session, std::string &pending,
                            StringRef line, bool &ok) {
  if (!pending.empty() && line.ltrim().starts_with(":")) {
    ok &= session.eval(pending, /*isFinal=*/true) == Session::Status::Done;
    pending.clear();
  }
  pending += line;
  pending += "\n";
  return session.eval(pending);
}

/// Runs the lines `next` returns (given the unfinished cell, which it may
/// drop) until it returns none or `:quit`; true if every input succeeded.
static bool
runInputs(Session &session,
          function_ref<std::optional<std::string>(std::string &pending)> next) {
  std::string pending;
  bool ok = true;
  while (std::optional<std::string> line = next(pending)) {
    Session::Status status = feed(session, pending, *line, ok);
    if (status == Session::Status::Incomplete)
      continue;
    pending.clear();
    outs().flush();
    errs().flush();
    if (status == Session::Status::Quit)
      return ok;
    ok &= status == Session::Status::Done;
  }
  if (!pending.empty())
    ok &= session.eval(pending, /*isFinal=*/true) == Session::Status::Done;
  return ok;
}

/// Reads and runs inputs at a terminal until Ctrl-D or `:quit`. Errors are
/// part of working at a terminal: they do not change the exit status.
static void runInteractive(Session &session) {
  LineEditor editor("tess-repl", historyPath());
  editor.setListCompleter([&](StringRef buffer, size_t pos) {
    return completeAt(session, buffer, pos);
  });
  outs() << "Tessera " TESSERA_VERSION " REPL. :help lists the commands, "
            "Ctrl-D quits.\n";
  outs().flush();
  (void)runInputs(session, [&](std::string &pending) {
    while (true) {
      editor.setPrompt(pending.empty() ? "tess> " : " ...> ");
      interrupted = false;
      std::optional<std::string> line = editor.readLine();
      if (!interrupted) {
        if (!line)
          outs() << "\n"; // after the prompt that Ctrl-D ended
        return line;
      }
      // Ctrl-C drops the unfinished cell, as in other REPLs.
      outs() << "\n";
      pending.clear();
    }
  });
}

/// Reads inputs from a pipe, line by line, without a prompt.
static bool runPiped(Session &session) {
  return runInputs(session, [](std::string &) -> std::optional<std::string> {
    std::string line;
    if (!std::getline(std::cin, line))
      return std::nullopt;
    return line;
  });
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::SetVersionPrinter([](raw_ostream &os) {
    os << "Tessera " TESSERA_VERSION " (LLVM " LLVM_VERSION_STRING ")\n";
  });
  cl::ParseCommandLineOptions(argc, argv, kOverview);
  if (optLevel > 3) {
    WithColor::error(errs(), "tess-repl") << "-O must be 0 to 3\n";
    return 1;
  }
  bool interactive = sys::Process::StandardInIsUserInput();
  tessera::SessionOptions options;
  options.optLevel = optLevel;
  // At a terminal, Ctrl-C stops a computation and the session goes on
  // (from the files run first, too).
  if (interactive) {
    options.interrupt = &interrupted;
    struct sigaction action = {};
    action.sa_handler = onInterrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
  }
  Session session(options);
  bool ok = true;
  for (const std::string &file : files)
    ok &= session.eval(":load " + file) == Session::Status::Done;
  if (interactive)
    runInteractive(session);
  else
    ok &= runPiped(session);
  outs().flush();
  return ok ? 0 : 1;
}
