//===- ContractionsToKernels.cpp - GEMM-shaped linalg ops -> kernels ------===//
//
// Finds linalg.generic ops on buffers that compute C += A * B over some
// batch, row, column and summed dimensions (in any order and layout), in
// f32, f64 or complex (either factor possibly conjugated), and replaces each
// with a call of the runtime GEMM kernel
// (runtime/include/tessera/Runtime/Kernels.h), which packs, tiles,
// vectorizes and threads. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "tessera/Dialect/SSM/IR/SSMOps.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace tessera {
#define GEN_PASS_DEF_TESSCONTRACTIONSTOKERNELSPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;

namespace {

/// The role of a loop dimension of C[b, m, n] += A[b, m, k] * B[b, k, n].
enum class Role { Batch, Row, Col, Sum };
constexpr unsigned kNumRoles = 4;

/// A matched GEMM: operand buffers and, per loop dimension, its role and
/// where it occurs in each operand (-1: absent).
struct GemmMatch {
  Value a, b, c;
  Type elementType;
  /// Complex GEMMs: whether the body conjugates A's or B's elements.
  bool conjA = false, conjB = false;
  SmallVector<Role> roles;
  SmallVector<int> posInA, posInB, posInC;
};

/// Position of dimension `dim` among the results of `map`, or -1.
int findDimPosition(AffineMap map, unsigned dim) {
  for (auto [i, expr] : llvm::enumerate(map.getResults()))
    if (auto d = dyn_cast<AffineDimExpr>(expr); d && d.getPosition() == dim)
      return i;
  return -1;
}

/// The conjugations of a complex body's factors.
struct BodyConjugations {
  bool first = false, second = false;
};

/// Whether `value` is the block argument `arg`, or (complex bodies, when
/// `conj` is given) its conjugate, which sets *conj.
bool isFactor(Value value, Value arg, bool *conj) {
  if (value == arg)
    return true;
  auto op = value.getDefiningOp<complex::ConjOp>();
  if (!conj || !op || op.getComplex() != arg)
    return false;
  *conj = true;
  return true;
}

/// Whether the body is `out + a * b` (either operand order of each op): in
/// arith for real elements, in complex (a or b possibly conjugated) for
/// complex ones. Returns the conjugations of the first and second input.
std::optional<BodyConjugations> matchMultiplyAddBody(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Operation *add = yield.getValues()[0].getDefiningOp();
  bool complexBody = isa_and_nonnull<complex::AddOp>(add);
  if (!add || !(isa<arith::AddFOp>(add) || complexBody))
    return std::nullopt;
  Value acc = body.getArgument(2);
  Value lhs = add->getOperand(0), rhs = add->getOperand(1);
  if (lhs != acc && rhs != acc)
    return std::nullopt;
  Operation *mul = (lhs == acc ? rhs : lhs).getDefiningOp();
  if (!mul ||
      !(complexBody ? isa<complex::MulOp>(mul) : isa<arith::MulFOp>(mul)))
    return std::nullopt;
  Value x = body.getArgument(0), y = body.getArgument(1);
  BodyConjugations conj;
  bool *cx = complexBody ? &conj.first : nullptr;
  bool *cy = complexBody ? &conj.second : nullptr;
  Value p = mul->getOperand(0), q = mul->getOperand(1);
  bool ok = (isFactor(p, x, cx) && isFactor(q, y, cy)) ||
            (isFactor(p, y, cy) && isFactor(q, x, cx));
  // Nothing else in the body: the add, the multiply, the conjugations.
  size_t expected = 3 + (conj.first ? 1 : 0) + (conj.second ? 1 : 0);
  if (!ok || body.getOperations().size() != expected)
    return std::nullopt;
  return conj;
}

/// Whether `type` is an element type the GEMM kernels compute in.
bool isGemmElementType(Type type) {
  if (auto complex = dyn_cast<ComplexType>(type))
    type = complex.getElementType();
  return type.isF32() || type.isF64();
}

/// Bytes of one element of a GEMM element type.
unsigned getGemmElementBytes(Type type) {
  if (auto complex = dyn_cast<ComplexType>(type))
    return 2 * complex.getElementType().getIntOrFloatBitWidth() / 8;
  return type.getIntOrFloatBitWidth() / 8;
}

/// Whether `value` is +0.0, or the complex (+0.0, +0.0).
bool isPositiveZero(Value value) {
  if (matchPattern(value, m_PosZeroFloat()))
    return true;
  auto constant = value.getDefiningOp<complex::ConstantOp>();
  if (!constant)
    return false;
  ArrayAttr parts = constant.getValue();
  return llvm::all_of(parts, [](Attribute part) {
    auto real = dyn_cast<FloatAttr>(part);
    return real && real.getValue().isPosZero();
  });
}

/// Makes C's last dimension (its unit stride in every layout the pipeline
/// makes) a column of the kernel's C, the dimension its micro-kernel
/// stores in vectors: when it is a row, computes C^T = B^T A^T instead by
/// swapping the operands (a column-major C would be written element by
/// element, 1024 floats apart for a Monarch block product).
void orientForC(GemmMatch &match, unsigned cRank) {
  for (unsigned d = 0; d < match.roles.size(); ++d) {
    if (match.posInC[d] != static_cast<int>(cRank) - 1 ||
        match.roles[d] != Role::Row)
      continue;
    std::swap(match.a, match.b);
    std::swap(match.conjA, match.conjB);
    std::swap(match.posInA, match.posInB);
    for (Role &role : match.roles)
      if (role == Role::Row || role == Role::Col)
        role = role == Role::Row ? Role::Col : Role::Row;
    return;
  }
}

/// Matches `op` as a (batched) GEMM, or returns nullopt.
std::optional<GemmMatch> matchGemm(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return std::nullopt;
  std::optional<BodyConjugations> conj = matchMultiplyAddBody(op);
  if (!conj)
    return std::nullopt;
  GemmMatch match;
  match.conjA = conj->first;
  match.conjB = conj->second;
  match.a = op.getDpsInputOperand(0)->get();
  match.b = op.getDpsInputOperand(1)->get();
  match.c = op.getDpsInitOperand(0)->get();
  match.elementType = getElementTypeOrSelf(match.c.getType());
  if (!isGemmElementType(match.elementType))
    return std::nullopt;
  for (Value operand : {match.a, match.b})
    if (getElementTypeOrSelf(operand.getType()) != match.elementType)
      return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  for (AffineMap map : maps)
    if (!map.isProjectedPermutation() || map.getNumSymbols() != 0)
      return std::nullopt;
  auto iterators = op.getIteratorTypesArray();
  unsigned roleCount[kNumRoles] = {};
  for (unsigned d = 0; d < op.getNumLoops(); ++d) {
    int inA = findDimPosition(maps[0], d), inB = findDimPosition(maps[1], d);
    int inC = findDimPosition(maps[2], d);
    Role role;
    if (inA >= 0 && inB >= 0)
      role = inC >= 0 ? Role::Batch : Role::Sum;
    else if (inC >= 0 && (inA >= 0 || inB >= 0))
      role = inA >= 0 ? Role::Row : Role::Col;
    else
      return std::nullopt; // Read by one side only, or by none.
    if ((role == Role::Sum) != (iterators[d] == utils::IteratorType::reduction))
      return std::nullopt;
    ++roleCount[unsigned(role)];
    match.roles.push_back(role);
    match.posInA.push_back(inA);
    match.posInB.push_back(inB);
    match.posInC.push_back(inC);
  }
  if (roleCount[unsigned(Role::Sum)] == 0)
    return std::nullopt; // An outer product: nothing to gain.
  orientForC(match, maps[2].getNumResults());
  return match;
}

/// One operand of the call: its aligned base address plus offset, in bytes
/// (index), and its strides in elements.
struct OperandAddress {
  Value base;
  SmallVector<Value> strides;
};

OperandAddress getAddress(OpBuilder &b, Location loc, Value buffer,
                          unsigned elementBytes) {
  auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
  Value pointer =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  Value bytes = arith::ConstantIndexOp::create(b, loc, elementBytes);
  Value offset = arith::MulIOp::create(b, loc, metadata.getOffset(), bytes);
  OperandAddress address;
  address.base = arith::AddIOp::create(b, loc, pointer, offset);
  address.strides.assign(metadata.getStrides().begin(),
                         metadata.getStrides().end());
  return address;
}

/// The kernel's function, declared once per module.
func::FuncOp getKernelDecl(ModuleOp module, Type elementType) {
  auto complexType = dyn_cast<ComplexType>(elementType);
  Type part = complexType ? complexType.getElementType() : elementType;
  StringRef name =
      complexType ? (part.isF32() ? "tessera_gemm_c64" : "tessera_gemm_c128")
                  : (part.isF32() ? "tessera_gemm_f32" : "tessera_gemm_f64");
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  MLIRContext *ctx = module.getContext();
  Type i64 = IntegerType::get(ctx, 64), ptr = LLVM::LLVMPointerType::get(ctx);
  SmallVector<Type> params(4, i64);
  for (int operand = 0; operand < 3; ++operand) {
    params.push_back(ptr);
    params.append(3, i64);
  }
  params.push_back(IntegerType::get(ctx, 32)); // overwrite
  params.push_back(IntegerType::get(ctx, 32)); // epilogue
  params.push_back(Float64Type::get(ctx));     // scalar
  if (complexType)
    params.push_back(IntegerType::get(ctx, 32)); // conj
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto decl = func::FuncOp::create(b, module.getLoc(), name,
                                   FunctionType::get(ctx, params, {}));
  decl.setPrivate();
  return decl;
}

} // namespace

