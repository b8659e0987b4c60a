// RUN: tess-opt %s --ssm-classify-recurrences | FileCheck %s

// First-order linear: a * prev + b with a and b free of prev, in any
// arrangement (sums, differences, negations, products and divisions by free
// values), real, integer or complex. With only the scan dimension, the
// coefficient is one number per step: scalar (complex_diagonal for complex
// elements).
// CHECK-LABEL: func.func @linear(
// CHECK:         ssm.scan {{.*}} kind <scalar>
// CHECK:         ssm.scan {{.*}} kind <scalar>
// CHECK:         ssm.scan {{.*}} kind <scalar>
// CHECK:         ssm.scan {{.*}} kind <complex_diagonal>
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

// A coefficient that reads only the scan dimension, shared by the channels
// (an exponential moving average with a per-step decay): scalar; one that
// reads a channel, or a channel's index: diagonal.
// CHECK-LABEL: func.func @channels(
// CHECK:         ssm.scan {{.*}} kind <scalar>
// CHECK:         ssm.scan {{.*}} kind <diagonal>
// CHECK:         ssm.scan {{.*}} kind <diagonal>
func.func @channels(%a: tensor<8xf32>, %b: tensor<8x4xf32>, %x: tensor<8x4xf32>, %t: index, %n: index)
    -> (tensor<8x4xf32>, tensor<8x4xf32>, tensor<8x4xf32>) {
  %ema = ssm.scan ins(%a, %x : tensor<8xf32>, tensor<8x4xf32>) bounds(%t, %n) maps [affine_map<(t, n) -> (t)>, affine_map<(t, n) -> (t, n)>] scan_dim 0 -> tensor<8x4xf32> {
  ^bb0(%av: f32, %xv: f32, %p: f32):
    %m = arith.mulf %av, %p : f32
    %s = arith.addf %m, %xv : f32
    ssm.yield %s : f32
  }
  %diag = ssm.scan ins(%b, %x : tensor<8x4xf32>, tensor<8x4xf32>) bounds(%t, %n) maps [affine_map<(t, n) -> (t, n)>, affine_map<(t, n) -> (t, n)>] scan_dim 0 -> tensor<8x4xf32> {
  ^bb0(%bv: f32, %xv: f32, %p: f32):
    %m = arith.mulf %bv, %p : f32
    %s = arith.addf %m, %xv : f32
    ssm.yield %s : f32
  }
  %index = ssm.scan ins(%x : tensor<8x4xf32>) bounds(%t, %n) maps [affine_map<(t, n) -> (t, n)>] scan_dim 0 -> tensor<8x4xf32> {
  ^bb0(%xv: f32, %p: f32):
    %i = ssm.index 1 : index
    %c = arith.index_cast %i : index to i64
    %f = arith.sitofp %c : i64 to f32
    %m = arith.mulf %f, %p : f32
    %s = arith.addf %m, %xv : f32
    ssm.yield %s : f32
  }
  return %ema, %diag, %index : tensor<8x4xf32>, tensor<8x4xf32>, tensor<8x4xf32>
}

// Slice recurrences (ssm.recurrence), as the front end emits them.
#map = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
#map1 = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
#map2 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#map3 = affine_map<(d0, d1, d2)[s0] -> (d0, d1, d2)>
#map4 = affine_map<(d0, d1, d2)[s0] -> (d0, d1 + s0, d2)>
#map5 = affine_map<(d0, d1, d2, d3)[s0] -> (d0 + s0, d1, d2, d3)>
#map6 = affine_map<(d0, d1, d2, d3)[s0] -> (d1, d3)>
#map7 = affine_map<(d0, d1, d2, d3)[s0] -> (d0, d1, d2)>
#map8 = affine_map<(d0, d1, d2)[s0] -> (d0 + s0, d1, d2)>
#map9 = affine_map<(d0, d1, d2) -> (d1, d2)>
#map10 = affine_map<(d0, d1, d2) -> (d2)>
#map11 = affine_map<(d0, d1, d2) -> (d0, d1)>
#map12 = affine_map<(d0, d1)[s0] -> (d0, d1)>
#map13 = affine_map<(d0, d1)[s0] -> (d0 + s0, d1)>
#map14 = affine_map<(d0, d1)[s0] -> (d1)>
#map15 = affine_map<(d0, d1)[s0] -> (d0)>

