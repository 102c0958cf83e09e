"""An outside verifier of `gatehouse log export` output, written from docs/decisions.md ("Decision log") alone.

Reads JSON lines on stdin. For each entry: its number is one more than the last, its "prev" is the last entry's hash,
and its "hash" is the sha256 of the entry without "hash" in canonical JSON. Prints COUNT:HASH when every entry holds,
else the first bad entry's number and why, with exit status 1.

Python's json.dumps with sorted keys, no spaces and ensure_ascii=False writes RFC 8785's form for these entries:
strings the same way, integers the same way; its float repr differs from RFC 8785 only for exponents and for
floats that are whole numbers, which Gatehouse's payloads do not use. A verifier for any payload uses an RFC 8785
library (for example the `rfc8785` package).
"""
import hashlib
import json
import sys


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def main():
    count = 0
    prev = "0" * 64
    for line in sys.stdin:
        entry = json.loads(line)
        claimed = entry.pop("hash")
        seq = entry["seq"]
        if seq != count + 1:
            print(f"entry {count + 1}: missing (next is {seq})")
            return 1
        if entry["prev"] != prev:
            print(f"entry {seq}: prev does not match entry {count}'s hash")
            return 1
        if hashlib.sha256(canonical(entry).encode("utf-8")).hexdigest() != claimed:
            print(f"entry {seq}: content does not match its hash")
            return 1
        count, prev = seq, claimed
    print(f"{count}:{prev}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
