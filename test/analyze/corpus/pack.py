"""Packs test artifacts: reads one JSON spec per line on stdin, writes real wheels and sdists.

Spec: {"kind": "wheel"|"sdist", "dir": OUT, "name": N, "version": V,
       "files": {path: text}, "metadata": {header: value}, "entry_points": text|null}

Wheels get a correct dist-info (METADATA, WHEEL, entry_points.txt, RECORD with
sha256 and sizes), so that only what the sample puts inside is suspicious.
Sdists get a `name-version/` root with PKG-INFO. Prints the path of each
artifact written, as a JSON string per line.
"""
import base64
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import zipfile


def metadata_text(spec):
    md = {"Metadata-Version": "2.1", "Name": spec["name"], "Version": spec["version"]}
    md.update(spec.get("metadata") or {})
    body = md.pop("Description", None)
    lines = []
    for key, value in md.items():
        for v in value if isinstance(value, list) else [value]:
            lines.append(f"{key}: {v}")
    text = "\n".join(lines) + "\n"
    if body is not None:
        text += "\n" + body + "\n"
    return text


def escaped(name):
    return re.sub(r"[-_.]+", "_", name)


def write_wheel(spec):
    name, version = escaped(spec["name"]), spec["version"]
    path = os.path.join(spec["dir"], f"{name}-{version}-py3-none-any.whl")
    dist_info = f"{name}-{version}.dist-info"
    files = dict(spec.get("files") or {})
    files[f"{dist_info}/METADATA"] = metadata_text(spec)
    files[f"{dist_info}/WHEEL"] = "Wheel-Version: 1.0\nGenerator: gatehouse-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    if spec.get("entry_points"):
        files[f"{dist_info}/entry_points.txt"] = spec["entry_points"]
    record = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for member, text in files.items():
            data = text.encode()
            z.writestr(member, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{member},sha256={digest},{len(data)}")
        record.append(f"{dist_info}/RECORD,,")
        z.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return path


def write_sdist(spec):
    name, version = escaped(spec["name"]).lower(), spec["version"]
    root = f"{name}-{version}"
    path = os.path.join(spec["dir"], f"{root}.tar.gz")
    files = {f"{root}/{p}": t for p, t in (spec.get("files") or {}).items()}
    files[f"{root}/PKG-INFO"] = metadata_text(spec)
    with tarfile.open(path, "w:gz") as tar:
        for member, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(member)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return path


for line in sys.stdin:
    if line.strip():
        spec = json.loads(line)
        os.makedirs(spec["dir"], exist_ok=True)
        print(json.dumps(write_wheel(spec) if spec["kind"] == "wheel" else write_sdist(spec)))