// A dense transition shared by the channel b (LSSL's form): dense.
// CHECK-LABEL: func.func @dense(
// CHECK:         ssm.recurrence {{.*}} kind <dense>
func.func @dense(%arg0: tensor<?x?xf32>, %arg1: tensor<?x?x?xf32>) -> (tensor<?x?x?xf32>) {
  %c2 = arith.constant 2 : index
  %cst = arith.constant 0.000000e+00 : f32
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %dim = tensor.dim %arg0, %c0 : tensor<?x?xf32>
  %dim_0 = tensor.dim %arg1, %c0 : tensor<?x?x?xf32>
  %dim_1 = tensor.dim %arg1, %c1 : tensor<?x?x?xf32>
  %0 = tess.splat %cst [%dim_0, %dim] : f32 -> tensor<?x?xf32>
  %1 = ssm.recurrence init(%0 : tensor<?x?xf32>) length(%dim_1) scan_dim 1 -> tensor<?x?x?xf32> {
  ^bb0(%arg2: index, %arg3: tensor<?x?xf32>):
    %2 = tess.contract sum ins(%arg0, %arg3 : tensor<?x?xf32>, tensor<?x?xf32>) bounds(%dim_0, %c1, %dim, %dim) maps [#map, #map1, #map2] -> tensor<?x1x?xf32> {
    ^bb0(%arg4: f32, %arg5: f32):
      %4 = arith.mulf %arg4, %arg5 : f32
      tess.yield %4 : f32
    }
    %3 = tess.contract sum ins(%2, %arg1 : tensor<?x1x?xf32>, tensor<?x?x?xf32>) bounds(%dim_0, %c1, %dim) symbols(%arg2) maps [#map3, #map4, #map3] -> tensor<?x1x?xf32> {
    ^bb0(%arg4: f32, %arg5: f32):
      %4 = arith.addf %arg4, %arg5 : f32
      tess.yield %4 : f32
    }
    %dim_2 = tensor.dim %3, %c0 : tensor<?x1x?xf32>
    %dim_3 = tensor.dim %3, %c2 : tensor<?x1x?xf32>
    %extracted_slice = tensor.extract_slice %3[0, 0, 0] [%dim_2, 1, %dim_3] [1, 1, 1] : tensor<?x1x?xf32> to tensor<?x?xf32>
    ssm.yield %extracted_slice : tensor<?x?xf32>
  }
  return %1 : tensor<?x?x?xf32>
}

// A transition that varies along the channel k (a block per channel, as in
// SLiCEs): block_diagonal.
// CHECK-LABEL: func.func @blocks(
// CHECK:         ssm.recurrence {{.*}} kind <block_diagonal>
func.func @blocks(%arg0: tensor<?x?x?x?xf32>, %arg1: tensor<?x?x?xf32>) -> (tensor<?x?x?xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %dim = tensor.dim %arg0, %c0 : tensor<?x?x?x?xf32>
  %dim_0 = tensor.dim %arg0, %c1 : tensor<?x?x?x?xf32>
  %dim_1 = tensor.dim %arg0, %c2 : tensor<?x?x?x?xf32>
  %0 = tess.splat %cst [%dim_0, %dim_1] : f32 -> tensor<?x?xf32>
  %1 = ssm.recurrence init(%0 : tensor<?x?xf32>) length(%dim) scan_dim 0 -> tensor<?x?x?xf32> {
  ^bb0(%arg2: index, %arg3: tensor<?x?xf32>):
    %2 = tess.contract sum ins(%arg0, %arg3 : tensor<?x?x?x?xf32>, tensor<?x?xf32>) bounds(%c1, %dim_0, %dim_1, %dim_1) symbols(%arg2) maps [#map5, #map6, #map7] -> tensor<1x?x?xf32> {
    ^bb0(%arg4: f32, %arg5: f32):
      %4 = arith.mulf %arg4, %arg5 : f32
      tess.yield %4 : f32
    }
    %3 = tess.contract sum ins(%2, %arg1 : tensor<1x?x?xf32>, tensor<?x?x?xf32>) bounds(%c1, %dim_0, %dim_1) symbols(%arg2) maps [#map3, #map8, #map3] -> tensor<1x?x?xf32> {
    ^bb0(%arg4: f32, %arg5: f32):
      %4 = arith.addf %arg4, %arg5 : f32
      tess.yield %4 : f32
    }
    %dim_2 = tensor.dim %3, %c1 : tensor<1x?x?xf32>
    %dim_3 = tensor.dim %3, %c2 : tensor<1x?x?xf32>
    %extracted_slice = tensor.extract_slice %3[0, 0, 0] [1, %dim_2, %dim_3] [1, 1, 1] : tensor<1x?x?xf32> to tensor<?x?xf32>
    ssm.yield %extracted_slice : tensor<?x?xf32>
  }
  return %1 : tensor<?x?x?xf32>
}

