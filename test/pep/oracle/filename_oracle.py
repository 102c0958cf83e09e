"""Reference answers for distribution file names from `packaging.utils`.

Reads JSON lines {"kind": "wheel" | "sdist", "filename": str} and writes, for each, either
{"ok": true, "name": normalized name, "version": normalized version, "build": [number, rest] | null,
 "tags": sorted ["python-abi-platform", ...]} or {"ok": false, "error": str}.
"""
import json
import sys

from packaging.utils import parse_sdist_filename, parse_wheel_filename

for line in sys.stdin:
    if not line.strip():
        continue
    case = json.loads(line)
    try:
        if case["kind"] == "wheel":
            name, version, build, tags = parse_wheel_filename(case["filename"])
            out = {
                "ok": True,
                "name": name,
                "version": str(version),
                "build": [build[0], build[1]] if build else None,
                "tags": sorted(f"{t.interpreter}-{t.abi}-{t.platform}" for t in tags),
            }
        else:
            name, version = parse_sdist_filename(case["filename"])
            out = {"ok": True, "name": name, "version": str(version), "build": None, "tags": []}
    except ValueError as e:
        out = {"ok": False, "error": str(e)}
    print(json.dumps(out))
