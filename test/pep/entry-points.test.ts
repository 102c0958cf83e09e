/**
 * The entry points format, read as importlib.metadata reads it: pinned cases, and every entry_points.txt of the real
 * wheels in /opt/pypi compared with Python's own reader (`importlib.metadata.EntryPoints`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseEntryPoints } from '../../src/pep/entry-points.js';

test('sections, name = value pairs, comments, CRLF, extras, and lines that are neither', () => {
  const text = '# top\r\n[console_scripts]\r\nfoo = pkg.cli:main [extra]\r\n; also a comment\r\n\r\n[ gui_scripts ]\nbar=pkg.gui:run\nnot a pair\n=nameless\n';
  assert.deepEqual(parseEntryPoints(text), [
    { group: 'console_scripts', name: 'foo', value: 'pkg.cli:main [extra]' },
    { group: 'gui_scripts', name: 'bar', value: 'pkg.gui:run' },
  ]);
  assert.deepEqual(parseEntryPoints(''), []);
});

test('every entry_points.txt of the /opt/pypi wheels reads as importlib.metadata reads it', () => {
  assert.ok(existsSync('/opt/pypi/files'), '/opt/pypi/files is missing: this test compares real wheels');
  const script = `
import glob, json, zipfile, importlib.metadata as m
out = []
for path in sorted(glob.glob('/opt/pypi/files/*.whl')):
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.count('/') == 1 and name.endswith('.dist-info/entry_points.txt'):
                text = z.read(name).decode('utf-8')
                eps = [[e.group, e.name, e.value] for e in m.EntryPoints._from_text(text)]
                out.append({'file': path, 'text': text, 'eps': eps})
print(json.dumps(out))
`;
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  const cases = JSON.parse(r.stdout) as Array<{ file: string; text: string; eps: string[][] }>;
  assert.ok(cases.length > 100, `only ${cases.length} wheels with entry points`);
  for (const c of cases) {
    assert.deepEqual(
      parseEntryPoints(c.text).map((e) => [e.group, e.name, e.value]),
      c.eps,
      c.file,
    );
  }
});
