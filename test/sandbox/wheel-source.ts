/**
 * Real wheels for the comparison tests: a published pure-Python wheel turned back into the source tree that would
 * build it (its files, and a pyproject.toml whose [project] table says what its METADATA says), packed as an
 * sdist; and tampered copies of the wheel, the way an attacker would make them (RECORD rewritten to match).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const toSource = String.raw`
import email.parser, json, os, re, sys, tarfile, zipfile
from packaging.requirements import Requirement

wheel, out_dir, backend_requires, backend = sys.argv[1:5]
z = zipfile.ZipFile(wheel)
dist_info = next(n.split("/")[0] for n in z.namelist() if n.split("/")[0].endswith(".dist-info"))
md = email.parser.Parser().parsestr(z.read(dist_info + "/METADATA").decode())
name, version = md["Name"], md["Version"]
root = os.path.join(out_dir, f"{name}-{version}")

def q(s):
    return json.dumps(s)

lines = ["[build-system]", f"requires = [{q(backend_requires)}]", f"build-backend = {q(backend)}", "", "[project]",
         f"name = {q(name)}", f"version = {q(version)}"]
if md["Summary"]: lines.append(f"description = {q(md['Summary'])}")
if md["Requires-Python"]: lines.append(f"requires-python = {q(md['Requires-Python'])}")
if md["License-Expression"]: lines.append(f"license = {q(md['License-Expression'])}")
body = md.get_payload()
if body:
    readme = "README.md" if (md["Description-Content-Type"] or "").startswith("text/markdown") else "README.rst"
    with open(os.path.join(out_dir, "readme.tmp"), "w") as f: f.write(body)
    lines.append(f"readme = {{file = {q(readme)}, content-type = {q(md['Description-Content-Type'] or 'text/x-rst')}}}")
else:
    readme = None
people = []
for field, key in (("Author-email", "authors"), ("Maintainer-email", "maintainers")):
    if md[field]:
        entries = []
        for part in md[field].split(","):
            m = re.match(r"\s*(.*?)\s*<(.+)>\s*$", part)
            entries.append(f"{{name = {q(m.group(1))}, email = {q(m.group(2))}}}" if m else f"{{email = {q(part.strip())}}}")
        lines.append(f"{key} = [{', '.join(entries)}]")
if md.get_all("Classifier"): lines.append("classifiers = [" + ", ".join(q(c) for c in md.get_all("Classifier")) + "]")
if md["Keywords"]: lines.append("keywords = [" + ", ".join(q(k.strip()) for k in md["Keywords"].split(",")) + "]")
if md.get_all("Import-Name"): lines.append("import-names = [" + ", ".join(q(n) for n in md.get_all("Import-Name")) + "]")
deps, extras = [], {}
for text in md.get_all("Requires-Dist") or []:
    req_text, _, marker = text.partition(";")
    m = re.search(r'extra\s*==\s*["\']([^"\']+)["\']', marker)
    if m:
        rest = re.sub(r'\s*(and\s+)?extra\s*==\s*["\'][^"\']+["\']\s*(and\s+)?', " ", marker).strip()
        extras.setdefault(m.group(1), []).append(req_text.strip() + (f"; {rest}" if rest else ""))
    else:
        deps.append(text.strip())
lines.append("dependencies = [" + ", ".join(q(d) for d in deps) + "]")
for extra in md.get_all("Provides-Extra") or []:
    extras.setdefault(extra, [])
urls = [u.split(",", 1) for u in md.get_all("Project-URL") or []]
entry_points = {}
if dist_info + "/entry_points.txt" in z.namelist():
    group = None
    for raw in z.read(dist_info + "/entry_points.txt").decode().splitlines():
        raw = raw.strip()
        if raw.startswith("["): group = raw[1:-1]; entry_points[group] = {}
        elif "=" in raw: k, v = raw.split("=", 1); entry_points[group][k.strip()] = v.strip()
if extras:
    lines.append("")
    lines.append("[project.optional-dependencies]")
    for extra, reqs in extras.items(): lines.append(f"{q(extra)} = [" + ", ".join(q(r) for r in reqs) + "]")
if urls:
    lines += ["", "[project.urls]"] + [f"{q(label.strip())} = {q(url.strip())}" for label, url in urls]
for group, table in entry_points.items():
    header = {"console_scripts": "project.scripts", "gui_scripts": "project.gui-scripts"}.get(group, f"project.entry-points.{q(group)}")
    lines += ["", f"[{header}]"] + [f"{q(k)} = {q(v)}" for k, v in table.items()]
license_files = [n for n in z.namelist() if n.startswith(dist_info + "/licenses/")]
if license_files:
    lines.insert(lines.index("dependencies = " + lines[[i for i, l in enumerate(lines) if l.startswith("dependencies = ")][0]].split(" = ", 1)[1]),
                 "license-files = [" + ", ".join(q(n[len(dist_info + "/licenses/"):]) for n in license_files) + "]")
os.makedirs(root)
for info in z.infolist():
    n = info.filename
    if n.startswith(dist_info + "/licenses/"):
        target = os.path.join(root, n[len(dist_info + "/licenses/"):])
    elif n.startswith(dist_info + "/") or n.endswith("/"):
        continue
    else:
        target = os.path.join(root, n)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as f: f.write(z.read(n))
if readme: os.rename(os.path.join(out_dir, "readme.tmp"), os.path.join(root, readme))
with open(os.path.join(root, "pyproject.toml"), "w") as f: f.write("\n".join(lines) + "\n")
with open(os.path.join(root, "PKG-INFO"), "w") as f: f.write(f"Metadata-Version: 2.4\nName: {name}\nVersion: {version}\n")
archive = os.path.join(out_dir, f"{name}-{version}.tar.gz")
with tarfile.open(archive, "w:gz") as t: t.add(root, arcname=f"{name}-{version}")
print(archive)
`;

/** The sdist that builds `wheel` back, with `backend` (flit_core for a flit-built wheel, and so on). */
export function wheelToSdist(wheel: string, backend: { requires: string; buildBackend: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-wheel-source-'));
  return execFileSync('python3', ['-c', toSource, wheel, dir, backend.requires, backend.buildBackend], { encoding: 'utf8' }).trim();
}

const tamper = String.raw`
import base64, hashlib, json, sys, zipfile
spec = json.loads(sys.argv[1])
src = zipfile.ZipFile(spec["src"])
files = {i.filename: src.read(i.filename) for i in src.infolist() if not i.filename.endswith("/")}
record = next(n for n in files if n.endswith(".dist-info/RECORD"))
for name, text in spec.get("set", {}).items():
    files[name] = text.encode()
for name, (old, new) in spec.get("replace", {}).items():
    assert old.encode() in files[name], (name, old)
    files[name] = files[name].replace(old.encode(), new.encode(), 1)
rows = []
for name, data in files.items():
    if name == record: continue
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    rows.append(f"{name},sha256={digest},{len(data)}")
rows.append(f"{record},,")
files[record] = ("\n".join(rows) + "\n").encode()
with zipfile.ZipFile(spec["dst"], "w", zipfile.ZIP_DEFLATED) as out:
    for name, data in files.items():
        out.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)
`;

/** A copy of `wheel` with files set (added or overwritten) or a text replaced, its RECORD rewritten to match. */
export function tamperedWheel(wheel: string, change: { set?: Record<string, string>; replace?: Record<string, [string, string]> }): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tampered-'));
  const dst = join(dir, wheel.split('/').pop()!);
  execFileSync('python3', ['-c', tamper, JSON.stringify({ src: wheel, dst, ...change })]);
  return dst;
}
