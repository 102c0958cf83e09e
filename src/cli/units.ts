/** Durations and sizes as people type them on a command line: `30d`, `12h`, `10GiB`, `500MB`. */
import { InvalidInputError } from '../errors.js';

const DURATION_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90s`, `15m`, `12h`, `30d`, `2w` (a bare number is days) to milliseconds. */
export function parseDuration(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw]?)$/i.exec(text.trim());
  if (!m) throw new InvalidInputError('cli.duration', `${option} takes a duration such as 30d, 12h or 90m, not ${JSON.stringify(text)}`);
  return Number(m[1]) * DURATION_UNITS[(m[2] || 'd').toLowerCase()]!;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** `1073741824`, `500MB`, `10GiB` (decimal and binary units) to bytes. */
export function parseSize(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new InvalidInputError('cli.size', `${option} takes a size such as 10GiB, 500MB or a number of bytes, not ${JSON.stringify(text)}`);
  return Math.floor(Number(m[1]) * unit);
}

export function humanBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} B`;
}
