"""Oracle for PEP 440 versions: packaging 26.2's Version on every input line.

Input: JSON lines {"text": str}. Output: one JSON line per input, then one line
{"order": [...], "reverse": [...], "ties": [...]} with the indices of the valid
versions sorted ascending and descending (stable), and for each adjacent pair in
the ascending order whether the two compare equal.
"""
import json
import sys

import packaging
from packaging.utils import canonicalize_version
from packaging.version import Version

assert packaging.__version__ == "26.2", packaging.__version__

rows = [json.loads(line) for line in sys.stdin if line.strip()]
valid = []
out = []
for i, row in enumerate(rows):
    try:
        v = Version(row["text"])
    except ValueError:  # InvalidVersion, or int() refusing more than 4300 digits
        out.append({"valid": False})
        continue
    valid.append((i, v))
    out.append({
        "valid": True,
        "str": str(v),
        "public": v.public,
        "base": v.base_version,
        "canonical": canonicalize_version(v),
        "epoch": v.epoch,
        "release": [str(n) for n in v.release],
        "pre": None if v.pre is None else [v.pre[0], str(v.pre[1])],
        "post": None if v.post is None else str(v.post),
        "dev": None if v.dev is None else str(v.dev),
        "local": v.local,
        "isPre": v.is_prerelease,
        "isPost": v.is_postrelease,
        "isDev": v.is_devrelease,
    })
for o in out:
    print(json.dumps(o))
asc = sorted(valid, key=lambda p: p[1])
desc = sorted(valid, key=lambda p: p[1], reverse=True)
ties = [asc[k][1] == asc[k + 1][1] for k in range(len(asc) - 1)]
print(json.dumps({"order": [i for i, _ in asc], "reverse": [i for i, _ in desc], "ties": ties}))
