// RUN: tess-opt %s --tess-check-allocations --split-input-file --verify-diagnostics | FileCheck %s

// An entry as the pipeline has it after bufferization: the size checks give
// a status, and the body runs under scf.if when it is 0.
//
// The size of 's', whose extents come from outside the block, is checked at
// the start of the block (before anything runs): too large fills the record
// and gives -1 without calling malloc. After the allocation, a null pointer
// for a nonzero size fills the record and gives -2. The size of 't' is
// computed in the block, so it is checked right before its allocation. The
// rest of the block runs in the else-region of each check; the scf.if gets
// an i32 status result, and the entry returns the first nonzero status.

// CHECK-DAG:   llvm.mlir.global private constant @[[S_WHAT:.*]]("intermediate 's'\00")
// CHECK-DAG:   llvm.mlir.global private constant @[[S_WHERE:.*]]("f.tess:3:3\00")
// CHECK-DAG:   llvm.mlir.global private constant @[[F32:.*]]("f32\00")
// CHECK-DAG:   llvm.mlir.global private constant @[[T_WHAT:.*]]("intermediate value\00")
// CHECK-DAG:   llvm.mlir.global private constant @[[T_WHERE:.*]]("f.tess:5:7\00")
// CHECK-DAG:   llvm.mlir.global private constant @[[F64:.*]]("f64\00")
// CHECK-LABEL: func.func @entry(
// CHECK-SAME:      %[[A:.*]]: memref<?x?xf32>, %[[OUT:.*]]: memref<?x?xf32>, %[[REC:.*]]: !llvm.ptr) -> i32
// CHECK:         %[[M:.*]] = memref.dim %[[A]], %c0
// CHECK:         %[[N:.*]] = memref.dim %[[A]], %c1
// CHECK:         %[[STATUS:.*]] = arith.select
// CHECK:         %[[OK:.*]] = arith.cmpi eq, %[[STATUS]]
// CHECK:         %[[BODY:.*]] = scf.if %[[OK]] -> (i32) {
// CHECK-NEXT:      arith.constant 0 : i64
// CHECK-NEXT:      arith.constant false
// CHECK-NEXT:      %[[EM:.*]] = arith.index_cast %[[M]] : index to i64
// CHECK:           %[[EN:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK:           %[[COUNT:.*]], %{{.*}} = arith.mului_extended %[[EM]], %[[EN]] : i64
// CHECK:           arith.mului_extended %[[COUNT]], %c4_i64 : i64
// CHECK:           %[[S_TOOLARGE:.*]] = arith.andi
// CHECK:           arith.select
// CHECK:           %[[S_BYTES:.*]] = arith.select %[[S_TOOLARGE]], %c-1_i64
// CHECK:           %[[S_SIZE:.*]] = scf.if %[[S_TOOLARGE]] -> (i32) {
// CHECK:             llvm.icmp "ne" %[[REC]]
// CHECK:             %[[STATUS_FIELD:.*]] = llvm.getelementptr %[[REC]][0]
// CHECK:             llvm.store %c-1_i32{{.*}}, %[[STATUS_FIELD]] : i32
// CHECK:             llvm.mlir.addressof @[[S_WHAT]]
// CHECK:             llvm.mlir.addressof @[[S_WHERE]]
// CHECK:             llvm.mlir.addressof @[[F32]]
// CHECK:             llvm.store %[[S_BYTES]]
// CHECK:             scf.yield %c-1_i32 : i32
// CHECK-NEXT:      } else {
// CHECK-NEXT:        %[[S:.*]] = memref.alloc(%[[M]], %[[N]]) : memref<?x?xf32>
// CHECK-NEXT:        %[[S_PTR:.*]] = memref.extract_aligned_pointer_as_index %[[S]]
// CHECK-NEXT:        %[[ZERO:.*]] = arith.constant 0 : index
// CHECK-NEXT:        %[[S_NULL:.*]] = arith.cmpi eq, %[[S_PTR]], %[[ZERO]] : index
// CHECK-NEXT:        %[[ZERO64:.*]] = arith.constant 0 : i64
// CHECK-NEXT:        %[[S_NONEMPTY:.*]] = arith.cmpi ne, %[[S_BYTES]], %[[ZERO64]] : i64
// CHECK-NEXT:        %[[S_FAILED:.*]] = arith.andi %[[S_NULL]], %[[S_NONEMPTY]] : i1
// CHECK-NEXT:        %[[OK0:.*]] = arith.constant 0 : i32
// CHECK-NEXT:        %[[S_ALLOC:.*]] = scf.if %[[S_FAILED]] -> (i32) {
// CHECK:               %[[STATUS_FIELD2:.*]] = llvm.getelementptr %[[REC]][0]
// CHECK:               llvm.store %c-2_i32{{.*}}, %[[STATUS_FIELD2]] : i32
// CHECK:               scf.yield %c-2_i32 : i32
// CHECK-NEXT:        } else {
// CHECK-NEXT:          %[[K:.*]] = arith.addi %[[M]], %[[N]] : index
// CHECK:               arith.mului_extended %{{.*}}, %c8_i64 : i64
// CHECK:               %[[T_TOOLARGE:.*]] = arith.andi
// CHECK:               %[[T_SIZE:.*]] = scf.if %[[T_TOOLARGE]] -> (i32) {
// CHECK:                 llvm.mlir.addressof @[[T_WHAT]]
// CHECK:                 llvm.mlir.addressof @[[T_WHERE]]
// CHECK:                 llvm.mlir.addressof @[[F64]]
// CHECK:                 scf.yield %c-1_i32 : i32
// CHECK-NEXT:          } else {
// CHECK-NEXT:            %[[T:.*]] = memref.alloc(%[[K]]) : memref<?xf64>
// CHECK:                 %[[T_ALLOC:.*]] = scf.if
// CHECK:                   scf.yield %c-2_i32 : i32
// CHECK-NEXT:            } else {
// CHECK-NEXT:              memref.copy %[[S]], %[[OUT]]
// CHECK-NEXT:              scf.yield %{{.*}} : i32
// CHECK-NEXT:            }
// CHECK-NEXT:            scf.yield %[[T_ALLOC]] : i32
// CHECK-NEXT:          }
// CHECK-NEXT:          scf.yield %[[T_SIZE]] : i32
// CHECK-NEXT:        }
// CHECK-NEXT:        scf.yield %[[S_ALLOC]] : i32
// CHECK-NEXT:      }
// CHECK-NEXT:      scf.yield %[[S_SIZE]] : i32
// CHECK-NEXT:    } else {
// CHECK-NEXT:      %[[NOTHING:.*]] = arith.constant 0 : i32
// CHECK-NEXT:      scf.yield %[[NOTHING]] : i32
// CHECK-NEXT:    }
// CHECK:         %[[FAILED:.*]] = arith.cmpi ne, %[[BODY]], %{{.*}} : i32
// CHECK-NEXT:    %[[RESULT:.*]] = arith.select %[[FAILED]], %[[BODY]], %[[STATUS]] : i32
// CHECK-NEXT:    return %[[RESULT]] : i32
func.func @entry(%a: memref<?x?xf32>, %out: memref<?x?xf32>, %rec: !llvm.ptr) -> i32
    attributes {tessera.error_record} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c0_i32 = arith.constant 0 : i32
  %c1_i32 = arith.constant 1 : i32
  %m = memref.dim %a, %c0 : memref<?x?xf32>
  %n = memref.dim %a, %c1 : memref<?x?xf32>
  %bad = arith.cmpi slt, %m, %n : index
  %status = arith.select %bad, %c1_i32, %c0_i32 : i32
  %ok = arith.cmpi eq, %status, %c0_i32 : i32
  scf.if %ok {
    %s = memref.alloc(%m, %n) : memref<?x?xf32> loc("s"("f.tess":3:3))
    %k = arith.addi %m, %n : index
    %t = memref.alloc(%k) : memref<?xf64> loc("f.tess":5:7)
    memref.copy %s, %out : memref<?x?xf32> to memref<?x?xf32>
  }
  return %status : i32
}

