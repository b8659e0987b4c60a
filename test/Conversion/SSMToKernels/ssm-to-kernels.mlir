// RUN: tess-opt %s --convert-ssm-to-kernels --split-input-file | FileCheck %s

// The zero-order hold of a dynamic f32 system with one input: B viewed as
// [N, 1], A and B read through their buffers (any layout), Abar, Bbar and a
// workspace of 8 (N + M)^2 f64 allocated, dt extended to f64, and one call
// of the kernel with method 0; Bbar collapsed back to [N].

// CHECK-LABEL: func.func @zoh(
// CHECK-SAME:      %[[A:[^:]+]]: tensor<?x?xf32>, %[[B:[^:]+]]: tensor<?xf32>, %[[DT:[^:]+]]: tensor<f32>
// CHECK:         %[[N:.+]] = tensor.dim %[[A]], %c0
// CHECK:         %[[BM:.+]] = tensor.expand_shape %[[B]] {{\[\[}}0, 1]] output_shape [%{{.+}}, 1] : tensor<?xf32> into tensor<?x1xf32>
// CHECK:         %[[M:.+]] = tensor.dim %[[BM]], %c1
// CHECK:         bufferization.to_buffer %[[A]] read_only : tensor<?x?xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
// CHECK:         bufferization.to_buffer %[[BM]] read_only : tensor<?x1xf32> to memref<?x1xf32, strided<[?, ?], offset: ?>>
// CHECK:         %[[ABAR:.+]] = memref.alloc(%[[N]], %[[N]]) {alignment = 64 : i64} : memref<?x?xf32>
// CHECK:         %[[BBAR:.+]] = memref.alloc(%[[N]]) {alignment = 64 : i64} : memref<?x1xf32>
// CHECK:         %[[K:.+]] = arith.addi %[[N]], %[[M]]
// CHECK:         %[[K2:.+]] = arith.muli %[[K]], %[[K]]
// CHECK:         %[[SIZE:.+]] = arith.muli %[[K2]], %c8
// CHECK:         memref.alloc(%[[SIZE]]) {alignment = 64 : i64} : memref<?xf64>
// CHECK:         %[[STEP:.+]] = tensor.extract %[[DT]][] : tensor<f32>
// CHECK:         %[[STEP64:.+]] = arith.extf %[[STEP]] : f32 to f64
// CHECK:         %[[ZOH:.+]] = arith.constant 0 : i32
// CHECK:         call @tessera_ssm_discretize_f32(%[[ZOH]], %{{.+}}, %{{.+}}, %[[STEP64]], %{{.+}}) : (i32, i64, i64, f64, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK:         %[[BT:.+]] = bufferization.to_tensor %[[BBAR]] restrict writable : memref<?x1xf32> to tensor<?x1xf32>
// CHECK:         %[[BV:.+]] = tensor.collapse_shape %[[BT]] {{\[\[}}0, 1]] : tensor<?x1xf32> into tensor<?xf32>
// CHECK:         %[[AT:.+]] = bufferization.to_tensor %[[ABAR]] restrict writable : memref<?x?xf32> to tensor<?x?xf32>
// CHECK:         return %[[AT]], %[[BV]]
// CHECK-NOT:     ssm.discretize
// CHECK:       func.func private @tessera_ssm_discretize_f32(i32, i64, i64, f64, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr)
func.func @zoh(%a: tensor<?x?xf32>, %b: tensor<?xf32>, %dt: tensor<f32>)
    -> (tensor<?x?xf32>, tensor<?xf32>) {
  %abar, %bbar = ssm.discretize <zoh> %a, %b, %dt
      : tensor<?x?xf32>, tensor<?xf32>, tensor<f32>
  return %abar, %bbar : tensor<?x?xf32>, tensor<?xf32>
}

// -----

// The bilinear transform of a static f64 system with three inputs: method
// 1, dt passed as it is, B and Bbar as matrices.

// CHECK-LABEL: func.func @bilinear(
// CHECK-NOT:     tensor.expand_shape
// CHECK:         memref.alloc() {alignment = 64 : i64} : memref<4x4xf64>
// CHECK:         memref.alloc() {alignment = 64 : i64} : memref<4x3xf64>
// CHECK:         %[[STEP:.+]] = tensor.extract %{{.+}}[] : tensor<f64>
// CHECK:         %[[BILINEAR:.+]] = arith.constant 1 : i32
// CHECK:         call @tessera_ssm_discretize_f64(%[[BILINEAR]], %{{.+}}, %{{.+}}, %[[STEP]], %{{.+}})
// CHECK-NOT:     tensor.collapse_shape
// CHECK:         return
func.func @bilinear(%a: tensor<4x4xf64>, %b: tensor<4x3xf64>, %dt: tensor<f64>)
    -> (tensor<4x4xf64>, tensor<4x3xf64>) {
  %abar, %bbar = ssm.discretize <bilinear> %a, %b, %dt
      : tensor<4x4xf64>, tensor<4x3xf64>, tensor<f64>
  return %abar, %bbar : tensor<4x4xf64>, tensor<4x3xf64>
}
