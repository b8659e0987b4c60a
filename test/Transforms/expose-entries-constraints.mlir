// RUN: tess-opt %s --tess-expose-entries --split-input-file --verify-diagnostics | FileCheck %s

// The size constraints of an entry (tess.size_constraints, docs/abi.md) are
// checked after the parameters' checks, in order, before the outputs'
// (computeSizeChecks): an fwht length by the runtime's predicate
// tessera_fwht_length_supported (declared once), a power of two as
// n > 0 && (n & (n - 1)) == 0, and 2^F <= n as 0 <= F <= 62 && n >= 1 &&
// (1 << F) <= n. Their expressions are computed from the symbols' bindings.

// CHECK-LABEL: func.func @rotate(
// CHECK-SAME:      %[[X:[^:]+]]: memref<?x?xf32>, %[[T:[^:]+]]: memref<?x?x?x?xf32>
// CHECK:         %[[N:.+]] = memref.dim %[[X]], %c1
// CHECK:         %[[N64:.+]] = arith.index_cast %[[N]] : index to i64
// CHECK:         %[[OK:.+]] = call @tessera_fwht_length_supported(%[[N64]]) : (i64) -> i32
// CHECK:         %[[FAIL3:.+]] = arith.cmpi eq, %[[OK]], %c0_i32
// CHECK:         %[[M:.+]] = memref.dim %[[T]], %c1
// CHECK:         %[[L:.+]] = arith.muli %{{.+}}, %[[M]] : index
// CHECK:         %[[POS:.+]] = arith.cmpi sgt, %[[L]], %{{.+}} : index
// CHECK:         %[[L1:.+]] = arith.subi %[[L]], %{{.+}} : index
// CHECK:         %[[AND:.+]] = arith.andi %[[L]], %[[L1]] : index
// CHECK:         %[[ONE:.+]] = arith.cmpi eq, %[[AND]], %{{.+}} : index
// CHECK:         %[[POW:.+]] = arith.andi %[[POS]], %[[ONE]] : i1
// CHECK:         %[[FAIL4:.+]] = arith.xori %[[POW]], %true : i1
// CHECK:         %[[F:.+]] = memref.dim %[[T]], %c0
// CHECK:         %[[GE:.+]] = arith.cmpi sge, %[[F]], %{{.+}} : index
// CHECK:         %[[LE:.+]] = arith.cmpi sle, %[[F]], %c62 : index
// CHECK:         %[[RANGE:.+]] = arith.andi %[[GE]], %[[LE]] : i1
// CHECK:         %[[AMOUNT:.+]] = arith.select %[[RANGE]], %[[F]], %{{.+}} : index
// CHECK:         %[[P:.+]] = arith.shli %{{.+}}, %[[AMOUNT]] : index
// CHECK:         %[[NGE:.+]] = arith.cmpi sge, %[[L]], %{{.+}} : index
// CHECK:         %[[FITS:.+]] = arith.cmpi sle, %[[P]], %[[L]] : index
// CHECK:         %[[BOTH:.+]] = arith.andi %[[NGE]], %[[FITS]] : i1
// CHECK:         %[[ALL:.+]] = arith.andi %[[RANGE]], %[[BOTH]] : i1
// CHECK:         %[[FAIL5:.+]] = arith.xori %[[ALL]], %{{.+}} : i1
// CHECK:         arith.select %[[FAIL5]], %c5_i32
// CHECK:         arith.select %[[FAIL4]], %c4_i32
// CHECK:         arith.select %[[FAIL3]], %c3_i32
// CHECK:       func.func private @tessera_fwht_length_supported(i64) -> i32
// CHECK-NOT:   @tessera_fwht_length_supported
func.func @rotate(%x: tensor<?x?xf32> {tess.dims = ["B", "N"], tess.name = "x"},
                  %t: tensor<?x?x2x2xf32> {tess.dims = ["F", "M", 2, 2], tess.name = "t"})
    -> (tensor<?x?xf32> {tess.dims = ["B", "N"]})
    attributes {tess.entry, tess.size_constraints = [
      {axis = 1 : i64, rule = "fwht_length", size = "N", what = "fwht length", where = "f.tess:3:10"},
      {rule = "power_of_two", size = ["*", 2, "M"], what = "fft_twiddles length", where = "f.tess:4:7"},
      {axis = 0 : i64, rule = "at_most_log2", size = "F", bound = ["*", 2, "M"], what = "butterfly factor count", where = "f.tess:5:7"}]} {
  return %x : tensor<?x?xf32>
}

