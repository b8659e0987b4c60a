// RUN: tess-opt %s --tess-write-loop-steps-in-place --split-input-file | FileCheck %s

// A step that fills an empty tensor and is inserted into the loop-carried
// result writes into the slice of the result instead.
// CHECK-LABEL: func.func @steps(
// CHECK:         scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %{{.+}}) -> (tensor<?x8xf32>) {
// CHECK-NOT:       tensor.empty
// CHECK:           %[[DEST:.+]] = tensor.extract_slice %[[ACC]][%[[I]], 0] [1, 8] [1, 1] : tensor<?x8xf32> to tensor<8xf32>
// CHECK:           %[[S:.+]] = linalg.generic {{.+}} outs(%[[DEST]] : tensor<8xf32>)
// CHECK:           tensor.insert_slice %[[S]] into %[[ACC]][%[[I]], 0] [1, 8] [1, 1]
#id = affine_map<(d0) -> (d0)>
func.func @steps(%t: tensor<?x8xf32>, %x: tensor<8xf32>, %n: index) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %t) -> (tensor<?x8xf32>) {
    %e = tensor.empty() : tensor<8xf32>
    %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
        ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) {
    ^bb0(%v: f32, %o: f32):
      %d = arith.addf %v, %v : f32
      linalg.yield %d : f32
    } -> tensor<8xf32>
    %u = tensor.insert_slice %s into %acc[%i, 0] [1, 8] [1, 1] : tensor<8xf32> into tensor<?x8xf32>
    scf.yield %u : tensor<?x8xf32>
  }
  return %r : tensor<?x8xf32>
}

// -----

// Left alone: an empty tensor with another use (it could become shared),
// and an insertion into a tensor that the loop does not carry.
// CHECK-LABEL: func.func @kept(
// CHECK-COUNT-2: tensor.empty
// CHECK-NOT:     tensor.extract_slice
#id2 = affine_map<(d0) -> (d0)>
func.func @kept(%t: tensor<?x8xf32>, %x: tensor<8xf32>, %n: index) -> (tensor<?x8xf32>, tensor<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r:2 = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %t, %other = %x) -> (tensor<?x8xf32>, tensor<8xf32>) {
    %e = tensor.empty() : tensor<8xf32>
    %s = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel"]}
        ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) {
    ^bb0(%v: f32, %o: f32):
      linalg.yield %v : f32
    } -> tensor<8xf32>
    %u = tensor.insert_slice %s into %acc[%i, 0] [1, 8] [1, 1] : tensor<8xf32> into tensor<?x8xf32>
    %e2 = tensor.empty() : tensor<8xf32>
    %s2 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel"]}
        ins(%x : tensor<8xf32>) outs(%e2 : tensor<8xf32>) {
    ^bb0(%v: f32, %o: f32):
      linalg.yield %v : f32
    } -> tensor<8xf32>
    %w = tensor.insert_slice %s2 into %t[%i, 0] [1, 8] [1, 1] : tensor<8xf32> into tensor<?x8xf32>
    scf.yield %u, %e : tensor<?x8xf32>, tensor<8xf32>
  }
  return %r#0, %r#1 : tensor<?x8xf32>, tensor<8xf32>
}
