// RUN: tess-opt %s --convert-structured-to-tess --split-input-file | FileCheck %s

// blockdiag: the input's axis split into [blocks, block columns], one block
// product (reduction over the block's columns), the [blocks, rows] merged.
// CHECK-LABEL: func.func @blockdiag(
// CHECK-SAME:      %[[W:[^:]+]]: tensor<4x3x5xf32>, %[[X:[^:]+]]: tensor<7x20xf32>
// CHECK:         %[[XV:.+]] = tensor.expand_shape %[[X]] {{\[\[}}0], [1, 2]] output_shape [7, 4, 5] : tensor<7x20xf32> into tensor<7x4x5xf32>
// CHECK:         %[[Y:.+]] = tess.contract sum ins(%[[W]], %[[XV]] : tensor<4x3x5xf32>, tensor<7x4x5xf32>)
// CHECK-SAME:      -> tensor<7x4x3xf32>
// CHECK:           arith.mulf
// CHECK:         tensor.collapse_shape %[[Y]] {{\[\[}}0], [1, 2]] : tensor<7x4x3xf32> into tensor<7x12xf32>
func.func @blockdiag(%w: tensor<4x3x5xf32>, %x: tensor<7x20xf32>) -> tensor<7x12xf32> {
  %y = structured.blockdiag %w, %x axis 1 : tensor<4x3x5xf32>, tensor<7x20xf32> -> tensor<7x12xf32>
  return %y : tensor<7x12xf32>
}

// -----

// monarch: two block products; the middle terms read as [R, L] and the
// second product's [L, S] result transposed into S * L terms.
// CHECK-LABEL: func.func @monarch(
// CHECK-SAME:      %[[W1:[^:]+]]: tensor<4x6x8xcomplex<f32>>, %[[W2:[^:]+]]: tensor<3x5x8xcomplex<f32>>, %[[X:[^:]+]]: tensor<32x2xcomplex<f32>>
// CHECK:         tensor.expand_shape %[[X]] {{\[\[}}0, 1], [2]] output_shape [4, 8, 2]
// CHECK:         %[[T:.+]] = tess.contract sum ins(%[[W1]], %{{.+}} : tensor<4x6x8xcomplex<f32>>, tensor<4x8x2xcomplex<f32>>)
// CHECK:           complex.mul
// CHECK:         %[[TF:.+]] = tensor.collapse_shape %[[T]] {{\[\[}}0, 1], [2]] : tensor<4x6x2xcomplex<f32>> into tensor<24x2xcomplex<f32>>
// CHECK:         %[[TV:.+]] = tensor.expand_shape %[[TF]] {{\[\[}}0, 1], [2]] output_shape [8, 3, 2]
// CHECK:         %[[U:.+]] = tess.contract sum ins(%[[W2]], %[[TV]] : tensor<3x5x8xcomplex<f32>>, tensor<8x3x2xcomplex<f32>>)
// CHECK-SAME:      -> tensor<3x5x2xcomplex<f32>>
// CHECK:         %[[S:.+]] = tess.contract sum ins(%[[U]] : tensor<3x5x2xcomplex<f32>>)
// CHECK-SAME:      -> tensor<5x3x2xcomplex<f32>>
// CHECK:         tensor.collapse_shape %[[S]] {{\[\[}}0, 1], [2]] : tensor<5x3x2xcomplex<f32>> into tensor<15x2xcomplex<f32>>
func.func @monarch(%w1: tensor<4x6x8xcomplex<f32>>, %w2: tensor<3x5x8xcomplex<f32>>, %x: tensor<32x2xcomplex<f32>>) -> tensor<15x2xcomplex<f32>> {
  %y = structured.monarch %w1, %w2, %x axis 0 : tensor<4x6x8xcomplex<f32>>, tensor<3x5x8xcomplex<f32>>, tensor<32x2xcomplex<f32>> -> tensor<15x2xcomplex<f32>>
  return %y : tensor<15x2xcomplex<f32>>
}

// -----

// A dynamic axis with static weights is cast to the static length first.
// CHECK-LABEL: func.func @dynamic_axis(
// CHECK:         %[[C:.+]] = tensor.cast %{{.+}} : tensor<2x?xf32> to tensor<2x12xf32>
// CHECK:         tensor.expand_shape %[[C]]
func.func @dynamic_axis(%w: tensor<3x2x4xf32>, %x: tensor<2x?xf32>) -> tensor<2x6xf32> {
  %y = structured.blockdiag %w, %x axis 1 : tensor<3x2x4xf32>, tensor<2x?xf32> -> tensor<2x6xf32>
  return %y : tensor<2x6xf32>
}
