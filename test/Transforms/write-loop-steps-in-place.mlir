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

// -----

// A step that computes the new state from the carried one element by
// element, copied into the carried tensor: it writes into the carried
// tensor itself (one buffer, no copy per step).
// CHECK-LABEL: func.func @carried(
// CHECK:         scf.for %{{.+}} iter_args(%[[PREV:.+]] = %{{.+}}) -> (tensor<?xf32>)
// CHECK:           %[[NEW:.+]] = linalg.generic {{.+}} ins(%{{.+}}, %[[PREV]] : tensor<?xf32>, tensor<?xf32>) outs(%[[PREV]] : tensor<?xf32>)
// CHECK-NOT:       linalg.copy
// CHECK:           scf.yield %[[NEW]]
func.func @carried(%x: tensor<?xf32>, %h0: tensor<?xf32>, %n: index) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d = tensor.dim %x, %c0 : tensor<?xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%prev = %h0) -> (tensor<?xf32>) {
    %e = tensor.empty(%d) : tensor<?xf32>
    %s = linalg.generic {indexing_maps = [affine_map<(j) -> (j)>, affine_map<(j) -> (j)>, affine_map<(j) -> (j)>],
                         iterator_types = ["parallel"]}
        ins(%x, %prev : tensor<?xf32>, tensor<?xf32>) outs(%e : tensor<?xf32>) {
    ^bb0(%a: f32, %p: f32, %o: f32):
      %m = arith.addf %a, %p : f32
      linalg.yield %m : f32
    } -> tensor<?xf32>
    %c = linalg.copy ins(%s : tensor<?xf32>) outs(%prev : tensor<?xf32>) -> tensor<?xf32>
    scf.yield %c : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}

// -----

// A forall tile built by a loop in either branch of a peeled tile (one
// static-shaped, cast to the general type) and by a transposing copy: each
// starts from the shared output's slice instead of an empty tensor, so that
// bufferization writes the tile in place.
// CHECK-LABEL: func.func @tiles(
// CHECK:         scf.forall (%[[T:.+]]) in (4) shared_outs(%[[OUT:.+]] = %{{.+}})
// CHECK:           scf.if
// CHECK:             %[[FULL:.+]] = tensor.extract_slice %[[OUT]][%{{.+}}, 0] [8, %{{.+}}] [1, 1] : tensor<?x?xf32> to tensor<8x?xf32>
// CHECK:             scf.for {{.+}} iter_args(%{{.+}} = %[[FULL]])
// CHECK:           } else {
// CHECK:             %[[PART:.+]] = tensor.extract_slice %[[OUT]][%{{.+}}, 0] [%{{.+}}, %{{.+}}] [1, 1] : tensor<?x?xf32> to tensor<?x?xf32>
// CHECK:             scf.for {{.+}} iter_args(%{{.+}} = %[[PART]])
// CHECK:         scf.forall (%{{.+}}) in (4) shared_outs(%[[OUT2:.+]] = %{{.+}})
// CHECK:           %[[SLICE:.+]] = tensor.extract_slice %[[OUT2]]
// CHECK:           linalg.generic {{.+}} outs(%[[SLICE]] : tensor<8x?xf32>)
func.func @tiles(%init: tensor<?x?xf32>, %src: tensor<?x?xf32>, %n: index, %m: index) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %f = arith.constant 1.0 : f32
  %r = scf.forall (%t) in (4) shared_outs(%out = %init) -> (tensor<?x?xf32>) {
    %off = arith.muli %t, %c8 : index
    %rest = arith.subi %n, %off : index
    %size = arith.minsi %rest, %c8 : index
    %full = arith.cmpi eq, %size, %c8 : index
    %tile = scf.if %full -> (tensor<?x?xf32>) {
      %e = tensor.empty(%m) : tensor<8x?xf32>
      %l = scf.for %i = %c0 to %m step %c1 iter_args(%acc = %e) -> (tensor<8x?xf32>) {
        %u = tensor.insert %f into %acc[%c0, %i] : tensor<8x?xf32>
        scf.yield %u : tensor<8x?xf32>
      }
      %cast = tensor.cast %l : tensor<8x?xf32> to tensor<?x?xf32>
      scf.yield %cast : tensor<?x?xf32>
    } else {
      %e = tensor.empty(%size, %m) : tensor<?x?xf32>
      %l = scf.for %i = %c0 to %m step %c1 iter_args(%acc = %e) -> (tensor<?x?xf32>) {
        %u = tensor.insert %f into %acc[%c0, %i] : tensor<?x?xf32>
        scf.yield %u : tensor<?x?xf32>
      }
      scf.yield %l : tensor<?x?xf32>
    }
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %tile into %out[%off, 0] [%size, %m] [1, 1] : tensor<?x?xf32> into tensor<?x?xf32>
    }
  }
  %r2 = scf.forall (%t) in (4) shared_outs(%out = %init) -> (tensor<?x?xf32>) {
    %off = arith.muli %t, %c8 : index
    %s = tensor.extract_slice %src[0, %off] [%m, 8] [1, 1] : tensor<?x?xf32> to tensor<?x8xf32>
    %e = tensor.empty(%m) : tensor<8x?xf32>
    %tr = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j, i)>],
                          iterator_types = ["parallel", "parallel"]}
        ins(%s : tensor<?x8xf32>) outs(%e : tensor<8x?xf32>) {
    ^bb0(%a: f32, %o: f32):
      linalg.yield %a : f32
    } -> tensor<8x?xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %tr into %out[%off, 0] [8, %m] [1, 1] : tensor<8x?xf32> into tensor<?x?xf32>
    }
  }
  return %r, %r2 : tensor<?x?xf32>, tensor<?x?xf32>
}
