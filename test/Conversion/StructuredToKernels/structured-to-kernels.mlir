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

// fft and ifft call the FFT kernel of their precision, an argument saying
// which direction; any length, static or not. A static length's twiddles
// are computed at compile time: the unit-root table of its order (the
// first octant, n / 8 + 1 entries, when 8 divides n; else n / 2 + 1; of
// order 2 n for lengths with a prime factor above 13) is a constant global
// passed with its order.

// CHECK:       memref.global "private" constant @__tessera_unit_roots_f64_7 : memref<4x2xf64> = dense<{{\[}}[1.000000e+00, 0.000000e+00], [0.62348980185873348, 0.7818314824680298], [-0.22252093395631439, 0.97492791218182361], [-0.90096886790241915, 0.43388373911755812]]> {alignment = 64 : i64}
// CHECK:       memref.global "private" constant @__tessera_unit_roots_f64_34 : memref<18x2xf64>
// CHECK:       memref.global "private" constant @__tessera_unit_roots_f32_1000 : memref<126x2xf32> = dense<"0x0000803F00000000
// CHECK-SAME:      {alignment = 64 : i64}
// CHECK-LABEL: func.func @fourier(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<?x1000xcomplex<f32>>, %[[Z:[^:]+]]: tensor<17x?xcomplex<f64>>, %[[S:[^:]+]]: tensor<7xcomplex<f64>>
// CHECK:         %[[FWD:.+]] = arith.constant 0 : i32
// CHECK:         %[[TABLE:.+]] = memref.get_global @__tessera_unit_roots_f32_1000 : memref<126x2xf32>
// CHECK:         %[[TABLEADDR:.+]] = memref.extract_aligned_pointer_as_index %[[TABLE]]
// CHECK:         %[[TABLEINT:.+]] = arith.index_cast %[[TABLEADDR]] : index to i64
// CHECK:         %[[ROOTS:.+]] = llvm.inttoptr %[[TABLEINT]] : i64 to !llvm.ptr
// CHECK:         %[[ORDER:.+]] = arith.constant 1000 : i64
// CHECK:         bufferization.to_buffer %[[X]] read_only : tensor<?x1000xcomplex<f32>> to memref<?x1000xcomplex<f32>, strided<[?, ?], offset: ?>>
// CHECK:         memref.alloc(%{{.+}}) {alignment = 64 : i64} : memref<?x1000xcomplex<f32>>
// CHECK:         call @tessera_fft_c64(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[FWD]], %[[ROOTS]], %[[ORDER]]) : (i64, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, i32, !llvm.ptr, i64) -> ()
// CHECK:         %[[INV:.+]] = arith.constant 1 : i32
// CHECK:         memref.get_global @__tessera_unit_roots_f64_34 : memref<18x2xf64>
// CHECK:         %[[ORDER2:.+]] = arith.constant 34 : i64
// CHECK:         call @tessera_fft_c128(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[INV]], %{{.+}}, %[[ORDER2]])
// CHECK:         memref.get_global @__tessera_unit_roots_f64_7 : memref<4x2xf64>
// CHECK:         call @tessera_fft_c128(
// CHECK:         memref.get_global @__tessera_unit_roots_f64_7 : memref<4x2xf64>
// CHECK:         call @tessera_fft_c128(
// CHECK-NOT:     1000x1000
// CHECK:       func.func private @tessera_fft_c64(i64, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, i32, !llvm.ptr, i64)
// CHECK:       func.func private @tessera_fft_c128(
func.func @fourier(%x: tensor<?x1000xcomplex<f32>>,
                   %z: tensor<17x?xcomplex<f64>>, %s: tensor<7xcomplex<f64>>)
    -> (tensor<?x1000xcomplex<f32>>, tensor<17x?xcomplex<f64>>,
        tensor<7xcomplex<f64>>) {
  %y = structured.fft %x axis 1 : tensor<?x1000xcomplex<f32>>
  %w = structured.ifft %z axis 0 : tensor<17x?xcomplex<f64>>
  %v = structured.fft %s axis 0 : tensor<7xcomplex<f64>>
  %u = structured.fft %v axis 0 : tensor<7xcomplex<f64>>
  return %y, %w, %u : tensor<?x1000xcomplex<f32>>, tensor<17x?xcomplex<f64>>,
                      tensor<7xcomplex<f64>>
}

// -----

// rfft's result has n / 2 + 1 terms along the axis; irfft passes the
// result's extents (its length along the axis) and the input's length.
// Lengths unknown at compile time pass no unit-root table (a null pointer
// and order 0); a known one passes the table of its order.

