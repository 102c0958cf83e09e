import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Blocks } from '../../src/analyze/python/blocks.js';

const sink = /subprocess\.run\(/;
const holdsDownload = (scope: string): boolean => scope.includes('requests.get');

test('a sink and a source in one function meet', () => {
  const text = 'import requests, subprocess\ndef go():\n    requests.get(U)\n    subprocess.run(P)\n';
  assert.equal(Blocks.of(text).meet(sink, holdsDownload), true);
});

test('a sink whose function calls the source function meets it', () => {
  const text = 'def fetch():\n    return requests.get(U)\ndef go():\n    data = fetch()\n    subprocess.run(data)\n';
  assert.equal(Blocks.of(text).meet(sink, holdsDownload), true);
});

test('a download in one helper and the run in another meet at the module level that calls both', () => {
  const text = [
    'import requests, subprocess, threading',
    'path = "x.exe"',
    'def process():',
    '    subprocess.run(path, shell=True)',
    'def download():',
    '    r = requests.get(U)',
    '    open(path, "wb").write(r.content)',
    'def execute():',
    '    threading.Thread(target=process).start()',
    'download(); execute()',
    '',
  ].join('\n');
  assert.equal(Blocks.of(text).meet(sink, holdsDownload), true);
});

test('two unrelated functions that nothing calls together do not meet', () => {
  const text = 'def status():\n    subprocess.run(["git", "status"])\ndef fetch():\n    return requests.get(U)\n';
  assert.equal(Blocks.of(text).meet(sink, holdsDownload), false);
});

test('callers are followed two calls up, not three', () => {
  const lines = (caller: string): string[] => [
    'def run_it():',
    '    subprocess.run(P)',
    'def b():',
    '    run_it()',
    'def a():',
    '    b()',
    'def fetch():',
    '    requests.get(U)',
    `${caller}`,
    '',
  ];
  // a() calls b() calls run_it(): a is two calls up, and it names fetch.
  assert.equal(Blocks.of([...lines('def top():\n    pass'), 'def a2():\n    a(); fetch()'].join('\n')).meet(sink, holdsDownload), false);
  assert.equal(Blocks.of(lines('a(); fetch()').join('\n')).meet(sink, holdsDownload), false);
  assert.equal(Blocks.of([...lines('b(); fetch()')].join('\n')).meet(sink, holdsDownload), true);
});
