/** Writes small wheels in-process with a correct RECORD, for integrity cases the real tools never produce. */
import { createHash } from 'node:crypto';
import { buildZip } from '../../archive/zip-writer.js';

export interface WheelSpec {
  distInfo: string;
  name: string;
  version: string;
  tags: string[];
  purelib?: boolean;
  files?: Record<string, string>;
  /** Lines appended to RECORD as they are, after the generated ones. */
  extraRecord?: string[];
}

function recordHash(data: Buffer): string {
  return 'sha256=' + createHash('sha256').update(data).digest('base64url');
}

export function buildWheel(spec: WheelSpec): Buffer {
  const files: Record<string, string> = {
    ...spec.files,
    [`${spec.distInfo}/METADATA`]: `Metadata-Version: 2.1\nName: ${spec.name}\nVersion: ${spec.version}\n`,
    [`${spec.distInfo}/WHEEL`]:
      `Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: ${spec.purelib ?? true}\n` + spec.tags.map((t) => `Tag: ${t}\n`).join(''),
  };
  const record = Object.entries(files).map(([path, text]) => {
    const data = Buffer.from(text);
    const quoted = /[",\n]/.test(path) ? `"${path.replace(/"/g, '""')}"` : path;
    return `${quoted},${recordHash(data)},${data.length}`;
  });
  record.push(`${spec.distInfo}/RECORD,,`, ...(spec.extraRecord ?? []));
  files[`${spec.distInfo}/RECORD`] = record.join('\r\n') + '\r\n';
  return buildZip({ entries: Object.entries(files).map(([name, data]) => ({ name, data })) });
}
