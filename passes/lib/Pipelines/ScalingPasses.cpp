//===- ScalingPasses.cpp - Passes that keep compile time linear -----------===//
//
// Two small passes of the CPU pipeline whose reason to exist is compile time
// on long programs (bench/compile_time.py measures it):
//
//   tess-fuse-elementwise     MLIR's elementwise fusion of linalg ops on
//                             tensors with a bound on the size of a fused body
//                             (and no fusion that recomputes a producer)
//   tess-split-shared-inits   a tensor.empty / linalg.fill per few uses
//                             before one-shot bufferization
//   tess-split-deallocs       one bufferization.dealloc per buffer when the
//                             buffers are distinct allocations
//   tess-dealloc-after-last-use
//                             each memref.dealloc moved up to just after the
//                             last use of its buffer
//
//===----------------------------------------------------------------------===//

#include "tessera/Pipelines/Pipelines.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/CastInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace {

//===----------------------------------------------------------------------===//
// tess-fuse-elementwise
//===----------------------------------------------------------------------===//

/// Whether the body of the linalg op `op` has more than `limit` operations
/// (counting stops at limit + 1, so this is O(limit)).
bool bodyExceeds(Operation *op, unsigned limit) {
  if (op->getNumRegions() != 1 || op->getRegion(0).empty())
    return false;
  unsigned n = 0;
  for (Operation &nested : op->getRegion(0).front()) {
    (void)nested;
    if (++n > limit)
      return true;
  }
  return false;
}

/// Whether the body of the linalg op `op` does nothing but casts (or
/// nothing at all: a broadcast or a copy), so that computing it again for
/// every use costs no more than reading its result.
bool isTriviallyCheap(linalg::LinalgOp op) {
  return llvm::all_of(op.getBlock()->without_terminator(),
                      llvm::IsaPred<CastOpInterface>);
}

/// Whether fusing the producer of `fused` into its consumer computes each
/// element of the producer more than once: some loop of the consumer that
/// iterates (an extent other than a static 1) does not index the operand,
/// so the fused body recomputes the same element at every step of it (a
/// GELU fused into the matmul that reads it runs once per output column; an
/// `exp` broadcast along a row runs once per column).
bool recomputesProducer(OpOperand *fused) {
  auto consumer = cast<linalg::LinalgOp>(fused->getOwner());
  AffineMap map = consumer.getMatchingIndexingMap(fused);
  SmallVector<int64_t> ranges = consumer.getStaticLoopRanges();
  for (unsigned d = 0, e = consumer.getNumLoops(); d < e; ++d)
    if (ranges[d] != 1 && !map.isFunctionOfDim(d))
      return true;
  return false;
}

/// Fuses a producer into its consumer when the producer has no other use
/// (MLIR's default), its elements would not be recomputed (unless they are
/// casts or copies) and the fused body stays within `maxOps` operations.
/// Elementwise epilogues (a bias, an activation after a matmul) read every
/// element once and fuse with each other; an elementwise producer feeding a
/// contraction that does not index it with every loop stays separate.
///
/// Each fusion clones both bodies into a new op, so fusing a chain of n
/// elementwise statements one producer at a time costs O(n^2) without the
/// bound; with it, a chain becomes one fused op per `maxOps` operations and
/// the cost is O(n * maxOps).
linalg::ControlFusionFn boundedFusion(unsigned maxOps) {
  return [maxOps](OpOperand *fused) {
    Operation *producer = fused->get().getDefiningOp();
    if (!producer || !producer->hasOneUse())
      return false;
    Operation *consumer = fused->getOwner();
    if (!isa<linalg::LinalgOp>(producer) || !isa<linalg::LinalgOp>(consumer))
      return true;
    if (recomputesProducer(fused) &&
        !isTriviallyCheap(cast<linalg::LinalgOp>(producer)))
      return false;
    if (bodyExceeds(producer, maxOps) || bodyExceeds(consumer, maxOps))
      return false;
    // Both bodies end in a yield; the fused body keeps one.
    unsigned size = producer->getRegion(0).front().getOperations().size() +
                    consumer->getRegion(0).front().getOperations().size() - 1;
    return size <= maxOps;
  };
}

