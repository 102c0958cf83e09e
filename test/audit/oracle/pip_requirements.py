#!/usr/bin/env python3
"""Reads a requirements file with pip's own parser (pip._internal.req.req_file) and prints one JSON
line per requirement: its text, whether it is a constraint or editable, and the file and line it came from.
Environment variables are taken from the JSON object on stdin."""
import json
import os
import sys

from pip._internal.network.session import PipSession
from pip._internal.req.req_file import parse_requirements

env = json.loads(sys.stdin.read() or "{}")
os.environ.update(env)
for req in parse_requirements(sys.argv[1], session=PipSession()):
    source, _, line = req.comes_from.rpartition(" (line ")
    source = source.split(" ", 1)[1] if source.startswith(("-r ", "-c ")) else source
    print(json.dumps({
        "requirement": req.requirement,
        "constraint": req.constraint,
        "editable": req.is_editable,
        "file": source,
        "line": int(line.rstrip(")")),
    }))
