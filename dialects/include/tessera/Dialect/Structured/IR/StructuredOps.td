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
  }];
}

//===----------------------------------------------------------------------===//
// structured.bitreverse
//===----------------------------------------------------------------------===//

def Structured_BitReverseOp
    : Structured_AxisOp<"bitreverse", Structured_AnyTensor> {
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
  }];
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
  }];
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
    the input (numpy.fft.irfft with `n = length`): the input has
    `length / 2 + 1` terms along `axis`. `length` is needed because both an
    even and an odd length give that many terms.

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

#endif // TESSERA_DIALECT_STRUCTURED_IR_STRUCTUREDOPS_TD
