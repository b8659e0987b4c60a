// RUN: tess-opt %s | tess-opt | FileCheck %s
// RUN: tess-opt %s --mlir-print-op-generic | tess-opt | FileCheck %s

// Every structured op round-trips through its custom and generic forms.

// CHECK-LABEL: func.func @transforms(
func.func @transforms(%x: tensor<8x1024xf32>, %c: tensor<?x12xcomplex<f64>>,
                      %r: tensor<16x4096xf32>, %n: index)
    -> (tensor<8x1024xf32>, tensor<?x12xcomplex<f64>>, tensor<16x?xf32>) {
  // CHECK: structured.fwht %{{.+}} axis 1 : tensor<8x1024xf32>
  %h = structured.fwht %x axis 1 : tensor<8x1024xf32>
  // CHECK: structured.fwht %{{.+}} axis 1 : tensor<?x12xcomplex<f64>>
  %h12 = structured.fwht %c axis 1 : tensor<?x12xcomplex<f64>>
  // CHECK: structured.bitreverse %{{.+}} axis 0 : tensor<8x1024xf32>
  %b = structured.bitreverse %h axis 0 : tensor<8x1024xf32>
  // CHECK: structured.fft %{{.+}} axis 0 : tensor<?x12xcomplex<f64>>
  %f = structured.fft %h12 axis 0 : tensor<?x12xcomplex<f64>>
  // CHECK: structured.ifft %{{.+}} axis 1 : tensor<?x12xcomplex<f64>>
  %i = structured.ifft %f axis 1 : tensor<?x12xcomplex<f64>>
  // CHECK: structured.rfft %{{.+}} axis 1 : tensor<16x4096xf32> -> tensor<16x2049xcomplex<f32>>
  %s = structured.rfft %r axis 1 : tensor<16x4096xf32> -> tensor<16x2049xcomplex<f32>>
  // CHECK: structured.irfft %{{.+}} axis 1 length %{{.+}} : tensor<16x2049xcomplex<f32>> -> tensor<16x?xf32>
  %t = structured.irfft %s axis 1 length %n : tensor<16x2049xcomplex<f32>> -> tensor<16x?xf32>
  return %b, %i, %t : tensor<8x1024xf32>, tensor<?x12xcomplex<f64>>, tensor<16x?xf32>
}

// Bit reversal is its own inverse along one axis.
// RUN: tess-opt %s --canonicalize | FileCheck %s --check-prefix=FOLD
// FOLD-LABEL: func.func @involution(
// FOLD-SAME:      %[[X:[^:]+]]: tensor<16x8xf32>
// FOLD-NEXT:    %[[Y:.+]] = structured.bitreverse %[[X]] axis 1
// FOLD-NEXT:    return %[[X]], %[[Y]]
func.func @involution(%x: tensor<16x8xf32>) -> (tensor<16x8xf32>, tensor<16x8xf32>) {
  %a = structured.bitreverse %x axis 0 : tensor<16x8xf32>
  %b = structured.bitreverse %a axis 0 : tensor<16x8xf32>
  // Another axis: no fold.
  %c = structured.bitreverse %x axis 1 : tensor<16x8xf32>
  return %b, %c : tensor<16x8xf32>, tensor<16x8xf32>
}

// CHECK-LABEL: func.func @factored(
func.func @factored(%x: tensor<8x1024xf32>, %tw: tensor<10x512x2x2xf32>,
                    %n: index, %z: tensor<16x?xcomplex<f64>>,
                    %p: tensor<1024xi64>, %w: tensor<32x16x32xf32>,
                    %w1: tensor<32x32x32xf32>, %w2: tensor<32x32x32xf32>)
    -> (tensor<8x1024xf32>, tensor<?x?x2x2xcomplex<f64>>, tensor<8x512xf32>,
        tensor<8x1024xf32>) {
  // CHECK: structured.butterfly %{{.+}}, %{{.+}} axis 1 : tensor<10x512x2x2xf32>, tensor<8x1024xf32>
  %b = structured.butterfly %tw, %x axis 1 : tensor<10x512x2x2xf32>, tensor<8x1024xf32>
  // CHECK: structured.fft_twiddles %{{.+}} : tensor<?x?x2x2xcomplex<f64>>
  %t = structured.fft_twiddles %n : tensor<?x?x2x2xcomplex<f64>>
  // CHECK: structured.permute %{{.+}}, %{{.+}} axis 1 : tensor<8x1024xf32>, tensor<1024xi64>
  %q = structured.permute %b, %p axis 1 : tensor<8x1024xf32>, tensor<1024xi64>
  // CHECK: structured.blockdiag %{{.+}}, %{{.+}} axis 1 : tensor<32x16x32xf32>, tensor<8x1024xf32> -> tensor<8x512xf32>
  %d = structured.blockdiag %w, %q axis 1 : tensor<32x16x32xf32>, tensor<8x1024xf32> -> tensor<8x512xf32>
  // CHECK: structured.monarch %{{.+}}, %{{.+}}, %{{.+}} axis 1 : tensor<32x32x32xf32>, tensor<32x32x32xf32>, tensor<8x1024xf32> -> tensor<8x1024xf32>
  %m = structured.monarch %w1, %w2, %x axis 1 : tensor<32x32x32xf32>, tensor<32x32x32xf32>, tensor<8x1024xf32> -> tensor<8x1024xf32>
  return %q, %t, %d, %m : tensor<8x1024xf32>, tensor<?x?x2x2xcomplex<f64>>, tensor<8x512xf32>, tensor<8x1024xf32>
}

