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


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def top_level_names(wheel):
    names = set()
    for path in wheel.namelist():
        first = path.split("/", 1)[0]
        if first.endswith((".dist-info", ".data")):
            if "/purelib/" in path or "/platlib/" in path:
                parts = path.split("/")
                if len(parts) > 3:
                    first = parts[2]
                else:
                    continue
            else:
                continue
        if "/" not in path and not first.endswith((".py", ".so", ".pyd")):
            continue
        module = re.split(r"\.", first, maxsplit=1)[0]
        if module.isidentifier():
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
