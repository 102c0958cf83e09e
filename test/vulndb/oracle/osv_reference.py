#!/usr/bin/env python3
"""Reference OSV matcher for PyPI, written on `packaging` (the oracle for Gatehouse's vulndb).

It follows the OSV schema's evaluation literally: for each ECOSYSTEM range, sort the
events by version ("introduced": "0" lowest, stable for equal versions), walk them,
and turn "affected" on at introduced <= v, off at fixed <= v, off at last_affected < v,
and stop at limit <= v. A version is also affected when it equals (PEP 440) an entry
of the `versions` list. Withdrawn advisories and non-PyPI packages are skipped.
Event versions that `packaging` rejects are left out of the walk.

Usage:
  osv_reference.py cases SNAPSHOT.jsonl.gz     print one JSON line per (package, candidate version)
                                               with the matching ids and their fix versions
  osv_reference.py audit SNAPSHOT.jsonl.gz REQUIREMENTS   audit `name==version` lines (the benchmark baseline)
"""
import gzip
import json
import sys

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


def parse(text):
    try:
        return Version(text)
    except InvalidVersion:
        return None


def load(path):
    """Per normalized package name: a list of (id, ranges, versions), ranges as sorted (kind, Version|None)."""
    by_name = {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            adv = json.loads(line)
            if adv.get("withdrawn"):
                continue
            for affected in adv.get("affected", []):
                pkg = affected.get("package") or {}
                if pkg.get("ecosystem") != "PyPI":
                    continue
                ranges = []
                for r in affected.get("ranges", []):
                    if r.get("type") != "ECOSYSTEM":
                        continue
                    events = []
                    for e in r["events"]:
                        ((kind, text),) = e.items()
                        if kind == "introduced" and text == "0":
                            events.append((kind, None))
                            continue
                        v = parse(text)
                        if v is not None:
                            events.append((kind, v))
                    events.sort(key=lambda ev: (0, Version("0")) if ev[1] is None else (1, ev[1]))
                    ranges.append(events)
                listed = [v for v in (parse(t) for t in affected.get("versions", [])) if v is not None]
                by_name.setdefault(canonicalize_name(pkg["name"]), []).append((adv["id"], ranges, listed))
    return by_name


def in_range(events, v):
    affected = False
    for kind, ev in events:
        if kind == "introduced":
            if ev is None or v >= ev:
                affected = True
        elif kind == "fixed":
            if v >= ev:
                affected = False
        elif kind == "last_affected":
            if v > ev:
                affected = False
        elif kind == "limit":
            if v >= ev:
                return False
    return affected


def matches(entries, v):
    """{id: sorted fix versions above v} for the advisories that affect v."""
    out = {}
    for adv_id, ranges, listed in entries:
        if any(in_range(r, v) for r in ranges) or any(v == x for x in listed):
            fixes = out.setdefault(adv_id, set())
            for r in ranges:
                for kind, ev in r:
                    if kind == "fixed" and ev > v:
                        fixes.add(ev)
    return {k: [str(f) for f in sorted(fs)] for k, fs in out.items()}


def neighbours(v):
    """Versions at and around an event boundary: below, at, and above it."""
    rel = list(v.release)
    epoch = f"{v.epoch}!" if v.epoch else ""
    base = epoch + ".".join(map(str, rel))
    texts = {str(v), f"{v}.dev0", f"{v}.post0", f"{v}+gh.1", base + ".0", base + "rc1"}
    up = rel[:]
    up[-1] += 1
    texts.add(epoch + ".".join(map(str, up)))
    if rel[-1] > 0:
        down = rel[:]
        down[-1] -= 1
        texts.add(epoch + ".".join(map(str, down)) + ".999")
    return [x for x in (parse(t) for t in texts) if x is not None]


def cases(path):
    by_name = load(path)
    out = sys.stdout
    for name in sorted(by_name):
        entries = by_name[name]
        candidates = {Version("0"), Version("0.0.1"), Version("99999")}
        for _, ranges, listed in entries:
            for r in ranges:
                for _, ev in r:
                    if ev is not None:
                        candidates.update(neighbours(ev))
            candidates.update(listed)
        for v in sorted(candidates):
            out.write(json.dumps({"name": name, "version": str(v), "matches": matches(entries, v)}) + "\n")


def audit(path, requirements):
    by_name = load(path)
    found = 0
    with open(requirements, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            name, _, version = line.partition("==")
            m = matches(by_name.get(canonicalize_name(name.strip()), []), Version(version.strip()))
            for adv_id, fixes in sorted(m.items()):
                found += 1
                print(f"{canonicalize_name(name.strip())} {version.strip()} {adv_id} {' '.join(fixes)}")
    print(f"{found} vulnerabilities")
    return 1 if found else 0


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "cases":
        cases(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "audit":
        sys.exit(audit(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(__doc__)
