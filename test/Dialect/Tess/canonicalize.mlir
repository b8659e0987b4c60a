// RUN: tess-opt %s --canonicalize --split-input-file | FileCheck %s

// Identity maps, no reduction -> tess.map.
// CHECK-LABEL: func.func @contract_to_map
// CHECK-SAME: (%[[A:.*]]: tensor<?x4xf32>, %[[B:.*]]: tensor<?x4xf32>
// CHECK-NOT: tess.contract
// CHECK: %[[R:.*]] = tess.map ins(%[[A]], %[[B]] : tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32> {
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32):
// CHECK-NEXT:   %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK-NEXT:   tess.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @contract_to_map(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>, %n: index) -> tensor<?x4xf32> {
  %c4 = arith.constant 4 : index
  %r = tess.contract sum ins(%a, %b : tensor<?x4xf32>, tensor<?x4xf32>) bounds(%n, %c4)
         maps [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>]
         -> tensor<?x4xf32> {
  ^bb0(%x: f32, %y: f32):
    %s = arith.addf %x, %y : f32
    tess.yield %s : f32
  }
  return %r : tensor<?x4xf32>
}

// -----

// The body reads the loop index: stays a contraction.
// CHECK-LABEL: func.func @index_blocks_map
// CHECK: tess.contract
// CHECK: tess.index 0
func.func @index_blocks_map(%a: tensor<?xf32>, %n: index) -> tensor<?xf32> {
  %r = tess.contract sum ins(%a : tensor<?xf32>) bounds(%n)
         maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    %i = tess.index 0 : index
    %f = tess.cast %i : index to f32
    %s = arith.addf %x, %f : f32
    tess.yield %s : f32
  }
  return %r : tensor<?xf32>
}

// -----

// Shapes differ (static result, dynamic input): not a map.
// CHECK-LABEL: func.func @shape_blocks_map
// CHECK: tess.contract
func.func @shape_blocks_map(%a: tensor<?xf32>) -> tensor<4xf32> {
  %c4 = arith.constant 4 : index
  %r = tess.contract sum ins(%a : tensor<?xf32>) bounds(%c4)
         maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>] -> tensor<4xf32> {
  ^bb0(%x: f32):
    %s = arith.addf %x, %x : f32
    tess.yield %s : f32
  }
  return %r : tensor<4xf32>
}

// -----

// A pure copy folds to its input.
// CHECK-LABEL: func.func @copy
// CHECK-SAME: (%[[A:.*]]: tensor<?x?xf32>
// CHECK-NEXT: return %[[A]]
func.func @copy(%a: tensor<?x?xf32>, %m: index, %n: index) -> tensor<?x?xf32> {
  %r = tess.contract sum ins(%a : tensor<?x?xf32>) bounds(%m, %n)
         maps [affine_map<(i, j) -> (j, i)>, affine_map<(i, j) -> (j, i)>] -> tensor<?x?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return %r : tensor<?x?xf32>
}

// -----

// A copy to a more static type becomes tensor.cast.
// CHECK-LABEL: func.func @copy_cast
// CHECK-SAME: (%[[A:.*]]: tensor<?xf32>
// CHECK-NEXT: %[[C:.*]] = tensor.cast %[[A]] : tensor<?xf32> to tensor<4xf32>
// CHECK-NEXT: return %[[C]]
func.func @copy_cast(%a: tensor<?xf32>) -> tensor<4xf32> {
  %c4 = arith.constant 4 : index
  %r = tess.contract sum ins(%a : tensor<?xf32>) bounds(%c4)
         maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>] -> tensor<4xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return %r : tensor<4xf32>
}

// -----

// A transpose is not a copy.
// CHECK-LABEL: func.func @transpose
// CHECK: tess.contract
func.func @transpose(%a: tensor<?x?xf32>, %m: index, %n: index) -> tensor<?x?xf32> {
  %r = tess.contract sum ins(%a : tensor<?x?xf32>) bounds(%m, %n)
         maps [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j, i)>] -> tensor<?x?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return %r : tensor<?x?xf32>
}

// -----

