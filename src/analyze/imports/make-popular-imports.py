"""Builds popular-imports.json: top-level import name -> projects that ship it.

Derived from the real PyPI wheels in /opt/pypi/files (about 900 popular
projects). A name that more than MAX_OWNERS projects ship (`tests`, `docs`,
`examples`) belongs to nobody and is left out.

Run: python3 src/analyze/imports/make-popular-imports.py [/opt/pypi/files]
"""
import json
import os
import re
import sys
import zipfile

MAX_OWNERS = 3
# Names that sloppy wheels ship by accident and that no project owns.
GENERIC = {"test", "tests", "testing", "doc", "docs", "example", "examples", "setup", "benchmarks", "benchmark",
           "scripts", "tools", "utils", "src", "build", "conftest", "bin", "lib", "data"}


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def top_level_names(wheel):
    """Regular packages (with __init__.py) and modules at the top of the install tree.

    Implicit namespace packages (`google/`, `azure/` without __init__.py) are
    shared by design and are not anybody's to claim.
    """
    names = set()
    for path in wheel.namelist():
        parts = path.split("/")
        if parts[0].endswith(".data") and len(parts) > 2 and parts[1] in ("purelib", "platlib"):
            parts = parts[2:]
        elif parts[0].endswith((".dist-info", ".data")):
            continue
        if len(parts) == 2 and parts[1] == "__init__.py":
            module = parts[0]
        elif len(parts) == 1 and parts[0].endswith((".py", ".so", ".pyd")):
            module = parts[0].split(".", 1)[0]
        else:
            continue
        if module.isidentifier() and module not in GENERIC:
            names.add(module)
    return names


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "/opt/pypi/files"
    owners = {}
    for filename in sorted(os.listdir(root)):
        if not filename.endswith(".whl"):
            continue
        project = normalize(filename.split("-", 1)[0])
        with zipfile.ZipFile(os.path.join(root, filename)) as wheel:
            for name in top_level_names(wheel):
                owners.setdefault(name, set()).add(project)
    table = {name: sorted(projects) for name, projects in sorted(owners.items()) if len(projects) <= MAX_OWNERS}
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "popular-imports.json")
    with open(out, "w") as f:
        json.dump(table, f, indent=0, sort_keys=True)
        f.write("\n")
    print(f"{len(table)} import names from {root} -> {out}")


if __name__ == "__main__":
    main()
