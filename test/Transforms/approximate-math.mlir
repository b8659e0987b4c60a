// RUN: tess-opt %s --split-input-file --tess-approximate-math | FileCheck %s

// f32 exp, log, tanh, erf, erfc and log1p become arithmetic (scalars and
// vectors); exp and log first move far arguments (|x| > 87, subnormal x)
// into range. Scalar f32 sin and cos become arithmetic too (below); f64 and
// vector sin/cos stay calls of math functions.

// CHECK-LABEL: func.func @f32_math(
// CHECK-NOT:     math.exp
// CHECK-NOT:     math.log
// CHECK-NOT:     math.tanh
// CHECK-NOT:     math.erf
// CHECK-NOT:     math.sin
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

// -----

// f32 sin and cos: the argument in f64, a Cody-Waite reduction (roundeven,
// two fmas), Payne and Hanek's with the bits of 2 / pi as 64-bit constants
// (0xA2F9836E4E441529 = -6703182060581546711 first) picked by selects and
// shifted, the Taylor polynomials, one truncation to f32; no memory.

// CHECK-LABEL: func.func @sin_cos(
// CHECK-SAME:      %[[X:[^:]+]]: f32
// CHECK:         arith.bitcast %[[X]] : f32 to i32
// CHECK:         %[[XD:.+]] = arith.extf %[[X]] : f32 to f64
// CHECK:         math.roundeven %{{.+}} : f64
// CHECK:         math.fma
// CHECK:         math.fma
// CHECK:         arith.constant -6703182060581546711 : i64
// CHECK:         arith.shli
// CHECK:         arith.shrui
// CHECK:         arith.muli
// CHECK:         arith.truncf %{{.+}} : f64 to f32
// CHECK-NOT:     math.sin
// CHECK-NOT:     math.cos
// CHECK-NOT:     memref
// CHECK:         arith.truncf %{{.+}} : f64 to f32
// CHECK:         math.sin %{{.+}} : f64
// CHECK:         math.cos %{{.+}} : vector<4xf32>
func.func @sin_cos(%x: f32, %y: f64, %v: vector<4xf32>) -> (f32, f32, f64, vector<4xf32>) {
  %s = math.sin %x : f32
  %c = math.cos %x : f32
  %d = math.sin %y : f64
  %w = math.cos %v : vector<4xf32>
  return %s, %c, %d, %w : f32, f32, f64, vector<4xf32>
}