/// The patterns and driver of MLIR's linalg-fuse-elementwise-ops, with the
/// bounded control function for producer-consumer fusion.
struct FuseElementwisePass
    : public PassWrapper<FuseElementwisePass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(FuseElementwisePass)

  FuseElementwisePass() = default;
  FuseElementwisePass(const FuseElementwisePass &other) : PassWrapper(other) {}
  explicit FuseElementwisePass(unsigned maxOps) { maxFusedOps = maxOps; }

  StringRef getName() const final { return "TessFuseElementwisePass"; }
  StringRef getArgument() const final { return "tess-fuse-elementwise"; }
  StringRef getDescription() const final {
    return "Fuse elementwise linalg ops on tensors (as "
           "linalg-fuse-elementwise-ops) while a fused body has at most "
           "max-fused-ops operations";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<affine::AffineDialect, linalg::LinalgDialect,
                    tensor::TensorDialect>();
  }

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    linalg::ControlFusionFn singleUse = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      return producer && producer->hasOneUse();
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns,
                                                 boundedFusion(maxFusedOps));
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, singleUse);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, singleUse);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns),
                                GreedyRewriteConfig().setUseTopDownTraversal());
  }

  Option<unsigned> maxFusedOps{
      *this, "max-fused-ops",
      llvm::cl::desc("Largest body (operations, with the yield) that fusion "
                     "may create"),
      llvm::cl::init(tessera::kDefaultMaxFusedOps)};
};

//===----------------------------------------------------------------------===//
// tess-split-shared-inits
//===----------------------------------------------------------------------===//

/// When `op` has more than `maxUses` uses (those `counts` accepts), keeps
/// the first `maxUses` (in program order) and gives each further group of
/// `maxUses` uses its own copy of `op`, created right before the group's
/// first user. Uses outside the block of `op` stay with it.
void splitUses(Operation *op, unsigned maxUses,
               function_ref<bool(OpOperand &)> counts) {
  Value result = op->getResult(0);
  Block *block = op->getBlock();
  SmallVector<std::pair<Operation *, OpOperand *>> uses;
  for (OpOperand &use : result.getUses())
    if (Operation *at = block->findAncestorOpInBlock(*use.getOwner()))
      if (counts(use))
        uses.push_back({at, &use});
  if (uses.size() <= maxUses)
    return;
  llvm::stable_sort(uses, [](const auto &l, const auto &r) {
    return l.first != r.first && l.first->isBeforeInBlock(r.first);
  });
  OpBuilder b(op->getContext());
  for (size_t group = maxUses; group < uses.size(); group += maxUses) {
    b.setInsertionPoint(uses[group].first);
    Value copy = b.clone(*op)->getResult(0);
    for (size_t i = group; i < std::min(group + maxUses, uses.size()); ++i)
      uses[i].second->set(copy);
  }
}

