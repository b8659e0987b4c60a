"""Compile Tessera programs with tessc and call them from Python.

`compile_program` runs `tessc --emit=lib` on a .tess file and times it;
`load_entry` opens the shared library with ctypes and returns a callable
that passes NumPy arrays to `_tess_errinfo_<name>` as MLIR memref
descriptors (zero copy: the descriptors point at the arrays' own buffers;
see docs/abi.md). Only the standard library and NumPy are needed.
"""

import ctypes
import os
import subprocess
import time

import numpy as np

# EntryErrorRecord (docs/abi.md): 104 bytes.
ERROR_MAX_RANK = 8


class ErrorRecord(ctypes.Structure):
    """The `tessera_error` record an entry fills on a negative status."""

    _fields_ = [
        ("status", ctypes.c_int32),
        ("rank", ctypes.c_int32),
        ("what", ctypes.c_char_p),
        ("where", ctypes.c_char_p),
        ("dtype", ctypes.c_char_p),
        ("bytes", ctypes.c_int64),
        ("shape", ctypes.c_int64 * ERROR_MAX_RANK),
    ]


_DESCRIPTOR_TYPES = {}


def descriptor_type(rank):
    """The ctypes struct of MLIR's rank-`rank` memref descriptor."""
    if rank not in _DESCRIPTOR_TYPES:
        fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                  ("offset", ctypes.c_int64)]
        if rank > 0:
            fields += [("sizes", ctypes.c_int64 * rank),
                       ("strides", ctypes.c_int64 * rank)]
        _DESCRIPTOR_TYPES[rank] = type("MemRef%d" % rank, (ctypes.Structure,),
                                       {"_fields_": fields})
    return _DESCRIPTOR_TYPES[rank]


def make_descriptor(array):
    """A memref descriptor for a dense row-major NumPy array (no copy)."""
    if not array.flags["C_CONTIGUOUS"]:
        raise ValueError("Tessera entries need dense row-major arrays")
    desc = descriptor_type(array.ndim)()
    desc.allocated = desc.aligned = array.ctypes.data
    desc.offset = 0
    if array.ndim > 0:
        for i, extent in enumerate(array.shape):
            desc.sizes[i] = extent
            desc.strides[i] = array.strides[i] // array.itemsize
    return desc


class TesseraError(RuntimeError):
    """A nonzero status returned by a compiled entry."""


def compile_program(tessc, source, out_dir, timeout=600):
    """Compile `source` to `out_dir/lib<stem>.so` with tessc.

    Returns (library_path, seconds, error): error is None on success, else
    the first lines of tessc's diagnostics (or a timeout message).
    """
    stem = os.path.splitext(os.path.basename(source))[0]
    library = os.path.join(out_dir, "lib%s.so" % stem)
    cmd = [tessc, source, "--emit=lib", "-O3", "-o", library]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - start, "tessc timed out after %d s" % timeout
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        return None, seconds, " | ".join(lines[:4]) or "tessc exit %d" % proc.returncode
    return library, seconds, None


def load_entry(library, name):
    """A Python callable for entry `name` of `library`.

    The callable takes the input arrays, then the output arrays (allocated
    by the caller with the result shapes), and raises TesseraError on a
    nonzero status.
    """
    lib = ctypes.CDLL(os.path.abspath(library))
    fn = getattr(lib, "_tess_errinfo_" + name)
    fn.restype = ctypes.c_int32
    record = ErrorRecord()

    def call(*arrays):
        """Call the entry on `arrays` (inputs, then outputs)."""
        descs = [make_descriptor(a) for a in arrays]
        args = [ctypes.byref(d) for d in descs] + [ctypes.byref(record)]
        status = fn(*args)
        if status != 0:
            raise TesseraError(describe_status(name, status, record))

    call.library = lib  # keep the library loaded as long as the callable lives
    return call


def make_caller(library, name, outputs):
    """A zero-argument-style runner: returns f(*inputs) -> outputs.

    `outputs` are preallocated result arrays, reused on every call, so the
    timed call is the entry itself and nothing else.
    """
    entry = load_entry(library, name)

    def run(*inputs):
        """Call the entry with `inputs` into the preallocated outputs."""
        entry(*inputs, *outputs)
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    return run


def describe_status(name, status, record):
    """Words for a nonzero status of entry `name`."""
    if status > 0:
        return "%s: size check %d failed" % (name, status)
    what = (record.what or b"?").decode()
    kind = {-1: "too large", -2: "out of memory"}.get(status, "status %d" % status)
    return "%s: %s: %s (%d bytes)" % (name, kind, what, record.bytes)


def output_array(shape, dtype=np.float32):
    """An uninitialized, 64-byte aligned, row-major output buffer."""
    count = int(np.prod(shape)) if shape else 1
    itemsize = np.dtype(dtype).itemsize
    raw = np.empty(count * itemsize + 64, dtype=np.uint8)
    start = (-raw.ctypes.data) % 64
    return raw[start:start + count * itemsize].view(dtype).reshape(shape)
