import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Blocks } from '../../src/analyze/python/blocks.js';

const sink = /subprocess\.run\(/;
const holdsDownload = (scope: string): boolean => scope.includes('requests.get');

test('a sink and a source in one function meet', () => {
  const text = 'import requests, subprocess\ndef go():\n    requests.get(U)\n    subprocess.run(P)\n';
  assert.equal(Blocks.of(text).meeting(sink, holdsDownload) !== undefined, true);
});

test('a sink whose function calls the source function meets it', () => {
  const text = 'def fetch():\n    return requests.get(U)\ndef go():\n    data = fetch()\n    subprocess.run(data)\n';
  assert.equal(Blocks.of(text).meeting(sink, holdsDownload) !== undefined, true);
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
  assert.equal(Blocks.of(text).meeting(sink, holdsDownload) !== undefined, true);
});

test('two unrelated functions that nothing calls together do not meet', () => {
  const text = 'def status():\n    subprocess.run(["git", "status"])\ndef fetch():\n    return requests.get(U)\n';
  assert.equal(Blocks.of(text).meeting(sink, holdsDownload) !== undefined, false);
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
  assert.equal(Blocks.of([...lines('def top():\n    pass'), 'def a2():\n    a(); fetch()'].join('\n')).meeting(sink, holdsDownload) !== undefined, false);
  assert.equal(Blocks.of(lines('a(); fetch()').join('\n')).meeting(sink, holdsDownload) !== undefined, false);
  assert.equal(Blocks.of([...lines('b(); fetch()')].join('\n')).meeting(sink, holdsDownload) !== undefined, true);
});

test('meeting gives the blocks where the sink and the source meet', () => {
  const text = 'import requests, subprocess\ndef fetch():\n    return requests.get(U)\ndef other():\n    pass\ndef go():\n    subprocess.run(fetch())\n';
  const blocks = Blocks.of(text);
  const met = blocks.meeting(sink, holdsDownload);
  assert.ok(met !== undefined);
  const names = [...met].map((k) => (k === -1 ? '<module>' : blocks.blocks[k]!.name)).sort();
  assert.deepEqual(names, ['fetch', 'go']);
  assert.equal(blocks.meeting(/os\.system\(/, holdsDownload), undefined);
});

test('rangesOf covers the module level and the chosen blocks, each from the start of a line', () => {
  const text = 'import os\ndef a():\n    return 1\nX = 2\ndef b():\n    return 2\n@deco\ndef c():\n    return 3\n';
  const blocks = Blocks.of(text);
  const c = blocks.blocks.findIndex((b) => b.name === 'c');
  const ranges = blocks.rangesOf(new Set([c]));
  assert.deepEqual(ranges.map(([s, e]) => text.slice(s, e)), ['import os\n', 'X = 2\n', '@deco\ndef c():\n    return 3\n']);
});

test('rangesOf keeps a class header, the methods it wants, what they call and what calls them, and the constructor', () => {
  const text = [
    '@dataclass',
    'class Client:',
    '    """A client."""',
    '    timeout = 3',
    '    def __init__(self, url):',
    '        self.url = url',
    '    @property',
    '    def unrelated(self):',
    '        """def fake(self): in a docstring',
    'def not_a_method(self):',
    '        """',
    '        return 1',
    '    def send(self, data):',
    '        return self._post(data)',
    '    def _post(self, data):',
    '        return requests.post(self.url, data)',
    '    def caller(self):',
    '        return self.send(1)',
    '    def another(self):',
    '        return 2',
    'run = 1',
    '',
  ].join('\n');
  const blocks = Blocks.of(text);
  const cls = blocks.blocks.findIndex((b) => b.name === 'Client');
  const kept = blocks.rangesOf(new Set([cls]), (t) => t.includes('self._post(')).map(([s, e]) => text.slice(s, e)).join('');
  for (const part of ['class Client:', 'timeout = 3', 'def __init__', 'def send', 'def _post', 'def caller', 'run = 1']) assert.ok(kept.includes(part), part);
  for (const part of ['def unrelated', 'def another', 'not_a_method']) assert.ok(!kept.includes(part), part);
  // A class with no wanted method is kept whole, and without a test every class is.
  assert.equal(blocks.rangesOf(new Set([cls]), () => false).map(([s, e]) => text.slice(s, e)).join(''), text);
  assert.equal(blocks.rangesOf(new Set([cls])).map(([s, e]) => text.slice(s, e)).join(''), text);
});

test('around gives the blocks holding a word, what they name and what calls them', () => {
  const text = 'def host():\n    return socket.gethostname()\ndef send():\n    post(host())\ndef unrelated():\n    return 3\nsend()\n';
  const blocks = Blocks.of(text);
  const names = [...blocks.around(['gethostname'])].map((k) => (k === -1 ? '<module>' : blocks.blocks[k]!.name)).sort();
  assert.deepEqual(names, ['<module>', 'host', 'send']);
});

test('a line that closes brackets, continues a backslash or sits in a triple-quoted string does not start a block', () => {
  const text = [
    'def connect(',
    '    url,',
    '    timeout=3,',
    '):',
    '    return requests.get(url)',
    'x = 1 + \\',
    'def_not_a_def',
    'y = """',
    'def inside_a_string():',
    '"""',
    'class Client:',
    '    def send(',
    '        self,',
    '    ):',
    '        return requests.post(U)',
    '    def other(self):',
    '        return (',
    '    1)',
    '',
  ].join('\n');
  const blocks = Blocks.of(text);
  assert.deepEqual(blocks.blocks.map((b) => b.name ?? '<module>'), ['<module>', 'connect', '<module>', 'Client']);
  const cls = blocks.blocks.findIndex((b) => b.name === 'Client');
  const kept = blocks.rangesOf(new Set([cls]), (t) => t.includes('requests.post')).map(([s, e]) => text.slice(s, e)).join('');
  assert.ok(kept.includes('    def send(\n        self,\n    ):\n        return requests.post(U)\n'), kept);
  assert.ok(!kept.includes('def other'), kept);
});
