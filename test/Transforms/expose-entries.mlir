// RUN: tess-opt %s --tess-expose-entries --split-input-file --verify-diagnostics | FileCheck %s

// The entry becomes a private implementation; the exported wrapper takes
// fully dynamic memrefs and the error record, checks the sizes in
// computeSizeChecks order and returns the 1-based number of the first failing
// check; then it checks that every tensor's byte size fits (see @scale).

// CHECK-LABEL: func.func private @__tess_impl_matmul(
// CHECK-SAME:      %{{.*}}: tensor<?x?xf32> {tess.dims = ["M", "K"], tess.name = "a"}
// CHECK-NOT:     tess.entry
// CHECK:         linalg.matmul
// CHECK-LABEL: func.func @matmul(
// CHECK-SAME:      %[[A:.*]]: memref<?x?xf32>, %[[B:.*]]: memref<?x?xf32>, %[[OUT:.*]]: memref<?x?xf32> {llvm.noalias}, %[[REC:.*]]: !llvm.ptr) -> i32
// CHECK-SAME:      attributes {llvm.emit_c_interface, tessera.error_record}
// CHECK:         %[[BK:.*]] = memref.dim %[[B]], %[[C0:.*]] :
// CHECK:         %[[AK:.*]] = memref.dim %[[A]], %[[C1:.*]] :
// CHECK:         %[[F0:.*]] = arith.cmpi ne, %[[BK]], %[[AK]] : index
// CHECK:         %[[OM:.*]] = memref.dim %[[OUT]], %[[C0]]
// CHECK:         %[[AM:.*]] = memref.dim %[[A]], %[[C0]]
// CHECK:         %[[F1:.*]] = arith.cmpi ne, %[[OM]], %[[AM]] : index
// CHECK:         %[[ON:.*]] = memref.dim %[[OUT]], %[[C1]]
// CHECK:         %[[BN:.*]] = memref.dim %[[B]], %[[C1]]
// CHECK:         %[[F2:.*]] = arith.cmpi ne, %[[ON]], %[[BN]] : index
// CHECK:         %[[S2:.*]] = arith.select %[[F2]], %c3_i32, %c0_i32
// CHECK:         %[[S1:.*]] = arith.select %[[F1]], %c2_i32, %[[S2]]
// CHECK:         %[[S0:.*]] = arith.select %[[F0]], %c1_i32, %[[S1]]
// CHECK:         %[[OK:.*]] = arith.cmpi eq, %[[S0]], %c0_i32
// CHECK:         %[[ST:.*]] = scf.if %[[OK]] -> (i32) {
// CHECK-COUNT-3:   arith.mului_extended {{.*}}, %c4_i64
// CHECK:           scf.yield %[[S0]] : i32
// CHECK:         %[[GO:.*]] = arith.cmpi eq, %[[ST]], %c0_i32
// CHECK:         scf.if %[[GO]] {
// CHECK:           %[[TA:.*]] = bufferization.to_tensor %[[A]] restrict : memref<?x?xf32> to tensor<?x?xf32>
// CHECK:           %[[TB:.*]] = bufferization.to_tensor %[[B]] restrict : memref<?x?xf32> to tensor<?x?xf32>
// CHECK:           %[[R:.*]] = func.call @__tess_impl_matmul(%[[TA]], %[[TB]])
// CHECK:           bufferization.materialize_in_destination %[[R]] in restrict writable %[[OUT]]
// CHECK:         }
// CHECK:         return %[[ST]] : i32
func.func @matmul(%a: tensor<?x?xf32> {tess.dims = ["M", "K"], tess.name = "a"},
                  %b: tensor<?x?xf32> {tess.dims = ["K", "N"], tess.name = "b"})
    -> (tensor<?x?xf32> {tess.dims = ["M", "N"]}) attributes {tess.entry} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %a, %c0 : tensor<?x?xf32>
  %n = tensor.dim %b, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%m, %n) : tensor<?x?xf32>
  %zero = arith.constant 0.0 : f32
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>)
                     outs(%f : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// Index parameters pass through as index and are checked first; static
// shapes of the implementation are reached with memref.cast; literal dims
// and rank-0 tensors; calls between entries go to the implementation.

// CHECK-LABEL: func.func private @__tess_impl_fill(
// CHECK-SAME:      tensor<f32>
// CHECK-SAME:      index {tess.size = "L"}
// CHECK-SAME:      -> (tensor<?x4xf32> {tess.dims = ["L", 4]})
// CHECK-LABEL: func.func @fill(
// CHECK-SAME:      %[[S:.*]]: memref<f32>, %[[L:.*]]: index, %[[OUT:.*]]: memref<?x?xf32> {llvm.noalias}, %{{.*}}: !llvm.ptr) -> i32
// CHECK:         %[[NEG:.*]] = arith.cmpi slt, %[[L]], %c0
// CHECK:         %[[R0:.*]] = memref.dim %[[OUT]], %c0 :
// CHECK:         %[[F1:.*]] = arith.cmpi ne, %[[R0]], %[[L]]
// CHECK:         %[[R1:.*]] = memref.dim %[[OUT]], %c1
// CHECK:         %[[F2:.*]] = arith.cmpi ne, %[[R1]], %c4
// CHECK:         arith.select %[[F2]], %c3_i32, %c0_i32
// CHECK:         arith.select %[[F1]], %c2_i32
// CHECK:         %[[ST:.*]] = arith.select %[[NEG]], %c1_i32
// CHECK:         %[[ST2:.*]] = scf.if
// CHECK:         scf.if
// CHECK:           %[[TS:.*]] = bufferization.to_tensor %[[S]] restrict : memref<f32> to tensor<f32>
// CHECK:           %[[R:.*]] = func.call @__tess_impl_fill(%[[TS]], %[[L]])
// CHECK:           %[[CAST:.*]] = memref.cast %[[OUT]] : memref<?x?xf32> to memref<?x4xf32>
// CHECK:           bufferization.materialize_in_destination %[[R]] in restrict writable %[[CAST]] : (tensor<?x4xf32>, memref<?x4xf32>) -> ()
// CHECK:         return %[[ST2]]
func.func @fill(%s: tensor<f32>, %L: index {tess.size = "L"})
    -> (tensor<?x4xf32> {tess.dims = ["L", 4]}) attributes {tess.entry} {
  %e = tensor.empty(%L) : tensor<?x4xf32>
  %v = tensor.extract %s[] : tensor<f32>
  %r = linalg.fill ins(%v : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// CHECK-LABEL: func.func private @__tess_impl_twice(
// CHECK-SAME:      tensor<3xf32>
// CHECK:         call @__tess_impl_double
// CHECK:         call @__tess_impl_double
// CHECK-LABEL: func.func @twice(
// CHECK-SAME:      %[[X:.*]]: memref<?xf32>, %[[OUT:.*]]: memref<?xf32> {llvm.noalias}, %{{.*}}: !llvm.ptr) -> i32
// CHECK:         memref.dim %[[X]], %c0
// CHECK:         arith.cmpi ne, %{{.*}}, %c3
// CHECK:         memref.cast %[[X]] : memref<?xf32> to memref<3xf32>
func.func @twice(%x: tensor<3xf32>) -> tensor<3xf32> attributes {tess.entry} {
  %a = func.call @double(%x) : (tensor<3xf32>) -> tensor<3xf32>
  %b = func.call @double(%a) : (tensor<3xf32>) -> tensor<3xf32>
  return %b : tensor<3xf32>
}

// CHECK-LABEL: func.func private @__tess_impl_double(
// CHECK-LABEL: func.func @double(
func.func @double(%x: tensor<3xf32>) -> tensor<3xf32> attributes {tess.entry} {
  %r = arith.addf %x, %x : tensor<3xf32>
  return %r : tensor<3xf32>
}

// Functions without tess.entry are left alone.
// CHECK-LABEL: func.func private @helper(
// CHECK-NOT:   func.func @helper
func.func private @helper(%x: tensor<3xf32>) -> tensor<3xf32> {
  return %x : tensor<3xf32>
}

// -----

// After the size checks, the byte size of each tensor argument must fit in
// int64_t: the extents are multiplied with arith.mului_extended, a high part
// or a negative low part is an overflow, a zero extent makes the tensor
// empty (never too large). The first tensor too large fills the error record
// (when not null: status, rank, what, where, dtype, bytes, extents, at the
// offsets of tessera::EntryErrorRecord) and the status is -1. The output has
// the declared shape of 'x' and elements as large, so it is not checked again.

// CHECK-DAG:   llvm.mlir.global private constant @[[WHAT:.*]]("parameter 'x'\00")
// CHECK-DAG:   llvm.mlir.global private constant @[[WHERE:.*]]("\00")
// CHECK-DAG:   llvm.mlir.global private constant @[[DTYPE:.*]]("f64\00")
// CHECK-NOT:   output 'y'
// CHECK-LABEL: func.func @scale(
// CHECK-SAME:      %[[X:.*]]: memref<?x?xf64>, %[[Y:.*]]: memref<?x?xf64> {llvm.noalias}, %[[REC:.*]]: !llvm.ptr) -> i32
// CHECK:         arith.select
// CHECK:         %[[SIZES:.*]] = arith.select
// CHECK:         %[[SIZESOK:.*]] = arith.cmpi eq, %[[SIZES]]
// CHECK:         %[[ST:.*]] = scf.if %[[SIZESOK]] -> (i32) {
// CHECK:           %[[D0:.*]] = memref.dim %[[X]], %c0
// CHECK:           %[[D1:.*]] = memref.dim %[[X]], %c1
// CHECK:           %[[E0:.*]] = arith.index_cast %[[D0]] : index to i64
// CHECK:           %[[Z0:.*]] = arith.cmpi eq, %[[E0]], %[[C0:.*]] : i64
// CHECK:           %[[E1:.*]] = arith.index_cast %[[D1]] : index to i64
// CHECK:           %[[Z1:.*]] = arith.cmpi eq, %[[E1]], %[[C0]] : i64
// CHECK:           %[[EMPTY:.*]] = arith.ori %{{.*}}, %[[Z1]] : i1
// CHECK:           %[[N:.*]], %[[NHI:.*]] = arith.mului_extended %[[E0]], %[[E1]] : i64
// CHECK:           arith.cmpi ne, %[[NHI]], %[[C0]] : i64
// CHECK:           arith.cmpi slt, %[[N]], %[[C0]] : i64
// CHECK:           %[[BYTES:.*]], %[[BHI:.*]] = arith.mului_extended %[[N]], %c8_i64 : i64
// CHECK:           %[[NOTEMPTY:.*]] = arith.xori %[[EMPTY]], %true
// CHECK:           %[[TOOLARGE:.*]] = arith.andi %{{.*}}, %[[NOTEMPTY]] : i1
// CHECK:           %[[SIZE:.*]] = arith.select %[[TOOLARGE]], %c-1_i64
// CHECK:           %[[R:.*]] = scf.if %[[TOOLARGE]] -> (i32) {
// CHECK:             %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK:             %[[HAVE:.*]] = llvm.icmp "ne" %[[REC]], %[[NULL]]
// CHECK:             scf.if %[[HAVE]] {
// CHECK:               %[[P0:.*]] = llvm.getelementptr %[[REC]][0]
// CHECK:               llvm.store %c-1_i32{{.*}}, %[[P0]] : i32, !llvm.ptr
// CHECK:               %[[P4:.*]] = llvm.getelementptr %[[REC]][4]
// CHECK:               llvm.store %c2_i32{{.*}}, %[[P4]] : i32, !llvm.ptr
// CHECK:               llvm.mlir.addressof @[[WHAT]]
// CHECK:               llvm.getelementptr %[[REC]][8]
// CHECK:               llvm.mlir.addressof @[[WHERE]]
// CHECK:               llvm.getelementptr %[[REC]][16]
// CHECK:               llvm.mlir.addressof @[[DTYPE]]
// CHECK:               llvm.getelementptr %[[REC]][24]
// CHECK:               %[[P32:.*]] = llvm.getelementptr %[[REC]][32]
// CHECK:               llvm.store %[[SIZE]], %[[P32]] : i64, !llvm.ptr
// CHECK:               llvm.getelementptr %[[REC]][40]
// CHECK:               llvm.getelementptr %[[REC]][48]
// CHECK:             }
// CHECK:             scf.yield %c-1_i32 : i32
// CHECK:           } else {
// CHECK:             scf.yield %c0_i32{{.*}} : i32
// CHECK:           }
// CHECK:           scf.yield %[[R]] : i32
// CHECK:         } else {
// CHECK:           scf.yield %[[SIZES]] : i32
// CHECK:         }
// CHECK:         %[[GO:.*]] = arith.cmpi eq, %[[ST]], %c0_i32
// CHECK:         scf.if %[[GO]] {
// CHECK:         return %[[ST]] : i32
func.func @scale(%x: tensor<?x?xf64> {tess.dims = ["M", "N"], tess.name = "x"})
    -> (tensor<?x?xf64> {tess.dims = ["M", "N"], tess.name = "y"}) attributes {tess.entry} {
  return %x : tensor<?x?xf64>
}

// -----

// expected-error @+1 {{parameter 'arg0' of 'f' dim 0 is dynamic but has no 'tess.dims' entry naming its size}}
func.func @f(%x: tensor<?xf32>) -> (tensor<?xf32> {tess.dims = ["N"]}) attributes {tess.entry} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @+1 {{result 0 of 'g' has size symbol P, which no parameter binds}}
func.func @g(%x: tensor<?xf32> {tess.dims = ["N"]}) -> (tensor<?xf32> {tess.dims = ["P"]}) attributes {tess.entry} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @+1 {{parameter 'arg1' of 'h' is an index but has no 'tess.size' attribute naming the size it binds}}
func.func @h(%x: tensor<2xf32>, %n: index) -> tensor<2xf32> attributes {tess.entry} {
  return %x : tensor<2xf32>
}

// -----

// expected-error @+1 {{parameter 'arg0' of 'u' has element type 'i8', which the entry ABI does not support}}
func.func @u(%x: tensor<2xi8>) -> tensor<2xi8> attributes {tess.entry} {
  return %x : tensor<2xi8>
}

// -----

func.func private @__tess_impl_v(%x: tensor<2xf32>) -> tensor<2xf32>
// expected-error @+1 {{cannot expose 'v': the symbol '__tess_impl_v' already exists}}
func.func @v(%x: tensor<2xf32>) -> tensor<2xf32> attributes {tess.entry} {
  return %x : tensor<2xf32>
}

// -----

// expected-error @+1 {{entry 'w' has no body}}
func.func private @w(%x: tensor<2xf32>) -> tensor<2xf32> attributes {tess.entry}
