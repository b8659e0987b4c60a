// RUN: tess-opt %s --convert-structured-to-kernels --split-input-file | FileCheck %s

// fwht reads its input's buffer (any layout), writes a new aligned buffer
// through the runtime kernel, with the rank, the axis and the extents and
// strides of both buffers in stack arrays. No n x n buffer or loop nest.

// CHECK-LABEL: func.func @fwht(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<?x1024xf32>
// CHECK:         %[[B:.+]] = tensor.dim %[[X]], %c0
// CHECK:         %[[IN:.+]] = bufferization.to_buffer %[[X]] read_only : tensor<?x1024xf32> to memref<?x1024xf32, strided<[?, ?], offset: ?>>
// CHECK:         %[[OUT:.+]] = memref.alloc(%[[B]]) {alignment = 64 : i64} : memref<?x1024xf32>
// CHECK:         %[[RANK:.+]] = arith.constant 2 : i64
// CHECK:         %[[AXIS:.+]] = arith.constant 1 : i64
// CHECK:         memref.alloca() : memref<2xi64>
// CHECK:         call @tessera_fwht_f32(%[[RANK]], %[[AXIS]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) : (i64, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK:         %[[R:.+]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK:         return %[[R]]
// CHECK-NOT:     1024x1024
// CHECK:       func.func private @tessera_fwht_f32(i64, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr)
func.func @fwht(%x: tensor<?x1024xf32>) -> tensor<?x1024xf32> {
  %y = structured.fwht %x axis 1 : tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}

// -----

// bitreverse gathers element rev(i) along the axis: the 3 low bits of i
// reversed (llvm.intr.bitreverse on i64, then a shift by 61). Length 1 is
// the input itself.

// CHECK-LABEL: func.func @bitreverse(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4x8xf64>
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<4x8xf64>
// CHECK:         linalg.generic {{.*}} outs(%[[E]] : tensor<4x8xf64>)
// CHECK:           %[[I0:.+]] = linalg.index 0
// CHECK:           %[[I1:.+]] = linalg.index 1
// CHECK:           %[[W:.+]] = arith.index_cast %[[I1]] : index to i64
// CHECK:           %[[REV:.+]] = llvm.intr.bitreverse(%[[W]]) : (i64) -> i64
// CHECK:           %[[LOW:.+]] = arith.shrui %[[REV]], %c61_i64
// CHECK:           %[[J:.+]] = arith.index_cast %[[LOW]] : i64 to index
// CHECK:           tensor.extract %[[X]][%[[I0]], %[[J]]]
// CHECK-LABEL: func.func @unit(
// CHECK-SAME:      %[[U:[^:]+]]: tensor<3x1xf32>
// CHECK-NEXT:    return %[[U]]
func.func @bitreverse(%x: tensor<4x8xf64>) -> tensor<4x8xf64> {
  %y = structured.bitreverse %x axis 1 : tensor<4x8xf64>
  return %y : tensor<4x8xf64>
}

func.func @unit(%x: tensor<3x1xf32>) -> tensor<3x1xf32> {
  %y = structured.bitreverse %x axis 1 : tensor<3x1xf32>
  return %y : tensor<3x1xf32>
}

// -----

// fft and ifft call the FFT kernel of their precision, the last argument
// saying which direction; any length, static or not.

// CHECK-LABEL: func.func @fourier(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<?x1000xcomplex<f32>>, %[[Z:[^:]+]]: tensor<7x?xcomplex<f64>>
// CHECK:         %[[FWD:.+]] = arith.constant 0 : i32
// CHECK:         bufferization.to_buffer %[[X]] read_only : tensor<?x1000xcomplex<f32>> to memref<?x1000xcomplex<f32>, strided<[?, ?], offset: ?>>
// CHECK:         memref.alloc(%{{.+}}) {alignment = 64 : i64} : memref<?x1000xcomplex<f32>>
// CHECK:         call @tessera_fft_c64(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[FWD]]) : (i64, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, i32) -> ()
// CHECK:         %[[INV:.+]] = arith.constant 1 : i32
// CHECK:         call @tessera_fft_c128(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[INV]])
// CHECK-NOT:     1000x1000
// CHECK:       func.func private @tessera_fft_c64(i64, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, i32)
// CHECK:       func.func private @tessera_fft_c128(
func.func @fourier(%x: tensor<?x1000xcomplex<f32>>, %z: tensor<7x?xcomplex<f64>>)
    -> (tensor<?x1000xcomplex<f32>>, tensor<7x?xcomplex<f64>>) {
  %y = structured.fft %x axis 1 : tensor<?x1000xcomplex<f32>>
  %w = structured.ifft %z axis 0 : tensor<7x?xcomplex<f64>>
  return %y, %w : tensor<?x1000xcomplex<f32>>, tensor<7x?xcomplex<f64>>
}

// -----

// rfft's result has n / 2 + 1 terms along the axis; irfft passes the
// result's extents (its length along the axis) and the input's length.

// CHECK-LABEL: func.func @real(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<16x?xf32>, %[[Y:[^:]+]]: tensor<?x9xcomplex<f64>>, %[[N:[^:]+]]: index
// CHECK:         %[[L:.+]] = tensor.dim %[[X]], %c1
// CHECK:         %[[H:.+]] = arith.divui %[[L]], %c2
// CHECK:         %[[T:.+]] = arith.addi %[[H]], %c1
// CHECK:         memref.alloc(%[[T]]) {alignment = 64 : i64} : memref<16x?xcomplex<f32>>
// CHECK:         call @tessera_rfft_f32(
// CHECK:         %[[B:.+]] = tensor.dim %[[Y]], %c0
// CHECK:         %[[NINE:.+]] = arith.index_cast %{{.+}} : index to i64
// CHECK:         memref.alloc(%[[B]], %[[N]]) {alignment = 64 : i64} : memref<?x?xf64>
// CHECK:         call @tessera_irfft_c128(%{{.+}}, %{{.+}}, %{{.+}}, %[[NINE]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) : (i64, i64, !llvm.ptr, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
func.func @real(%x: tensor<16x?xf32>, %y: tensor<?x9xcomplex<f64>>, %n: index)
    -> (tensor<16x?xcomplex<f32>>, tensor<?x?xf64>) {
  %r = structured.rfft %x axis 1 : tensor<16x?xf32> -> tensor<16x?xcomplex<f32>>
  %i = structured.irfft %y axis 1 length %n : tensor<?x9xcomplex<f64>> -> tensor<?x?xf64>
  return %r, %i : tensor<16x?xcomplex<f32>>, tensor<?x?xf64>
}
