"""Oracle for SPDX license expressions: packaging 26.2's canonicalize_license_expression, which PyPI validates
License-Expression with.

Input: JSON lines {"text": str}. Output per line: {"normalized": str | null} (null: packaging rejects it).
"""
import json
import sys

import packaging
from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

assert packaging.__version__ == "26.2", packaging.__version__

for line in sys.stdin:
    if not line.strip():
        continue
    text = json.loads(line)["text"]
    try:
        normalized = canonicalize_license_expression(text)
    except InvalidLicenseExpression:
        normalized = None
    print(json.dumps({"normalized": normalized}))
