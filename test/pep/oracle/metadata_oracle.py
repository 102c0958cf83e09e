"""Reference readings of core metadata from `packaging.metadata`.

Reads JSON lines, each {"b64": METADATA bytes in base64} or {"wheel": path of a .whl} (then the
*.dist-info/METADATA file inside it is read), and writes for each:
{"b64": the bytes read, "raw": parse_email's RawMetadata, "unparsed": its unparsed fields,
 "invalid": sorted field names that Metadata.from_raw(validate=True) reports}.
"""
import base64
import json
import sys
import zipfile

from packaging.metadata import ExceptionGroup, InvalidMetadata, Metadata, parse_email


def metadata_bytes(case):
    if "b64" in case:
        return base64.b64decode(case["b64"])
    with zipfile.ZipFile(case["wheel"]) as zf:
        names = [n for n in zf.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
        if len(names) != 1:
            raise SystemExit(f"{case['wheel']}: expected one .dist-info/METADATA, found {names}")
        return zf.read(names[0])


def invalid_fields(raw):
    try:
        Metadata.from_raw(raw, validate=True)
    except ExceptionGroup as group:
        return sorted({e.field for e in group.exceptions if isinstance(e, InvalidMetadata)})
    return []


for line in sys.stdin:
    if not line.strip():
        continue
    data = metadata_bytes(json.loads(line))
    raw, unparsed = parse_email(data)
    print(json.dumps({
        "b64": base64.b64encode(data).decode("ascii"),
        "raw": raw,
        "unparsed": unparsed,
        "invalid": invalid_fields(raw),
    }))
