"""Every program of test/Integration that carries a NumPy oracle (`# PY:`
lines, the format of test/Integration/npcheck.py) run through the Python
module instead of tess-run: contractions, reductions, complex numbers, FFTs
and the other structured transforms, recurrences and scans, index
parameters, several results. The oracles are read and the results compared
by npcheck itself (rtol = atol = 1e-5 for 32-bit and smaller floats, 1e-12
for f64 and c128, or the file's own; integers exact).

The harness converts each input to its parameter's dtype itself, as tess-run
does; the module is handed arrays of the exact dtype.
"""

import glob
import os
import sys

import numpy as np
import pytest

import tessera

INTEGRATION = os.path.join(os.path.dirname(__file__), "..", "Integration")
sys.path.insert(0, INTEGRATION)
import npcheck  # noqa: E402 - the oracles' format and tolerances
DTYPES = {"bool": np.bool_, "i32": np.int32, "i64": np.int64,
          "f16": np.float16, "f32": np.float32, "f64": np.float64,
          "c64": np.complex64, "c128": np.complex128}


def oracle_files():
    files = []
    for path in sorted(glob.glob(os.path.join(INTEGRATION, "*.tess"))):
        with open(path) as f:
            text = f.read()
        if "# PY:" in text and "%npcheck %s" in text:
            files.append(path)
    return files


def load_oracle(path):
    try:
        return npcheck.load_oracle(path)
    except KeyError as e:  # os.environ set by the file's RUN lines
        pytest.skip("the oracle needs its RUN line's environment (%s)" % e)


@pytest.mark.parametrize("path", oracle_files(), ids=os.path.basename)
def test_program_against_its_oracle(path):
    env = load_oracle(path)
    opt = int(env.get("opt", "-O2").lstrip("-O"))
    module = tessera.load(path, opt_level=opt)
    entry = env.get("entry") or list(module.functions)[-1]
    function = module.functions[entry]
    sizes = env.get("sizes", {})
    args = []
    for name, dtype, dims in function.params:
        if dtype == "index":
            args.append(int(sizes[name]))
        elif name not in env["inputs"]:
            pytest.skip("the oracle leaves '%s' to tess-run's generator" % name)
        elif dtype not in DTYPES:
            pytest.skip("NumPy has no %s" % dtype)
        else:
            value = np.ascontiguousarray(env["inputs"][name], dtype=DTYPES[dtype])
            if not dims and value.shape == (1,):
                value = value.reshape(())  # tess-run's scalar .npy files
            args.append(value)
    if any(dtype not in DTYPES for _, dtype, _ in function.results):
        pytest.skip("a result NumPy cannot hold")
    results = function(*args)
    if len(function.results) == 1:
        results = (results,)
    expected = env["expected"]
    if not isinstance(expected, (list, tuple)):
        expected = [expected]
    assert len(results) == len(expected)
    for i, (got, want) in enumerate(zip(results, expected)):
        want = np.asarray(want)
        assert got.shape == want.shape, "result %d" % i
        assert got.dtype == want.dtype, "result %d" % i
        same, err = npcheck.compare(got, want, env)
        assert same, "result %d: max abs error %g" % (i, err)
