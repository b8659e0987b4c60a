// RUN: tess-opt %s --canonicalize --split-input-file | FileCheck %s

// fwht applied twice along one axis is a multiplication by N, for static
// lengths whose matrix is symmetric (powers of two, 12 times one); not for
// 20 times one or a length known only at run time.
// CHECK-LABEL: func.func @fwht_twice(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4x256xf32>, %[[Y:[^:]+]]: tensor<?x?xf64>, %[[Z:[^:]+]]: tensor<24xf32>, %[[V:[^:]+]]: tensor<20xf32>
// CHECK-DAG:     %[[S:.+]] = arith.constant dense<2.560000e+02> : tensor<4x256xf32>
// CHECK-DAG:     %[[S24:.+]] = arith.constant dense<2.400000e+01> : tensor<24xf32>
// CHECK:         %[[A:.+]] = arith.mulf %[[X]], %[[S]] : tensor<4x256xf32>
// CHECK:         %[[B1:.+]] = structured.fwht %[[Y]] axis 0
// CHECK:         %[[B:.+]] = structured.fwht %[[B1]] axis 0
// CHECK:         %[[C:.+]] = structured.fwht %[[X]] axis 1
// CHECK:         %[[E:.+]] = structured.fwht %[[C]] axis 0
// CHECK:         %[[Z2:.+]] = arith.mulf %[[Z]], %[[S24]]
// CHECK:         %[[V1:.+]] = structured.fwht %[[V]] axis 0
// CHECK:         %[[V2:.+]] = structured.fwht %[[V1]] axis 0
// CHECK:         return %[[A]], %[[B]], %[[E]], %[[Z2]], %[[V2]]
func.func @fwht_twice(%x: tensor<4x256xf32>, %y: tensor<?x?xf64>, %z: tensor<24xf32>, %v: tensor<20xf32>)
    -> (tensor<4x256xf32>, tensor<?x?xf64>, tensor<4x256xf32>, tensor<24xf32>, tensor<20xf32>) {
  %a = structured.fwht %x axis 1 : tensor<4x256xf32>
  %aa = structured.fwht %a axis 1 : tensor<4x256xf32>
  %b = structured.fwht %y axis 0 : tensor<?x?xf64>
  %bb = structured.fwht %b axis 0 : tensor<?x?xf64>
  // Different axes: two transforms.
  %c = structured.fwht %x axis 1 : tensor<4x256xf32>
  %e = structured.fwht %c axis 0 : tensor<4x256xf32>
  %z1 = structured.fwht %z axis 0 : tensor<24xf32>
  %z2 = structured.fwht %z1 axis 0 : tensor<24xf32>
  %v1 = structured.fwht %v axis 0 : tensor<20xf32>
  %v2 = structured.fwht %v1 axis 0 : tensor<20xf32>
  return %aa, %bb, %e, %z2, %v2 : tensor<4x256xf32>, tensor<?x?xf64>, tensor<4x256xf32>, tensor<24xf32>, tensor<20xf32>
}

// -----

// ifft(fft(x)) and fft(ifft(x)) along one axis are x.
// CHECK-LABEL: func.func @fourier_pairs(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<8x100xcomplex<f32>>
// CHECK-NEXT:    %[[F:.+]] = structured.fft %[[X]] axis 0
// CHECK-NEXT:    %[[G:.+]] = structured.ifft %[[F]] axis 1
// CHECK-NEXT:    return %[[X]], %[[X]], %[[G]]
func.func @fourier_pairs(%x: tensor<8x100xcomplex<f32>>)
    -> (tensor<8x100xcomplex<f32>>, tensor<8x100xcomplex<f32>>,
        tensor<8x100xcomplex<f32>>) {
  %f = structured.fft %x axis 1 : tensor<8x100xcomplex<f32>>
  %a = structured.ifft %f axis 1 : tensor<8x100xcomplex<f32>>
  %i = structured.ifft %x axis 0 : tensor<8x100xcomplex<f32>>
  %b = structured.fft %i axis 0 : tensor<8x100xcomplex<f32>>
  %g = structured.fft %x axis 0 : tensor<8x100xcomplex<f32>>
  %h = structured.ifft %g axis 1 : tensor<8x100xcomplex<f32>>
  return %a, %b, %h : tensor<8x100xcomplex<f32>>, tensor<8x100xcomplex<f32>>, tensor<8x100xcomplex<f32>>
}

