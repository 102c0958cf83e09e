/**
 * Where wheels built here are kept, with their provenance and the comparisons made with them: a directory tree in
 * the gateway's data directory, keyed by content.
 *
 *   built/<sdist sha256>/<wheel>                    the wheel the sandbox built from that sdist
 *   built/<sdist sha256>/<wheel>.provenance.json    its signed provenance (a DSSE envelope)
 *   built/<sdist sha256>/build.json                 the build's record: dependencies, sandbox, findings, timings
 *   built/<sdist sha256>/build.log                  its output
 *   comparisons/<published wheel sha256>-<sdist sha256>.json   a published wheel checked against that sdist
 *   wheels/<built wheel sha256>                      the sdist sha256 it was built from (the gateway serves by wheel sha256)
 *
 * Each entry is written to a temporary directory and renamed into place, so a reader never sees half of one.
 * (The gateway may later keep these in its blob store; the layout is the contract.)
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildResult } from './build.js';

export interface StoredBuild {
  sdistSha256: string;
  wheel: string;
  provenance?: string;
  record: string;
  log: string;
}

const hex64 = /^[0-9a-f]{64}$/;

export class BuiltWheelStore {
  constructor(readonly root: string) {}

  private buildDir(sdistSha256: string): string {
    if (!hex64.test(sdistSha256)) throw new Error(`not a sha256: ${sdistSha256}`);
    return join(this.root, 'built', sdistSha256);
  }

  /** The stored build of the sdist with this sha256, if there is one. */
  lookup(sdistSha256: string): StoredBuild | undefined {
    const dir = this.buildDir(sdistSha256);
    if (!existsSync(join(dir, 'build.json'))) return undefined;
    const wheel = readdirSync(dir).find((f) => f.endsWith('.whl'));
    if (wheel === undefined) return undefined;
    const provenance = join(dir, `${wheel}.provenance.json`);
    return {
      sdistSha256,
      wheel: join(dir, wheel),
      ...(existsSync(provenance) ? { provenance } : {}),
      record: join(dir, 'build.json'),
      log: join(dir, 'build.log'),
    };
  }

  /** Keeps a successful build: its wheel, its record, its log and, when given, its signed provenance. */
  save(build: BuildResult, provenance?: string): StoredBuild {
    if (build.status !== 'built' || build.wheel === undefined) throw new Error('only a built wheel is stored');
    const final = this.buildDir(build.sdist.sha256);
    mkdirSync(join(this.root, 'built'), { recursive: true });
    const scratch = mkdtempSync(join(this.root, 'built', '.partial-'));
    try {
      copyFileSync(build.wheel.path, join(scratch, build.wheel.filename));
      if (provenance !== undefined) writeFileSync(join(scratch, `${build.wheel.filename}.provenance.json`), provenance);
      const { log, events, ...record } = build;
      writeFileSync(join(scratch, 'build.log'), log);
      writeFileSync(join(scratch, 'build.json'), `${JSON.stringify({ ...record, events: events.length }, null, 2)}\n`);
      rmSync(final, { recursive: true, force: true });
      renameSync(scratch, final);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    mkdirSync(join(this.root, 'wheels'), { recursive: true });
    writeAtomically(join(this.root, 'wheels', build.wheel.sha256), `${build.sdist.sha256}\n`);
    return this.lookup(build.sdist.sha256)!;
  }

  /** The stored build whose wheel has this sha256, if there is one. */
  byWheel(wheelSha256: string): StoredBuild | undefined {
    if (!hex64.test(wheelSha256)) return undefined;
    const index = join(this.root, 'wheels', wheelSha256);
    if (!existsSync(index)) return undefined;
    const sdistSha256 = readFileSync(index, 'utf8').trim();
    return hex64.test(sdistSha256) ? this.lookup(sdistSha256) : undefined;
  }

  /** Drops the build of an sdist and every comparison made with it, so the next check builds again. */
  forget(sdistSha256: string): void {
    const stored = this.lookup(sdistSha256);
    const wheelSha256 = stored && (JSON.parse(readFileSync(stored.record, 'utf8')) as BuildResult).wheel?.sha256;
    if (wheelSha256 !== undefined && hex64.test(wheelSha256)) rmSync(join(this.root, 'wheels', wheelSha256), { force: true });
    rmSync(this.buildDir(sdistSha256), { recursive: true, force: true });
    const comparisons = join(this.root, 'comparisons');
    if (existsSync(comparisons)) for (const f of readdirSync(comparisons)) if (f.endsWith(`-${sdistSha256}.json`)) rmSync(join(comparisons, f), { force: true });
  }

  /** Records the outcome of checking a published wheel against an sdist. */
  saveComparison(publishedSha256: string, sdistSha256: string, report: unknown): string {
    if (!hex64.test(publishedSha256) || !hex64.test(sdistSha256)) throw new Error('not a sha256');
    const dir = join(this.root, 'comparisons');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${publishedSha256}-${sdistSha256}.json`);
    writeAtomically(path, `${JSON.stringify(report, null, 2)}\n`);
    return path;
  }

  comparison(publishedSha256: string, sdistSha256: string): unknown {
    const path = join(this.root, 'comparisons', `${publishedSha256}-${sdistSha256}.json`);
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as unknown) : undefined;
  }
}

function writeAtomically(path: string, text: string): void {
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, text);
  renameSync(partial, path);
}
