//===- EntryOutputs.cpp - Results written straight into the outputs ------===//
//
// Two passes about the output buffers of exported entries (docs/abi.md),
// which the caller owns and which overlap neither the inputs nor each other:
//
//   tess-results-in-place     after one-shot bufferization, an entry
//                             computes each result in a temporary and
//                             copies it into the output (see
//                             addBufferizationPasses for why). For a large
//                             result the temporary costs an allocation, its
//                             page faults and a full copy: more than the
//                             computation of a memory-bound kernel such as
//                             a convolution. This pass computes the result
//                             in the output buffer when that is unobservable.
//   tess-noalias-outputs      on the LLVM dialect: the aligned data pointer
//                             of every output becomes a `noalias` argument
//                             of the entry's body, and the body's loads and
//                             stores get alias scopes saying the same, so
//                             that LLVM vectorizes loops writing outputs
//                             without overlap checks, also in the parallel
//                             regions that OpenMP outlines into functions
//                             of their own (where the argument's `noalias`
//                             does not reach).
//
//===----------------------------------------------------------------------===//

#include "tessera/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Pass/Pass.h"

#include "llvm/ADT/SetVector.h"

#include <set>
#include <vector>

using namespace mlir;

namespace {

/// Whether `value` is an argument of `func`'s entry block (or a
/// memref.cast of one that only `copy` uses) that nothing uses but `copy`
/// and memref.dim (the entry's size checks).
bool isOutputWrittenOnlyBy(Value value, func::FuncOp func,
                           memref::CopyOp copy) {
  Operation *writer = copy;
  if (auto cast = value.getDefiningOp<memref::CastOp>()) {
    if (!cast->hasOneUse())
      return false;
    writer = cast;
    value = cast.getSource();
  }
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg || arg.getOwner() != &func.getBody().front())
    return false;
  return llvm::all_of(arg.getUsers(), [&](Operation *user) {
    return user == writer || isa<memref::DimOp>(user);
  });
}

/// The allocation `copy` copies from, when `copy` is its last use in its
/// block and no other copy reads it: the temporary holds its final value
/// when copied and is not needed afterwards.
memref::AllocOp getTemporary(memref::CopyOp copy) {
  Value source = copy.getSource();
  // A temporary copied through a view that merges its dimensions.
  if (auto collapse = source.getDefiningOp<memref::CollapseShapeOp>())
    if (collapse->hasOneUse())
      source = collapse.getSrc();
  auto alloc = source.getDefiningOp<memref::AllocOp>();
  Block *block = copy->getBlock();
  if (!alloc || alloc->getBlock() != block)
    return nullptr;
  // Every use, also through views of it, comes before the copy, and no
  // other copy reads it.
  SmallVector<Value> buffers = {alloc.getResult()};
  while (!buffers.empty()) {
    Value buffer = buffers.pop_back_val();
    for (Operation *user : buffer.getUsers()) {
      if (user == copy || user == copy.getSource().getDefiningOp())
        continue;
      if (auto other = dyn_cast<memref::CopyOp>(user))
        if (other.getSource() == alloc.getResult())
          return nullptr;
      Operation *ancestor = block->findAncestorOpInBlock(*user);
      if (!ancestor || !ancestor->isBeforeInBlock(copy))
        return nullptr;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        if (view.getViewSource() == buffer)
          llvm::append_range(buffers, user->getResults());
    }
  }
  return alloc;
}

/// Outputs are caller-owned, never alias an input or another output
/// (`restrict`), are never read by the entry, and their contents are
/// unspecified after a failure: a temporary that is copied into an output
/// as its last use can be that output all along. Only entries
/// (`tessera.error_record`) have output arguments.
/// False when `source` collapses a group of `type` (the temporary) with
/// several dynamic extents: expand-strided-metadata (LLVM 22) fails on the
/// memref.expand_shape of the output that would stand for it.
bool isExpandable(Value source, MemRefType type) {
  auto collapse = source.getDefiningOp<memref::CollapseShapeOp>();
  if (!collapse)
    return true;
  for (const ReassociationIndices &group : collapse.getReassociationIndices())
    if (llvm::count_if(group, [&](int64_t d) { return type.isDynamicDim(d); }) >
        1)
      return false;
  return true;
}

