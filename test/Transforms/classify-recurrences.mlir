// RUN: tess-opt %s --ssm-classify-recurrences | FileCheck %s

// First-order linear: a * prev + b with a and b free of prev, in any
// arrangement (sums, differences, negations, products and divisions by free
// values), real, integer or complex.
// CHECK-LABEL: func.func @linear(
// CHECK:         ssm.scan {{.*}} kind <linear>
// CHECK:         ssm.scan {{.*}} kind <linear>
// CHECK:         ssm.scan {{.*}} kind <linear>
// CHECK:         ssm.scan {{.*}} kind <linear>
func.func @linear(%x: tensor<8xf32>, %i: tensor<8xi32>, %z: tensor<8xcomplex<f32>>, %n: index)
    -> (tensor<8xf32>, tensor<8xf32>, tensor<8xi32>, tensor<8xcomplex<f32>>) {
  // Mamba's exp(dt * A) * h + dt * B * u.
  %a = ssm.scan ins(%x : tensor<8xf32>) bounds(%n) maps [affine_map<(t) -> (t)>] scan_dim 0 -> tensor<8xf32> {
  ^bb0(%v: f32, %p: f32):
    %e = math.exp %v : f32
    %m = arith.mulf %e, %p : f32
    %b = arith.mulf %v, %v : f32
    %s = arith.addf %b, %m : f32
    ssm.yield %s : f32
  }
  // (x - p) / 2: -0.5 p + 0.5 x.
  %b = ssm.scan ins(%x : tensor<8xf32>) bounds(%n) maps [affine_map<(t) -> (t)>] scan_dim 0 -> tensor<8xf32> {
  ^bb0(%v: f32, %p: f32):
    %two = arith.constant 2.0 : f32
    %d = arith.subf %v, %p : f32
    %q = arith.divf %d, %two : f32
    %r = arith.negf %q : f32
    ssm.yield %r : f32
  }
  %c = ssm.scan ins(%i : tensor<8xi32>) bounds(%n) maps [affine_map<(t) -> (t)>] scan_dim 0 -> tensor<8xi32> {
  ^bb0(%v: i32, %p: i32):
    %s = arith.addi %p, %v : i32
    ssm.yield %s : i32
  }
  %d = ssm.scan ins(%z : tensor<8xcomplex<f32>>) bounds(%n) maps [affine_map<(t) -> (t)>] scan_dim 0 -> tensor<8xcomplex<f32>> {
  ^bb0(%v: complex<f32>, %p: complex<f32>):
    %m = complex.mul %v, %p : complex<f32>
    %s = complex.add %m, %v : complex<f32>
    ssm.yield %s : complex<f32>
  }
  return %a, %b, %c, %d : tensor<8xf32>, tensor<8xf32>, tensor<8xi32>, tensor<8xcomplex<f32>>
}

// General: a nonlinear function of prev, a product of prev with itself, a
// coefficient that depends on prev.
// CHECK-LABEL: func.func @general(
// CHECK:         ssm.scan {{.*}} kind <general>
// CHECK:         ssm.scan {{.*}} kind <general>
// CHECK:         ssm.scan {{.*}} kind <general>
func.func @general(%x: tensor<8xf32>, %n: index) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %a = ssm.scan ins(%x : tensor<8xf32>) bounds(%n) maps [affine_map<(t) -> (t)>] scan_dim 0 -> tensor<8xf32> {
  ^bb0(%v: f32, %p: f32):
    %s = arith.addf %v, %p : f32
    %t = math.tanh %s : f32
    ssm.yield %t : f32
  }
  %b = ssm.scan ins(%x : tensor<8xf32>) bounds(%n) maps [affine_map<(t) -> (t)>] scan_dim 0 -> tensor<8xf32> {
  ^bb0(%v: f32, %p: f32):
    %m = arith.mulf %p, %p : f32
    %s = arith.addf %m, %v : f32
    ssm.yield %s : f32
  }
  %c = ssm.scan ins(%x : tensor<8xf32>) bounds(%n) maps [affine_map<(t) -> (t)>] scan_dim 0 -> tensor<8xf32> {
  ^bb0(%v: f32, %p: f32):
    %d = arith.divf %v, %p : f32
    ssm.yield %d : f32
  }
  return %a, %b, %c : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}
