#!/usr/bin/env python3
"""Writes the seed corpora of the Tessera fuzzers.

Usage: make-seeds.py SOURCE_ROOT OUT_DIR

  OUT_DIR/frontend/  every examples/*.tess and test/**/*.tess of the source
                     tree, named after its path (test_Frontend_empty.tess),
                     and valid random programs from the differential tester
                     (test/Integration/difftest.py, when NumPy is available)
  OUT_DIR/npy/       small .npy images made here: every dtype the reader
                     knows and a few it rejects, ranks 0 to 3, empty arrays,
                     format versions 1.0, 2.0 and 3.0, Fortran order, byte
                     orders, and truncated, padded or damaged variants

Needs only the Python standard library (NumPy for the difftest programs);
the outputs are rewritten each time, so nothing binary lives in the
repository.
"""

import os
import shutil
import struct
import sys

# descr -> bytes of one element, cycling through a few values.
ELEMENTS = {
    "|b1": [b"\x00", b"\x01"],
    "<i4": [struct.pack("<i", v) for v in (0, 1, -7, 2**31 - 1, -2**31)],
    "<i8": [struct.pack("<q", v) for v in (0, 1, -7, 2**63 - 1, -2**63)],
    "<f2": [b"\x00\x3c", b"\x00\x7c", b"\x00\xfe", b"\x01\x00", b"\xff\x7b"],
    "<f4": [struct.pack("<f", v) for v in (0.0, 1.5, -2.25, 3e38, 1e-45)],
    "<f8": [struct.pack("<d", v) for v in (0.0, -0.5, 1e308, float("inf"),
                                           float("nan"))],
    "<c8": [struct.pack("<ff", a, b) for a, b in ((1, 2), (-0.0, 3.5))],
    "<c16": [struct.pack("<dd", a, b) for a, b in ((1, -2), (1e-300, 7))],
}
SHAPES = [(), (0,), (1,), (3,), (2, 3), (0, 4), (2, 1, 2)]


def header(descr, fortran, shape, version=(1, 0)):
    """A complete .npy header, padded like NumPy's."""
    dims = "".join("%d," % d if len(shape) == 1 else "%d, " % d
                   for d in shape).rstrip(" ")
    if len(shape) > 1:
        dims = dims.rstrip(",")
    text = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
        descr, "True" if fortran else "False", dims)
    len_size = 2 if version[0] == 1 else 4
    prefix = 6 + 2 + len_size
    total = prefix + len(text) + 1
    text += " " * ((64 - total % 64) % 64) + "\n"
    encoded = text.encode("utf-8" if version[0] == 3 else "latin-1")
    size = struct.pack("<H" if len_size == 2 else "<I", len(encoded))
    return b"\x93NUMPY" + bytes(version) + size + encoded


def data(descr, shape):
    count = 1
    for d in shape:
        count *= d
    values = ELEMENTS[descr]
    return b"".join(values[i % len(values)] for i in range(count))


def npy_seeds():
    """(name, bytes) of every generated .npy seed."""
    seeds = []
    for descr in ELEMENTS:
        tag = descr[1:]
        for shape in SHAPES:
            name = "%s_r%d_%s" % (tag, len(shape),
                                  "x".join(map(str, shape)) or "scalar")
            image = header(descr, False, shape) + data(descr, shape)
            seeds.append((name, image))
        image = header(descr, False, (2, 2)) + data(descr, (2, 2))
        seeds.append((tag + "_truncated_data", image[:-1]))
        seeds.append((tag + "_extra_data", image + b"\x00"))
    f4 = data("<f4", (2, 3))
    seeds += [
        ("f4_fortran", header("<f4", True, (2, 3)) + f4),
        ("f4_v2", header("<f4", False, (2, 3), (2, 0)) + f4),
        ("f4_v3", header("<f4", False, (2, 3), (3, 0)) + f4),
        ("f4_native", header("=f4", False, (2, 3)) + f4),
        ("f4_bigendian", header(">f4", False, (2, 3)) + f4),
        ("u1_unsupported", header("|u1", False, (2,)) + b"\x01\x02"),
        ("f4_negative_dim", header("<f4", False, (-1,))),
        ("f4_huge_dims",
         header("<f4", False, (2**62, 2**62)) + f4),
        ("f4_header_cut", header("<f4", False, (2, 3))[:20]),
        ("magic_only", b"\x93NUMPY"),
        ("bad_magic", b"\x93NUMPX\x01\x00" + header("<f4", False, ())[8:]),
        ("bad_version", b"\x93NUMPY\x04\x00" + header("<f4", False, ())[8:]),
        ("empty", b""),
    ]
    return seeds


def frontend_seeds(root):
    """(name, path) of every .tess file under examples/ and test/."""
    seeds = []
    for top in ("examples", "test"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for f in sorted(filenames):
                if f.endswith(".tess"):
                    path = os.path.join(dirpath, f)
                    rel = os.path.relpath(path, root)
                    seeds.append((rel.replace(os.sep, "_"), path))
    return seeds


DIFFTEST_PROGRAMS = 100


def difftest_seeds(root):
    """(name, source) of programs from the differential tester's generator:
    valid programs that reach Sema and MLIRGen. Empty without NumPy."""
    sys.path.insert(0, os.path.join(root, "test", "Integration"))
    try:
        import difftest
        return [("difftest_%d.tess" % i, difftest.generate(1000, i)[0])
                for i in range(DIFFTEST_PROGRAMS)]
    except Exception as e:  # NumPy missing, or the generator changed
        print("make-seeds.py: no difftest programs: %s" % e, file=sys.stderr)
        return []
    finally:
        sys.path.pop(0)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    root, out = sys.argv[1], sys.argv[2]
    for sub in ("frontend", "npy"):
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
        os.makedirs(os.path.join(out, sub))
    for name, path in frontend_seeds(root):
        shutil.copyfile(path, os.path.join(out, "frontend", name))
    for name, source in difftest_seeds(root):
        with open(os.path.join(out, "frontend", name), "w") as f:
            f.write(source)
    for name, image in npy_seeds():
        with open(os.path.join(out, "npy", name + ".npy"), "wb") as f:
            f.write(image)


if __name__ == "__main__":
    main()
