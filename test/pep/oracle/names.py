"""Oracle for project names: packaging 26.2's canonicalize_name and is_normalized_name.

Input: JSON lines {"text": str}. Output per line: {"normalized", "valid", "isNormalized"}.
"""
import json
import sys

import packaging
from packaging.utils import InvalidName, canonicalize_name, is_normalized_name

assert packaging.__version__ == "26.2", packaging.__version__

for line in sys.stdin:
    if not line.strip():
        continue
    text = json.loads(line)["text"]
    try:
        canonicalize_name(text, validate=True)
        valid = True
    except InvalidName:
        valid = False
    print(json.dumps({
        "normalized": canonicalize_name(text),
        "valid": valid,
        "isNormalized": is_normalized_name(text),
    }))
