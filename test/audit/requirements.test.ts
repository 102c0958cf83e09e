/**
 * The requirements-file reader against pip's own parser
 * (test/audit/oracle/pip_requirements.py runs pip._internal.req.req_file):
 * the same requirements, from the same files and lines, in the same order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logicalLines, readRequirementLines, type RequirementLine } from '../../src/audit/requirements.js';

const fixtures = fileURLToPath(new URL('../fixtures/audit/', import.meta.url));
const oracle = fileURLToPath(new URL('./oracle/pip_requirements.py', import.meta.url));

function pipLines(file: string, cwd: string, env: Record<string, string>): RequirementLine[] {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PIP_CONFIG_FILE: '/dev/null' };
  delete childEnv.PIP_FIND_LINKS;
  const r = spawnSync('python3', [oracle, file], { cwd, input: JSON.stringify(env), encoding: 'utf8', env: childEnv });
  if (r.error || r.status !== 0) throw new Error(`pip's parser failed: ${r.error?.message ?? r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const x = JSON.parse(l) as RequirementLine;
      return { ...x, requirement: x.requirement.trim() };
    });
}

test('the fixture tree reads exactly as pip reads it', () => {
  const env = { JINJA_VERSION: '2.10.1' };
  const ours = readRequirementLines('requirements/requirements.txt', env, fixtures);
  const pips = pipLines('requirements/requirements.txt', fixtures, env);
  assert.ok(pips.length >= 15, 'pip found the fixture requirements');
  assert.deepEqual(ours, pips);
});

test('edge cases of line joining, comments and options read as pip reads them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-req-'));
  try {
    const text = [
      '# a comment that ends in a backslash \\',
      'six==1.16.0',
      'attrs==21.2.0 # trailing comment \\',
      'idna==3.4 \\',
      '',
      'click==8.0.0\\',
      '  ; python_version >= "3"',
      '--requirement=more.txt',
      '-i https://pypi.example.com/simple',
      '--no-index',
      'pip==20.0 --config-settings key=value',
      'wheel#not-a-comment==0.37.0',
      'last==1.0 \\',
    ].join('\r\n');
    writeFileSync(join(dir, 'reqs.txt'), text);
    writeFileSync(join(dir, 'more.txt'), 'toml==0.10.2\n-c ${CONSTRAINTS}\n');
    writeFileSync(join(dir, 'cons.txt'), 'toml==0.10.1\n');
    const env = { CONSTRAINTS: 'cons.txt' };
    assert.deepEqual(readRequirementLines('reqs.txt', env, dir), pipLines('reqs.txt', dir, env));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('logical lines keep the number of their first physical line', () => {
  const cases: Array<[string, Array<[string, number, number]>]> = [
    ['a==1\nb==2', [['a==1', 1, 1], ['b==2', 2, 2]]],
    ['a==1 \\\n  --hash=sha256:00\nb==2', [['a==1   --hash=sha256:00', 1, 2], ['b==2', 3, 3]]],
    ['# x \\\na==1', [['a==1', 2, 2]]],
    ['a==1 # note\n   # only a comment', [['a==1', 1, 1]]],
  ];
  for (const [text, expected] of cases) {
    assert.deepEqual(
      logicalLines(text).map((l) => [l.text, l.line, l.endLine]),
      expected,
      JSON.stringify(text),
    );
  }
});
