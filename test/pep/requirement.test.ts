/** PEP 508's own examples for dependency specifiers, and the positions reported for errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRequirementError } from '../../src/pep/errors.js';
import fc from 'fast-check';
import { formatRequirement, parseRequirement, parseRequirementByGrammar } from '../../src/pep/requirement.js';

// PEP 508, "Examples" (the test list of the reference grammar), with packaging's normal form of each.
const EXAMPLES: Array<[string, string]> = [
  ['A', 'A'],
  ['A.B-C_D', 'A.B-C_D'],
  ['aa', 'aa'],
  ['name', 'name'],
  ['name<=1', 'name<=1'],
  ['name>=3', 'name>=3'],
  ['name>=3,<2', 'name<2,>=3'],
  ['name@http://foo.com', 'name @ http://foo.com'],
  ["name [fred,bar] @ http://foo.com ; python_version=='2.7'", 'name[bar,fred] @ http://foo.com ; python_version == "2.7"'],
  ["name[quux, strange];python_version<'2.7' and platform_version=='2'", 'name[quux,strange]; python_version < "2.7" and platform_version == "2"'],
  ["name; os_name=='a' or os_name=='b'", 'name; os_name == "a" or os_name == "b"'],
  ["name; os_name=='a' and os_name=='b' or os_name=='c'", 'name; os_name == "a" and os_name == "b" or os_name == "c"'],
  ["name; os_name=='a' and (os_name=='b' or os_name=='c')", 'name; os_name == "a" and (os_name == "b" or os_name == "c")'],
  ["name; os_name=='a' or os_name=='b' and os_name=='c'", 'name; os_name == "a" or os_name == "b" and os_name == "c"'],
  ["name; (os_name=='a' or os_name=='b') and os_name=='c'", 'name; (os_name == "a" or os_name == "b") and os_name == "c"'],
];

test('PEP 508 examples parse, and print in packaging\'s normal form', () => {
  for (const [text, normal] of EXAMPLES) assert.equal(formatRequirement(parseRequirement(text)), normal, text);
});

test('parts of a requirement', () => {
  const r = parseRequirement('Requests [socks, security, socks] (>=2.8.1, ==2.8.*) ; python_version < "3"');
  assert.equal(r.name, 'Requests');
  assert.deepEqual(r.extras, ['security', 'socks']);
  assert.equal(r.specifier.toString(), '==2.8.*,>=2.8.1');
  assert.equal(r.url, null);
  assert.equal(r.marker?.toString(), 'python_version < "3"');
  const u = parseRequirement('pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee');
  assert.equal(u.url, 'https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee');
  assert.equal(u.specifier.specifiers.length, 0);
});

test('errors name what was expected and where', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['', 0, /package name/],
    ['name[', 4, /matching \] for \[/],
    ['name[a b]', 7, /comma between extra names/],
    ['name>=1.0.*', 4, /\.\* suffix/],
    ['name>=1.0+local', 4, /local version label/],
    ['name @ ', 7, /URL after @/],
    ['name 1.0', 5, /semicolon \(after name with no version specifier\)/],
    ['name>=1.0 foo', 4, /comma \(within version specifier\)/],
    ['name; os_name = "nt"', 14, /marker operator/],
    ['name; os_name == nt', 17, /marker variable or quoted string/],
  ];
  for (const [text, position, reason] of cases) {
    assert.throws(
      () => parseRequirement(text),
      (e: unknown) => e instanceof InvalidRequirementError && e.position === position && reason.test(e.message),
      `${JSON.stringify(text)}`,
    );
  }
});

test('the name==version shortcut gives what the grammar gives, and the grammar\'s errors', () => {
  const nameChar = fc.constantFrom(...'aZ09._-'.split(''));
  const name = fc.oneof(fc.constantFrom('requests', 'Django', 'zope.interface', 'a', 'A_b-C.d'), fc.string({ unit: nameChar, minLength: 1, maxLength: 6 }));
  const versionChar = fc.constantFrom(...'0123456789.!+_-abcdeprstvlo'.split(''));
  const version = fc.oneof(
    fc.constantFrom('1.0', '1!2.0', '1.0.post1', '1.0-1', '2.0rc1', '1.0+local.7', 'v1.0', '1.0_a', '1.0.*', '1..0', 'foo', ''),
    fc.string({ unit: versionChar, maxLength: 10 }),
  );
  const outcome = (parse: (t: string) => unknown, text: string): unknown => {
    try {
      const r = parse(text) as ReturnType<typeof parseRequirement>;
      return { name: r.name, extras: r.extras, specifier: r.specifier.toString(), specifiers: r.specifier.specifiers.map((s) => [s.operator, s.version]), url: r.url, marker: r.marker };
    } catch (err) {
      return { error: (err as Error).constructor.name, message: (err as Error).message };
    }
  };
  fc.assert(
    fc.property(name, fc.constantFrom('==', '===', '=', '>='), version, (n, op, v) => {
      const text = `${n}${op}${v}`;
      assert.deepEqual(outcome(parseRequirement, text), outcome(parseRequirementByGrammar, text), text);
    }),
    { numRuns: 5000 },
  );
});