struct ResultsInPlacePass
    : public PassWrapper<ResultsInPlacePass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ResultsInPlacePass)

  StringRef getName() const final { return "TessResultsInPlacePass"; }
  StringRef getArgument() const final { return "tess-results-in-place"; }
  StringRef getDescription() const final {
    return "Compute an entry result in its output buffer instead of a "
           "temporary copied into it last";
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (!func->hasAttr("tessera.error_record"))
      return;
    SmallVector<std::pair<memref::CopyOp, memref::AllocOp>> rewrites;
    func.walk([&](memref::CopyOp copy) {
      if (!isOutputWrittenOnlyBy(copy.getTarget(), func, copy))
        return;
      memref::AllocOp alloc = getTemporary(copy);
      if (!alloc)
        return;
      auto from = cast<MemRefType>(copy.getTarget().getType());
      auto to = cast<MemRefType>(copy.getSource().getType());
      if (!memref::CastOp::areCastCompatible(from, to) ||
          !from.getLayout().isIdentity() || !to.getLayout().isIdentity() ||
          !alloc.getType().getLayout().isIdentity() ||
          !isExpandable(copy.getSource(), alloc.getType()))
        return;
      rewrites.push_back({copy, alloc});
    });
    for (auto [copy, alloc] : rewrites) {
      OpBuilder b(alloc);
      // The output argument itself (a cast of it is created after the
      // computation; a new one goes where the temporary was allocated).
      Value output = copy.getTarget();
      auto oldCast = output.getDefiningOp<memref::CastOp>();
      if (oldCast)
        output = oldCast.getSource();
      auto collapse = copy.getSource().getDefiningOp<memref::CollapseShapeOp>();
      Type viewType = collapse ? collapse.getType() : alloc.getType();
      if (output.getType() != viewType)
        output = memref::CastOp::create(b, alloc.getLoc(), viewType, output);
      if (collapse) {
        // The output seen with the temporary's dimensions.
        SmallVector<OpFoldResult> sizes;
        unsigned dynamic = 0;
        for (int64_t extent : alloc.getType().getShape())
          sizes.push_back(ShapedType::isDynamic(extent)
                              ? OpFoldResult(alloc.getDynamicSizes()[dynamic++])
                              : OpFoldResult(b.getIndexAttr(extent)));
        output = memref::ExpandShapeOp::create(
            b, alloc.getLoc(), alloc.getType(), output,
            collapse.getReassociationIndices(), sizes);
      }
      copy.erase();
      if (collapse)
        collapse.erase();
      if (oldCast && oldCast->use_empty())
        oldCast.erase();
      alloc.replaceAllUsesWith(output);
      alloc.erase();
    }
  }
};

/// The argument of `wrapper` whose pointee `operand` was read from: `operand`
/// is field 1 (the aligned pointer) of a memref descriptor loaded from it.
std::optional<unsigned> getAlignedPointerSource(Value operand,
                                                LLVM::LLVMFuncOp wrapper) {
  auto extract = operand.getDefiningOp<LLVM::ExtractValueOp>();
  if (!extract || extract.getPosition() != ArrayRef<int64_t>{1})
    return std::nullopt;
  auto load = extract.getContainer().getDefiningOp<LLVM::LoadOp>();
  if (!load)
    return std::nullopt;
  auto arg = dyn_cast<BlockArgument>(load.getAddr());
  if (!arg || arg.getOwner() != &wrapper.getBody().front())
    return std::nullopt;
  return arg.getArgNumber();
}

/// The value inserted at `position` into the struct `container` (a memref
/// descriptor built with llvm.insertvalue), or null.
Value findInserted(Value container, ArrayRef<int64_t> position) {
  while (auto insert = container.getDefiningOp<LLVM::InsertValueOp>()) {
    if (insert.getPosition() == position)
      return insert.getValue();
    container = insert.getContainer();
  }
  return Value();
}

