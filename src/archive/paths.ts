/**
 * Checks on entry names and link targets. Names are judged the way the most
 * permissive extractor would read them: `\` is a separator (Windows), a drive
 * letter or UNC prefix makes a path absolute.
 */
import type { Finding } from '../finding.js';
import type { ArchiveEntry } from './contents.js';
import type { ArchiveLimits } from './limits.js';
import { archiveFinding } from './rules.js';

const DRIVE_OR_UNC = /^(?:[A-Za-z]:|[\\/]{2})/;
const CONTROL = /[\u0000-\u001f\u007f]/;

export function isAbsoluteName(name: string): boolean {
  return name.startsWith('/') || name.startsWith('\\') || DRIVE_OR_UNC.test(name);
}

export function hasParentComponent(name: string): boolean {
  return name.split(/[\\/]/).includes('..');
}

/**
 * Whether a link stored at `linkPath` with target `target` points outside the
 * archive root once resolved (targets of hardlinks are relative to the root,
 * symlink targets to the link's directory).
 */
export function linkEscapesRoot(linkPath: string, target: string, relativeTo: 'root' | 'link'): boolean {
  if (isAbsoluteName(target)) return true;
  const base = relativeTo === 'link' ? linkPath.split(/[\\/]/).slice(0, -1) : [];
  const stack = base.filter((p) => p !== '' && p !== '.');
  for (const part of target.split(/[\\/]/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (stack.length === 0) return true;
      stack.pop();
    } else stack.push(part);
  }
  return false;
}

export function checkEntryName(entry: ArchiveEntry, limits: ArchiveLimits): Finding[] {
  const name = entry.path;
  const file = name;
  const findings: Finding[] = [];
  if (isAbsoluteName(name)) {
    findings.push(archiveFinding('archive.absolute-path', `entry has an absolute path: ${JSON.stringify(name)}`, { file }));
  }
  if (hasParentComponent(name)) {
    findings.push(archiveFinding('archive.path-traversal', `entry path escapes the archive root: ${JSON.stringify(name)}`, { file }));
  }
  if (CONTROL.test(name)) {
    findings.push(archiveFinding('archive.invalid-name', `entry name contains control characters: ${JSON.stringify(name)}`, { file }));
  }
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > limits.maxPathLength) {
    findings.push(
      archiveFinding('archive.path-too-long', `entry path is ${bytes} bytes, over the limit of ${limits.maxPathLength}`, {
        file: name.slice(0, 200),
      }),
    );
  }
  return findings;
}

/** Reports links, devices and fifos, with their targets; nothing is ever followed. */
export function checkEntryKind(entry: ArchiveEntry): Finding[] {
  const file = entry.path;
  const target = entry.linkTarget ?? '';
  switch (entry.kind) {
    case 'symlink': {
      const escapes = linkEscapesRoot(entry.path, target, 'link');
      return [
        archiveFinding('archive.symlink', `symlink to ${JSON.stringify(target)}${escapes ? ', outside the archive' : ''}`, {
          file,
          snippet: target,
          severity: escapes ? 'critical' : 'medium',
        }),
      ];
    }
    case 'hardlink': {
      const escapes = linkEscapesRoot(entry.path, target, 'root');
      return [
        archiveFinding('archive.hardlink', `hardlink to ${JSON.stringify(target)}${escapes ? ', outside the archive' : ''}`, {
          file,
          snippet: target,
          severity: escapes ? 'critical' : 'medium',
        }),
      ];
    }
    case 'device':
    case 'fifo':
      return [archiveFinding('archive.device', `${entry.kind} entry (mode ${(entry.mode ?? 0).toString(8)})`, { file })];
    case 'other':
      return [archiveFinding('archive.device', `special file of an unknown or unsupported type (mode ${(entry.mode ?? 0).toString(8)})`, { file })];
    default:
      return [];
  }
}

/**
 * Remembers names seen so far, to report exact duplicates and names that only
 * differ in case (they clash on case-insensitive file systems). `a/` and `a`
 * count as the same name, `./a` and `a` too.
 */
export class NameRegistry {
  private readonly exact = new Set<string>();
  private readonly folded = new Map<string, string>();

  check(entry: ArchiveEntry): Finding[] {
    const key = entry.path.replace(/^(?:\.\/)+/, '').replace(/\/+$/, '');
    if (this.exact.has(key)) {
      return [archiveFinding('archive.duplicate-name', `more than one entry is named ${JSON.stringify(entry.path)}`, { file: entry.path })];
    }
    this.exact.add(key);
    const folded = key.toLowerCase();
    const earlier = this.folded.get(folded);
    if (earlier !== undefined) {
      return [
        archiveFinding('archive.case-duplicate-name', `${JSON.stringify(entry.path)} differs from ${JSON.stringify(earlier)} only in case`, {
          file: entry.path,
        }),
      ];
    }
    this.folded.set(folded, key);
    return [];
  }
}
