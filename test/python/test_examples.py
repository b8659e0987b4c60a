"""The tutorials of examples/python run, and check themselves against
PyTorch (the S4D layer within 1e-4 of its float64 PyTorch reference)."""

import os
import subprocess
import sys

import pytest

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples",
                        "python")


@pytest.mark.parametrize("args", [[], ["--batch", "2", "--channels", "5",
                                       "--states", "3", "--length", "37"]])
def test_s4d_tutorial(args):
    pytest.importorskip("torch")
    run = subprocess.run([sys.executable, os.path.join(EXAMPLES, "s4d_layer.py")]
                         + args, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "S4D max error" in run.stdout