/// What the pointers of an entry's body may point into, as far as alias
/// scopes care: some of the body's arguments, and memory that the body
/// allocated (no argument points into it).
struct PointerBases {
  llvm::SmallSetVector<Value, 2> args;
  bool fresh = false;
  /// Some origin was not traced.
  bool unknown = false;
};

/// Adds to `bases` what `value` (a pointer, or a memref descriptor when
/// `position` is not empty: the field at `position` of it) may point into,
/// through GEPs, descriptors and the arguments of branch targets.
/// Block arguments already traced, with the descriptor field asked for.
using VisitedArgs = std::set<std::pair<const void *, std::vector<int64_t>>>;

void tracePointer(Value value, ArrayRef<int64_t> position, Block &entry,
                  PointerBases &bases, VisitedArgs &visited) {
  while (value && !bases.unknown) {
    if (auto arg = dyn_cast<BlockArgument>(value)) {
      if (arg.getOwner() == &entry && position.empty()) {
        bases.args.insert(arg);
        return;
      }
      // A block argument (a merge after control flow): every incoming value.
      // The first block of a region (an OpenMP region's private or
      // reduction argument) has no branches to trace.
      Block *block = arg.getOwner();
      if (block->isEntryBlock()) {
        bases.unknown = true;
        return;
      }
      // Around a loop, the other incoming values are traced already.
      if (!visited.insert({value.getAsOpaquePointer(), position.vec()}).second)
        return;
      for (auto it = block->pred_begin(); it != block->pred_end(); ++it) {
        auto branch = dyn_cast<BranchOpInterface>((*it)->getTerminator());
        if (!branch) {
          bases.unknown = true;
          return;
        }
        Value incoming = branch.getSuccessorOperands(it.getSuccessorIndex())
                             .getForwardedOperands()[arg.getArgNumber()];
        tracePointer(incoming, position, entry, bases, visited);
      }
      return;
    }
    Operation *def = value.getDefiningOp();
    if (auto gep = dyn_cast<LLVM::GEPOp>(def); gep && position.empty()) {
      value = gep.getBase();
    } else if (auto extract = dyn_cast<LLVM::ExtractValueOp>(def);
               extract && position.empty()) {
      value = extract.getContainer();
      position = extract.getPosition();
    } else if (auto insert = dyn_cast<LLVM::InsertValueOp>(def);
               insert && !position.empty()) {
      Value inserted = findInserted(value, position);
      if (!inserted) {
        bases.unknown = true;
        return;
      }
      value = inserted;
      position = {};
    } else if (isa<LLVM::AllocaOp>(def) && position.empty()) {
      bases.fresh = true;
      return;
    } else if (auto call = dyn_cast<LLVM::CallOp>(def);
               call && position.empty()) {
      std::optional<StringRef> callee = call.getCallee();
      bases.fresh = callee && (*callee == "aligned_alloc" ||
                               *callee == "malloc" || *callee == "calloc");
      bases.unknown = !bases.fresh;
      return;
    } else {
      bases.unknown = true;
      return;
    }
  }
  bases.unknown = true;
}