// Row maximum -> tess.reduce over the input dimension of the reduced loop.
// CHECK-LABEL: func.func @to_reduce
// CHECK-SAME: (%[[A:.*]]: tensor<?x?x?xf32>
// CHECK-NEXT: %[[R:.*]] = tess.reduce max %[[A]] dims [0, 2] : tensor<?x?x?xf32> -> tensor<?xf32>
// CHECK-NEXT: return %[[R]]
func.func @to_reduce(%a: tensor<?x?x?xf32>, %i: index, %j: index, %k: index) -> tensor<?xf32> {
  %r = tess.contract max ins(%a : tensor<?x?x?xf32>) bounds(%i, %j, %k)
         maps [affine_map<(i, j, k) -> (j, i, k)>, affine_map<(i, j, k) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return %r : tensor<?xf32>
}

// -----

// Kept dimensions would be transposed: not a tess.reduce.
// CHECK-LABEL: func.func @reduce_permuted
// CHECK: tess.contract
func.func @reduce_permuted(%a: tensor<?x?x?xf32>, %i: index, %j: index, %k: index) -> tensor<?x?xf32> {
  %r = tess.contract sum ins(%a : tensor<?x?x?xf32>) bounds(%i, %j, %k)
         maps [affine_map<(i, j, k) -> (i, j, k)>, affine_map<(i, j, k) -> (j, i)>] -> tensor<?x?xf32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return %r : tensor<?x?xf32>
}

// -----

// A trace reads a diagonal (not a permutation): stays a contraction.
// CHECK-LABEL: func.func @trace
// CHECK: tess.contract
func.func @trace(%a: tensor<?x?xf32>, %n: index) -> tensor<f32> {
  %r = tess.contract sum ins(%a : tensor<?x?xf32>) bounds(%n)
         maps [affine_map<(i) -> (i, i)>, affine_map<(i) -> ()>] -> tensor<f32> {
  ^bb0(%x: f32):
    tess.yield %x : f32
  }
  return %r : tensor<f32>
}

// -----

// Unused inputs are dropped; what remains is a map.
// CHECK-LABEL: func.func @drop_unused
// CHECK-SAME: (%[[A:.*]]: tensor<?xf32>, %[[B:.*]]: tensor<?xf32>
// CHECK: tess.map ins(%[[B]] : tensor<?xf32>)
// CHECK-NEXT: ^bb0(%[[Y:.*]]: f32):
// CHECK-NEXT: arith.negf %[[Y]]
func.func @drop_unused(%a: tensor<?xf32>, %b: tensor<?xf32>, %n: index) -> tensor<?xf32> {
  %r = tess.contract sum ins(%a, %b : tensor<?xf32>, tensor<?xf32>) bounds(%n)
         maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32, %y: f32):
    %v = arith.negf %y : f32
    tess.yield %v : f32
  }
  return %r : tensor<?xf32>
}

// -----

// A contraction whose inputs are all unused keeps its bounds and no inputs.
// CHECK-LABEL: func.func @drop_all_unused
// CHECK: tess.contract sum bounds(%{{.*}}) maps [#{{.*}}] -> tensor<?xf32> {
// CHECK-NEXT: tess.yield
func.func @drop_all_unused(%a: tensor<?xf32>, %n: index, %v: f32) -> tensor<?xf32> {
  %r = tess.contract sum ins(%a : tensor<?xf32>) bounds(%n)
         maps [affine_map<(i) -> (i - 1)>, affine_map<(i) -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32):
    tess.yield %v : f32
  }
  return %r : tensor<?xf32>
}

// -----

