/**
 * Pages of 200,000 links, HTML and JSON, with bad links among them: read whole, the bad ones reported, in memory
 * that grows with the links kept (a few hundred bytes each) and nothing more.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseProjectHtml } from '../../src/pep/simple-html.js';
import { parseProjectJson } from '../../src/pep/simple-json.js';
import type { SimpleProjectPage } from '../../src/pep/simple.js';

const LINKS = 200_000;
const SHA = 'ab'.repeat(32);
/** One link in 1,000 is bad: a traversal, a javascript: URL, a short hash. */
const BAD = ['..%2F..%2Fescape-{i}.tar.gz', 'javascript:alert({i})', 'pkg-{i}.0.tar.gz#sha256=abc'];

function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function htmlPage(): string {
  const parts: string[] = ['<!DOCTYPE html><html><head><title>Links for pkg</title></head><body>\n'];
  for (let i = 0; i < LINKS; i++) {
    if (i % 1000 === 999) parts.push(`<a href="${(BAD[(i / 1000) % 3 | 0] as string).replace('{i}', String(i))}">bad</a>\n`);
    else parts.push(`<a href="../../files/${i % 97}/pkg-${i}.0-py3-none-any.whl#sha256=${SHA}" data-requires-python="&gt;=3.8">pkg-${i}.0-py3-none-any.whl</a><br/>\n`);
  }
  parts.push('</body></html>');
  return parts.join('');
}

function jsonPage(): string {
  const files: unknown[] = [];
  for (let i = 0; i < LINKS; i++) {
    const bad = i % 1000 === 999;
    files.push({
      filename: bad ? `../pkg-${i}.0.tar.gz` : `pkg-${i}.0-py3-none-any.whl`,
      url: `../../files/pkg-${i}.0-py3-none-any.whl`,
      hashes: { sha256: SHA },
      'requires-python': '>=3.8',
      size: 1000 + i,
      'upload-time': '2024-01-01T00:00:00.000000Z',
    });
  }
  return JSON.stringify({ meta: { 'api-version': '1.1' }, name: 'pkg', files });
}

function check(label: string, read: (onIssue: () => void) => SimpleProjectPage): void {
  const gc = collectGarbage();
  gc();
  const before = process.memoryUsage().heapUsed;
  let issues = 0;
  const page = read(() => issues++);
  gc();
  const retained = process.memoryUsage().heapUsed - before;
  assert.equal(issues, LINKS / 1000, `${label}: bad links reported`);
  assert.equal(page.files.length, LINKS - LINKS / 1000, `${label}: good links kept`);
  assert.equal(page.versions.length, page.files.length);
  // What stays is the page itself: a few hundred bytes per file (measured ~430), never a copy of the input per link.
  assert.ok(retained / page.files.length < 1024, `${label}: ${Math.round(retained / page.files.length)} bytes retained per file`);
}

test('an HTML page of 200,000 links', { timeout: 60_000 }, () => {
  const html = htmlPage();
  check('html', (onIssue) => parseProjectHtml(html, 'https://index.example/simple/pkg/', { onIssue }));
});

test('a JSON page of 200,000 files', { timeout: 60_000 }, () => {
  const json = jsonPage();
  check('json', (onIssue) => parseProjectJson(json, 'https://index.example/simple/pkg/', { onIssue }));
});
