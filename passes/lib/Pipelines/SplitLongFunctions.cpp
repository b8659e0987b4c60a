//===- SplitLongFunctions.cpp - Outline runs of loop nests ----------------===//
//
// tess-split-long-functions: a block with more than `max-loops` loop nests
// is cut into runs of at most that many, and each run becomes a private
// function that LLVM may not inline. See createSplitLongFunctionsPass in
// Pipelines.h for why.
//
//===----------------------------------------------------------------------===//

#include "tessera/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;

namespace {

/// A run of consecutive ops of one block, to become one function.
struct Run {
  Operation *first = nullptr;
  Operation *last = nullptr;
};

/// Whether `value` is defined by one of `ops` (ops of `block`) or inside
/// their regions.
bool isDefinedIn(Value value, Block *block, const DenseSet<Operation *> &ops) {
  Operation *def = value.getDefiningOp();
  if (!def)
    def = value.getParentRegion()->getParentOp();
  Operation *ancestor = def ? block->findAncestorOpInBlock(*def) : nullptr;
  return ancestor && ops.contains(ancestor);
}

/// Cuts the ops of `block` into runs of at most `maxLoops` ops with regions
/// each; the ops after the last loop nest stay where they are.
SmallVector<Run> findRuns(Block *block, unsigned maxLoops) {
  SmallVector<Run> runs;
  Run current;
  unsigned loops = 0;
  for (Operation &op : block->without_terminator()) {
    if (!current.first)
      current.first = &op;
    if (op.getNumRegions() == 0)
      continue;
    current.last = &op;
    if (++loops == maxLoops) {
      runs.push_back(current);
      current = Run();
      loops = 0;
    }
  }
  if (current.last)
    runs.push_back(current);
  return runs;
}

/// What crosses the boundary of a run.
struct RunInterface {
  /// Values defined before the run and used in it, in order of first use,
  /// and each operand that uses one.
  SetVector<Value> inputs;
  SmallVector<OpOperand *> inputUses;
  /// Results of the run's ops that are used after it.
  SmallVector<Value> outputs;
};

/// The inputs and outputs of the run `ops` (ops of one block, in order).
RunInterface analyzeRun(ArrayRef<Operation *> ops,
                        const DenseSet<Operation *> &opSet) {
  Block *block = ops.front()->getBlock();
  RunInterface run;
  for (Operation *op : ops)
    op->walk([&](Operation *nested) {
      for (OpOperand &operand : nested->getOpOperands())
        if (!isDefinedIn(operand.get(), block, opSet)) {
          run.inputs.insert(operand.get());
          run.inputUses.push_back(&operand);
        }
    });
  for (Operation *op : ops)
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(), [&](Operation *user) {
            Operation *ancestor = block->findAncestorOpInBlock(*user);
            return !ancestor || !opSet.contains(ancestor);
          }))
        run.outputs.push_back(result);
  return run;
}

/// Creates the private function `name` for a run, after `insertAfter`: its
/// arguments are the run's inputs other than constants, its results the
/// run's outputs. Internal to the object file and never inlined by LLVM.
func::FuncOp createPartFunction(OpBuilder &b, Operation *insertAfter,
                                Location loc, const Twine &name,
                                const RunInterface &run) {
  SmallVector<Type> argTypes;
  for (Value input : run.inputs)
    if (!matchPattern(input, m_Constant()))
      argTypes.push_back(input.getType());
  b.setInsertionPointAfter(insertAfter);
  auto fn = func::FuncOp::create(
      b, loc, name.str(),
      b.getFunctionType(argTypes, ValueRange(run.outputs).getTypes()));
  fn.setPrivate();
  fn->setAttr(
      "llvm.linkage",
      LLVM::LinkageAttr::get(b.getContext(), LLVM::linkage::Linkage::Internal));
  fn->setAttr("passthrough", b.getArrayAttr({b.getStringAttr("noinline")}));
  fn.addEntryBlock();
  return fn;
}