/// Gives every load and store of `body` alias scopes that restate the
/// `noalias` of the arguments `outputs`: one scope per output; an access
/// through output k is in scope k and does not alias the others' scopes; an
/// access through another argument or through memory the body allocated
/// aliases no output. Accesses whose pointer is not traced get nothing.
void addOutputAliasScopes(LLVM::LLVMFuncOp body, ArrayRef<unsigned> outputs) {
  if (outputs.empty())
    return;
  MLIRContext *context = body.getContext();
  auto domain = LLVM::AliasScopeDomainAttr::get(
      context, StringAttr::get(context, body.getSymName() + " outputs"));
  SmallVector<Attribute> scopes;
  for (unsigned output : outputs)
    scopes.push_back(LLVM::AliasScopeAttr::get(
        domain,
        StringAttr::get(context, "output argument " + std::to_string(output))));
  Block &entry = body.getBody().front();
  body.walk([&](LLVM::AliasAnalysisOpInterface access) {
    // Loads and stores only: a call's pointer argument says nothing of what
    // the callee reaches through memory.
    if (!isa<LLVM::LoadOp, LLVM::StoreOp>(access.getOperation()))
      return;
    SmallVector<Value> pointers = access.getAccessedOperands();
    if (pointers.size() != 1)
      return;
    PointerBases bases;
    VisitedArgs visited;
    tracePointer(pointers.front(), {}, entry, bases, visited);
    if (bases.unknown)
      return;
    // In scope k when output k is the only possible base; an access that
    // may be to an output or to something else gets nothing.
    SmallVector<unsigned> possibleOutputs;
    for (unsigned output : outputs)
      if (bases.args.contains(entry.getArgument(output)))
        possibleOutputs.push_back(output);
    bool onlyOneOutput =
        possibleOutputs.size() == 1 && !bases.fresh && bases.args.size() == 1;
    if (!possibleOutputs.empty() && !onlyOneOutput)
      return;
    SmallVector<Attribute> inScope, notInScope;
    for (auto [output, scope] : llvm::zip(outputs, scopes)) {
      if (llvm::is_contained(possibleOutputs, output))
        inScope.push_back(scope);
      else
        notInScope.push_back(scope);
    }
    if (!inScope.empty())
      access.setAliasScopes(ArrayAttr::get(context, inScope));
    if (!notInScope.empty())
      access.setNoAliasScopes(ArrayAttr::get(context, notInScope));
  });
}

/// MLIR's C interface wrapper of an entry (`_mlir_ciface_<name>`) loads one
/// memref descriptor per argument and calls the expanded body with their
/// fields; `tess-expose-entries` marks the descriptors of outputs
/// `llvm.noalias`, which the wrapper keeps but the body's pointer arguments
/// do not get. This pass gives each aligned pointer loaded from such a
/// descriptor `llvm.noalias` in the body, when the wrapper is the body's
/// only caller, and the body's accesses the matching alias scopes.
struct NoAliasOutputsPass
    : public PassWrapper<NoAliasOutputsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(NoAliasOutputsPass)

  StringRef getName() const final { return "TessNoAliasOutputsPass"; }
  StringRef getArgument() const final { return "tess-noalias-outputs"; }
  StringRef getDescription() const final {
    return "Mark the aligned pointers of entry outputs noalias in the "
           "entry's body (LLVM dialect)";
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto wrapper : module.getOps<LLVM::LLVMFuncOp>()) {
      if (wrapper.isExternal() ||
          !wrapper.getSymName().starts_with("_mlir_ciface_"))
        continue;
      SmallVector<LLVM::CallOp> calls;
      wrapper.walk([&](LLVM::CallOp call) { calls.push_back(call); });
      if (calls.size() != 1 || !calls.front().getCallee())
        continue;
      LLVM::CallOp call = calls.front();
      auto body = symbols.lookup<LLVM::LLVMFuncOp>(*call.getCallee());
      std::optional<SymbolTable::UseRange> uses =
          SymbolTable::getSymbolUses(body, module);
      if (!body || body.isExternal() || !uses || llvm::range_size(*uses) != 1)
        continue;
      SmallVector<unsigned> outputs;
      for (auto [k, operand] : llvm::enumerate(call.getArgOperands())) {
        std::optional<unsigned> source =
            getAlignedPointerSource(operand, wrapper);
        if (!source || !wrapper.getArgAttr(*source, "llvm.noalias"))
          continue;
        body.setArgAttr(k, "llvm.noalias", UnitAttr::get(module.getContext()));
        outputs.push_back(k);
      }
      addOutputAliasScopes(body, outputs);
    }
  }
};

} // namespace

std::unique_ptr<Pass> tessera::createNoAliasOutputsPass() {
  return std::make_unique<NoAliasOutputsPass>();
}

std::unique_ptr<Pass> tessera::createResultsInPlacePass() {
  return std::make_unique<ResultsInPlacePass>();
}

void tessera::registerEntryOutputsPasses() {
  PassRegistration<ResultsInPlacePass>();
  PassRegistration<NoAliasOutputsPass>();
}
