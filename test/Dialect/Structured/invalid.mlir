// RUN: tess-opt %s --split-input-file --verify-diagnostics

func.func @axis_out_of_range(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{axis 1 is out of range for a tensor of rank 1}}
  %y = structured.fwht %x axis 1 : tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

func.func @fwht_length(%x: tensor<4x24xf32>) -> tensor<4x24xf32> {
  // 24 = 12 * 2 is accepted; 36 is not.
  %ok = structured.fwht %x axis 1 : tensor<4x24xf32>
  return %ok : tensor<4x24xf32>
}

func.func @fwht_bad_length(%x: tensor<4x36xf32>) -> tensor<4x36xf32> {
  // expected-error @+1 {{length 36 along the axis is not a power of two, nor 12, 20, 28 or 40 times one}}
  %y = structured.fwht %x axis 1 : tensor<4x36xf32>
  return %y : tensor<4x36xf32>
}

// -----

func.func @bitreverse_length(%x: tensor<12xf32>) -> tensor<12xf32> {
  // expected-error @+1 {{length 12 along the axis is not a power of two}}
  %y = structured.bitreverse %x axis 0 : tensor<12xf32>
  return %y : tensor<12xf32>
}

// -----

func.func @fft_real(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of complex type with 32-bit float elements or complex type with 64-bit float elements values}}
  %y = structured.fft %x axis 0 : tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

func.func @rfft_length(%x: tensor<8xf32>) -> tensor<8xcomplex<f32>> {
  // expected-error @+1 {{dimension 0 of the complex tensor is 8 but must be 5 (n / 2 + 1 for n = 8)}}
  %y = structured.rfft %x axis 0 : tensor<8xf32> -> tensor<8xcomplex<f32>>
  return %y : tensor<8xcomplex<f32>>
}

// -----

func.func @rfft_precision(%x: tensor<8xf32>) -> tensor<5xcomplex<f64>> {
  // expected-error @+1 {{complex element type 'complex<f64>' does not match the real 'f32'}}
  %y = structured.rfft %x axis 0 : tensor<8xf32> -> tensor<5xcomplex<f64>>
  return %y : tensor<5xcomplex<f64>>
}

// -----

func.func @irfft_batch(%y: tensor<3x5xcomplex<f32>>, %n: index) -> tensor<4x8xf32> {
  // expected-error @+1 {{dimension 0 of the complex tensor is 3 but must be 4}}
  %x = structured.irfft %y axis 1 length %n : tensor<3x5xcomplex<f32>> -> tensor<4x8xf32>
  return %x : tensor<4x8xf32>
}

// -----

func.func @butterfly_pairs(%x: tensor<8x16xf32>, %tw: tensor<4x4x2x2xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{twiddles have 4 pairs per factor but length 16 needs 8}}
  %y = structured.butterfly %tw, %x axis 1 : tensor<4x4x2x2xf32>, tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

func.func @butterfly_factors(%x: tensor<8x16xf32>, %tw: tensor<5x8x2x2xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{5 factors exceed log2(16)}}
  %y = structured.butterfly %tw, %x axis 1 : tensor<5x8x2x2xf32>, tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

func.func @butterfly_type(%x: tensor<16xcomplex<f32>>, %tw: tensor<4x8x2x2xf32>) -> tensor<16xcomplex<f32>> {
  // expected-error @+1 {{twiddles of type 'f32' for a tensor of 'complex<f32>'}}
  %y = structured.butterfly %tw, %x axis 0 : tensor<4x8x2x2xf32>, tensor<16xcomplex<f32>>
  return %y : tensor<16xcomplex<f32>>
}

// -----

func.func @butterfly_length(%x: tensor<12xf32>, %tw: tensor<2x6x2x2xf32>) -> tensor<12xf32> {
  // expected-error @+1 {{length 12 is not a power of two}}
  %y = structured.butterfly %tw, %x axis 0 : tensor<2x6x2x2xf32>, tensor<12xf32>
  return %y : tensor<12xf32>
}

// -----

func.func @twiddles_count(%n: index) -> tensor<3x512x2x2xcomplex<f32>> {
  // expected-error @+1 {{an FFT of length 1024 has 10 factors, not 3}}
  %t = structured.fft_twiddles %n : tensor<3x512x2x2xcomplex<f32>>
  return %t : tensor<3x512x2x2xcomplex<f32>>
}

// -----

func.func @twiddles_real(%n: index) -> tensor<3x4x2x2xf32> {
  // expected-error @+1 {{twiddles of an FFT are complex}}
  %t = structured.fft_twiddles %n : tensor<3x4x2x2xf32>
  return %t : tensor<3x4x2x2xf32>
}

// -----

func.func @permute_length(%x: tensor<8x4xf32>, %p: tensor<4xi32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{a permutation of 4 elements along an axis of 8}}
  %y = structured.permute %x, %p axis 0 : tensor<8x4xf32>, tensor<4xi32>
  return %y : tensor<8x4xf32>
}

// -----

