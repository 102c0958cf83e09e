"""Oracle for PEP 508 markers and requirements: packaging 26.2's Marker and Requirement.

Input: JSON lines {"kind": "marker" | "requirement", "text": str, "envs": [env]}, where an env
maps marker variables to strings (and "extras"/"dependency_groups" to lists, made frozensets).
Output per line: validity, the parsed parts, str(), and the marker's value in each env
(true, false, or "error" when packaging raises while evaluating).
"""
import json
import sys

import packaging
from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement

assert packaging.__version__ == "26.2", packaging.__version__

SET_VARIABLES = ("extras", "dependency_groups")


def evaluate(marker, envs):
    results = []
    for env in envs:
        env = {k: frozenset(v) if k in SET_VARIABLES else v for k, v in env.items()}
        try:
            results.append(bool(marker.evaluate(env)))
        except Exception:  # noqa: BLE001 - any refusal to evaluate is "error" on both sides
            results.append("error")
    return results


for line in sys.stdin:
    if not line.strip():
        continue
    row = json.loads(line)
    out = {"valid": False}
    try:
        if row["kind"] == "marker":
            marker = Marker(row["text"])
            out = {"valid": True, "str": str(marker), "eval": evaluate(marker, row["envs"])}
        else:
            req = Requirement(row["text"])
            out = {
                "valid": True,
                "name": req.name,
                "extras": sorted(req.extras),
                "specifier": str(req.specifier),
                "url": req.url,
                "marker": None if req.marker is None else str(req.marker),
                "str": str(req),
                "eval": None if req.marker is None else evaluate(req.marker, row["envs"]),
            }
    except (InvalidMarker, InvalidRequirement):
        pass
    except Exception as e:  # noqa: BLE001 - e.g. SyntaxError from a bad string literal
        out = {"valid": False, "crash": type(e).__name__}
    print(json.dumps(out))
