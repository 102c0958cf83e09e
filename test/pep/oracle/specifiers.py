"""Oracle for PEP 440 specifiers: packaging 26.2's Specifier and SpecifierSet.

Input: JSON lines {"text": str, "candidates": [str], "lists": [[str]]}.
Output per line: validity and str() of Specifier(text) and SpecifierSet(text);
for each, contains() over the candidates with prereleases None/True/False as
strings of 0/1 (and, for sets with ===, the same with Version objects); and the
SpecifierSet's filter() over each list with the three prerelease settings, as
indices into that list.
"""
import json
import sys

import packaging
from packaging.specifiers import Specifier, SpecifierSet
from packaging.version import Version

assert packaging.__version__ == "26.2", packaging.__version__

MODES = (None, True, False)


def bits(fn, items):
    return "".join("1" if fn(c) else "0" for c in items)


def subsequence_indices(items, kept):
    """filter() keeps items in order: map what it returned back to positions (items may repeat)."""
    indices, k = [], 0
    for i, item in enumerate(items):
        if k < len(kept) and kept[k] is item:
            indices.append(i)
            k += 1
    assert k == len(kept), "filter() reordered its input"
    return indices


def parse_or_none(text):
    try:
        return Version(text)
    except ValueError:
        return None


for line in sys.stdin:
    if not line.strip():
        continue
    row = json.loads(line)
    text, candidates = row["text"], row["candidates"]
    out = {}
    try:
        spec = Specifier(text)
        out["spec"] = {
            "str": str(spec),
            "operator": spec.operator,
            "version": spec.version,
            "contains": [bits(lambda c: spec.contains(c, prereleases=m), candidates) for m in MODES],
        }
    except ValueError:
        out["spec"] = None
    try:
        sset = SpecifierSet(text)
        parsed = [(c, parse_or_none(c)) for c in candidates]
        out["set"] = {
            "count": len(sset),
            # str() on its own instance: it de-duplicates the clauses in place (by canonical form), which changes
            # len() and even contains() when two "equal" ~= clauses match differently (~=1.0-1 and ~=1.0.r1).
            "str": str(SpecifierSet(text)),
            "contains": [bits(lambda c: sset.contains(c, prereleases=m), candidates) for m in MODES],
            "containsParsed": [
                "".join("-" if v is None else ("1" if sset.contains(v, prereleases=m) else "0") for _, v in parsed)
                for m in MODES
            ],
        }
        filters = []
        for lst in row["lists"]:
            filters.append([subsequence_indices(lst, list(sset.filter(lst, prereleases=m))) for m in MODES])
        out["set"]["filter"] = filters
    except ValueError:
        out["set"] = None
    print(json.dumps(out))