namespace {

/// Rewrites a matched GEMM into loops over every dimension but one per role,
/// around one kernel call.
class GemmRewriter {
public:
  GemmRewriter(linalg::GenericOp op, const GemmMatch &match)
      : op(op), match(match), b(op), loc(op.getLoc()) {}

  void rewrite(func::FuncOp kernel) {
    unsigned elementBytes = getGemmElementBytes(match.elementType);
    for (Value buffer : {match.a, match.b, match.c})
      addresses.push_back(getAddress(b, loc, buffer, elementBytes));
    for (unsigned d = 0; d < match.roles.size(); ++d)
      extents.push_back(getExtent(d));
    chooseKernelDims();
    mergeAdjacentDims();
    overwrite = takeZeroFill();
    takeScalarEpilogue();

    // Loops over the other dimensions, each advancing the three bases.
    SmallVector<Value> bases = {addresses[0].base, addresses[1].base,
                                addresses[2].base};
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value bytes = arith::ConstantIndexOp::create(b, loc, elementBytes);
    for (unsigned d = 0; d < match.roles.size(); ++d) {
      if (inKernel[d])
        continue;
      auto loop = scf::ForOp::create(b, loc, zero, extents[d], one);
      b.setInsertionPoint(loop.getBody()->getTerminator());
      for (unsigned x = 0; x < 3; ++x) {
        Value step = arith::MulIOp::create(b, loc, getStride(x, d), bytes);
        Value advance =
            arith::MulIOp::create(b, loc, loop.getInductionVar(), step);
        bases[x] = arith::AddIOp::create(b, loc, bases[x], advance);
      }
    }
    emitCall(kernel, bases);
    op.erase();
  }

private:
  /// The stride of loop dimension `d` in operand `x` (0: A, 1: B, 2: C);
  /// zero where the operand does not use it.
  Value getStride(unsigned x, unsigned d) {
    int pos = x == 0   ? match.posInA[d]
              : x == 1 ? match.posInB[d]
                       : match.posInC[d];
    if (pos < 0)
      return arith::ConstantIndexOp::create(b, loc, 0);
    return addresses[x].strides[pos];
  }

