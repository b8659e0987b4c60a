// RUN: tess-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(tess-reassociate-reductions))' | FileCheck %s

// The addition that accumulates a row sum gets `reassoc`; the term (an
// exp of a difference) keeps plain IEEE arithmetic.

// CHECK-LABEL: func.func @sum_exp(
// CHECK:         arith.subf %{{.*}}, %{{.*}} : f32
// CHECK-NEXT:    math.exp %{{.*}} : f32
// CHECK-NEXT:    arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
func.func @sum_exp(%x: tensor<?x?xf32>, %m: tensor<?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x, %m : tensor<?x?xf32>, tensor<?xf32>) outs(%y : tensor<?xf32>) {
  ^bb0(%v: f32, %mv: f32, %acc: f32):
    %d = arith.subf %v, %mv : f32
    %e = math.exp %d : f32
    %s = arith.addf %e, %acc : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// linalg.reduce with a product: the product is marked; max needs no flag.

// CHECK-LABEL: func.func @prod_max(
// CHECK:         arith.mulf %{{.*}}, %{{.*}} fastmath<reassoc> : f64
// CHECK:         arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK-NOT:     fastmath
func.func @prod_max(%x: tensor<?x?xf64>, %y: tensor<?xf64>, %a: tensor<?x?xf32>, %b: tensor<?xf32>) -> (tensor<?xf64>, tensor<?xf32>) {
  %p = linalg.reduce ins(%x : tensor<?x?xf64>) outs(%y : tensor<?xf64>) dimensions = [1]
    (%in: f64, %acc: f64) {
      %r = arith.mulf %in, %acc : f64
      linalg.yield %r : f64
    }
  %m = linalg.reduce ins(%a : tensor<?x?xf32>) outs(%b : tensor<?xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %r = arith.maximumf %in, %acc : f32
      linalg.yield %r : f32
    }
  return %p, %m : tensor<?xf64>, tensor<?xf32>
}

// -----

// An elementwise op (no reduction loop) is left alone, even when its body
// adds the output's old value.

// CHECK-LABEL: func.func @elementwise(
// CHECK:         arith.addf %{{.*}}, %{{.*}} : f32
// CHECK-NOT:     fastmath
func.func @elementwise(%x: tensor<?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                       iterator_types = ["parallel"]}
      ins(%x : tensor<?xf32>) outs(%y : tensor<?xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %v, %acc : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// A complex sum: the complex addition is marked (lowered, its two real
// additions keep the flag); the complex product of a complex reduction
// by multiplication is not.

// CHECK-LABEL: func.func @complex_sum_prod(
// CHECK:         complex.mul %{{.*}}, %{{.*}} : complex<f32>
// CHECK-NEXT:    complex.add %{{.*}}, %{{.*}} fastmath<reassoc> : complex<f32>
// CHECK:         complex.mul %{{.*}}, %{{.*}} : complex<f64>
// CHECK-NOT:     fastmath
func.func @complex_sum_prod(%x: tensor<?x?xcomplex<f32>>, %y: tensor<?xcomplex<f32>>,
                            %z: tensor<?x?xcomplex<f64>>, %w: tensor<?xcomplex<f64>>)
    -> (tensor<?xcomplex<f32>>, tensor<?xcomplex<f64>>) {
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?x?xcomplex<f32>>) outs(%y : tensor<?xcomplex<f32>>) {
  ^bb0(%v: complex<f32>, %acc: complex<f32>):
    %c = complex.conj %v : complex<f32>
    %p = complex.mul %c, %v : complex<f32>
    %s = complex.add %p, %acc : complex<f32>
    linalg.yield %s : complex<f32>
  } -> tensor<?xcomplex<f32>>
  %q = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%z : tensor<?x?xcomplex<f64>>) outs(%w : tensor<?xcomplex<f64>>) {
  ^bb0(%v: complex<f64>, %acc: complex<f64>):
    %p = complex.mul %v, %acc : complex<f64>
    linalg.yield %p : complex<f64>
  } -> tensor<?xcomplex<f64>>
  return %r, %q : tensor<?xcomplex<f32>>, tensor<?xcomplex<f64>>
}