// tanh of the transition: general.
// CHECK-LABEL: func.func @nonlinear(
// CHECK:         ssm.recurrence {{.*}} kind <general>
func.func @nonlinear(%arg0: tensor<?x?xf32>, %arg1: tensor<?x?xf32>) -> (tensor<?x?xf32>) {
  %c1 = arith.constant 1 : index
  %cst = arith.constant 0.000000e+00 : f32
  %c0 = arith.constant 0 : index
  %dim = tensor.dim %arg0, %c0 : tensor<?x?xf32>
  %dim_0 = tensor.dim %arg1, %c0 : tensor<?x?xf32>
  %0 = tess.splat %cst [%dim] : f32 -> tensor<?xf32>
  %1 = ssm.recurrence init(%0 : tensor<?xf32>) length(%dim_0) scan_dim 0 -> tensor<?x?xf32> {
  ^bb0(%arg2: index, %arg3: tensor<?xf32>):
    %2 = tess.contract sum ins(%arg0, %arg3 : tensor<?x?xf32>, tensor<?xf32>) bounds(%c1, %dim, %dim) maps [#map9, #map10, #map11] -> tensor<1x?xf32> {
    ^bb0(%arg4: f32, %arg5: f32):
      %4 = arith.mulf %arg4, %arg5 : f32
      tess.yield %4 : f32
    }
    %3 = tess.contract sum ins(%2, %arg1 : tensor<1x?xf32>, tensor<?x?xf32>) bounds(%c1, %dim) symbols(%arg2) maps [#map12, #map13, #map12] -> tensor<1x?xf32> {
    ^bb0(%arg4: f32, %arg5: f32):
      %4 = arith.addf %arg4, %arg5 : f32
      %5 = math.tanh %4 : f32
      tess.yield %5 : f32
    }
    %dim_1 = tensor.dim %3, %c1 : tensor<1x?xf32>
    %extracted_slice = tensor.extract_slice %3[0, 0] [1, %dim_1] [1, 1] : tensor<1x?xf32> to tensor<?xf32>
    ssm.yield %extracted_slice : tensor<?xf32>
  }
  return %1 : tensor<?x?xf32>
}

// The previous slice times a sum over it: general.
// CHECK-LABEL: func.func @quadratic(
// CHECK:         ssm.recurrence {{.*}} kind <general>
func.func @quadratic(%arg0: tensor<?x?xf32>) -> (tensor<?x?xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %dim = tensor.dim %arg0, %c0 : tensor<?x?xf32>
  %dim_0 = tensor.dim %arg0, %c1 : tensor<?x?xf32>
  %0 = tess.splat %cst [%dim_0] : f32 -> tensor<?xf32>
  %1 = ssm.recurrence init(%0 : tensor<?xf32>) length(%dim) scan_dim 0 -> tensor<?x?xf32> {
  ^bb0(%arg1: index, %arg2: tensor<?xf32>):
    %2 = tess.contract sum ins(%arg2, %arg0 : tensor<?xf32>, tensor<?x?xf32>) bounds(%c1, %dim_0) symbols(%arg1) maps [#map14, #map13, #map15] -> tensor<1xf32> {
    ^bb0(%arg3: f32, %arg4: f32):
      %4 = arith.mulf %arg3, %arg4 : f32
      tess.yield %4 : f32
    }
    %3 = tess.contract sum ins(%arg2, %2, %arg0 : tensor<?xf32>, tensor<1xf32>, tensor<?x?xf32>) bounds(%c1, %dim_0) symbols(%arg1) maps [#map14, #map15, #map13, #map12] -> tensor<1x?xf32> {
    ^bb0(%arg3: f32, %arg4: f32, %arg5: f32):
      %4 = arith.mulf %arg3, %arg4 : f32
      %5 = arith.addf %4, %arg5 : f32
      tess.yield %5 : f32
    }
    %dim_1 = tensor.dim %3, %c1 : tensor<1x?xf32>
    %extracted_slice = tensor.extract_slice %3[0, 0] [1, %dim_1] [1, 1] : tensor<1x?xf32> to tensor<?xf32>
    ssm.yield %extracted_slice : tensor<?xf32>
  }
  return %1 : tensor<?x?xf32>
}