  Value getExtent(unsigned d) {
    if (match.posInC[d] >= 0)
      return memref::DimOp::create(b, loc, match.c, match.posInC[d]);
    if (match.posInA[d] >= 0)
      return memref::DimOp::create(b, loc, match.a, match.posInA[d]);
    return memref::DimOp::create(b, loc, match.b, match.posInB[d]);
  }

  /// Per role, the dimension the kernel iterates: the one with the largest
  /// static extent, the last one (innermost in the loop order) on ties.
  void chooseKernelDims() {
    SmallVector<int64_t> staticExtents = op.getStaticLoopRanges();
    kernelDims.assign(kNumRoles, -1);
    for (unsigned d = 0; d < match.roles.size(); ++d) {
      int &chosen = kernelDims[unsigned(match.roles[d])];
      auto size = [&](int dim) {
        return ShapedType::isDynamic(staticExtents[dim])
                   ? std::numeric_limits<int64_t>::max()
                   : staticExtents[dim];
      };
      if (chosen < 0 || size(d) >= size(chosen))
        chosen = d;
    }
  }

  /// Whether loop dimension `second` directly follows `first` in every
  /// operand that uses either (so that, in identity layouts, the two can be
  /// addressed as one dimension).
  bool areAdjacent(int first, int second) {
    for (const SmallVector<int> *positions :
         {&match.posInA, &match.posInB, &match.posInC}) {
      int a = (*positions)[first], b = (*positions)[second];
      if ((a < 0) != (b < 0) || (a >= 0 && a + 1 != b))
        return false;
    }
    return true;
  }