/// After CSE, one tensor.empty (or one linalg.fill of it) can be the
/// destination of hundreds of ops. One-shot bufferization then sees them all
/// alias one buffer and its conflict analysis over that alias set is
/// quadratic in the number of uses. A few uses per init keep the analysis
/// linear and keep the buffer reuse it finds among neighbouring ops (the
/// exponentials of a softmax written over its scores).
struct SplitSharedInitsPass
    : public PassWrapper<SplitSharedInitsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(SplitSharedInitsPass)

  SplitSharedInitsPass() = default;
  SplitSharedInitsPass(const SplitSharedInitsPass &other)
      : PassWrapper(other) {}
  explicit SplitSharedInitsPass(unsigned uses) { maxUses = uses; }

  StringRef getName() const final { return "TessSplitSharedInitsPass"; }
  StringRef getArgument() const final { return "tess-split-shared-inits"; }
  StringRef getDescription() const final {
    return "Give each op that writes into a linalg.fill on tensors its own "
           "fill, and each group of max-uses uses of a tensor.empty its own "
           "copy, before one-shot bufferization";
  }

  void runOnOperation() override {
    SmallVector<Operation *> fills, empties;
    getOperation()->walk([&](Operation *op) {
      if (auto fill = dyn_cast<linalg::FillOp>(op)) {
        if (fill.hasPureTensorSemantics())
          fills.push_back(op);
      } else if (isa<tensor::EmptyOp>(op)) {
        empties.push_back(op);
      }
    });
    // Fills first: their copies add uses to the empty tensors they fill.
    // Each op that writes into a fill gets a fill of its own: refilling is
    // cheaper than the copy of a shared filled buffer that bufferization
    // would make, and a fill right before a GEMM becomes the kernel's
    // overwrite mode. Ops that only read the fill share it.
    auto isDestination = [](OpOperand &use) {
      auto dps = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
      return dps && dps.isDpsInit(&use);
    };
    for (Operation *fill : fills)
      splitUses(fill, 1, isDestination);
    for (Operation *empty : empties)
      splitUses(empty, maxUses, [](OpOperand &) { return true; });
  }

  Option<unsigned> maxUses{
      *this, "max-uses",
      llvm::cl::desc("Most uses one init keeps (at least 1)"),
      llvm::cl::init(tessera::kDefaultMaxInitUses)};
};

//===----------------------------------------------------------------------===//
// tess-split-deallocs
//===----------------------------------------------------------------------===//

/// Ownership-based deallocation frees every buffer of a block with one
/// bufferization.dealloc at its end. buffer-deallocation-simplification
/// then proves, pair by pair, that no two of its buffers alias before
/// splitting it: quadratic in the number of temporaries of a function. When
/// the op retains nothing and every buffer is the result of its own
/// memref.alloc, no two alias by construction: this pass splits it into one
/// dealloc per buffer (same conditions) in linear time.
struct SplitDeallocsPass
    : public PassWrapper<SplitDeallocsPass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(SplitDeallocsPass)

  StringRef getName() const final { return "TessSplitDeallocsPass"; }
  StringRef getArgument() const final { return "tess-split-deallocs"; }
  StringRef getDescription() const final {
    return "Split a bufferization.dealloc that retains nothing and frees "
           "distinct memref.alloc results into one dealloc per buffer";
  }

  void runOnOperation() override {
    SmallVector<bufferization::DeallocOp> deallocs;
    getOperation()->walk([&](bufferization::DeallocOp op) {
      if (op.getRetained().empty() && op.getMemrefs().size() > 1)
        deallocs.push_back(op);
    });
    for (bufferization::DeallocOp op : deallocs) {
      DenseSet<Value> seen;
      bool distinct = llvm::all_of(op.getMemrefs(), [&](Value m) {
        return m.getDefiningOp<memref::AllocOp>() && seen.insert(m).second;
      });
      if (!distinct)
        continue;
      OpBuilder b(op);
      for (auto [memref, condition] :
           llvm::zip(op.getMemrefs(), op.getConditions()))
        bufferization::DeallocOp::create(b, op.getLoc(), ValueRange{memref},
                                         ValueRange{condition}, ValueRange{});
      op.erase();
    }
  }
};

//===----------------------------------------------------------------------===//
// tess-dealloc-after-last-use
//===----------------------------------------------------------------------===//

/// Whether `use` reads or writes the buffer without letting it escape: the
/// op neither stores the pointer, nor returns it, nor passes it on.
bool isContainedUse(OpOperand &use) {
  Operation *user = use.getOwner();
  if (auto load = dyn_cast<memref::LoadOp>(user))
    return load.getMemRef() == use.get();
  if (auto store = dyn_cast<memref::StoreOp>(user))
    return store.getMemRef() == use.get();
  return isa<memref::DimOp, memref::CopyOp, linalg::LinalgOp>(user);
}

