/**
 * Where advisories come from: the shipped snapshot (gzip JSON lines), OSV's
 * per-ecosystem `all.zip`, a directory of OSV `.json`/`.yaml` files, a single
 * file, or an http(s) URL to any of those files. Every source yields parsed,
 * checked OSV records.
 */
import { createWriteStream, readdirSync, readFileSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import yauzl from 'yauzl';
import { parse as parseYaml } from 'yaml';
import { AdvisorySourceError } from './errors.js';
import { parseOsvRecord, type OsvRecord } from './osv.js';

/** Reads every advisory of a local source. */
export async function readAdvisorySource(path: string): Promise<OsvRecord[]> {
  let stat;
  try {
    stat = statSync(path);
  } catch (err) {
    throw new AdvisorySourceError(`cannot read advisories from ${path}: it does not exist`, { cause: err });
  }
  if (stat.isDirectory()) return readDirectory(path);
  if (path.endsWith('.zip')) return readZip(path);
  return readFileRecords(path, readFileSync(path));
}

/** Downloads an http(s) source to a temporary file, then reads it like a local one. */
export async function readAdvisoryUrl(url: string): Promise<OsvRecord[]> {
  const name = new URL(url).pathname.split('/').pop() || 'advisories.json';
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-osv-'));
  try {
    let response: Response;
    try {
      response = await fetch(url);
    } catch (err) {
      throw new AdvisorySourceError(`cannot download ${url}: ${(err as Error).message}`, { cause: err });
    }
    if (!response.ok || response.body === null) {
      throw new AdvisorySourceError(`cannot download ${url}: HTTP ${response.status}`);
    }
    const file = join(dir, name);
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), createWriteStream(file));
    return await readAdvisorySource(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

function readDirectory(dir: string): OsvRecord[] {
  const out: OsvRecord[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.(json|ya?ml)$/i.test(entry.name)) out.push(...readFileRecords(p, readFileSync(p)));
    }
  };
  walk(dir);
  return out;
}

/**
 * A file is JSON lines (`.jsonl`, `.ndjson`, optionally gzipped), one JSON advisory, or one YAML advisory.
 * YAML is read with the failsafe schema: every scalar stays a string, so `fixed: 1.10` is not the number 1.1.
 */
function readFileRecords(name: string, raw: Buffer): OsvRecord[] {
  let data = raw;
  let base = name;
  if (name.endsWith('.gz')) {
    try {
      data = gunzipSync(raw);
    } catch (err) {
      throw new AdvisorySourceError(`${name} is not valid gzip`, { cause: err });
    }
    base = name.slice(0, -3);
  }
  const text = data.toString('utf8');
  try {
    if (/\.(jsonl|ndjson)$/i.test(base)) {
      return text
        .split('\n')
        .filter((l) => l.trim().length > 0)
        .map((l) => parseOsvRecord(JSON.parse(l)));
    }
    if (/\.ya?ml$/i.test(base)) return [parseOsvRecord(parseYaml(text, { schema: 'failsafe' }))];
    return [parseOsvRecord(JSON.parse(text))];
  } catch (err) {
    if (err instanceof SyntaxError) throw new AdvisorySourceError(`${name}: ${err.message}`, { cause: err });
    throw err;
  }
}

function readZip(path: string): Promise<OsvRecord[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(new AdvisorySourceError(`${path} is not a readable zip`, { cause: err }));
      const out: OsvRecord[] = [];
      const fail = (e: unknown): void => {
        zip.close();
        reject(e);
      };
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!/\.(json|ya?ml)$/i.test(entry.fileName)) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return fail(new AdvisorySourceError(`${path}: cannot read ${entry.fileName}`, { cause: e }));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', fail);
          stream.on('end', () => {
            try {
              out.push(...readFileRecords(`${path}:${entry.fileName}`, Buffer.concat(chunks)));
              zip.readEntry();
            } catch (parseErr) {
              fail(parseErr);
            }
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', fail);
      zip.readEntry();
    });
  });
}