  /// Grows each role's kernel dimension with the dimensions of the same role
  /// adjacent to it in every operand (identity layouts only): the kernel then
  /// covers them in one call, with the product of their extents and the
  /// stride of the innermost, instead of a loop of small calls around it.
  void mergeAdjacentDims() {
    unsigned numLoops = match.roles.size();
    inKernel.assign(numLoops, false);
    innermostDims = kernelDims;
    for (int d : kernelDims)
      if (d >= 0)
        inKernel[d] = true;
    for (Value buffer : {match.a, match.b, match.c})
      if (!cast<MemRefType>(buffer.getType()).getLayout().isIdentity())
        return;
    for (unsigned role = 0; role < kNumRoles; ++role) {
      int d = kernelDims[role];
      if (d < 0)
        continue;
      int outer = d, inner = d;
      for (bool grew = true; grew;) {
        grew = false;
        for (unsigned p = 0; p < numLoops; ++p) {
          if (inKernel[p] || unsigned(match.roles[p]) != role)
            continue;
          bool before = areAdjacent(p, outer);
          if (!before && !areAdjacent(inner, p))
            continue;
          (before ? outer : inner) = p;
          extents[d] = arith::MulIOp::create(b, loc, extents[d], extents[p]);
          inKernel[p] = grew = true;
        }
      }
      innermostDims[role] = inner;
    }
  }

  void emitCall(func::FuncOp kernel, ArrayRef<Value> bases) {
    Type i64 = b.getI64Type();
    auto toI64 = [&](Value index) {
      return arith::IndexCastOp::create(b, loc, i64, index).getResult();
    };
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    SmallVector<Value> args;
    for (Role role : {Role::Batch, Role::Row, Role::Col, Role::Sum}) {
      int d = kernelDims[unsigned(role)];
      args.push_back(toI64(d < 0 ? one : extents[d]));
    }
    auto ptrType = LLVM::LLVMPointerType::get(b.getContext());
    static const Role strideRoles[3][3] = {{Role::Batch, Role::Row, Role::Sum},
                                           {Role::Batch, Role::Sum, Role::Col},
                                           {Role::Batch, Role::Row, Role::Col}};
    for (unsigned x = 0; x < 3; ++x) {
      args.push_back(
          LLVM::IntToPtrOp::create(b, loc, ptrType, toI64(bases[x])));
      for (Role role : strideRoles[x]) {
        int d = innermostDims[unsigned(role)];
        args.push_back(toI64(d < 0 ? arith::ConstantIndexOp::create(b, loc, 0)
                                   : getStride(x, d)));
      }
    }
    args.push_back(arith::ConstantIntOp::create(b, loc, overwrite ? 1 : 0, 32));
    args.push_back(arith::ConstantIntOp::create(b, loc, epilogueKind, 32));
    Value scalar = epilogueScalar;
    if (!scalar)
      scalar =
          arith::ConstantFloatOp::create(b, loc, b.getF64Type(), APFloat(1.0));
    else if (!scalar.getType().isF64())
      scalar = arith::ExtFOp::create(b, loc, b.getF64Type(), scalar);
    args.push_back(scalar);
    if (isa<ComplexType>(match.elementType))
      args.push_back(arith::ConstantIntOp::create(
          b, loc, (match.conjA ? 1 : 0) | (match.conjB ? 2 : 0), 32));
    func::CallOp::create(b, loc, kernel, args);
  }

  /// Whether every summed dimension goes to the kernel (none is looped
  /// around the call), so that one call computes each element's whole sum.
  bool kernelCompletesEverySum() {
    for (unsigned d = 0; d < match.roles.size(); ++d)
      if (match.roles[d] == Role::Sum && !inKernel[d])
        return false;
    return true;
  }

  /// If C was just filled with +0.0 and every summed dimension goes to the
  /// kernel (none is looped around it), erases the fill and returns true:
  /// the kernel then overwrites C instead of adding to it.
  bool takeZeroFill() {
    if (!kernelCompletesEverySum())
      return false;
    for (Operation *prev = op->getPrevNode(); prev;
         prev = prev->getPrevNode()) {
      if (auto fill = dyn_cast<linalg::FillOp>(prev)) {
        if (!fill.hasPureBufferSemantics() ||
            fill.getDpsInitOperand(0)->get() != match.c ||
            !isPositiveZero(fill.getDpsInputOperand(0)->get()))
          return false;
        fill.erase();
        return true;
      }
      if (!isMemoryEffectFree(prev))
        return false;
    }
    return false;
  }

