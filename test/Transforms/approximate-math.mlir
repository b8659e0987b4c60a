// RUN: tess-opt %s --split-input-file --tess-approximate-math | FileCheck %s

// f32 exp, log, tanh, erf, erfc and log1p become arithmetic (scalars and
// vectors); exp and log first move far arguments (|x| > 87, subnormal x)
// into range. f64 and sin/cos stay calls of math functions.

// CHECK-LABEL: func.func @f32_math(
// CHECK-NOT:     math.exp
// CHECK-NOT:     math.log
// CHECK-NOT:     math.tanh
// CHECK-NOT:     math.erf
// CHECK:         math.sin %{{.*}} : f32
// CHECK-NOT:     math.exp
// CHECK:         return
func.func @f32_math(%x: f32) -> (f32, f32, f32, f32, f32, f32, f32) {
  %a = math.exp %x : f32
  %b = math.log %x : f32
  %c = math.tanh %x : f32
  %d = math.erf %x : f32
  %e = math.erfc %x : f32
  %f = math.log1p %x : f32
  %g = math.sin %x : f32
  return %a, %b, %c, %d, %e, %f, %g : f32, f32, f32, f32, f32, f32, f32
}

// -----

// CHECK-LABEL: func.func @scaled_exp(
// CHECK:         %[[ABS:.*]] = math.absf %[[X:.*]] : vector<8xf32>
// CHECK:         %[[FAR:.*]] = arith.cmpf ogt, %[[ABS]], %{{.*}} : vector<8xf32>
// CHECK:         %[[HALF:.*]] = arith.mulf %[[X]], %{{.*}} : vector<8xf32>
// CHECK:         arith.select %[[FAR]], %[[HALF]], %[[X]]
// CHECK-NOT:     math.exp
// CHECK:         return
func.func @scaled_exp(%x: vector<8xf32>) -> vector<8xf32> {
  %a = math.exp %x : vector<8xf32>
  return %a : vector<8xf32>
}

// -----

// CHECK-LABEL: func.func @f64_math(
// CHECK:         math.exp %{{.*}} : f64
// CHECK:         math.log %{{.*}} : f64
// CHECK:         math.tanh %{{.*}} : f64
func.func @f64_math(%x: f64) -> (f64, f64, f64) {
  %a = math.exp %x : f64
  %b = math.log %x : f64
  %c = math.tanh %x : f64
  return %a, %b, %c : f64, f64, f64
}
