/**
 * RECORD is written by Python's csv module, so Python's csv module is the
 * oracle for splitting lines into fields; the RECORD-level rules are tabled.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseCsv, parseRecord } from '../../../src/analyze/integrity/record.js';
import { expandTag, parseWheelInfo } from '../../../src/analyze/integrity/wheel-info.js';
import { runPythonJsonLines } from '../../helpers/python.js';

const CSV_ORACLE = `
import csv, io, json, sys
for line in sys.stdin:
    text = json.loads(line)
    print(json.dumps([row for row in csv.reader(io.StringIO(text, newline="")) if row]))
`;

describe('parseCsv splits like Python csv', () => {
  const inputs = [
    'a/b.py,sha256=abc,12\n',
    'a/b.py,sha256=abc,12\r\nc.py,,\r\n',
    '"a,b.py",sha256=abc,1\n',
    '"a ""quoted"" name.py",sha256=abc,1\n',
    '"multi\nline.py",sha256=abc,1\n',
    'no-newline-at-end.py,sha256=abc,3',
    '\n\nblank-lines.py,,\n\n',
    'one-field\n',
    'a,b,c,d\n',
    'ünïcödé/名前.py,sha256=x,1\n',
  ];
  it('on quoting, blank lines, CRLF and odd field counts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-csv-'));
    try {
      const script = join(dir, 'oracle.py');
      writeFileSync(script, CSV_ORACLE);
      const expected = runPythonJsonLines(script, inputs);
      assert.deepEqual(
        inputs.map((text) => parseCsv(text).map((r) => r.fields)),
        expected,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseRecord', () => {
  it('decodes urlsafe base64 digests to hex and reads sizes', () => {
    const { rows, problems } = parseRecord('p/a.py,sha256=LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564,1\np-1.dist-info/RECORD,,\n');
    assert.deepEqual(problems, []);
    assert.equal(rows[0]!.digestHex, Buffer.from('LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564', 'base64url').toString('hex'));
    assert.equal(rows[0]!.size, 1);
    assert.deepEqual([rows[1]!.algorithm, rows[1]!.size], ['', undefined]);
  });
  it('recognises hex digests by their length', () => {
    const hex = 'f4b0935cebde899750293d87a643090e5ea33c9b18d249267f507db68a0e01c3';
    const { rows } = parseRecord(`gmsh.py,sha256=${hex},10\nb.py,sha256=9LCTXOveiZdQKT2HpkMJDl6jPJsY0kkmf1B9tooOAcM,10\n`);
    assert.deepEqual(
      rows.map((r) => [r.digestEncoding, r.digestHex]),
      [
        ['hex', hex],
        ['base64url', hex],
      ],
    );
  });
  const bad: { line: string; problem: RegExp }[] = [
    { line: 'a.py,sha256=abc\n', problem: /2 fields/ },
    { line: 'a.py,sha256,3\n', problem: /not algorithm=/ },
    { line: 'a.py,sha256=a+b/c,3\n', problem: /not algorithm=/ },
    { line: 'a.py,sha256=abc,-3\n', problem: /not a number/ },
    { line: 'a.py,sha256=abc,3kb\n', problem: /not a number/ },
  ];
  for (const { line, problem } of bad) {
    it(`reports ${JSON.stringify(line.trim())}`, () => {
      const { rows, problems } = parseRecord(line);
      assert.equal(rows.length, 0);
      assert.match(problems[0]!.message, problem);
    });
  }
});

describe('WHEEL', () => {
  it('expands compressed tag sets (PEP 425)', () => {
    assert.deepEqual(expandTag('py2.py3-none-any'), ['py2-none-any', 'py3-none-any']);
    assert.deepEqual(expandTag('cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64'), [
      'cp39-abi3-manylinux_2_17_x86_64',
      'cp39-abi3-manylinux2014_x86_64',
    ]);
  });
  it('reads the fields installers use', () => {
    const info = parseWheelInfo('Wheel-Version: 1.0\r\nGenerator: bdist_wheel (0.41.2)\r\nRoot-Is-Purelib: True\r\nTag: PY3-none-any\r\nBuild: 1\r\n');
    assert.deepEqual(info, { wheelVersion: '1.0', rootIsPurelib: true, tags: ['py3-none-any'], build: '1' });
  });
});