/// Moves the ops of `run` into a new private function and calls it in their
/// place. Values from before the run become arguments (constants are copied
/// into the function instead, so that LLVM still sees them); values used
/// after it become results.
void outlineRun(Run run, func::FuncOp parent, unsigned index,
                Operation *&insertAfter, SymbolTable &symbols) {
  SmallVector<Operation *> ops;
  DenseSet<Operation *> opSet;
  for (Operation *op = run.first;; op = op->getNextNode()) {
    ops.push_back(op);
    opSet.insert(op);
    if (op == run.last)
      break;
  }
  RunInterface io = analyzeRun(ops, opSet);
  OpBuilder b(parent.getContext());
  func::FuncOp fn =
      createPartFunction(b, insertAfter, run.first->getLoc(),
                         parent.getSymName() + "__part" + Twine(index), io);
  symbols.insert(fn);
  insertAfter = fn;

  // Each input becomes an argument or a copy of its constant.
  Block *body = &fn.getBody().front();
  DenseMap<Value, Value> mapped;
  SmallVector<Value> arguments;
  b.setInsertionPointToStart(body);
  for (Value input : io.inputs) {
    if (matchPattern(input, m_Constant())) {
      mapped[input] = b.clone(*input.getDefiningOp())->getResult(0);
      continue;
    }
    mapped[input] = body->getArgument(arguments.size());
    arguments.push_back(input);
  }

  // Call, move, return.
  b.setInsertionPoint(run.first);
  auto call = func::CallOp::create(b, run.first->getLoc(), fn, arguments);
  for (Operation *op : ops)
    op->moveBefore(body, body->end());
  b.setInsertionPointToEnd(body);
  func::ReturnOp::create(b, run.last->getLoc(), io.outputs);
  for (OpOperand *use : io.inputUses)
    use->set(mapped.lookup(use->get()));
  for (auto [output, result] : llvm::zip(io.outputs, call.getResults()))
    output.replaceUsesWithIf(result, [&](OpOperand &use) {
      return !fn->isProperAncestor(use.getOwner());
    });
}

/// Whether the runs of `block` may live in other functions: a stack
/// allocation would not outlive its function.
bool canOutline(Block *block) {
  return !block->walk([](memref::AllocaOp) { return WalkResult::interrupt(); })
              .wasInterrupted();
}

struct SplitLongFunctionsPass
    : public PassWrapper<SplitLongFunctionsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(SplitLongFunctionsPass)

  SplitLongFunctionsPass() = default;
  SplitLongFunctionsPass(const SplitLongFunctionsPass &other)
      : PassWrapper(other) {}
  explicit SplitLongFunctionsPass(unsigned loops) { maxLoops = loops; }

  StringRef getName() const final { return "TessSplitLongFunctionsPass"; }
  StringRef getArgument() const final { return "tess-split-long-functions"; }
  StringRef getDescription() const final {
    return "Outline runs of at most max-loops loop nests of a longer block "
           "into private noinline functions";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<func::FuncDialect, LLVM::LLVMDialect>();
  }

  void runOnOperation() override {
    if (maxLoops == 0)
      return;
    SymbolTable symbols(getOperation());
    SmallVector<func::FuncOp> funcs(getOperation().getOps<func::FuncOp>());
    for (func::FuncOp fn : funcs) {
      SmallVector<Block *> blocks;
      fn->walk([&](Block *block) {
        Operation *parent = block->getParentOp();
        if (isa<func::FuncOp, scf::IfOp>(parent))
          blocks.push_back(block);
      });
      unsigned index = 0;
      Operation *insertAfter = fn;
      for (Block *block : blocks) {
        SmallVector<Run> runs = findRuns(block, maxLoops);
        if (runs.size() < 2 || !canOutline(block))
          continue;
        for (Run run : runs)
          outlineRun(run, fn, index++, insertAfter, symbols);
      }
    }
  }

  Option<unsigned> maxLoops{
      *this, "max-loops",
      llvm::cl::desc("Most loop nests (ops with regions) left in one block; "
                     "0 disables the pass"),
      llvm::cl::init(tessera::kDefaultMaxLoopsPerFunction)};
};

} // namespace

std::unique_ptr<Pass>
tessera::createSplitLongFunctionsPass(unsigned maxLoopsPerFunction) {
  return std::make_unique<SplitLongFunctionsPass>(maxLoopsPerFunction);
}

void tessera::registerSplitLongFunctionsPass() {
  PassRegistration<SplitLongFunctionsPass>();
}