/// The op of `block` after which `dealloc` may go: the last op of the block
/// that uses its buffer (or a view of it), or null when the buffer is not a
/// memref.alloc, or some use may let it escape or lies outside the block.
Operation *lastUseInBlock(memref::DeallocOp dealloc, Block *block,
                          const llvm::DenseMap<Operation *, unsigned> &index) {
  Value buffer = dealloc.getMemref();
  if (!buffer.getDefiningOp<memref::AllocOp>() ||
      buffer.getDefiningOp()->getBlock() != block)
    return nullptr;
  Operation *last = buffer.getDefiningOp();
  SmallVector<Value> aliases = {buffer};
  while (!aliases.empty()) {
    Value alias = aliases.pop_back_val();
    for (OpOperand &use : alias.getUses()) {
      Operation *user = use.getOwner();
      if (user == dealloc)
        continue;
      auto view = dyn_cast<ViewLikeOpInterface>(user);
      if (view && view.getViewSource() == alias && user->getNumResults() == 1)
        aliases.push_back(user->getResult(0));
      else if (!isContainedUse(use))
        return nullptr;
      Operation *ancestor = block->findAncestorOpInBlock(*user);
      if (!ancestor)
        return nullptr;
      if (index.lookup(ancestor) > index.lookup(last))
        last = ancestor;
    }
  }
  return last;
}

/// Ownership-based deallocation frees buffers at the end of their block, so
/// every temporary of a function stays allocated until it returns: peak
/// memory grows with the length of the program, and so do the live ranges
/// LLVM's register allocator and loop passes work through, superlinearly.
/// This pass frees each buffer right after its last use instead, when all
/// its uses are loads, stores, copies, dims, linalg ops and views in the
/// dealloc's block (anything else leaves the dealloc where it is).
struct DeallocAfterLastUsePass
    : public PassWrapper<DeallocAfterLastUsePass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(DeallocAfterLastUsePass)

  StringRef getName() const final { return "TessDeallocAfterLastUsePass"; }
  StringRef getArgument() const final { return "tess-dealloc-after-last-use"; }
  StringRef getDescription() const final {
    return "Move each memref.dealloc of a memref.alloc up to just after the "
           "last use of the buffer in its block";
  }

  void runOnOperation() override {
    SmallVector<Block *> blocks;
    getOperation()->walk([&](Block *block) {
      if (llvm::any_of(*block, llvm::IsaPred<memref::DeallocOp>))
        blocks.push_back(block);
    });
    for (Block *block : blocks)
      runOnBlock(block);
  }

  /// Positions are computed once, before anything moves, so that the block
  /// is processed in linear time.
  void runOnBlock(Block *block) {
    llvm::DenseMap<Operation *, unsigned> index;
    for (Operation &op : *block)
      index[&op] = index.size();
    SmallVector<std::pair<Operation *, Operation *>> moves;
    for (auto dealloc : block->getOps<memref::DeallocOp>())
      if (Operation *last = lastUseInBlock(dealloc, block, index))
        if (last->getNextNode() != dealloc)
          moves.push_back({dealloc, last});
    for (auto [dealloc, last] : moves)
      dealloc->moveAfter(last);
  }
};

} // namespace

std::unique_ptr<Pass> tessera::createFuseElementwisePass(unsigned maxFusedOps) {
  return std::make_unique<FuseElementwisePass>(maxFusedOps);
}

std::unique_ptr<Pass> tessera::createSplitSharedInitsPass(unsigned maxUses) {
  return std::make_unique<SplitSharedInitsPass>(std::max(maxUses, 1u));
}

std::unique_ptr<Pass> tessera::createSplitDeallocsPass() {
  return std::make_unique<SplitDeallocsPass>();
}

std::unique_ptr<Pass> tessera::createDeallocAfterLastUsePass() {
  return std::make_unique<DeallocAfterLastUsePass>();
}

void tessera::registerScalingPasses() {
  PassRegistration<SplitDeallocsPass>();
  PassRegistration<DeallocAfterLastUsePass>();
  PassRegistration<FuseElementwisePass>();
  PassRegistration<SplitSharedInitsPass>();
}