// -----

// Two permutations along one axis compose: y[i] = x[p[q[i]]]; where q[i]
// is out of range the composed index is -1, so that y[i] still reads zero.
// CHECK-LABEL: func.func @permutations(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<16x8xf32>, %[[P:[^:]+]]: tensor<16xi64>, %[[Q:[^:]+]]: tensor<16xi64>
// CHECK-NEXT:    %[[PQ:.+]] = structured.permute %[[P]], %[[Q]] axis 0 {out_of_range = -1 : i64} : tensor<16xi64>, tensor<16xi64>
// CHECK-NEXT:    %[[Y:.+]] = structured.permute %[[X]], %[[PQ]] axis 0 : tensor<16x8xf32>, tensor<16xi64>
// CHECK-NEXT:    return %[[Y]]
func.func @permutations(%x: tensor<16x8xf32>, %p: tensor<16xi64>, %q: tensor<16xi64>) -> tensor<16x8xf32> {
  %a = structured.permute %x, %p axis 0 : tensor<16x8xf32>, tensor<16xi64>
  %b = structured.permute %a, %q axis 0 : tensor<16x8xf32>, tensor<16xi64>
  return %b : tensor<16x8xf32>
}

// -----

// Block-diagonal matrices with matching blocks multiply into one, the
// product computed by a blockdiag over the stacked rows of the first; not
// when a narrow middle makes the product more work.
// CHECK-LABEL: func.func @blockdiags(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<8x64xf32>, %[[W1:[^:]+]]: tensor<4x16x16xf32>, %[[W2:[^:]+]]: tensor<4x16x16xf32>
// CHECK:         %[[S:.+]] = tensor.collapse_shape %[[W1]] {{\[\[}}0, 1], [2]] : tensor<4x16x16xf32> into tensor<64x16xf32>
// CHECK:         %[[P:.+]] = structured.blockdiag %[[W2]], %[[S]] axis 0 : tensor<4x16x16xf32>, tensor<64x16xf32> -> tensor<64x16xf32>
// CHECK:         %[[W:.+]] = tensor.expand_shape %[[P]] {{\[\[}}0, 1], [2]] output_shape [4, 16, 16] : tensor<64x16xf32> into tensor<4x16x16xf32>
// CHECK:         %[[Y:.+]] = structured.blockdiag %[[W]], %[[X]] axis 1
// CHECK:         %[[N1:.+]] = structured.blockdiag %{{.+}}, %[[X]] axis 1 : tensor<4x2x16xf32>
// CHECK:         structured.blockdiag %{{.+}}, %[[N1]] axis 1 : tensor<4x16x2xf32>
func.func @blockdiags(%x: tensor<8x64xf32>, %w1: tensor<4x16x16xf32>, %w2: tensor<4x16x16xf32>,
                      %n1: tensor<4x2x16xf32>, %n2: tensor<4x16x2xf32>)
    -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  %a = structured.blockdiag %w1, %x axis 1 : tensor<4x16x16xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  %b = structured.blockdiag %w2, %a axis 1 : tensor<4x16x16xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  %c = structured.blockdiag %n1, %x axis 1 : tensor<4x2x16xf32>, tensor<8x64xf32> -> tensor<8x8xf32>
  %d = structured.blockdiag %n2, %c axis 1 : tensor<4x16x2xf32>, tensor<8x8xf32> -> tensor<8x64xf32>
  return %b, %d : tensor<8x64xf32>, tensor<8x64xf32>
}
