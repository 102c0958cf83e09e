/** PEP 508 marker evaluation, normal form, and the cases where we knowingly refuse. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidMarkerError, MarkerEvaluationError } from '../../src/pep/errors.js';
import { Marker, type MarkerEnvironment } from '../../src/pep/marker.js';

const LINUX_311: MarkerEnvironment = {
  implementation_name: 'cpython', implementation_version: '3.11.7', os_name: 'posix', platform_machine: 'x86_64',
  platform_release: '6.1.0-13-amd64', platform_system: 'Linux', platform_version: '#1 SMP', python_full_version: '3.11.7',
  platform_python_implementation: 'CPython', python_version: '3.11', sys_platform: 'linux',
};

const EVALUATIONS: Array<[string, string | undefined, boolean]> = [
  ['python_version >= "3.8"', undefined, true],
  ['python_version < "3.8"', undefined, false],
  ['python_version > "3.9"', undefined, true], // PEP 440 comparison, not string comparison ("3.11" < "3.9" as text)
  ['python_full_version == "3.11.*"', undefined, true],
  ['"3.8" < python_version', undefined, true],
  ['os_name == "posix" and sys_platform != "win32"', undefined, true],
  ['os_name == "nt" or platform_machine == "x86_64"', undefined, true],
  ['os_name == "nt" and platform_machine == "x86_64" or sys_platform == "linux"', undefined, true],
  ['os_name == "nt" and (platform_machine == "x86_64" or sys_platform == "linux")', undefined, false],
  ['"linux" in sys_platform', undefined, true],
  ['"win" not in sys_platform', undefined, true],
  ['platform_release >= "6"', undefined, false], // "6.1.0-13-amd64" is not a version: no match
  ['platform_system < "Windows"', undefined, false], // no order on plain strings
  ['extra == "test"', undefined, false],
  ['extra == "Test.Extra"', 'test-extra', true], // PEP 685: both sides normalized
  ['extra == "test_extra"', 'TEST.extra', true],
];

test('evaluation', () => {
  for (const [text, extra, expected] of EVALUATIONS) {
    assert.equal(Marker.parse(text).evaluate(LINUX_311, extra), expected, `${text} (extra ${extra})`);
  }
});

test('lock-file variables extras and dependency_groups are sets of normalized names', () => {
  const env = { ...LINUX_311, extras: ['Security'], dependency_groups: ['dev'] };
  assert.equal(Marker.parse('"security" in extras').evaluate(env), true);
  assert.equal(Marker.parse('"test" in dependency_groups').evaluate(env), false);
  assert.throws(() => Marker.parse('"security" in extras').evaluate(LINUX_311), MarkerEvaluationError);
});

test('undefined comparisons raise MarkerEvaluationError, as packaging raises UndefinedComparison', () => {
  assert.throws(() => Marker.parse('os_name ~= "posix"').evaluate(LINUX_311), MarkerEvaluationError);
  assert.throws(() => Marker.parse('"a" == "b"').evaluate(LINUX_311), MarkerEvaluationError);
});

test('normal form', () => {
  const table: Array<[string, string]> = [
    ["python_version>='3.8'", 'python_version >= "3.8"'],
    ['os.name == "posix"', 'os_name == "posix"'],
    ['python_implementation == "CPython"', 'platform_python_implementation == "CPython"'],
    ['((os_name == "nt"))', 'os_name == "nt"'],
    ['extra == "Foo.Bar"', 'extra == "foo-bar"'],
    ['os_name == "\\x41\\n"', 'os_name == "A\n"'], // a Python string literal: escapes apply
  ];
  for (const [text, normal] of table) assert.equal(Marker.parse(text).toString(), normal, text);
});

test('invalid markers throw InvalidMarkerError with a position', () => {
  const cases: Array<[string, number]> = [
    ['os_name = "nt"', 8],
    ['os_name == "nt" and', 19],
    ['(os_name == "nt"', 0],
    ['os_name == "nt" xor os_name == "posix"', 16],
    ['python_version notin "3.8"', 15],
  ];
  for (const [text, position] of cases) {
    assert.throws(
      () => Marker.parse(text),
      (e: unknown) => e instanceof InvalidMarkerError && e.position === position && e.code === 'pep.invalid-marker',
      text,
    );
  }
});

test('known divergence: \\N{name} escapes are refused (packaging resolves them with the Unicode name table)', () => {
  assert.throws(() => Marker.parse('os_name == "\\N{LATIN SMALL LETTER E WITH ACUTE}"'), InvalidMarkerError);
});

test('deep nesting is refused with a reason, not a stack overflow', () => {
  const nested = (n: number): string => '('.repeat(n) + 'os_name == "nt"' + ')'.repeat(n);
  assert.equal(Marker.parse(nested(100)).toString(), 'os_name == "nt"');
  assert.throws(() => Marker.parse(nested(5000)), (e: unknown) => e instanceof InvalidMarkerError && /nested deeper than 100/.test(e.message));
});
