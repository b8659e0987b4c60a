// RUN: tess-opt %s --split-input-file --tess-noalias-outputs | FileCheck %s

// The C interface wrapper passes the aligned pointer of a noalias output
// descriptor: the body's argument becomes noalias, and its loads and stores
// get alias scopes that say so (they reach into the functions OpenMP
// outlines, where the argument's attribute does not). An access through the
// output is in its scope; one through an input or through memory the body
// allocated is outside it; one through a pointer that is the output on one
// path and a new buffer on another gets nothing.

// CHECK-DAG: #[[DOMAIN:.+]] = #llvm.alias_scope_domain<{{.*}}description = "body outputs">
// CHECK-DAG: #[[OUT:.+]] = #llvm.alias_scope<{{.*}}domain = #[[DOMAIN]], description = "output argument 1">
// CHECK-LABEL: llvm.func @body(
// CHECK-SAME:      %[[IN:[^:]+]]: !llvm.ptr, %[[Y:[^:]+]]: !llvm.ptr {llvm.noalias}
// CHECK:         %[[BUF:.+]] = llvm.call @aligned_alloc
// CHECK:       ^bb3(%[[P:.+]]: !llvm.ptr):
// CHECK:         %[[X:.+]] = llvm.load %[[IN]] {noalias_scopes = [#[[OUT]]]}
// CHECK-NEXT:    %[[G:.+]] = llvm.getelementptr %[[Y]][1]
// CHECK-NEXT:    llvm.store %[[X]], %[[G]] {alias_scopes = [#[[OUT]]]}
// CHECK-NEXT:    llvm.store %[[X]], %[[BUF]] {noalias_scopes = [#[[OUT]]]}
// CHECK-NEXT:    llvm.store %[[X]], %[[P]] : f32, !llvm.ptr
// CHECK-NEXT:    llvm.return
llvm.func @aligned_alloc(i64, i64) -> !llvm.ptr

llvm.func @body(%in: !llvm.ptr, %out: !llvm.ptr, %c: i1) {
  %n = llvm.mlir.constant(64 : i64) : i64
  %buf = llvm.call @aligned_alloc(%n, %n) : (i64, i64) -> !llvm.ptr
  llvm.cond_br %c, ^bb1, ^bb2
^bb1:
  llvm.br ^bb3(%out : !llvm.ptr)
^bb2:
  llvm.br ^bb3(%buf : !llvm.ptr)
^bb3(%p: !llvm.ptr):
  %x = llvm.load %in : !llvm.ptr -> f32
  %g = llvm.getelementptr %out[1] : (!llvm.ptr) -> !llvm.ptr, f32
  llvm.store %x, %g : f32, !llvm.ptr
  llvm.store %x, %buf : f32, !llvm.ptr
  llvm.store %x, %p : f32, !llvm.ptr
  llvm.return
}

llvm.func @_mlir_ciface_body(%a: !llvm.ptr, %b: !llvm.ptr {llvm.noalias}, %c: i1) {
  %da = llvm.load %a : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64)>
  %pa = llvm.extractvalue %da[1] : !llvm.struct<(ptr, ptr, i64)>
  %db = llvm.load %b : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64)>
  %pb = llvm.extractvalue %db[1] : !llvm.struct<(ptr, ptr, i64)>
  llvm.call @body(%pa, %pb, %c) : (!llvm.ptr, !llvm.ptr, i1) -> ()
  llvm.return
}

// -----

// Calls get nothing: the callee may reach an output through memory, whatever
// pointer it is given.

// CHECK-LABEL: llvm.func @calls(
// CHECK:         llvm.load %{{.+}} {noalias_scopes = [#{{.+}}]} : !llvm.ptr -> f32
// CHECK-NEXT:    llvm.call @use(%{{.+}}) : (!llvm.ptr) -> ()
// CHECK-NEXT:    llvm.return
llvm.func @use(!llvm.ptr)

llvm.func @calls(%in: !llvm.ptr, %out: !llvm.ptr) {
  %x = llvm.load %in : !llvm.ptr -> f32
  llvm.call @use(%in) : (!llvm.ptr) -> ()
  llvm.return
}

llvm.func @_mlir_ciface_calls(%a: !llvm.ptr, %b: !llvm.ptr {llvm.noalias}) {
  %da = llvm.load %a : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64)>
  %pa = llvm.extractvalue %da[1] : !llvm.struct<(ptr, ptr, i64)>
  %db = llvm.load %b : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64)>
  %pb = llvm.extractvalue %db[1] : !llvm.struct<(ptr, ptr, i64)>
  llvm.call @calls(%pa, %pb) : (!llvm.ptr, !llvm.ptr) -> ()
  llvm.return
}