// -----

// An allocation in the function body itself: values the terminator takes
// from the guarded rest of the block are yielded out (poison on failure).

// CHECK-LABEL: func.func @top(
// CHECK:         %[[R:.*]]:2 = scf.if %{{.*}} -> (i32, i32) {
// CHECK:           %[[POISON:.*]] = ub.poison : i32
// CHECK:           scf.yield %c-1_i32, %[[POISON]] : i32, i32
// CHECK:         } else {
// CHECK:           %[[STATUS:.*]] = arith.constant 0 : i32
// CHECK:           %[[BUF:.*]] = memref.alloc() : memref<4x8xf32>
// CHECK:           scf.if
// CHECK:           } else {
// CHECK-NEXT:        memref.copy %[[BUF]]
// CHECK:           scf.yield %{{.*}}, %[[STATUS]] : i32, i32
// CHECK:         }
// CHECK:         %[[FAILED:.*]] = arith.cmpi ne, %[[R]]#0
// CHECK:         %[[RESULT:.*]] = arith.select %[[FAILED]], %[[R]]#0, %[[R]]#1 : i32
// CHECK:         return %[[RESULT]] : i32
func.func @top(%out: memref<4x8xf32>, %rec: !llvm.ptr) -> i32
    attributes {tessera.error_record} {
  %c0_i32 = arith.constant 0 : i32
  %buf = memref.alloc() : memref<4x8xf32> loc("b"("g.tess":2:3))
  memref.copy %buf, %out : memref<4x8xf32> to memref<4x8xf32>
  return %c0_i32 : i32
}

