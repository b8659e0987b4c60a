//===- SSMDialect.td - The ssm dialect ---------------------*- tablegen -*-===//
//
// The `ssm` dialect holds the recurrences (scans) of a Tessera program as
// single ops that keep their structure: the scan axis, the direction, the
// initial value and, once classified, the kind of the recurrence.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_SSM_IR_SSMDIALECT_TD
#define TESSERA_DIALECT_SSM_IR_SSMDIALECT_TD

include "mlir/IR/OpBase.td"

def SSM_Dialect : Dialect {
  let name = "ssm";
  let cppNamespace = "::tessera::ssm";
  let summary = "Recurrences along one axis of a tensor (state-space scans)";
  let description = [{
    A recurrence is a definition that reads its own earlier element, such as
    `h[b, t, n] = a[b, t, n] * h[b, t - 1, n] + x[b, t, n]`. The `ssm`
    dialect keeps each one as an op with value (tensor) semantics: its scan
    axis, whether it runs forwards or backwards, its initial value and its
    per-element body. A classification pass records whether the body is a
    first-order linear map of the previous state (`a * h + b`, an
    associative scan) or something else (a sequential loop); the lowerings
    choose the loop structure from that.
  }];
  let useDefaultAttributePrinterParser = 1;
}

/// Base class of all ssm ops.
class SSM_Op<string mnemonic, list<Trait> traits = []>
    : Op<SSM_Dialect, mnemonic, traits>;

#endif // TESSERA_DIALECT_SSM_IR_SSMDIALECT_TD
