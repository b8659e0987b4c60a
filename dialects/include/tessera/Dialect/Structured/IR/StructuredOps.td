//===- StructuredOps.td - structured operations ------------*- tablegen -*-===//
//
// Operations of the structured dialect.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_STRUCTURED_IR_STRUCTUREDOPS_TD
#define TESSERA_DIALECT_STRUCTURED_IR_STRUCTUREDOPS_TD

include "tessera/Dialect/Structured/IR/StructuredDialect.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Structured_RealTensor
    : RankedTensorOf<[F32, F64], [HasAnyRankOfPred<[1, 2, 3, 4, 5, 6, 7, 8]>]>;
def Structured_ComplexTensor
    : RankedTensorOf<[Complex<F32>, Complex<F64>],
                     [HasAnyRankOfPred<[1, 2, 3, 4, 5, 6, 7, 8]>]>;
def Structured_AnyTensor
    : RankedTensorOf<[F32, F64, Complex<F32>, Complex<F64>],
                     [HasAnyRankOfPred<[1, 2, 3, 4, 5, 6, 7, 8]>]>;
/// Element types that the gathers (bitreverse, permute) move.
def Structured_ElementTensor
    : RankedTensorOf<[AnyFloat, AnySignlessInteger, Index, Complex<AnyFloat>],
                     [HasAnyRankOfPred<[1, 2, 3, 4, 5, 6, 7, 8]>]>;
def Structured_Axis : ConfinedAttr<I64Attr, [IntNonNegative]>;

