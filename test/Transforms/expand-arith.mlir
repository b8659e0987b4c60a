// RUN: tess-opt %s --tess-expand-arith | FileCheck %s

// Float max/min stay whole (they become llvm.maximum & co., which vectorize
// as reductions); integer ceil/floor division and bf16 conversions expand as
// in arith-expand.

// CHECK-LABEL: func.func @keep_minmax(
// CHECK:         arith.maximumf
// CHECK:         arith.minimumf
// CHECK:         arith.maxnumf
// CHECK:         arith.minnumf
// CHECK-NOT:     arith.ceildivsi
// CHECK-NOT:     arith.extf
// CHECK:         return
func.func @keep_minmax(%a: f32, %b: f32, %i: i32, %j: i32, %h: bf16) -> (f32, f32, f32, f32, i32, f32) {
  %0 = arith.maximumf %a, %b : f32
  %1 = arith.minimumf %a, %b : f32
  %2 = arith.maxnumf %a, %b : f32
  %3 = arith.minnumf %a, %b : f32
  %4 = arith.ceildivsi %i, %j : i32
  %5 = arith.extf %h : bf16 to f32
  return %0, %1, %2, %3, %4, %5 : f32, f32, f32, f32, i32, f32
}
