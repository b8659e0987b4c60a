"""Runs one generated Tessera program with tess-run on NumPy inputs (shared
by fourier.py and blocks.py)."""
import os
import subprocess

import numpy as np

NP_TYPES = {"f32": np.float32, "f64": np.float64, "c64": np.complex64,
            "c128": np.complex128, "i64": np.int64, "i32": np.int32}


def dims(shape):
    """`2, 3` for the shape (2, 3)."""
    return ", ".join(str(d) for d in shape)


def run_program(tess_run, tmp, src, inputs, count):
    """Writes `src` to tmp/f.tess, passes `inputs` (name -> (array, dtype))
    as .npy files and returns (the `count` results, "") or (None, stderr)."""
    source = os.path.join(tmp, "f.tess")
    with open(source, "w") as f:
        f.write(src)
    cmd = [tess_run, source]
    for name, (value, dtype) in inputs.items():
        path = os.path.join(tmp, name + ".npy")
        np.save(path, value.astype(NP_TYPES[dtype]))
        cmd += ["--in", "%s=%s" % (name, path)]
    outs = [os.path.join(tmp, "out%d.npy" % i) for i in range(count)]
    for i, path in enumerate(outs):
        cmd += ["--out", "%d=%s" % (i, path)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        return None, result.stderr.strip()
    return [np.load(p) for p in outs], ""