// -----

// An allocation in an scf.if that yields a buffer: the scf.if gets a status
// result, a failed branch yields an empty stack buffer in place of the one
// it could not allocate, and the rest of the outer block runs only when the
// branch succeeded.

// CHECK-LABEL: func.func @yields(
// CHECK-SAME:      %[[A:.*]]: memref<?xf32>, %[[FLAG:.*]]: i1, %[[REC:.*]]: !llvm.ptr)
// CHECK:         %[[IF:.*]]:2 = scf.if %[[FLAG]] -> (memref<?xf32>, i32) {
// CHECK:           %[[SIZE:.*]]:2 = scf.if %{{.*}} -> (i32, memref<?xf32>) {
// CHECK:             %[[EMPTY:.*]] = memref.alloca(%{{.*}}) : memref<?xf32>
// CHECK:             scf.yield %c-1_i32, %[[EMPTY]] : i32, memref<?xf32>
// CHECK:           } else {
// CHECK:             %[[SMALL:.*]] = memref.alloc() : memref<1xf32>
// CHECK:             %[[NULL:.*]]:2 = scf.if %{{.*}} -> (i32, memref<?xf32>) {
// CHECK:               memref.alloca
// CHECK:             } else {
// CHECK:               %[[CAST:.*]] = memref.cast %[[SMALL]]
// CHECK:               scf.yield %{{.*}}, %[[CAST]] : i32, memref<?xf32>
// CHECK:             }
// CHECK:             scf.yield %[[NULL]]#0, %[[NULL]]#1
// CHECK:           }
// CHECK:           scf.yield %[[SIZE]]#1, %[[SIZE]]#0 : memref<?xf32>, i32
// CHECK:         } else {
// CHECK:           scf.yield %[[A]], %{{.*}} : memref<?xf32>, i32
// CHECK:         }
// CHECK:         %[[BRANCH_FAILED:.*]] = arith.cmpi ne, %[[IF]]#1
// CHECK:         %[[REST:.*]] = scf.if %[[BRANCH_FAILED]] -> (i32) {
// CHECK-NEXT:      scf.yield %[[IF]]#1 : i32
// CHECK-NEXT:    } else {
// CHECK:           memref.load %[[IF]]#0
// CHECK:         }
// CHECK:         arith.select %{{.*}}, %[[REST]]
func.func @yields(%a: memref<?xf32>, %flag: i1, %rec: !llvm.ptr) -> i32
    attributes {tessera.error_record} {
  %c0_i32 = arith.constant 0 : i32
  %r = scf.if %flag -> (memref<?xf32>) {
    %small = memref.alloc() : memref<1xf32>
    %cast = memref.cast %small : memref<1xf32> to memref<?xf32>
    scf.yield %cast : memref<?xf32>
  } else {
    scf.yield %a : memref<?xf32>
  }
  %c0 = arith.constant 0 : index
  %f = memref.load %r[%c0] : memref<?xf32>
  return %c0_i32 : i32
}

// -----

// Functions without the error record are left alone.

// CHECK-LABEL: func.func @other(
// CHECK-NEXT:    memref.alloc
// CHECK-NEXT:    return
func.func @other(%n: index) -> memref<?xf32> {
  %b = memref.alloc(%n) : memref<?xf32>
  return %b : memref<?xf32>
}

// -----

// In a parallel loop (blocks of attention rows), an iteration cannot return
// either: a failing one sets a claim flag atomically, and the first to set it
// stores its status (atomically too) and writes the record; the rest of its
// body is skipped. After the loop, a nonzero status (read atomically: the
// loop may be nested in another) skips the rest of the entry and is the
// entry's status.