// A subscript with a size symbol is compound (it may read out of bounds):
// neither a reversal y[i] = x[N - 1 - i] nor its sum is a copy or a
// tess.reduce.
// CHECK-LABEL: func.func @symbol_subscripts_stay
// CHECK-SAME: (%[[X:.*]]: tensor<?xf32>, %[[N:.*]]: index)
// CHECK-NOT: tess.reduce
// CHECK: tess.contract sum ins(%[[X]] : tensor<?xf32>) bounds(%[[N]]) symbols(%[[N]])
// CHECK: tess.contract sum ins(%[[X]] : tensor<?xf32>) bounds(%[[N]]) symbols(%[[N]])
// CHECK-NOT: tess.reduce
func.func @symbol_subscripts_stay(%x: tensor<?xf32>, %N: index) -> (tensor<?xf32>, tensor<f32>) {
  %r = tess.contract sum ins(%x : tensor<?xf32>) bounds(%N) symbols(%N)
         maps [affine_map<(i)[n] -> (n - 1 - i)>, affine_map<(i)[n] -> (i)>] -> tensor<?xf32> {
  ^bb0(%v: f32):
    tess.yield %v : f32
  }
  %s = tess.contract sum ins(%x : tensor<?xf32>) bounds(%N) symbols(%N)
         maps [affine_map<(i)[n] -> (i + n - 3)>, affine_map<(i)[n] -> ()>] -> tensor<f32> {
  ^bb0(%v: f32):
    tess.yield %v : f32
  }
  return %r, %s : tensor<?xf32>, tensor<f32>
}

// -----

// Symbols that no map uses are dropped; what remains is a tess.reduce.
// CHECK-LABEL: func.func @drop_unused_symbols
// CHECK-SAME: (%[[X:.*]]: tensor<?xf32>
// CHECK-NEXT: %[[R:.*]] = tess.reduce sum %[[X]] dims [0] : tensor<?xf32> -> tensor<f32>
// CHECK-NEXT: return %[[R]]
func.func @drop_unused_symbols(%x: tensor<?xf32>, %N: index, %K: index) -> tensor<f32> {
  %r = tess.contract sum ins(%x : tensor<?xf32>) bounds(%N) symbols(%N, %K)
         maps [affine_map<(i)[n, k] -> (i)>, affine_map<(i)[n, k] -> ()>] -> tensor<f32> {
  ^bb0(%v: f32):
    tess.yield %v : f32
  }
  return %r : tensor<f32>
}

// -----

// Only the used symbol stays, renumbered in every map; an unused input is
// dropped without losing the symbols.
// CHECK-DAG: #[[$SHIFT:.*]] = affine_map<(d0)[s0] -> (d0 + s0)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0)[s0] -> (d0)>
// CHECK-LABEL: func.func @compress_symbols
// CHECK-SAME: (%[[A:.*]]: tensor<?xf32>, %[[X:.*]]: tensor<?xf32>, %[[N:.*]]: index, %[[K:.*]]: index)
// CHECK-NEXT: %[[R:.*]] = tess.contract sum ins(%[[X]] : tensor<?xf32>) bounds(%[[N]]) symbols(%[[K]]) maps [#[[$SHIFT]], #[[$OUT]]] -> tensor<?xf32> {
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32):
// CHECK-NEXT: arith.negf %[[V]]
func.func @compress_symbols(%a: tensor<?xf32>, %x: tensor<?xf32>, %N: index, %K: index) -> tensor<?xf32> {
  %r = tess.contract sum ins(%a, %x : tensor<?xf32>, tensor<?xf32>) bounds(%N) symbols(%N, %K)
         maps [affine_map<(i)[n, k] -> (n - 1 - i)>, affine_map<(i)[n, k] -> (i + k)>,
               affine_map<(i)[n, k] -> (i)>] -> tensor<?xf32> {
  ^bb0(%u: f32, %v: f32):
    %w = arith.negf %v : f32
    tess.yield %w : f32
  }
  return %r : tensor<?xf32>
}

// -----

