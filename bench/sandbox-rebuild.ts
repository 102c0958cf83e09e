/**
 * Benchmark (c) of the sandbox: do real wheels rebuild from their source? For every project of the benign
 * development split whose checked-out release tag (/tmp/benign-src/NAME, from /work/shared/data/benign-src-dev.tsv)
 * has a pure-Python wheel of the same version in /opt/pypi, the source tree is packed as an sdist, built in the
 * sandbox exactly as declared (no leniency), and the published wheel compared with the result. Prints each
 * project's decision with every difference left after normalization, for docs/benchmarks.md to explain.
 *
 * Run: node --import tsx bench/sandbox-rebuild.ts [--out /tmp/gatehouse-rebuild.jsonl]
 */
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArchive } from '../src/archive/index.js';
import { normalizeName } from '../src/pep/name.js';
import { parseWheelFilename } from '../src/pep/filename.js';
import { sandboxHost } from '../src/sandbox/host.js';
import { rebuildAndCompare } from '../src/sandbox/rebuild.js';
import { argValue, packTree, serveIndex } from './sandbox-common.js';

const out = argValue('--out', '/tmp/gatehouse-rebuild.jsonl');
const wheels = readdirSync('/opt/pypi/files').filter((f) => f.endsWith('-none-any.whl'));
const projects = readFileSync('/work/shared/data/benign-src-dev.tsv', 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'))
  .map((l) => l.split('\t'))
  .flatMap((f) => {
    const [name, , , tag = '', subdir = ''] = f as [string, string, string, string, string];
    const tree = join('/tmp/benign-src', name, subdir);
    if (tag === '' || !existsSync(tree)) return [];
    const version = tag.replace(new RegExp(`^(v|release-|${name}-)`), '');
    const wheel = wheels.find((w) => {
      const parsed = parseWheelFilename(w);
      return parsed.normalizedName === normalizeName(name) && parsed.versionAsInFile === version;
    });
    return wheel === undefined ? [] : [{ name, version, tree, wheel: join('/opt/pypi/files', wheel) }];
  });

const host = await sandboxHost();
const index = await serveIndex();
const cacheDir = join(tmpdir(), 'gatehouse-bench-sandbox-cache');
writeFileSync(out, '');
const decisions = new Map<string, number>();
for (const p of projects) {
  const sdist = packTree(p.tree, `${p.name}-${p.version}`);
  const check = await rebuildAndCompare(p.wheel, sdist, { host, indexUrl: index.url, cacheDir, outDir: mkdtempSync(join(tmpdir(), 'gatehouse-bench-rebuild-')), limits: { wallTimeMs: 180_000 } });
  decisions.set(check.decision, (decisions.get(check.decision) ?? 0) + 1);
  const info = [...(await readArchive(p.wheel, { want: (e) => /\.dist-info\/WHEEL$/.test(e.path) })).files.values()][0];
  const generator = /Generator: (.*)/.exec(info?.toString('utf8') ?? '')?.[1]?.trim() ?? '?';
  appendFileSync(out, `${JSON.stringify({ name: p.name, version: p.version, wheel: p.wheel, generator, decision: check.decision, reason: check.reason, dependencies: check.build.dependencies.map((d) => `${d.name} ${d.version}`), comparison: check.comparison })}\n`);
  console.log(`${check.decision.padEnd(11)} ${p.name} ${p.version} (published by ${generator}; rebuilt with ${check.build.dependencies.map((d) => `${d.name} ${d.version}`).join(', ') || '-'})`);
  if (check.decision === 'not-rebuilt') console.log(`    ${check.reason}`);
  for (const d of check.comparison?.differences ?? []) console.log(`    ${d.severity.padEnd(8)} ${d.kind.padEnd(20)} ${d.detail.slice(0, 220)}`);
  if (check.comparison) console.log(`    normalized: ${check.comparison.normalizations.join(', ')}; ${check.comparison.filesCompared} files compared`);
}
index.stop();
console.log(`projects: ${projects.length}; ${[...decisions].map(([d, n]) => `${d} ${n}`).join(', ')}`);
