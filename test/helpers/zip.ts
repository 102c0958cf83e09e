/**
 * Writes zip files for tests with Python's zipfile, so a test can forge the
 * archives a build tool would never make (traversal, bombs, contradicting
 * metadata) and regenerate them from code.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';

export interface ZipEntrySpec {
  name: string;
  text?: string;
  /** That many zero bytes, deflated: a compression bomb. */
  zeros?: number;
}

const WRITER = `
import json, sys, zipfile
spec = json.load(sys.stdin)
with zipfile.ZipFile(spec["path"], "w", zipfile.ZIP_DEFLATED) as z:
    for e in spec["entries"]:
        info = zipfile.ZipInfo(e["name"], date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        if "zeros" in e:
            with z.open(info, "w", force_zip64=True) as f:
                chunk = bytes(1 << 20)
                left = e["zeros"]
                while left > 0:
                    n = min(left, len(chunk)); f.write(chunk[:n]); left -= n
        else:
            z.writestr(info, e.get("text", ""))
`;

export function writeZip(path: string, entries: ZipEntrySpec[]): void {
  execFileSync('python3', ['-c', WRITER], { input: JSON.stringify({ path, entries }) });
}

/** RECORD lines (binary distribution format spec) for text entries: `path,sha256=<urlsafe b64>,size`. */
export function recordFor(entries: ZipEntrySpec[], recordPath: string): string {
  const rows = entries.map((e) => {
    const data = Buffer.from(e.text ?? '');
    return `${e.name},sha256=${createHash('sha256').update(data).digest('base64url')},${data.length}`;
  });
  return [...rows, `${recordPath},,`, ''].join('\n');
}

/**
 * A minimal, valid wheel for `name` `version`: a module, METADATA, WHEEL and a RECORD that lists every file (`extra`
 * files included). Entries a test appends afterwards are not in RECORD.
 */
export function wheelEntries(
  name: string,
  version: string,
  metadataOverride?: { name?: string; version?: string },
  extra: ZipEntrySpec[] = [],
): ZipEntrySpec[] {
  const distInfo = `${name}-${version}.dist-info`;
  const files: ZipEntrySpec[] = [
    { name: `${name}/__init__.py`, text: 'X = 1\n' },
    ...extra,
    {
      name: `${distInfo}/METADATA`,
      text: `Metadata-Version: 2.1\nName: ${metadataOverride?.name ?? name}\nVersion: ${metadataOverride?.version ?? version}\nSummary: test\n`,
    },
    { name: `${distInfo}/WHEEL`, text: 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n' },
  ];
  return [...files, { name: `${distInfo}/RECORD`, text: recordFor(files, `${distInfo}/RECORD`) }];
}

export interface TarEntrySpec {
  name: string;
  text?: string;
  /** Makes the entry a symbolic link to this target. */
  symlink?: string;
}

const TAR_WRITER = `
import io, json, sys, tarfile
spec = json.load(sys.stdin)
with tarfile.open(spec["path"], "w:gz") as t:
    for e in spec["entries"]:
        info = tarfile.TarInfo(e["name"])
        info.mtime = 1704067200
        if "symlink" in e:
            info.type = tarfile.SYMTYPE
            info.linkname = e["symlink"]
            t.addfile(info)
        else:
            data = e.get("text", "").encode()
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
`;

/** Writes a gzip'd tar (an sdist) with Python's tarfile, links included. */
export function writeTarGz(path: string, entries: TarEntrySpec[]): void {
  execFileSync('python3', ['-c', TAR_WRITER], { input: JSON.stringify({ path, entries }) });
}
