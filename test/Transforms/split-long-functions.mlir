// RUN: tess-opt %s --tess-split-long-functions=max-loops=2 | FileCheck %s
// RUN: tess-opt %s --tess-split-long-functions | FileCheck %s --check-prefix=DEFAULT

// Five loop nests in the size-check `scf.if` of an entry: with at most two
// per block, they become three private functions, called in order. Values
// from before a run are passed in (the constants are copied instead, so that
// LLVM still sees them), values used after it are returned, and the
// functions are internal and never inlined by LLVM. The ops after the last
// loop nest stay in place. The default (16) leaves the entry alone.

// CHECK-LABEL: func.func @entry(
// CHECK-SAME:    %[[N:.*]]: index, %[[OK:.*]]: i1, %[[OUT:.*]]: memref<?xf32>)
// CHECK:         scf.if %[[OK]] {
// CHECK-NEXT:      %[[P0:.*]]:2 = func.call @entry__part0(%[[N]]) : (index) -> (memref<?xf32>, memref<?xf32>)
// CHECK-NEXT:      %[[P1:.*]] = func.call @entry__part1(%[[N]], %[[P0]]#0, %[[P0]]#1) : (index, memref<?xf32>, memref<?xf32>) -> memref<?xf32>
// CHECK-NEXT:      func.call @entry__part2(%[[P0]]#1, %[[OUT]], %[[N]]) : (memref<?xf32>, memref<?xf32>, index) -> ()
// CHECK-NEXT:      memref.dealloc %[[P0]]#1
// CHECK-NEXT:      memref.dealloc %[[P1]]
// CHECK-NEXT:    }
// CHECK:         return

// CHECK:       func.func private @entry__part0(%[[N0:.*]]: index) -> (memref<?xf32>, memref<?xf32>)
// CHECK-SAME:    attributes {llvm.linkage = #llvm.linkage<internal>, passthrough = ["noinline"]}
// CHECK-DAG:     arith.constant 0 : index
// CHECK-DAG:     arith.constant 1 : index
// CHECK:         %[[A:.*]] = memref.alloc(%[[N0]])
// CHECK-COUNT-2: scf.for
// CHECK:         return %[[A]], %{{.*}} : memref<?xf32>, memref<?xf32>
// CHECK:       func.func private @entry__part1(
// CHECK-COUNT-2: scf.for
// CHECK:       func.func private @entry__part2(
// CHECK-COUNT-1: scf.for
// CHECK-NOT:     scf.for
// CHECK:         return{{$}}

// DEFAULT-LABEL: func.func @entry(
// DEFAULT-NOT:   func.call
// DEFAULT-NOT:   func.func private
func.func @entry(%n: index, %ok: i1, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f = arith.constant 1.0 : f32
  scf.if %ok {
    %a = memref.alloc(%n) : memref<?xf32>
    scf.for %i = %c0 to %n step %c1 {
      memref.store %f, %a[%i] : memref<?xf32>
    }
    %b = memref.alloc(%n) : memref<?xf32>
    scf.for %i = %c0 to %n step %c1 {
      %v = memref.load %a[%i] : memref<?xf32>
      memref.store %v, %b[%i] : memref<?xf32>
    }
    %c = memref.alloc(%n) : memref<?xf32>
    scf.for %i = %c0 to %n step %c1 {
      %v = memref.load %a[%i] : memref<?xf32>
      %w = arith.addf %v, %f : f32
      memref.store %w, %c[%i] : memref<?xf32>
    }
    memref.dealloc %a : memref<?xf32>
    scf.for %i = %c0 to %n step %c1 {
      %v = memref.load %c[%i] : memref<?xf32>
      memref.store %v, %b[%i] : memref<?xf32>
    }
    scf.for %i = %c0 to %n step %c1 {
      %v = memref.load %b[%i] : memref<?xf32>
      memref.store %v, %out[%i] : memref<?xf32>
    }
    memref.dealloc %b : memref<?xf32>
    memref.dealloc %c : memref<?xf32>
  }
  return
}