/// An op that maps a tensor to one of the same type along `axis`.
class Structured_AxisOp<string mnemonic, Type tensor, list<Trait> traits = []>
    : Structured_Op<mnemonic, !listconcat(traits, [Pure,
                                                   SameOperandsAndResultType])> {
  let arguments = (ins tensor:$input, Structured_Axis:$axis);
  let results = (outs tensor:$result);
  let assemblyFormat = "$input `axis` $axis attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// structured.fwht
//===----------------------------------------------------------------------===//

def Structured_FwhtOp : Structured_AxisOp<"fwht", Structured_AnyTensor> {
  let summary = "fast Walsh-Hadamard transform along one axis";
  let description = [{
    `y = H_N x` along dimension `axis`, unnormalized: `H_1 = [1]`,
    `H_2N = [[H_N, H_N], [H_N, -H_N]]` (Sylvester order), so that applying
    it twice multiplies by N. The extent N along `axis` is a power of two,
    or 12, 20, 28 or 40 times one (a Paley Hadamard factor of that order
    times a Sylvester one, as Dao-AILab's fast-hadamard-transform does); a
    static extent of any other size is rejected here, a dynamic one when the
    program runs. O(N log N) additions per vector.

    Example:

    ```mlir
    %y = structured.fwht %x axis 1 : tensor<8x1024xf32>
    ```

    Applied twice along one axis it is a multiplication by N, which the
    canonicalizer writes as such.
  }];
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// structured.bitreverse
//===----------------------------------------------------------------------===//

def Structured_BitReverseOp
    : Structured_AxisOp<"bitreverse", Structured_ElementTensor> {
  let summary = "bit-reversal permutation along one axis";
  let description = [{
    `y[..., i, ...] = x[..., rev(i), ...]` along dimension `axis`, where
    `rev` reverses the log2(N) bits of the index; N is a power of two. The
    permutation is its own inverse, which the folder uses:
    `bitreverse(bitreverse(x))` on one axis is `x`.

    Example:

    ```mlir
    %y = structured.bitreverse %x axis 0 : tensor<16xcomplex<f32>>
    ```
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// structured.fft / structured.ifft
//===----------------------------------------------------------------------===//

def Structured_FftOp : Structured_AxisOp<"fft", Structured_ComplexTensor> {
  let summary = "discrete Fourier transform along one axis";
  let description = [{
    `y[k] = sum_n x[n] exp(-2 pi i k n / N)` along dimension `axis`
    (numpy.fft.fft's convention: no normalization). Any length N >= 1.

    Example:

    ```mlir
    %y = structured.fft %x axis 1 : tensor<64x1024xcomplex<f32>>
    ```

    `fft(ifft(x))` on one axis folds to `x`.
  }];
  let hasFolder = 1;
}

def Structured_IfftOp : Structured_AxisOp<"ifft", Structured_ComplexTensor> {
  let summary = "inverse discrete Fourier transform along one axis";
  let description = [{
    `y[n] = (1 / N) sum_k x[k] exp(2 pi i k n / N)` along dimension `axis`
    (numpy.fft.ifft's convention), so that `ifft(fft(x))` is `x`.

    Example:

    ```mlir
    %y = structured.ifft %x axis 0 : tensor<1000xcomplex<f64>>
    ```

    `ifft(fft(x))` on one axis folds to `x`.
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// structured.rfft / structured.irfft
//===----------------------------------------------------------------------===//

def Structured_RfftOp : Structured_Op<"rfft", [Pure]> {
  let summary = "discrete Fourier transform of real input along one axis";
  let description = [{
    The first `N / 2 + 1` terms of the DFT of a real input along dimension
    `axis` (numpy.fft.rfft); the others are their complex conjugates. The
    result has the input's shape but `N / 2 + 1` along `axis`, and the
    complex element type of the input's precision.

    Example:

    ```mlir
    %y = structured.rfft %x axis 1 : tensor<16x4096xf32> -> tensor<16x2049xcomplex<f32>>
    ```
  }];
  let arguments = (ins Structured_RealTensor:$input, Structured_Axis:$axis);
  let results = (outs Structured_ComplexTensor:$result);
  let assemblyFormat = [{
    $input `axis` $axis attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Structured_IrfftOp : Structured_Op<"irfft", [Pure]> {
  let summary = "inverse of rfft: real output of a given length";
  let description = [{
    The real signal of length `length` along dimension `axis` whose rfft is
    the input (numpy.fft.irfft with `n = length`, scaled by 1 / length): the
    first `length / 2 + 1` terms along `axis` are used, missing ones are
    zero, and the imaginary parts of the first term (and of the last for an
    even length) are ignored. `length` is needed because both an even and an
    odd length give `length / 2 + 1` terms.

    Example:

    ```mlir
    %x = structured.irfft %y axis 1 length %n : tensor<16x2049xcomplex<f32>> -> tensor<16x?xf32>
    ```
  }];
  let arguments = (ins Structured_ComplexTensor:$input, Structured_Axis:$axis,
                       Index:$length);
  let results = (outs Structured_RealTensor:$result);
  let assemblyFormat = [{
    $input `axis` $axis `length` $length attr-dict `:` type($input) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// structured.causal_conv
//===----------------------------------------------------------------------===//

def Structured_CausalConvOp : Structured_Op<"causal_conv", [Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "causal convolution along one axis, through FFTs";
  let description = [{
    `y[..., t, ...] = sum_{s <= t} kernel[..., s, ...] x[..., t - s, ...]`
    along dimension `axis` of the input, of length L: the first L terms of
    the linear convolution. The kernel's dimensions are the input's last
    ones (its rank is at most the input's, and `axis` is one of them); each
    equals the input's or is 1, and the kernel is broadcast over the others
    as numpy broadcasts. Along the axis the kernel has any length M: taps
    past its end are zero and taps past L - 1 never contribute. Both have
    one element type. Computed with FFTs of 2L (the kernel's transform once
    per distinct kernel vector), or summed directly for short kernels:
    O(L log L) per vector; never an L x L matrix.

    Example:

    ```mlir
    %y = structured.causal_conv %u, %k axis 2 : tensor<8x256x4096xf32>, tensor<256x4096xf32>
    ```
  }];
  let arguments = (ins Structured_AnyTensor:$input,
                       Structured_AnyTensor:$kernel, Structured_Axis:$axis);
  let results = (outs Structured_AnyTensor:$result);
  let assemblyFormat = [{
    $input `,` $kernel `axis` $axis attr-dict `:` type($input) `,`
    type($kernel)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// structured.fft_twiddles / structured.butterfly
//===----------------------------------------------------------------------===//

def Structured_FactorTensor
    : RankedTensorOf<[F32, F64, Complex<F32>, Complex<F64>],
                     [HasAnyRankOfPred<[4]>]>;

def Structured_FftTwiddlesOp : Structured_Op<"fft_twiddles", [Pure]> {
  let summary = "the butterfly twiddles of a radix-2 FFT";
  let description = [{
    The twiddles `tw: [log2(N), N / 2, 2, 2]` for which
    `butterfly(tw, bitreverse(x))` is the DFT of `x` (radix 2, decimation
    in time): factor `f` has stride `s = 2^f`, and for block `j` and offset
    `k < s` the 2x2 matrix `tw[f, s j + k] = [[1, w^k], [1, -w^k]]` with
    `w = exp(-i pi / s)`. `length` is N, a power of two; the result's
    extents must match it.

    Example:

    ```mlir
    %tw = structured.fft_twiddles %n : tensor<10x512x2x2xcomplex<f64>>
    ```
  }];
  let arguments = (ins Index:$length);
  let results = (outs Structured_FactorTensor:$result);
  let assemblyFormat = "$length attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Structured_ButterflyOp : Structured_Op<"butterfly", [Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "a product of butterfly factors along one axis";
  let description = [{
    Applies butterfly factors f = 0, 1, ..., F - 1 in order along dimension
    `axis` of length N (a power of two), the convention of HazyResearch's
    torch_butterfly with increasing stride: factor `f` has stride `s = 2^f`
    and, for block `j` and offset `k < s`, maps the pair
    `(x[2sj + k], x[2sj + s + k])` by the 2x2 matrix `twiddles[f, sj + k]`:
    `out[2sj + a s + k] = sum_b twiddles[f, sj + k, a, b] x[2sj + b s + k]`.
    `twiddles` is `[F, N / 2, 2, 2]` with F <= log2(N), of the input's
    element type. O(F N) multiply-adds per vector; never an N x N matrix.

    Example:

    ```mlir
    %y = structured.butterfly %tw, %x axis 1 : tensor<10x512x2x2xf32>, tensor<8x1024xf32>
    ```
  }];
  let arguments = (ins Structured_FactorTensor:$twiddles,
                       Structured_AnyTensor:$input, Structured_Axis:$axis);
  let results = (outs Structured_AnyTensor:$result);
  let assemblyFormat = [{
    $twiddles `,` $input `axis` $axis attr-dict `:` type($twiddles) `,`
    type($input)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// structured.permute
//===----------------------------------------------------------------------===//

def Structured_PermuteOp : Structured_Op<"permute", [Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "reorders the elements along one axis";
  let description = [{
    `y[..., i, ...] = x[..., perm[i], ...]` along dimension `axis`, with
    `perm` a 1-D integer tensor of the axis' length. An index outside
    `[0, N)` reads zero, as every out-of-bounds read of the language does,
    or `out_of_range` when given (integer tensors only). Two permutations
    along one axis compose into one: `permute(permute(x, p), q)` is
    `permute(x, permute(p, q) {out_of_range = -1})`, where an index out of
    range in `q` stays out of range.

    Example:

    ```mlir
    %y = structured.permute %x, %perm axis 0 : tensor<1024x8xf32>, tensor<1024xi64>
    ```
  }];
  let arguments = (ins Structured_ElementTensor:$input,
                       RankedTensorOf<[I32, I64], [HasAnyRankOfPred<[1]>]>:$perm,
                       Structured_Axis:$axis,
                       OptionalAttr<I64Attr>:$out_of_range);
  let results = (outs Structured_ElementTensor:$result);
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$perm,
                   "int64_t":$axis), [{
      build($_builder, $_state, input.getType(), input, perm,
            $_builder.getI64IntegerAttr(axis), nullptr);
    }]>
  ];
  let assemblyFormat = [{
    $input `,` $perm `axis` $axis attr-dict `:` type($input) `,` type($perm)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// structured.blockdiag / structured.monarch
//===----------------------------------------------------------------------===//

def Structured_BlockWeights
    : RankedTensorOf<[F32, F64, Complex<F32>, Complex<F64>],
                     [HasAnyRankOfPred<[3]>]>;

def Structured_BlockDiagOp : Structured_Op<"blockdiag", [Pure]> {
  let summary = "a block-diagonal matrix applied along one axis";
  let description = [{
    With `weights: [NB, BO, BI]`, the input has `NB * BI` elements along
    `axis` and the result `NB * BO`:
    `y[..., b BO + o, ...] = sum_i weights[b, o, i] x[..., b BI + i, ...]`.
    O(NB BO BI) multiply-adds per vector. Two applications with matching
    blocks fold into one whose blocks are the products.

    Example:

    ```mlir
    %y = structured.blockdiag %w, %x axis 1 : tensor<32x16x32xf32>, tensor<8x1024xf32> -> tensor<8x512xf32>
    ```
  }];
  let arguments = (ins Structured_BlockWeights:$weights,
                       Structured_AnyTensor:$input, Structured_Axis:$axis);
  let results = (outs Structured_AnyTensor:$result);
  let assemblyFormat = [{
    $weights `,` $input `axis` $axis attr-dict `:` type($weights) `,`
    type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Structured_MonarchOp : Structured_Op<"monarch", [Pure]> {
  let summary = "a Monarch matrix applied along one axis";
  let description = [{
    `M = P L P^T R` in the convention of HazyResearch's fly
    (`blockdiag_butterfly_multiply`): with `w1: [K, Q, P]` (the input has
    `K * P` elements along `axis`) and `w2: [L, S, R]` where
    `L * R = K * Q`, the first factor is the block-diagonal
    `t[k Q + q] = sum_p w1[k, q, p] x[k P + p]`; its K * Q terms are read as
    R x L (`m = r L + l`) and transposed, and the second factor gives
    `y[s L + l] = sum_r w2[l, s, r] t[r L + l]`: `S * L` elements along
    `axis`. O(K Q P + L S R) multiply-adds per vector, 2 N sqrt(N) for the
    square case; never an N x N matrix.

    Example:

    ```mlir
    %y = structured.monarch %w1, %w2, %x axis 1 : tensor<32x32x32xf32>, tensor<32x32x32xf32>, tensor<256x1024xf32> -> tensor<256x1024xf32>
    ```
  }];
  let arguments = (ins Structured_BlockWeights:$w1,
                       Structured_BlockWeights:$w2,
                       Structured_AnyTensor:$input, Structured_Axis:$axis);
  let results = (outs Structured_AnyTensor:$result);
  let assemblyFormat = [{
    $w1 `,` $w2 `,` $input `axis` $axis attr-dict `:` type($w1) `,`
    type($w2) `,` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

#endif // TESSERA_DIALECT_STRUCTURED_IR_STRUCTUREDOPS_TD