// CHECK-LABEL: func.func @parallel(
// CHECK-SAME:      %[[N:[^:]+]]: index, %[[REC:[^:]+]]: !llvm.ptr)
// CHECK:         %[[CLAIM:.+]] = memref.alloca() : memref<i32>
// CHECK:         %[[STATUS:.+]] = memref.alloca() : memref<i32>
// CHECK:         memref.store %{{.+}}, %[[CLAIM]][]
// CHECK:         memref.store %{{.+}}, %[[STATUS]][]
// CHECK:         scf.parallel (%[[I:.+]]) =
// The size check (-1: too large).
// CHECK:           scf.if
// CHECK:             %[[PREV:.+]] = memref.atomic_rmw ori %{{.+}}, %[[CLAIM]][]
// CHECK:             %[[FIRST:.+]] = arith.cmpi eq, %[[PREV]], %{{.+}}
// CHECK:             scf.if %[[FIRST]] {
// CHECK-NEXT:          memref.atomic_rmw assign %c-1_i32, %[[STATUS]][]
// CHECK:               llvm.icmp "ne" %[[REC]]
// CHECK:           } else {
// CHECK:             %[[BUF:.+]] = memref.alloc(%[[I]])
// The null check (-2: out of memory).
// CHECK:             scf.if
// CHECK:               %[[PREV2:.+]] = memref.atomic_rmw ori %{{.+}}, %[[CLAIM]][]
// CHECK:               %[[FIRST2:.+]] = arith.cmpi eq, %[[PREV2]], %{{.+}}
// CHECK:               scf.if %[[FIRST2]] {
// CHECK-NEXT:            memref.atomic_rmw assign %c-2_i32, %[[STATUS]][]
// CHECK:             } else {
// CHECK-NEXT:          memref.store %{{.+}}, %[[BUF]]
// CHECK:           scf.reduce
// CHECK:         %[[AFTER:.+]] = memref.atomic_rmw ori %{{.+}}, %[[STATUS]][]
// CHECK:         %[[FAILED:.+]] = arith.cmpi ne, %[[AFTER]], %{{.+}}
// CHECK:         scf.if %[[FAILED]]
// CHECK-NEXT:      scf.yield %[[AFTER]]
// CHECK-NEXT:    } else {
// CHECK-NEXT:      memref.alloc(%[[N]])
func.func @parallel(%n: index, %rec: !llvm.ptr) -> i32
    attributes {tessera.error_record} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c0_i32 = arith.constant 0 : i32
  %f = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %b = memref.alloc(%i) : memref<?xf32>
    memref.store %f, %b[%c0] : memref<?xf32>
    scf.reduce
  }
  %after = memref.alloc(%n) : memref<?xf32>
  return %c0_i32 : i32
}

// -----

// A sequential loop carries the status: an iteration runs only while it is
// 0, and after the loop a failure skips the rest of the block. Values the
// loop carries pass through the iterations after a failure.
// CHECK-LABEL: func.func @loop(
// CHECK:         %[[R:.+]]:2 = scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:[^ ]+]] = %{{.+}}, %[[S:[^ ]+]] = %{{.+}}) -> (f32, i32) {
// CHECK:           %[[OK:.+]] = arith.cmpi eq, %[[S]], %{{.+}} : i32
// CHECK:           %[[G:.+]]:2 = scf.if %[[OK]] -> (f32, i32) {
// CHECK:             memref.alloc(%[[I]]) : memref<?xf32>
// CHECK:             memref.store %[[ACC]]
// CHECK:           } else {
// CHECK-NEXT:        scf.yield %[[ACC]], %[[S]] : f32, i32
// CHECK-NEXT:      }
// CHECK-NEXT:      scf.yield %[[G]]#0, %[[G]]#1 : f32, i32
// CHECK:         arith.cmpi ne, %[[R]]#1, %{{.+}} : i32
// CHECK:         memref.store %[[R]]#0
func.func @loop(%n: index, %rec: !llvm.ptr) -> i32
    attributes {tessera.error_record} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c0_i32 = arith.constant 0 : i32
  %zero = arith.constant 0.0 : f32
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f32) {
    %b = memref.alloc(%i) : memref<?xf32>
    memref.store %acc, %b[%c0] : memref<?xf32>
    %v = memref.load %b[%c0] : memref<?xf32>
    scf.yield %v : f32
  }
  %after = memref.alloc(%n) : memref<?xf32>
  memref.store %sum, %after[%c0] : memref<?xf32>
  return %c0_i32 : i32
}

// -----

// Allocations in any other region are refused.
func.func @while(%n: index, %rec: !llvm.ptr) -> i32
    attributes {tessera.error_record} {
  %c0_i32 = arith.constant 0 : i32
  %true = arith.constant true
  // expected-error @+1 {{cannot check the allocations inside 'scf.while': only scf.if, scf.for and scf.parallel may enclose them}}
  scf.while : () -> () {
    %b = memref.alloc(%n) : memref<?xf32>
    scf.condition(%true)
  } do {
    scf.yield
  }
  return %c0_i32 : i32
}

// -----

// An entry must return its status alone.
// expected-error @+1 {{an entry with an error record must have one block and return one i32 status}}
func.func @bad(%rec: !llvm.ptr) -> i64 attributes {tessera.error_record} {
  %c0 = arith.constant 0 : i64
  return %c0 : i64
}
