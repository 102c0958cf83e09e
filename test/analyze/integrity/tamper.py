"""Rewrites a wheel with one deliberate defect, for the integrity tests.

Usage: python3 tamper.py IN.whl OUT.whl OPERATION
Each operation changes exactly one thing; where the defect is not in RECORD
itself, RECORD is rewritten to stay consistent so only the defect shows.
"""
import base64
import csv
import hashlib
import io
import sys
import zipfile


def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def main(src, dst, op):
    with zipfile.ZipFile(src) as z:
        files = {i.filename: z.read(i) for i in z.infolist()}
    dist_info = next(n.split("/")[0] for n in files if n.split("/")[0].endswith(".dist-info"))
    record_path = f"{dist_info}/RECORD"
    package_file = next(n for n in files if n.endswith("__init__.py"))
    consistent = True  # rewrite RECORD from the files after the change

    def edit_text(path, old, new):
        text = files[path].decode()
        assert old in text, (path, old)
        files[path] = text.replace(old, new, 1).encode()

    if op == "changed-file":
        files[package_file] = files[package_file].replace(b"1", b"2")
        consistent = False
    elif op == "unlisted-file":
        files[package_file.rsplit("/", 1)[0] + "/evil.py"] = b"import os\n"
        consistent = False
    elif op == "missing-row":
        rows = [r for r in csv.reader(io.StringIO(files[record_path].decode())) if r and r[0] != package_file]
        files[record_path] = rows_to_bytes(rows)
        consistent = False
    elif op == "wrong-size":
        rows = [r if r[0] != package_file else [r[0], r[1], str(int(r[2]) + 1)]
                for r in csv.reader(io.StringIO(files[record_path].decode())) if r]
        files[record_path] = rows_to_bytes(rows)
        consistent = False
    elif op == "extra-row":
        rows = [r for r in csv.reader(io.StringIO(files[record_path].decode())) if r]
        rows.insert(0, ["gh_demo/ghost.py", digest(b""), "0"])
        files[record_path] = rows_to_bytes(rows)
        consistent = False
    elif op == "wrong-tag":
        edit_text(f"{dist_info}/WHEEL", "Tag: py3-none-any", "Tag: cp311-cp311-manylinux_2_17_x86_64")
    elif op == "platlib":
        edit_text(f"{dist_info}/WHEEL", "Root-Is-Purelib: true", "Root-Is-Purelib: false")
    elif op == "native-in-pure":
        files[package_file.rsplit("/", 1)[0] + "/_speedups.so"] = b"\x7fELF" + b"\0" * 60
    elif op == "metadata-name":
        edit_text(f"{dist_info}/METADATA", "Name: gh-demo", "Name: other-project")
    elif op == "metadata-version":
        edit_text(f"{dist_info}/METADATA", "Version: 0.1.0", "Version: 0.2.0")
    elif op == "second-dist-info":
        files["other-1.0.dist-info/METADATA"] = b"Metadata-Version: 2.1\nName: other\nVersion: 1.0\n"
    elif op == "no-wheel-file":
        del files[f"{dist_info}/WHEEL"]
    elif op == "md5-record":
        rows = [r if r[0] != package_file else [r[0], "md5=" + base64.urlsafe_b64encode(hashlib.md5(files[package_file]).digest()).rstrip(b"=").decode(), r[2]]
                for r in csv.reader(io.StringIO(files[record_path].decode())) if r]
        files[record_path] = rows_to_bytes(rows)
        consistent = False
    elif op != "none":
        raise SystemExit(f"unknown operation {op}")

    if consistent:
        rows = [[n, digest(d), str(len(d))] for n, d in files.items() if n != record_path]
        rows.append([record_path, "", ""])
        files[record_path] = rows_to_bytes(rows)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)


def rows_to_bytes(rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


if __name__ == "__main__":
    main(*sys.argv[1:4])