// CHECK:       memref.global "private" constant @__tessera_unit_roots_f64_12 : memref<7x2xf64>
// CHECK-LABEL: func.func @real(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<16x?xf32>, %[[Y:[^:]+]]: tensor<?x9xcomplex<f64>>, %[[N:[^:]+]]: index, %[[W:[^:]+]]: tensor<12x3xf64>
// CHECK:         %[[L:.+]] = tensor.dim %[[X]], %c1
// CHECK:         %[[H:.+]] = arith.divui %[[L]], %c2
// CHECK:         %[[T:.+]] = arith.addi %[[H]], %c1
// CHECK:         %[[NULL:.+]] = llvm.mlir.zero : !llvm.ptr
// CHECK:         %[[ZERO:.+]] = arith.constant 0 : i64
// CHECK:         memref.alloc(%[[T]]) {alignment = 64 : i64} : memref<16x?xcomplex<f32>>
// CHECK:         call @tessera_rfft_f32(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[NULL]], %[[ZERO]]) : (i64, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, i64) -> ()
// CHECK:         %[[B:.+]] = tensor.dim %[[Y]], %c0
// CHECK:         %[[NINE:.+]] = arith.index_cast %{{.+}} : index to i64
// CHECK:         memref.alloc(%[[B]], %[[N]]) {alignment = 64 : i64} : memref<?x?xf64>
// CHECK:         call @tessera_irfft_c128(%{{.+}}, %{{.+}}, %{{.+}}, %[[NINE]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) : (i64, i64, !llvm.ptr, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, i64) -> ()
// CHECK:         memref.get_global @__tessera_unit_roots_f64_12 : memref<7x2xf64>
// CHECK:         %[[TWELVE:.+]] = arith.constant 12 : i64
// CHECK:         call @tessera_rfft_f64(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[TWELVE]])
func.func @real(%x: tensor<16x?xf32>, %y: tensor<?x9xcomplex<f64>>, %n: index,
                %w: tensor<12x3xf64>)
    -> (tensor<16x?xcomplex<f32>>, tensor<?x?xf64>, tensor<7x3xcomplex<f64>>) {
  %r = structured.rfft %x axis 1 : tensor<16x?xf32> -> tensor<16x?xcomplex<f32>>
  %i = structured.irfft %y axis 1 length %n : tensor<?x9xcomplex<f64>> -> tensor<?x?xf64>
  %k = structured.rfft %w axis 0 : tensor<12x3xf64> -> tensor<7x3xcomplex<f64>>
  return %r, %i, %k : tensor<16x?xcomplex<f32>>, tensor<?x?xf64>,
                      tensor<7x3xcomplex<f64>>
}

// -----

// causal_conv reads the input's and the kernel's buffers in place: the
// kernel's rank, extents, buffer and strides come after the input's
// extents, the output's buffer and strides after the input's, and the
// unit-root table of the transforms of 2L (here 32) last; a dynamic L
// passes none.

// CHECK:       memref.global "private" constant @__tessera_unit_roots_f32_32 : memref<5x2xf32>
// CHECK-LABEL: func.func @causal_conv(
// CHECK-SAME:      %[[U:[^:]+]]: tensor<4x3x16xf32>, %[[K:[^:]+]]: tensor<3x16xf32>, %[[V:[^:]+]]: tensor<?x2xcomplex<f64>>, %[[KV:[^:]+]]: tensor<?x1xcomplex<f64>>
// CHECK:         bufferization.to_buffer %[[K]] read_only : tensor<3x16xf32> to memref<3x16xf32, strided<[?, ?], offset: ?>>
// CHECK:         %[[KRANK:.+]] = arith.constant 2 : i64
// CHECK:         memref.get_global @__tessera_unit_roots_f32_32 : memref<5x2xf32>
// CHECK:         %[[ORDER:.+]] = arith.constant 32 : i64
// CHECK:         bufferization.to_buffer %[[U]] read_only
// CHECK:         %[[OUT:.+]] = memref.alloc() {alignment = 64 : i64} : memref<4x3x16xf32>
// CHECK:         call @tessera_causal_conv_f32(%{{.+}}, %{{.+}}, %{{.+}}, %[[KRANK]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[ORDER]]) : (i64, i64, !llvm.ptr, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, i64) -> ()
// CHECK:         bufferization.to_tensor %[[OUT]] restrict writable
// CHECK:         %[[NULL:.+]] = llvm.mlir.zero : !llvm.ptr
// CHECK:         %[[ZERO:.+]] = arith.constant 0 : i64
// CHECK:         call @tessera_causal_conv_c128(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[NULL]], %[[ZERO]])
// CHECK-NOT:     16x16
func.func @causal_conv(%u: tensor<4x3x16xf32>, %k: tensor<3x16xf32>,
                       %v: tensor<?x2xcomplex<f64>>, %kv: tensor<?x1xcomplex<f64>>)
    -> (tensor<4x3x16xf32>, tensor<?x2xcomplex<f64>>) {
  %y = structured.causal_conv %u, %k axis 2 : tensor<4x3x16xf32>, tensor<3x16xf32>
  %z = structured.causal_conv %v, %kv axis 0 : tensor<?x2xcomplex<f64>>, tensor<?x1xcomplex<f64>>
  return %y, %z : tensor<4x3x16xf32>, tensor<?x2xcomplex<f64>>
}

// -----

