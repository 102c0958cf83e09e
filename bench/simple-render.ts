/**
 * Rendering Simple API project pages (src/pep/simple.ts), in process, against two baselines measured in the same
 * run:
 *  - HTML: the obvious renderer (template literals, `files.map(...).join('')`, every value through one
 *    regex-with-callback escape), producing the same bytes;
 *  - JSON: `JSON.stringify` of the finished PEP 691 document, i.e. the floor that leaves out only building it.
 * Each page is measured up to its byte length (what a server computes for Content-Length), which also flattens the
 * string. Rounds alternate between ours and the baseline so background load hits both alike.
 *
 *   node --import tsx bench/simple-render.ts [--files 50] [--rounds 5] [--ms 400]
 */
import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import { renderProjectHtml, renderProjectJson, type SimpleFile, type SimpleProjectPage } from '../src/pep/simple.js';

const { values } = parseArgs({
  options: { files: { type: 'string', default: '50' }, rounds: { type: 'string', default: '5' }, ms: { type: 'string', default: '400' } },
});
const FILES = Number(values.files);
const ROUNDS = Number(values.rounds);
const MS = Number(values.ms);

function makePage(n: number): SimpleProjectPage {
  const files: SimpleFile[] = [];
  for (let i = 0; i < n; i++) {
    const version = `1.${Math.floor(i / 2)}.0`;
    const wheel = i % 2 === 0;
    const filename = wheel ? `bench_project-${version}-py3-none-any.whl` : `bench_project-${version}.tar.gz`;
    files.push({
      filename,
      url: `/files/${i.toString(16).padStart(64, '0')}/${filename}`,
      hashes: { sha256: i.toString(16).padStart(64, '0') },
      requiresPython: '>=3.8',
      yanked: i % 17 === 0 ? 'broken "build" <see #12>' : false,
      coreMetadata: wheel ? { sha256: 'f'.repeat(64) } : false,
      size: 10_000 + i,
      uploadTime: '2025-05-06T07:08:09.123456Z',
    });
  }
  const versions = [...new Set(files.map((f) => f.filename.split('-')[1] as string))];
  return { name: 'bench-project', versions, files };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
const escText = (s: string): string => s.replace(/[&<>]/g, (c) => ESCAPES[c] as string);

/** The obvious renderer, byte-for-byte the same output. */
function baselineHtml(page: SimpleProjectPage): string {
  const meta = (name: string, content: string): string => `    <meta name="${name}" content="${esc(content)}">\n`;
  const links = page.files
    .map((f) => {
      const hash = f.hashes['sha256'] !== undefined ? `#sha256=${esc(f.hashes['sha256'])}` : '';
      const rp = f.requiresPython !== undefined ? ` data-requires-python="${esc(f.requiresPython)}"` : '';
      const md =
        f.coreMetadata === undefined || f.coreMetadata === false
          ? ''
          : ((v: string) => ` data-dist-info-metadata="${v}" data-core-metadata="${v}"`)(
              f.coreMetadata === true ? 'true' : `sha256=${esc(f.coreMetadata['sha256'] ?? '')}`,
            );
      const yanked = f.yanked === false ? '' : ` data-yanked="${f.yanked === true ? '' : esc(f.yanked)}"`;
      const prov = f.provenance !== undefined ? ` data-provenance="${esc(f.provenance)}"` : '';
      return `    <a href="${esc(f.url)}${hash}"${rp}${md}${yanked}${prov}>${escText(f.filename)}</a><br />\n`;
    })
    .join('');
  return (
    `<!DOCTYPE html>\n<html>\n  <head>\n${meta('pypi:repository-version', '1.4')}` +
    `    <title>Links for ${escText(page.name)}</title>\n  </head>\n  <body>\n    <h1>Links for ${escText(page.name)}</h1>\n` +
    `${links}  </body>\n</html>\n`
  );
}

function opsPerSecond(fn: () => string): number {
  let n = 0;
  let sink = 0;
  const start = performance.now();
  let now = start;
  while (now - start < MS) {
    for (let i = 0; i < 50; i++) sink += Buffer.byteLength(fn());
    n += 50;
    now = performance.now();
  }
  if (sink === 0) throw new Error('nothing rendered');
  return (n * 1000) / (now - start);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const page = makePage(FILES);
assert.equal(renderProjectHtml(page), baselineHtml(page), 'the baseline must render the same bytes');
const finishedJson = JSON.parse(renderProjectJson(page)) as unknown;

const results: Record<string, number[]> = { html: [], htmlBaseline: [], json: [], jsonFloor: [] };
for (let round = 0; round < ROUNDS; round++) {
  results.html?.push(opsPerSecond(() => renderProjectHtml(page)));
  results.htmlBaseline?.push(opsPerSecond(() => baselineHtml(page)));
  results.json?.push(opsPerSecond(() => renderProjectJson(page)));
  results.jsonFloor?.push(opsPerSecond(() => JSON.stringify(finishedJson)));
}
const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)])) as Record<string, number>;
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
console.log(`project page with ${FILES} files, ${ROUNDS} rounds of ${MS} ms, median pages/s`);
console.log(`HTML  renderProjectHtml ${fmt(m.html as number)}  obvious renderer ${fmt(m.htmlBaseline as number)}  ratio ${((m.html as number) / (m.htmlBaseline as number)).toFixed(2)}x`);
console.log(`JSON  renderProjectJson ${fmt(m.json as number)}  JSON.stringify floor ${fmt(m.jsonFloor as number)}  ratio ${((m.json as number) / (m.jsonFloor as number)).toFixed(2)}x`);