// A second entry shares the declaration.
func.func @again(%x: tensor<?xf32> {tess.dims = ["N"], tess.name = "x"})
    -> (tensor<?xf32> {tess.dims = ["N"]})
    attributes {tess.entry, tess.size_constraints = [
      {axis = 0 : i64, rule = "fwht_length", size = "N", what = "fwht length", where = "f.tess:9:10"}]} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @+1 {{'tess.size_constraints' must be an array}}
func.func @a(%x: tensor<?xf32> {tess.dims = ["N"]}) -> (tensor<?xf32> {tess.dims = ["N"]})
    attributes {tess.entry, tess.size_constraints = "N"} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @+1 {{tess.size_constraints entry 0 must be a dictionary, got "N"}}
func.func @b(%x: tensor<?xf32> {tess.dims = ["N"]}) -> (tensor<?xf32> {tess.dims = ["N"]})
    attributes {tess.entry, tess.size_constraints = ["N"]} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @+1 {{tess.size_constraints entry 0 needs a rule "power_of_two", "fwht_length" or "at_most_log2"}}
func.func @c(%x: tensor<?xf32> {tess.dims = ["N"]}) -> (tensor<?xf32> {tess.dims = ["N"]})
    attributes {tess.entry, tess.size_constraints = [{rule = "prime", size = "N", what = "x"}]} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @+1 {{tess.size_constraints entry 1 needs a string 'what', and an axis (a non-negative integer) and 'where' (a string) if any}}
func.func @d(%x: tensor<?xf32> {tess.dims = ["N"]}) -> (tensor<?xf32> {tess.dims = ["N"]})
    attributes {tess.entry, tess.size_constraints = [{rule = "power_of_two", size = "N", what = "x"}, {rule = "power_of_two", size = "N", what = "x", axis = -1 : i64}]} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @+1 {{tess.size_constraints entry 0 needs a bound}}
func.func @e(%x: tensor<?xf32> {tess.dims = ["N"]}) -> (tensor<?xf32> {tess.dims = ["N"]})
    attributes {tess.entry, tess.size_constraints = [{rule = "at_most_log2", size = "N", what = "x"}]} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @+1 {{tess.size_constraints entry 0 cannot have a bound}}
func.func @f(%x: tensor<?xf32> {tess.dims = ["N"]}) -> (tensor<?xf32> {tess.dims = ["N"]})
    attributes {tess.entry, tess.size_constraints = [{rule = "fwht_length", size = "N", bound = "N", what = "x"}]} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @+1 {{tess.size_constraints entry 0 has an unknown size operator 'pow'}}
func.func @g(%x: tensor<?xf32> {tess.dims = ["N"]}) -> (tensor<?xf32> {tess.dims = ["N"]})
    attributes {tess.entry, tess.size_constraints = [{rule = "fwht_length", size = ["pow", "N", 2], what = "x"}]} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @+1 {{tess.size_constraints entry 0 has no size}}
func.func @h(%x: tensor<?xf32> {tess.dims = ["N"]}) -> (tensor<?xf32> {tess.dims = ["N"]})
    attributes {tess.entry, tess.size_constraints = [{rule = "fwht_length", what = "x"}]} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @+1 {{tess.size_constraints entry 0 (2 * K) reads size symbol K, which no parameter binds}}
func.func @i(%x: tensor<?xf32> {tess.dims = ["N"]}) -> (tensor<?xf32> {tess.dims = ["N"]})
    attributes {tess.entry, tess.size_constraints = [{rule = "at_most_log2", size = "N", bound = ["*", 2, "K"], what = "x"}]} {
  return %x : tensor<?xf32>
}