func.func @blockdiag_input(%x: tensor<8x60xf32>, %w: tensor<4x16x16xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{the input has 60 elements along the axis but the weights take 64}}
  %y = structured.blockdiag %w, %x axis 1 : tensor<4x16x16xf32>, tensor<8x60xf32> -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

func.func @blockdiag_result(%x: tensor<8x64xf32>, %w: tensor<4x8x16xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{the result has 64 elements along the axis but the weights give 32}}
  %y = structured.blockdiag %w, %x axis 1 : tensor<4x8x16xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

func.func @monarch_middle(%x: tensor<8x64xf32>, %w1: tensor<4x16x16xf32>, %w2: tensor<8x16x4xf32>) -> tensor<8x128xf32> {
  // expected-error @+1 {{w1 gives 64 terms but w2 takes 32 (K * Q must equal L * R)}}
  %y = structured.monarch %w1, %w2, %x axis 1 : tensor<4x16x16xf32>, tensor<8x16x4xf32>, tensor<8x64xf32> -> tensor<8x128xf32>
  return %y : tensor<8x128xf32>
}

// -----

func.func @fwht_empty(%x: tensor<3x0xf32>) -> tensor<3x0xf32> {
  // expected-error @+1 {{length 0 along the axis is not a power of two, nor 12, 20, 28 or 40 times one}}
  %y = structured.fwht %x axis 1 : tensor<3x0xf32>
  return %y : tensor<3x0xf32>
}

// -----

func.func @twiddles_length() -> tensor<?x?x2x2xcomplex<f32>> {
  %n = arith.constant 12 : index
  // expected-error @+1 {{length 12 is not a power of two}}
  %t = structured.fft_twiddles %n : tensor<?x?x2x2xcomplex<f32>>
  return %t : tensor<?x?x2x2xcomplex<f32>>
}

// -----

func.func @twiddles_zero() -> tensor<?x?x2x2xcomplex<f32>> {
  %n = arith.constant 0 : index
  // expected-error @+1 {{length 0 is not a power of two}}
  %t = structured.fft_twiddles %n : tensor<?x?x2x2xcomplex<f32>>
  return %t : tensor<?x?x2x2xcomplex<f32>>
}

// -----

func.func @twiddles_of_one(%n: index) -> tensor<1x0x2x2xcomplex<f32>> {
  // expected-error @+1 {{1 factors exceed log2(1)}}
  %t = structured.fft_twiddles %n : tensor<1x0x2x2xcomplex<f32>>
  return %t : tensor<1x0x2x2xcomplex<f32>>
}

// -----

func.func @butterfly_dynamic_twiddles(%x: tensor<?xf32>, %tw: tensor<?x?x3x2xf32>) -> tensor<?xf32> {
  // A dynamic length still needs 2 x 2 matrices.
  // expected-error @+1 {{twiddles must be [F, N / 2, 2, 2], got 'tensor<?x?x3x2xf32>'}}
  %y = structured.butterfly %tw, %x axis 0 : tensor<?x?x3x2xf32>, tensor<?xf32>
  return %y : tensor<?xf32>
}

// -----

func.func @causal_conv_element_types(%u: tensor<4x16xf32>, %k: tensor<16xf64>) -> tensor<4x16xf32> {
  // expected-error @+1 {{kernel of type 'f64' for an input of 'f32'}}
  %y = structured.causal_conv %u, %k axis 1 : tensor<4x16xf32>, tensor<16xf64>
  return %y : tensor<4x16xf32>
}

// -----

func.func @causal_conv_kernel_rank(%u: tensor<4x16xf32>, %k: tensor<16xf32>) -> tensor<4x16xf32> {
  // The kernel's one dimension is the input's last, not the axis.
  // expected-error @+1 {{kernel of rank 1 has no dimension for axis 0 of an input of rank 2 (its dimensions are the input's last ones)}}
  %y = structured.causal_conv %u, %k axis 0 : tensor<4x16xf32>, tensor<16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @causal_conv_kernel_too_long(%u: tensor<16xf32>, %k: tensor<4x16xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{kernel of rank 2 has no dimension for axis 0 of an input of rank 1}}
  %y = structured.causal_conv %u, %k axis 0 : tensor<16xf32>, tensor<4x16xf32>
  return %y : tensor<16xf32>
}

// -----

func.func @causal_conv_broadcast(%u: tensor<2x4x16xf32>, %k: tensor<3x16xf32>) -> tensor<2x4x16xf32> {
  // expected-error @+1 {{kernel dimension 0 is 3 but must be 1 or the input's 4}}
  %y = structured.causal_conv %u, %k axis 2 : tensor<2x4x16xf32>, tensor<3x16xf32>
  return %y : tensor<2x4x16xf32>
}

// -----

func.func @causal_conv_axis(%u: tensor<4x16xf32>, %k: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{axis 2 is out of range for a tensor of rank 2}}
  %y = structured.causal_conv %u, %k axis 2 : tensor<4x16xf32>, tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
