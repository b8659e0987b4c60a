//===- CellsTest.cpp - REPL cells: parseCell and tessera::Session ---------===//

#include "tessera/Driver/Session.h"
#include "tessera/Frontend/Parser.h"
#include "tessera/Runtime/Interruptible.h"

#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <thread>

using namespace tessera;

namespace {

/// Counts errors, keeps the first.
class CountingSink : public DiagnosticSink {
public:
  void note(ast::SourceLoc, const llvm::Twine &) override {}
  std::string first;

protected:
  void emitError(ast::SourceLoc loc, const llvm::Twine &message) override {
    if (first.empty())
      first = std::to_string(loc.line) + ":" + std::to_string(loc.col) + ": " +
              message.str();
  }
  void emitWarning(ast::SourceLoc, const llvm::Twine &) override {}
};

TEST(ParseCellTest, UnfinishedCellsAreIncompleteAndReportNothing) {
  for (const char *text :
       {"fn f(a: f32[N]) -> f32[N] {", "x = 1 +", "f(x,", "y[i] = sum[j](",
        "fn f(a: f32[N]) -> f32[N] {\n  b = a\n", "(1 + 2", "const C ="}) {
    CountingSink sink;
    ParsedCell cell = parseCell(text, sink);
    EXPECT_TRUE(cell.incomplete) << text;
    EXPECT_FALSE(cell.ok) << text;
    EXPECT_EQ(sink.getNumErrors(), 0u) << text << ": " << sink.first;
  }
}

TEST(ParseCellTest, WrongCellsAreReported) {
  for (const char *text :
       {"x = 1 +* 2", "fn f( {", "return x", "x = )",
        "fn f(a: f32[N]) -> f32[N] {\n  b = a +\n  return b"}) {
    CountingSink sink;
    ParsedCell cell = parseCell(text, sink);
    EXPECT_FALSE(cell.incomplete) << text;
    EXPECT_FALSE(cell.ok) << text;
    EXPECT_GT(sink.getNumErrors(), 0u) << text;
  }
  // At the end of the input, an unfinished cell is an error too.
  CountingSink sink;
  ParsedCell cell = parseCell("x = 1 +", sink, /*allowIncomplete=*/false);
  EXPECT_FALSE(cell.incomplete);
  EXPECT_EQ(sink.first, "1:8: expected an expression but found end of file");
}

TEST(ParseCellTest, ItemsKeepTheirKindsExtentsAndNames) {
  llvm::StringRef text = "const C = 2\nfn f(a: f32[N]) -> f32[N] { return a }\n"
                         "p, q = g(x)\ny[i] = x[i] * C\nf(y) + 1";
  CountingSink sink;
  ParsedCell cell = parseCell(text, sink);
  ASSERT_TRUE(cell.ok) << sink.first;
  ASSERT_EQ(cell.items.size(), 5u);
  using K = CellItem::Kind;
  EXPECT_EQ(cell.items[0].kind, K::Constant);
  EXPECT_EQ(cell.items[1].kind, K::Function);
  EXPECT_EQ(cell.items[2].kind, K::Statement);
  EXPECT_EQ(cell.items[3].kind, K::Statement);
  EXPECT_EQ(cell.items[4].kind, K::Expression);
  EXPECT_EQ(cell.items[1].defines, std::vector<std::string>{"f"});
  EXPECT_EQ(cell.items[2].defines, (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(cell.items[3].defines, std::vector<std::string>{"y"});
  EXPECT_EQ(text.slice(cell.items[3].begin, cell.items[3].end),
            "y[i] = x[i] * C");
  EXPECT_EQ(cell.items[4].loc.line, 5u);
  EXPECT_EQ(cell.items[4].names, (std::vector<std::string>{"f", "y"}));
}

/// A session printing into strings.
struct TestSession {
  std::string out, err;
  llvm::raw_string_ostream outStream{out}, errStream{err};
  Session session;
  TestSession(SessionOptions options = {})
      : session([&] {
          options.out = &outStream;
          options.err = &errStream;
          return options;
        }()) {}
  Session::Status eval(llvm::StringRef input) {
    out.clear();
    err.clear();
    return session.eval(input, /*isFinal=*/true);
  }
  std::vector<float> floats(llvm::StringRef name) {
    const HostTensor *t = session.getValue(name);
    if (!t || t->getDType() != DType::F32)
      return {};
    return std::vector<float>(t->dataAs<float>(),
                              t->dataAs<float>() + t->getNumElements());
  }
};

TEST(SessionTest, ValuesLiveAcrossCellsAndRedefinitionsReplace) {
  TestSession s;
  ASSERT_EQ(s.eval("x = ones(f32[3])"), Session::Status::Done) << s.err;
  ASSERT_EQ(s.eval("fn f(a: f32[N]) -> f32[N] {\n  return a * 2.0\n}"),
            Session::Status::Done)
      << s.err;
  ASSERT_EQ(s.eval("y = f(x)"), Session::Status::Done) << s.err;
  EXPECT_EQ(s.floats("y"), (std::vector<float>{2, 2, 2}));
  ASSERT_EQ(s.eval("fn f(a: f32[N]) -> f32[N] {\n  return a * 3.0\n}"),
            Session::Status::Done);
  ASSERT_EQ(s.eval("y = f(x)"), Session::Status::Done) << s.err;
  EXPECT_EQ(s.floats("y"), (std::vector<float>{3, 3, 3}));
  // A failed redefinition keeps the old one.
  EXPECT_EQ(s.eval("fn f(a: f32[N]) -> f32[N] {\n  return a * nope\n}"),
            Session::Status::Failed);
  EXPECT_NE(s.err.find("<cell 6>:2:14: error: unknown name 'nope'"),
            std::string::npos)
      << s.err;
  ASSERT_EQ(s.eval("f(x)"), Session::Status::Done) << s.err;
  EXPECT_EQ(s.out, "[3., 3., 3.]\n");
  EXPECT_EQ(s.floats("_"), (std::vector<float>{3, 3, 3}));
}

TEST(SessionTest, ValuesAreSetAndReadByEmbedders) {
  TestSession s;
  auto t = HostTensor::create(DType::F32, {2});
  ASSERT_TRUE(static_cast<bool>(t));
  t->dataAs<float>()[0] = 1.5f;
  t->dataAs<float>()[1] = -2.0f;
  s.session.setValue("v", std::move(*t));
  ASSERT_EQ(s.eval("w[i] = v[i] * v[i]"), Session::Status::Done) << s.err;
  EXPECT_EQ(s.floats("w"), (std::vector<float>{2.25f, 4.0f}));
  EXPECT_EQ(s.floats("v"), (std::vector<float>{1.5f, -2.0f}));
}

TEST(SessionTest, CompletesNamesAndCommands) {
  TestSession s;
  ASSERT_EQ(s.eval("value_one = ones(f32[1])"), Session::Status::Done);
  std::vector<std::string> names = s.session.complete("value_");
  EXPECT_EQ(names, std::vector<std::string>{"value_one"});
  names = s.session.complete(":ty");
  EXPECT_EQ(names, std::vector<std::string>{":type"});
  names = s.session.complete("soft");
  EXPECT_NE(std::find(names.begin(), names.end(), "softmax"), names.end());
}

TEST(SessionTest, AComputationInAChildCanBeInterrupted) {
  std::atomic<bool> interrupt{false};
  // Results come back from the child process.
  ComputeResult r = runInterruptibly(
      [] {
        std::vector<HostTensor> out;
        out.push_back(std::move(*HostTensor::create(DType::I64, {3})));
        out.back().dataAs<int64_t>()[2] = 42;
        return ComputeResult(std::move(out));
      },
      interrupt);
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  EXPECT_EQ((*r)[0].dataAs<int64_t>()[2], 42);
  // An error too.
  r = runInterruptibly(
      [] {
        return ComputeResult(llvm::createStringError(
            llvm::inconvertibleErrorCode(), "size mismatch"));
      },
      interrupt);
  ASSERT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(llvm::toString(r.takeError()), "size mismatch");
  // A computation that never ends is stopped.
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    interrupt = true;
  });
  r = runInterruptibly(
      [] {
        while (true)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return ComputeResult(std::vector<HostTensor>());
      },
      interrupt);
  stopper.join();
  ASSERT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(llvm::toString(r.takeError()), "interrupted");
}

TEST(SessionTest, CellsRunInAChildWhenInterruptible) {
  std::atomic<bool> interrupt{false};
  SessionOptions options;
  options.interrupt = &interrupt;
  TestSession s(options);
  ASSERT_EQ(s.eval("x = ones(f32[4])"), Session::Status::Done) << s.err;
  ASSERT_EQ(s.eval("sum[i](x[i] * 2.0)"), Session::Status::Done) << s.err;
  EXPECT_EQ(s.out, "8.\n");
  ASSERT_EQ(s.eval(":time sum[i](x[i])"), Session::Status::Done) << s.err;
  EXPECT_EQ(s.out.rfind("median ", 0), 0u) << s.out;
}

} // namespace
