/**
 * A scanning thread: loads the rules once, then scans the artifacts the pool (scan-pool.ts) sends it, and reads
 * their core metadata (METADATA of a wheel, PKG-INFO of an sdist) for the policy. Scanning is CPU work (tree-sitter,
 * inflate): in a thread of its own it never stalls the server's request thread.
 */
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { readArchive } from '../archive/index.js';
import { readWheelMetadata } from '../archive/wheel-metadata.js';
import { parseDistFilename } from '../pep/filename.js';
import { ArtifactScanner } from './artifact.js';
import type { ScanJob, ScanOutcome } from './scan-pool.js';

const scanner = ArtifactScanner.create();

async function coreMetadataOf(path: string, filename: string): Promise<string | null> {
  const dist = parseDistFilename(filename);
  if (dist.kind === 'wheel') return (await readWheelMetadata(path, { normalizedName: dist.normalizedName, version: dist.version }))?.toString('utf8') ?? null;
  const contents = await readArchive(path, { want: (e) => /^[^/]+\/PKG-INFO$/.test(e.path) });
  for (const [p, data] of contents.files) if (/^[^/]+\/PKG-INFO$/.test(p)) return data.toString('utf8');
  return null;
}

async function run(job: ScanJob): Promise<ScanOutcome> {
  const started = performance.now();
  // The scanner reads the file name off the path (it names the project and version): give the blob its name.
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-scan-'));
  try {
    const named = join(dir, job.filename);
    await symlink(job.path, named);
    const report = await (await scanner).scan({ path: named, kind: job.kind });
    const metadata = await coreMetadataOf(named, job.filename).catch(() => null);
    return {
      id: job.id,
      verdict: report.verdict as ScanOutcome['verdict'],
      reasons: report.reasons,
      findings: report.findings.slice(0, 200),
      metadata,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

parentPort!.on('message', (job: ScanJob) => {
  run(job).then(
    (outcome) => parentPort!.postMessage(outcome),
    (err: unknown) =>
      parentPort!.postMessage({
        id: job.id,
        verdict: 'error',
        reasons: [`the scan failed: ${(err as Error).message}`],
        findings: [],
        metadata: null,
        durationMs: 0,
      } satisfies ScanOutcome),
  );
});