// Lengths known only at run time (the entry's size checks make sure they
// fit): fwht, bitreverse, butterfly and fft_twiddles of dynamic extents, and
// fft_twiddles of 1 (no factors).
// CHECK-LABEL: func.func @dynamic_lengths(
func.func @dynamic_lengths(%x: tensor<3x?xf32>, %tw: tensor<?x?x2x2xf32>,
                           %c: tensor<?xcomplex<f64>>, %n: index)
    -> (tensor<3x?xf32>, tensor<3x?xf32>, tensor<?xcomplex<f64>>,
        tensor<0x0x2x2xcomplex<f32>>) {
  // CHECK: structured.fwht %{{.+}} axis 1 : tensor<3x?xf32>
  %h = structured.fwht %x axis 1 : tensor<3x?xf32>
  // CHECK: structured.bitreverse %{{.+}} axis 1 : tensor<3x?xf32>
  %r = structured.bitreverse %h axis 1 : tensor<3x?xf32>
  // CHECK: structured.butterfly %{{.+}}, %{{.+}} axis 1 : tensor<?x?x2x2xf32>, tensor<3x?xf32>
  %b = structured.butterfly %tw, %r axis 1 : tensor<?x?x2x2xf32>, tensor<3x?xf32>
  // CHECK: structured.fft_twiddles %{{.+}} : tensor<?x?x2x2xcomplex<f64>>
  %t = structured.fft_twiddles %n : tensor<?x?x2x2xcomplex<f64>>
  // CHECK: structured.butterfly %{{.+}}, %{{.+}} axis 0 : tensor<?x?x2x2xcomplex<f64>>, tensor<?xcomplex<f64>>
  %f = structured.butterfly %t, %c axis 0 : tensor<?x?x2x2xcomplex<f64>>, tensor<?xcomplex<f64>>
  %one = arith.constant 1 : index
  // CHECK: structured.fft_twiddles %{{.+}} : tensor<0x0x2x2xcomplex<f32>>
  %t1 = structured.fft_twiddles %one : tensor<0x0x2x2xcomplex<f32>>
  return %h, %b, %f, %t1 : tensor<3x?xf32>, tensor<3x?xf32>, tensor<?xcomplex<f64>>, tensor<0x0x2x2xcomplex<f32>>
}

// Bit reversal of a dynamic length is its own inverse too.
// FOLD-LABEL: func.func @dynamic_involution(
// FOLD-SAME:      %[[X:[^:]+]]: tensor<?xf32>
// FOLD-NEXT:    return %[[X]]
func.func @dynamic_involution(%x: tensor<?xf32>) -> tensor<?xf32> {
  %a = structured.bitreverse %x axis 0 : tensor<?xf32>
  %b = structured.bitreverse %a axis 0 : tensor<?xf32>
  return %b : tensor<?xf32>
}

// Causal convolutions: the S4D layout (a kernel per channel, broadcast over
// the batch), a kernel of extent 1 broadcast along a dimension, a shorter
// kernel, complex and dynamic extents.
// CHECK-LABEL: func.func @causal_conv(
func.func @causal_conv(%u: tensor<8x256x4096xf32>, %k: tensor<256x4096xf32>,
                       %v: tensor<?x5x3xcomplex<f64>>,
                       %kv: tensor<?x1x3xcomplex<f64>>,
                       %w: tensor<4x?xf32>, %kw: tensor<7xf32>)
    -> (tensor<8x256x4096xf32>, tensor<?x5x3xcomplex<f64>>, tensor<4x?xf32>) {
  // CHECK: structured.causal_conv %{{.+}}, %{{.+}} axis 2 : tensor<8x256x4096xf32>, tensor<256x4096xf32>
  %y = structured.causal_conv %u, %k axis 2 : tensor<8x256x4096xf32>, tensor<256x4096xf32>
  // CHECK: structured.causal_conv %{{.+}}, %{{.+}} axis 0 : tensor<?x5x3xcomplex<f64>>, tensor<?x1x3xcomplex<f64>>
  %z = structured.causal_conv %v, %kv axis 0 : tensor<?x5x3xcomplex<f64>>, tensor<?x1x3xcomplex<f64>>
  // CHECK: structured.causal_conv %{{.+}}, %{{.+}} axis 1 : tensor<4x?xf32>, tensor<7xf32>
  %s = structured.causal_conv %w, %kw axis 1 : tensor<4x?xf32>, tensor<7xf32>
  return %y, %z, %s : tensor<8x256x4096xf32>, tensor<?x5x3xcomplex<f64>>, tensor<4x?xf32>
}
