#!/usr/bin/env python3
"""Checks (or applies) the repository's .clang-format on every C/C++ file.

Usage: check-format.py [--clang-format PATH] [--fix] [ROOT]

Looks at every .cpp, .h and .c file under the source folders of ROOT
(frontend, dialects, passes, runtime, driver, capi, python, tools, test), skipping build
trees. Without --fix, prints `path: error: not formatted (...)` for each file
whose formatting differs and exits 1; with --fix, rewrites them in place.
"""

import argparse
import os
import subprocess
import sys

FOLDERS = ("frontend", "dialects", "passes", "runtime", "driver", "capi",
           "python", "tools",
           "test", "examples")
SUFFIXES = (".cpp", ".h", ".hpp", ".c")
DEFAULT_TOOL = "/usr/lib/llvm-22/bin/clang-format"


def source_files(root):
    """The C/C++ files under the source folders, sorted."""
    files = []
    for folder in FOLDERS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, folder)):
            dirnames[:] = [d for d in dirnames if not d.startswith("build")]
            files += [os.path.join(dirpath, f) for f in filenames
                      if f.endswith(SUFFIXES)]
    return sorted(files)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("root", nargs="?", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), ".."))
    parser.add_argument("--clang-format", default=DEFAULT_TOOL)
    parser.add_argument("--fix", action="store_true")
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    files = source_files(root)
    if args.fix:
        subprocess.run([args.clang_format, "-i", "--style=file"] + files,
                       check=True)
        print("formatted %d files" % len(files))
        return 0
    bad = 0
    for path in files:
        with open(path, "rb") as f:
            original = f.read()
        formatted = subprocess.run(
            [args.clang_format, "--style=file", "--assume-filename=" + path],
            input=original, stdout=subprocess.PIPE, check=True).stdout
        if formatted != original:
            bad += 1
            print("%s: error: not formatted (run scripts/check-format.py --fix)"
                  % os.path.relpath(path, root))
    if bad:
        return 1
    print("%d files formatted" % len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
