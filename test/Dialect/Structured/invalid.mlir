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
