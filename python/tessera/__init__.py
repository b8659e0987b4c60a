"""Tessera from Python: compile tensor programs, call them on NumPy arrays and
PyTorch tensors without copies.

    import numpy as np, tessera
    m = tessera.compile('''
    fn matmul(a: f32[M, K], b: f32[K, N]) -> f32[M, N] {
      c[m, n] = a[m, k] * b[k, n]
      return c
    }''')
    c = m.matmul(np.ones((8, 4), np.float32), np.ones((4, 2), np.float32))

Arguments are NumPy arrays, anything with DLPack or the buffer protocol
(PyTorch CPU tensors included) or Python scalars (for scalar and `index`
parameters). C-contiguous arrays of the parameter's exact dtype are used in
place; anything else is rejected with a message saying how to fix it: Tessera
never copies or converts behind your back. Results come back as NumPy arrays
(a tuple for several results), or are written into `out=` and returned.

Code is generated at the first call with each distinct set of sizes and
reused afterwards; the GIL is released while it compiles and runs, so several
threads can call at once. docs/embedding.md has the details.
"""

import os as _os

from ._tessera import CompileError, Diagnostic, Function, ShapeError
from . import _tessera

__all__ = ["compile", "load", "Module", "Function", "CompileError",
           "ShapeError", "Diagnostic"]
__version__ = "0.1.0"

_PRINT_KINDS = {"mlir": 0, "lowered": 1, "llvm": 2, "asm": 3, "explain": 4}


class Module:
    """A compiled Tessera module: each `fn` is an attribute (a Function)."""

    def __init__(self, native, name):
        self._native = native
        self._name = name
        self._functions = {f.name: f for f in _tessera.functions(native)}

    @property
    def functions(self):
        """The module's functions, name -> Function, in source order; each
        Function has .signature, .params and .results."""
        return dict(self._functions)

    def __getattr__(self, name):
        functions = self.__dict__.get("_functions", {})
        if name in functions:
            return functions[name]
        raise AttributeError("module %r has no function %r (it has: %s)" %
                             (self._name, name, ", ".join(functions) or "none"))

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._functions))

    def __repr__(self):
        return "<tessera.Module %r: %s>" % (
            self._name, ", ".join(f.signature for f in self._functions.values()))

    def code(self, fn, kind="mlir", /, **sizes):
        """The code of the function `fn`: kind is "mlir" (the tess dialect),
        "lowered" (MLIR's LLVM dialect), "llvm" (LLVM IR) or "asm"; sizes
        (M=128, ...) are the extents planning assumes (others: 64)."""
        if kind not in _PRINT_KINDS:
            raise ValueError("kind must be one of %s, not %r" %
                             (", ".join(_PRINT_KINDS), kind))
        self._check(fn)
        return _tessera.print_function(self._native, fn, _PRINT_KINDS[kind],
                                       sizes)

    def _explain(self, fn, sizes):
        self._check(fn)
        return _tessera.print_function(self._native, fn, _PRINT_KINDS["explain"],
                                       sizes)

    def mlir(self, fn):
        """The tess-dialect MLIR of the function `fn`."""
        return self.code(fn, "mlir")

    def explain(self, fn, /, **sizes):
        """How the contractions of `fn` are planned for the given extents
        (M=128, ...; others are assumed to be 64): pairwise order, each
        step's shape and cost."""
        return self._explain(fn, sizes)

    def _check(self, fn):
        if fn not in self._functions:
            raise AttributeError("module %r has no function %r" %
                                 (self._name, fn))


def compile(source, *, name="<string>", opt_level=2):
    """Compiles Tessera source text; diagnostics name it `name`. Raises
    CompileError (with .diagnostics) if it has errors."""
    if not isinstance(source, str):
        raise TypeError("source must be a str, not %s" % type(source).__name__)
    _check_opt_level(opt_level)
    return Module(_tessera.compile_source(source, name, opt_level), name)


def load(path, *, opt_level=2):
    """Compiles the .tess file at `path`. Raises OSError if it cannot be read
    and CompileError if it has errors."""
    path = _os.fspath(path)
    _check_opt_level(opt_level)
    return Module(_tessera.compile_file(path, opt_level), path)


def _check_opt_level(opt_level):
    if not isinstance(opt_level, int) or isinstance(opt_level, bool) or \
            not 0 <= opt_level <= 3:
        raise ValueError("opt_level must be 0, 1, 2 or 3, not %r" % (opt_level,))
