#!/usr/bin/env python3
"""Checks the layering of the Tessera source tree.

Usage: check-layering.py [--max-lines N] [ROOT]

1. Include graph. Every C/C++ source and header under the layered top-level
   folders may include `tessera/...` headers only from its own folder or from
   the folders below it:

     python    -> capi (its public C header only)
     capi      -> driver, frontend, passes, dialects, runtime
     tools     -> driver, frontend, passes, dialects, runtime
     driver    -> frontend, passes, dialects, runtime
     frontend  -> dialects, runtime
     passes    -> dialects, runtime
     dialects  -> runtime
     runtime   -> (nothing of ours)

   test/ may include anything. An include is attributed to the folder whose
   `<folder>/include/` holds the header; headers that exist only in the build
   tree (TableGen output) are attributed by their first path component
   (Frontend -> frontend, Dialect -> dialects, Transforms/Conversion/
   Pipelines -> passes, Runtime -> runtime, Driver -> driver).

2. File size. No .cpp or .h file (outside build trees) has more than
   --max-lines lines (default 1000).

Prints one line per violation, `path:line: error: message`, and exits 1 if there is
any; prints a summary and exits 0 otherwise.
"""

import argparse
import os
import re
import sys

# Folder -> folders it may include from (besides itself).
ALLOWED = {
    "python": {"capi"},
    "capi": {"driver", "frontend", "passes", "dialects", "runtime"},
    "tools": {"driver", "frontend", "passes", "dialects", "runtime"},
    "driver": {"frontend", "passes", "dialects", "runtime"},
    "frontend": {"dialects", "runtime"},
    "passes": {"dialects", "runtime"},
    "dialects": {"runtime"},
    "runtime": set(),
}
LAYERED = sorted(ALLOWED)
UNRESTRICTED = {"test"}

# First component after `tessera/` -> folder, for headers that are not in any
# source include directory (generated ones).
PREFIXES = {
    "Frontend": "frontend",
    "Dialect": "dialects",
    "Transforms": "passes",
    "Conversion": "passes",
    "Pipelines": "passes",
    "Runtime": "runtime",
    "Driver": "driver",
}

SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".inc",
                   ".def")
SIZE_SUFFIXES = (".cpp", ".h")

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*[<"](tessera/[^>"]+)[>"]')


def is_build_dir(path, name):
    if name.startswith(".") or name.startswith("build"):
        return True
    return os.path.exists(os.path.join(path, "CMakeCache.txt"))


def walk_sources(root, top, suffixes):
    base = os.path.join(root, top)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(
            d for d in dirnames
            if not is_build_dir(os.path.join(dirpath, d), d))
        for name in sorted(filenames):
            if name.endswith(suffixes):
                yield os.path.join(dirpath, name)


def owner_of_include(root, header):
    """The folder that provides `tessera/...` header `header`, or None."""
    owners = [
        part for part in LAYERED
        if os.path.isfile(os.path.join(root, part, "include", header))
    ]
    if len(owners) == 1:
        return owners[0]
    if len(owners) > 1:
        return None
    first = header.split("/")[1] if "/" in header else ""
    if first in PREFIXES:
        return PREFIXES[first]
    if first.startswith("InitAllDialects"):
        return "dialects"
    if first.startswith("InitAllPasses"):
        return "passes"
    return None


def check_includes(root, errors):
    checked = 0
    for part in LAYERED:
        for path in walk_sources(root, part, SOURCE_SUFFIXES):
            checked += 1
            rel = os.path.relpath(path, root)
            with open(path, encoding="utf-8", errors="replace") as f:
                for lineno, line in enumerate(f, 1):
                    m = INCLUDE_RE.match(line)
                    if not m:
                        continue
                    header = m.group(1)
                    owner = owner_of_include(root, header)
                    if owner is None:
                        errors.append(
                            (rel, lineno, "cannot tell which layer provides "
                             "'%s'" % header))
                    elif owner != part and owner not in ALLOWED[part]:
                        allowed = ", ".join(sorted(ALLOWED[part])) or "nothing"
                        errors.append(
                            (rel, lineno, "%s/ must not include '%s' from %s/ "
                             "(%s/ may include: %s)" %
                             (part, header, owner, part, allowed)))
    return checked


def check_sizes(root, max_lines, errors):
    checked = 0
    for top in sorted(os.listdir(root)):
        path = os.path.join(root, top)
        if not os.path.isdir(path) or is_build_dir(path, top):
            continue
        for source in walk_sources(root, top, SIZE_SUFFIXES):
            checked += 1
            with open(source, encoding="utf-8", errors="replace") as f:
                lines = sum(1 for _ in f)
            if lines > max_lines:
                errors.append(
                    (os.path.relpath(source, root), max_lines + 1,
                     "file has %d lines (at most %d allowed)" %
                     (lines, max_lines)))
    return checked


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?",
                        default=os.path.dirname(
                            os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--max-lines", type=int, default=1000)
    args = parser.parse_args()

    errors = []
    num_layered = check_includes(args.root, errors)
    num_sized = check_sizes(args.root, args.max_lines, errors)
    for path, lineno, message in errors:
        print("%s:%d: error: %s" % (path, lineno, message))
    if errors:
        print("%d layering violation(s)" % len(errors))
        return 1
    print("layering OK: %d layered files, %d C++ files within %d lines" %
          (num_layered, num_sized, args.max_lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
