// tess-plan-contractions on IR the front end does not produce: bounds that
// are no size symbol, symbols in subscripts, operands of other types, bodies
// without inputs. Nothing crashes; what is rewritten stays valid IR.
// RUN: tess-opt %s --tess-plan-contractions --split-input-file | FileCheck %s
// RUN: tess-opt %s --tess-plan-contractions="explain" --split-input-file --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK

// Bounds computed by arithmetic take the default extent; a subscript with a
// symbol is kept, with the symbols, in the step that reads it.
// REMARK: remark: contraction of 3 inputs planned in 2 steps
// REMARK-NEXT: loops: d0 = 64, d1 = 64, d2 = 64
// REMARK: in0[s0 - d0 - 1,d1]
// CHECK-LABEL: func.func @symbols(
// CHECK: tess.contract sum ins(%{{.+}}, %{{.+}} : tensor<?x?xf32>, tensor<?xf32>) bounds(%{{.+}}, %{{.+}}) symbols(%[[N:.+]]) maps
// CHECK: tess.contract sum ins(%{{.+}}, %{{.+}} : tensor<?x?xf32>, tensor<?xf32>) bounds(%{{.+}}, %{{.+}}) symbols(%[[N]]) maps
func.func @symbols(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>, %c: tensor<?xf32>,
                   %n: index) -> tensor<?xf32> {
  %c1 = arith.constant 1 : index
  %m = arith.addi %n, %c1 : index
  %0 = tess.contract sum ins(%a, %b, %c : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>)
         bounds(%n, %m, %m) symbols(%n)
         maps [affine_map<(i, j, k)[s] -> (s - 1 - i, j)>,
               affine_map<(i, j, k)[s] -> (j, k)>,
               affine_map<(i, j, k)[s] -> (k)>,
               affine_map<(i, j, k)[s] -> (i)>] -> tensor<?xf32> {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %q = arith.mulf %p, %z : f32
    tess.yield %q : f32
  }
  return %0 : tensor<?xf32>
}

// -----

// An operand converted by something other than tess.cast is not a factor.
// REMARK: remark: contraction kept as one loop nest: its body is not a product of its inputs
// CHECK-LABEL: func.func @extf(
// CHECK: tess.contract sum ins(%{{.+}}, %{{.+}}, %{{.+}} :
func.func @extf(%a: tensor<4x5xf16>, %b: tensor<5x6xf32>, %c: tensor<6xf32>) -> tensor<4xf32> {
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %c6 = arith.constant 6 : index
  %0 = tess.contract sum ins(%a, %b, %c : tensor<4x5xf16>, tensor<5x6xf32>, tensor<6xf32>)
         bounds(%c4, %c5, %c6)
         maps [affine_map<(i, j, k) -> (i, j)>, affine_map<(i, j, k) -> (j, k)>,
               affine_map<(i, j, k) -> (k)>, affine_map<(i, j, k) -> (i)>] -> tensor<4xf32> {
  ^bb0(%x: f16, %y: f32, %z: f32):
    %e = arith.extf %x : f16 to f32
    %p = arith.mulf %e, %y : f32
    %q = arith.mulf %p, %z : f32
    tess.yield %q : f32
  }
  return %0 : tensor<4xf32>
}

// -----

// A body that reads no input and booleans stay; a complex product of two
// inputs is already a single step.
// REMARK: remark: contraction kept as one loop nest: its body reads no input
// REMARK: remark: contraction kept as one loop nest: its element type is not f32, f64, c64, c128 or an integer
// REMARK: remark: contraction of 2 inputs kept as one loop nest: it is already a single product of at most two inputs
// CHECK-LABEL: func.func @odd(
func.func @odd(%a: tensor<3x3xi1>, %b: tensor<3x3xi1>, %c: tensor<3xi1>, %s: f32,
               %z: tensor<3x3xcomplex<f32>>) -> (tensor<f32>, tensor<3xi1>, tensor<complex<f32>>) {
  %c3 = arith.constant 3 : index
  %0 = tess.contract sum bounds(%c3) maps [affine_map<(i) -> ()>] -> tensor<f32> {
    tess.yield %s : f32
  }
  %1 = tess.contract sum ins(%a, %b, %c : tensor<3x3xi1>, tensor<3x3xi1>, tensor<3xi1>)
         bounds(%c3, %c3, %c3)
         maps [affine_map<(i, j, k) -> (i, j)>, affine_map<(i, j, k) -> (j, k)>,
               affine_map<(i, j, k) -> (k)>, affine_map<(i, j, k) -> (i)>] -> tensor<3xi1> {
  ^bb0(%x: i1, %y: i1, %w: i1):
    %p = arith.muli %x, %y : i1
    %q = arith.muli %p, %w : i1
    tess.yield %q : i1
  }
  %2 = tess.contract sum ins(%z, %z : tensor<3x3xcomplex<f32>>, tensor<3x3xcomplex<f32>>)
         bounds(%c3, %c3)
         maps [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j, i)>,
               affine_map<(i, j) -> ()>] -> tensor<complex<f32>> {
  ^bb0(%x: complex<f32>, %y: complex<f32>):
    %p = complex.mul %x, %y : complex<f32>
    tess.yield %p : complex<f32>
  }
  return %0, %1, %2 : tensor<f32>, tensor<3xi1>, tensor<complex<f32>>
}

// -----

// The same input twice and an unused input: x * x is one more operand, and
// no plan beats the loop nest (x * x costs what it saves). A summed loop
// that no input reads (it would multiply the sum by its extent) is left
// alone.
// REMARK: remark: contraction of 3 inputs kept as one loop nest: no plan is estimated cheaper than one loop nest
// REMARK-NEXT: loops: d0 = 8, d1 = 8
// REMARK-NEXT: total: 184 flops, 2.18e+03 bytes; as one loop nest: 184 flops, 1.15e+03 bytes
// REMARK: remark: contraction kept as one loop nest: a summed dimension is read by no input
// CHECK-LABEL: func.func @repeats(
// CHECK: tess.contract sum ins(%arg0, %arg2, %arg1 :
func.func @repeats(%a: tensor<8x8xf64>, %b: tensor<8xf64>, %unused: tensor<2xf64>) -> (tensor<8xf64>, tensor<8xf64>) {
  %c8 = arith.constant 8 : index
  %0 = tess.contract sum ins(%a, %unused, %b : tensor<8x8xf64>, tensor<2xf64>, tensor<8xf64>)
         bounds(%c8, %c8)
         maps [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (0)>,
               affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i)>] -> tensor<8xf64> {
  ^bb0(%x: f64, %u: f64, %y: f64):
    %p = arith.mulf %x, %x : f64
    %q = arith.mulf %p, %y : f64
    tess.yield %q : f64
  }
  %1 = tess.contract sum ins(%b, %b : tensor<8xf64>, tensor<8xf64>)
         bounds(%c8, %c8, %c8)
         maps [affine_map<(i, j, k) -> (i)>, affine_map<(i, j, k) -> (j)>,
               affine_map<(i, j, k) -> (i)>] -> tensor<8xf64> {
  ^bb0(%x: f64, %y: f64):
    %p = arith.mulf %x, %y : f64
    tess.yield %p : f64
  }
  return %0, %1 : tensor<8xf64>, tensor<8xf64>
}