  /// If the next op that touches memory scales C in place by a value defined
  /// above it (`C[...] = C[...] * s` or `C[...] / s` over all of C) and the
  /// kernel completes every sum, erases it: the kernel applies it to each
  /// element once its sum is done, saving a pass over C.
  void takeScalarEpilogue() {
    if (!kernelCompletesEverySum())
      return;
    Operation *next = op->getNextNode();
    while (next && isMemoryEffectFree(next))
      next = next->getNextNode();
    auto scale = dyn_cast_or_null<linalg::GenericOp>(next);
    if (!scale || !scale.hasPureBufferSemantics() ||
        scale.getNumDpsInputs() != 1 || scale.getNumDpsInits() != 1 ||
        scale.getDpsInputOperand(0)->get() != match.c ||
        scale.getDpsInitOperand(0)->get() != match.c ||
        scale.getNumParallelLoops() != scale.getNumLoops() ||
        !llvm::all_of(scale.getIndexingMapsArray(),
                      [](AffineMap map) { return map.isIdentity(); }))
      return;
    // The body: one multiply or divide of the element, and ops that compute
    // the scalar from values defined above (cloned before the call).
    Block &body = scale.getRegion().front();
    Value in = body.getArgument(0);
    Operation *arith = body.getTerminator()->getOperand(0).getDefiningOp();
    if (!arith || arith->getBlock() != &body)
      return;
    Value other;
    int kind = 0;
    if (auto mul = dyn_cast<arith::MulFOp>(arith)) {
      kind = 1;
      other = mul.getLhs() == in ? mul.getRhs() : mul.getLhs();
      if (mul.getLhs() != in && mul.getRhs() != in)
        return;
    } else if (auto div = dyn_cast<arith::DivFOp>(arith)) {
      kind = 2;
      other = div.getRhs();
      if (div.getLhs() != in)
        return;
    } else {
      return;
    }
    SmallVector<Operation *> invariant;
    for (Operation &inner : body.without_terminator()) {
      if (&inner == arith)
        continue;
      if (!isMemoryEffectFree(&inner) || inner.getNumRegions() != 0)
        return;
      for (Value operand : inner.getOperands()) {
        if (isa<BlockArgument>(operand) &&
            cast<BlockArgument>(operand).getOwner() == &body)
          return;
        Operation *def = operand.getDefiningOp();
        if (def && def->getBlock() == op->getBlock() &&
            !def->isBeforeInBlock(op))
          return;
      }
      invariant.push_back(&inner);
    }
    if (auto arg = dyn_cast<BlockArgument>(other);
        arg && arg.getOwner() == &body)
      return;
    if (Operation *def = other.getDefiningOp())
      if (def->getBlock() == op->getBlock() && !def->isBeforeInBlock(op))
        return;
    IRMapping mapping;
    for (Operation *inner : invariant)
      b.clone(*inner, mapping);
    other = mapping.lookupOrDefault(other);
    epilogueKind = kind;
    epilogueScalar = other;
    scale.erase();
  }

  linalg::GenericOp op;
  const GemmMatch &match;
  bool overwrite = false;
  /// The epilogue folded into the kernel call (takeScalarEpilogue).
  int epilogueKind = 0;
  Value epilogueScalar;
  OpBuilder b;
  Location loc;
  SmallVector<OperandAddress> addresses;
  SmallVector<Value> extents;
  /// Indexed by Role: the loop dimension passed to the kernel, or -1; its
  /// extent becomes that of the merged dimensions (mergeAdjacentDims).
  SmallVector<int> kernelDims;
  /// Indexed by Role: the innermost of the merged dimensions (its stride).
  SmallVector<int> innermostDims;
  /// Per loop dimension: whether the kernel covers it.
  SmallVector<bool> inKernel;
};

/// Whether `op` is inside the loop of a scan's steps.
bool isInScanSteps(Operation *op) {
  for (auto loop = op->getParentOfType<scf::ForOp>(); loop;
       loop = loop->getParentOfType<scf::ForOp>())
    if (loop->hasAttr(tessera::ssm::kScanStepsAttrName))
      return true;
  return false;
}

struct TessContractionsToKernelsPass
    : public tessera::impl::TessContractionsToKernelsPassBase<
          TessContractionsToKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::vector<std::pair<linalg::GenericOp, GemmMatch>> matches;
    module.walk([&](linalg::GenericOp op) {
      // A scan's steps each work on a small slice: their loops beat a call.
      if (isInScanSteps(op))
        return;
      if (std::optional<GemmMatch> match = matchGemm(op))
        matches.emplace_back(op, std::move(*match));
    });
    for (auto &[op, match] : matches)
      GemmRewriter(op, match).rewrite(getKernelDecl(module, match.elementType));
  }
};

} // namespace