// tess.map: unused inputs dropped, pass-through folded.
// CHECK-LABEL: func.func @map_canon
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xi32>
// CHECK-NEXT: return %[[A]]
func.func @map_canon(%a: tensor<4xf32>, %b: tensor<4xi32>) -> tensor<4xf32> {
  %r = tess.map ins(%b, %a : tensor<4xi32>, tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: i32, %y: f32):
    tess.yield %y : f32
  }
  return %r : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_nothing
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>
// CHECK-NEXT: return %[[A]]
func.func @reduce_nothing(%a: tensor<4xf32>) -> tensor<4xf32> {
  %r = tess.reduce sum %a dims [] : tensor<4xf32> -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// Cast folding: identity casts vanish, constants fold.
// CHECK-LABEL: func.func @cast_fold
// CHECK-SAME: (%[[X:.*]]: f32)
// CHECK-DAG: %[[I:.*]] = tess.constant -2 : i32
// CHECK-DAG: %[[B:.*]] = tess.constant true
// CHECK-DAG: %[[F:.*]] = tess.constant 1.000000e+00 : f64
// CHECK-DAG: %[[C:.*]] = tess.constant [3.000000e+00 : f32, 0.000000e+00 : f32] : complex<f32>
// CHECK-DAG: %[[D:.*]] = tess.constant [1.500000e+00, -2.000000e+00] : complex<f64>
// CHECK-DAG: %[[W:.*]] = tess.constant 255 : i64
// CHECK-DAG: %[[N:.*]] = tess.constant -1 : index
// CHECK-DAG: %[[H:.*]] = tess.constant 1.000000e+00 : bf16
// CHECK: return %[[X]], %[[I]], %[[B]], %[[F]], %[[C]], %[[D]], %[[W]], %[[N]], %[[H]]
func.func @cast_fold(%x: f32) -> (f32, i32, i1, f64, complex<f32>, complex<f64>, i64, index, bf16) {
  %0 = tess.cast %x : f32 to f32
  %m = tess.constant -2.7 : f32
  %1 = tess.cast %m : f32 to i32
  %h = tess.constant 0.5 : f16
  %2 = tess.cast %h : f16 to i1
  %t = tess.constant true
  %3 = tess.cast %t : i1 to f64
  %k = tess.constant 3 : i64
  %4 = tess.cast %k : i64 to complex<f32>
  %z = tess.constant [1.5 : f32, -2.0 : f32] : complex<f32>
  %5 = tess.cast %z : complex<f32> to complex<f64>
  %w = tess.constant 255 : i32
  %6 = tess.cast %w : i32 to i64
  %n = tess.constant -1 : i64
  %7 = tess.cast %n : i64 to index
  %8 = tess.cast %t : i1 to bf16
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : f32, i32, i1, f64, complex<f32>, complex<f64>, i64, index, bf16
}

// -----

// A float out of the integer range does not fold.
// CHECK-LABEL: func.func @cast_no_fold
// CHECK: tess.cast %{{.*}} : f32 to i32
func.func @cast_no_fold() -> i32 {
  %big = tess.constant 1.0e20 : f32
  %0 = tess.cast %big : f32 to i32
  return %0 : i32
}

// -----

// Constants that are not plain integer/float attributes (ub.poison) do not
// fold.
// CHECK-LABEL: func.func @cast_poison
// CHECK-DAG: %[[P:.*]] = ub.poison : i32
// CHECK-DAG: %[[Q:.*]] = ub.poison : complex<f32>
// CHECK-DAG: %[[R:.*]] = ub.poison : f64
// CHECK: tess.cast %[[P]] : i32 to f32
// CHECK: tess.cast %[[Q]] : complex<f32> to complex<f64>
// CHECK: tess.cast %[[R]] : f64 to complex<f32>
func.func @cast_poison() -> (f32, complex<f64>, complex<f32>) {
  %p = ub.poison : i32
  %0 = tess.cast %p : i32 to f32
  %q = ub.poison : complex<f32>
  %1 = tess.cast %q : complex<f32> to complex<f64>
  %r = ub.poison : f64
  %2 = tess.cast %r : f64 to complex<f32>
  return %0, %1, %2 : f32, complex<f64>, complex<f32>
}

// -----

// A graph region lets an op use its own result; folding such an op to its
// operand would replace it by itself forever. The dead cycles go away.
// CHECK-LABEL: module
// CHECK-NOT: tess.
module {
  %x = tess.cast %x : f32 to f32
  %m = tess.map ins(%m : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: f32):
    tess.yield %a : f32
  }
  %r = tess.reduce sum %r dims [] : tensor<4xf32> -> tensor<4xf32>
  %n = arith.constant 4 : index
  %c = tess.contract sum ins(%c : tensor<4xf32>) bounds(%n) maps [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>] -> tensor<4xf32> {
  ^bb0(%a: f32):
    tess.yield %a : f32
  }
}