// fft_twiddles of a length known at compile time reads its roots from a
// constant table of w_N^k, k < N / 2, computed at compile time (here N = 8:
// w^2 = -i exactly); the twiddle at (f, m) reads entry (m mod 2^f) N / 2^(f+1).
// Otherwise its body computes them.

// CHECK-LABEL: func.func @twiddles(
// CHECK:         %[[TABLE:.+]] = arith.constant dense<{{\[}}[1.000000e+00, -0.000000e+00], [0.707106769, -0.707106769], [-0.000000e+00, -1.000000e+00], [-0.707106769, -0.707106769]]> : tensor<4x2xf32>
// CHECK:         linalg.generic
// CHECK:           %[[F:.+]] = arith.index_cast %{{.+}} : index to i64
// CHECK:           %[[S:.+]] = arith.shli %c1_i64, %[[F]] : i64
// CHECK:           %[[HALF:.+]] = arith.constant 4 : i64
// CHECK:           %[[STRIDE:.+]] = arith.shrui %[[HALF]], %[[F]] : i64
// CHECK:           tensor.extract %[[TABLE]][%{{.+}}, %c0] : tensor<4x2xf32>
// CHECK:           tensor.extract %[[TABLE]][%{{.+}}, %c1] : tensor<4x2xf32>
// CHECK-NOT:       math.cos
// CHECK:         } -> tensor<3x4x2x2xcomplex<f32>>
// CHECK:         linalg.generic
// CHECK:           math.cos
// CHECK:           math.sin
// CHECK:         } -> tensor<?x?x2x2xcomplex<f64>>
func.func @twiddles(%n: index)
    -> (tensor<3x4x2x2xcomplex<f32>>, tensor<?x?x2x2xcomplex<f64>>) {
  %c8 = arith.constant 8 : index
  %t = structured.fft_twiddles %c8 : tensor<3x4x2x2xcomplex<f32>>
  %u = structured.fft_twiddles %n : tensor<?x?x2x2xcomplex<f64>>
  return %t, %u : tensor<3x4x2x2xcomplex<f32>>, tensor<?x?x2x2xcomplex<f64>>
}

// -----

// Lengths known only at run time (the entry's size checks made sure they
// fit): fwht passes the extent to the kernel; bitreverse shifts the
// reversed bits right by ctlz(n) and then by 1 (64 - log2(n) in all, with
// no shift by 64 for n = 1); fft_twiddles has log2(n) = 63 - ctlz(n)
// factors of n / 2 pairs; butterfly passes the twiddles' extents.

// CHECK-LABEL: func.func @dynamic(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<3x?xf32>, %[[C:[^:]+]]: tensor<?xcomplex<f64>>, %[[N:[^:]+]]: index
// CHECK:         call @tessera_fwht_f32(
// CHECK:         %[[L:.+]] = tensor.dim %{{.+}}, %c1
// CHECK:         tensor.empty(%[[L]]) : tensor<3x?xf32>
// CHECK:         %[[L64:.+]] = arith.index_cast %[[L]] : index to i64
// CHECK:         %[[CLZ:.+]] = math.ctlz %[[L64]] : i64
// CHECK:         linalg.generic {{.*}} outs(%{{.+}} : tensor<3x?xf32>)
// CHECK:           %[[I1:.+]] = linalg.index 1
// CHECK:           %[[W:.+]] = arith.index_cast %[[I1]] : index to i64
// CHECK:           %[[REV:.+]] = llvm.intr.bitreverse(%[[W]]) : (i64) -> i64
// CHECK:           %[[S1:.+]] = arith.shrui %[[REV]], %[[CLZ]] : i64
// CHECK:           %[[S2:.+]] = arith.shrui %[[S1]], %{{.+}} : i64
// CHECK:           arith.index_cast %[[S2]] : i64 to index
// CHECK:         %[[NZ:.+]] = math.ctlz %{{.+}} : i64
// CHECK:         %[[LOG:.+]] = arith.subi %c63_i64, %[[NZ]] : i64
// CHECK:         %[[HALF:.+]] = arith.divui %[[N]], %c2
// CHECK:         tensor.empty(%{{.+}}, %[[HALF]]) : tensor<?x?x2x2xcomplex<f64>>
// CHECK:         call @tessera_butterfly_c128(
func.func @dynamic(%x: tensor<3x?xf32>, %c: tensor<?xcomplex<f64>>, %n: index)
    -> (tensor<3x?xf32>, tensor<?xcomplex<f64>>) {
  %h = structured.fwht %x axis 1 : tensor<3x?xf32>
  %r = structured.bitreverse %h axis 1 : tensor<3x?xf32>
  %t = structured.fft_twiddles %n : tensor<?x?x2x2xcomplex<f64>>
  %f = structured.butterfly %t, %c axis 0 : tensor<?x?x2x2xcomplex<f64>>, tensor<?xcomplex<f64>>
  return %r, %f : tensor<3x?xf32>, tensor<?xcomplex<f64>>
}
