//===- TessTypes.td - tess type constraints and attributes -*- tablegen -*-===//
//
// Type constraints and attributes of the tess dialect. The dialect has no
// types of its own yet; new ones (e.g. a scan-state type) are defined here.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_TESS_IR_TESSTYPES_TD
#define TESSERA_DIALECT_TESS_IR_TESSTYPES_TD

include "mlir/IR/CommonTypeConstraints.td"
include "mlir/IR/EnumAttr.td"
include "tessera/Dialect/Tess/IR/TessDialect.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

/// Element types a tess tensor may hold: signless integers of at least one
/// bit (see isTessElementType), index, floats and complex floats.
def Tess_ElementType
    : Type<CPred<"::tessera::tess::isTessElementType($_self)">,
           "tess element type">;

/// Scalar types of the language (the operands of `tess.cast`): bool, i32,
/// i64, index, f16, bf16, f32, f64, c64, c128.
def Tess_ScalarType : AnyTypeOf<[I1, I32, I64, Index, F16, BF16, F32, F64,
                                 Complex<F32>, Complex<F64>],
                                "tessera scalar type">;

def Tess_RankedTensor : RankedTensorOf<[Tess_ElementType]>;
def Tess_FloatTensor : RankedTensorOf<[AnyFloat]>;

/// Result type of `tess.constant`: a scalar or a ranked tensor of them.
def Tess_ConstantType : AnyTypeOf<[Tess_ElementType, Tess_RankedTensor],
                                  "scalar or ranked tensor">;

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

def Tess_ReductionKind_Sum : I32EnumAttrCase<"sum", 0>;
def Tess_ReductionKind_Max : I32EnumAttrCase<"max", 1>;
def Tess_ReductionKind_Min : I32EnumAttrCase<"min", 2>;
def Tess_ReductionKind_Prod : I32EnumAttrCase<"prod", 3>;

/// How `tess.contract` and `tess.reduce` combine the values of the reduction
/// dimensions. Identities: sum 0, prod 1, max -inf (INT_MIN), min +inf
/// (INT_MAX). Integers compare signed. On i1 sum and max are `or`, prod and
/// min are `and`. Complex values support sum and prod only.
def Tess_ReductionKindAttr
    : I32EnumAttr<"ReductionKind", "reduction combiner",
                  [Tess_ReductionKind_Sum, Tess_ReductionKind_Max,
                   Tess_ReductionKind_Min, Tess_ReductionKind_Prod]> {
  let cppNamespace = "::tessera::tess";
}

#endif // TESSERA_DIALECT_TESS_IR_TESSTYPES_TD
