/**
 * Canonical JSON (RFC 8785) and the hashed form of a log entry: RFC 8785's own examples, values refused rather than
 * quietly changed, and a differential check against `canonicalize` (the JCS implementation by one of the RFC's
 * authors) on generated values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import canonicalize from 'canonicalize';
import { canonicalJson, CanonicalJsonError } from '../../../src/store/decision-log/canonical-json.js';
import { canonicalEntry, entryHash, exportLine, GENESIS_HASH, parseHead, prepareEntry, type NewLogEntry } from '../../../src/store/decision-log/entry.js';

test('RFC 8785 section 3.2.3: members sorted by UTF-16 code units', () => {
  const input = {
    '\u20ac': 'Euro Sign',
    '\r': 'Carriage Return',
    '\ufb33': 'Hebrew Letter Dalet With Dagesh',
    '1': 'One',
    '\ud83d\ude00': 'Emoji: Grinning Face',
    '\u0080': 'Control',
    '\u00f6': 'Latin Small Letter O With Diaeresis',
  };
  // Read the order from the text: a parsed object would list the integer-like key "1" first whatever the text says.
  const keys = [...canonicalJson(input).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
  assert.deepEqual(keys, ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
});

test('RFC 8785 section 3.2.2: the example document, and number forms', () => {
  const input = { numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001], string: '\u20ac$\u000f\u000aA\'\u0042\u0022\u005c\\"/', literals: [null, true, false] };
  assert.equal(
    canonicalJson(input),
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
  );
  const cases: Array<[number, string]> = [[-0, '0'], [1, '1'], [-1.5, '-1.5'], [1e21, '1e+21'], [1e-7, '1e-7'], [9007199254740992, '9007199254740992'], [5e-324, '5e-324']];
  for (const [n, text] of cases) assert.equal(canonicalJson(n), text, String(n));
});

test('values JSON.stringify would change are refused with their path', () => {
  class Finding {}
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  const cases: Array<[unknown, RegExp]> = [
    [{ score: NaN }, /^\$\.score: NaN is not a JSON number/],
    [{ a: [1, Infinity] }, /^\$\.a\[1\]: Infinity/],
    [{ a: [1, undefined] }, /^\$\.a\[1\]: undefined has no JSON form/],
    // A sparse array's hole reads as undefined, and is refused like it.
    [{ a: [1, , 3] }, /^\$\.a\[1\]: undefined/],
    [{ at: new Date(0) }, /^\$\.at: a Date is not plain JSON data/],
    [{ f: new Finding() }, /^\$\.f: a Finding is not plain JSON data/],
    [{ m: new Map() }, /^\$\.m: a Map/],
    [{ s: 'x\ud800' }, /^\$\.s: a string with a lone UTF-16 surrogate/],
    [{ ['\udc00']: 1 }, /member name\): a string with a lone UTF-16 surrogate/],
    [{ n: 10n }, /^\$\.n: bigint has no JSON form/],
    [{ f: () => 1 }, /^\$\.f: function has no JSON form/],
    [cycle, /nested deeper than 64 levels \(or a cycle\)/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => canonicalJson(value), (err: unknown) => err instanceof CanonicalJsonError && err.code === 'log.payload-not-json' && message.test(err.message), String(message));
  }
  assert.equal(canonicalJson({ b: undefined, a: 1 }), '{"a":1}', 'a member whose value is undefined is left out');
  assert.equal(canonicalJson(Object.assign(Object.create(null) as object, { z: 1, y: [] })), '{"y":[],"z":1}');
});

test('canonical JSON equals canonicalize (RFC 8785) on generated values', () => {
  for (const stringUnit of ['binary', 'grapheme-composite'] as const) {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit, maxDepth: 5 }), (value) => {
        assert.equal(canonicalJson(value), canonicalize(value));
      }),
      { numRuns: 1000 },
    );
  }
});

const fields = fc.record({
  seq: fc.integer({ min: 1, max: 2 ** 40 }),
  at: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString()),
  kind: fc.constantFrom('decision', 'token.created', 'quarantine.auto-release'),
  actor: fc.oneof(fc.constant('system'), fc.nat().map((n) => `token:${n}`), fc.string({ unit: 'grapheme', minLength: 1 }).map((u) => `cli:${u}`)),
  project: fc.option(fc.string({ unit: 'binary', minLength: 1 }), { nil: null }),
  version: fc.option(fc.constantFrom('1.0', '2.0rc1', '1!0.post1'), { nil: null }),
  filename: fc.option(fc.string({ unit: 'grapheme', minLength: 1 }), { nil: null }),
  sha256: fc.option(fc.stringMatching(/^[0-9a-f]{64}$/), { nil: null }),
  payload: fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 })).map((p) => canonicalJson(p)),
  prev_hash: fc.stringMatching(/^[0-9a-f]{64}$/),
});

test('an entry\'s hashed document is the canonical JSON of the entry, and its export line adds the hash', () => {
  fc.assert(
    fc.property(fields, (f) => {
      const whole = {
        actor: f.actor,
        at: f.at,
        kind: f.kind,
        payload: JSON.parse(f.payload) as unknown,
        prev: f.prev_hash,
        seq: f.seq,
        subject: { filename: f.filename, project: f.project, sha256: f.sha256, version: f.version },
      };
      const doc = canonicalEntry(f);
      assert.equal(doc, canonicalize(whole));
      const hash = createHash('sha256').update(doc, 'utf8').digest('hex');
      assert.equal(entryHash(f), hash);
      const line = exportLine({ ...f, hash });
      assert.equal(line, canonicalize({ ...whole, hash }));
    }),
    { numRuns: 500 },
  );
});

test('entries are checked before they are written, each refusal naming the field', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  const ok: NewLogEntry = { kind: 'decision', actor: 'system' };
  const prepared = prepareEntry({ ...ok, subject: { project: 'demo', sha256: 'a'.repeat(64) }, payload: { b: 1, a: 'x' } }, now);
  assert.deepEqual(prepared, {
    at: '2026-12-01T00:00:00.000Z',
    kind: 'decision',
    actor: 'system',
    project: 'demo',
    version: null,
    filename: null,
    sha256: 'a'.repeat(64),
    payload: '{"a":"x","b":1}',
  });
  const cases: Array<[NewLogEntry, RegExp]> = [
    [{ ...ok, kind: 'Decision' }, /kind "Decision" must be dot-separated lowercase words/],
    [{ ...ok, kind: 'quarantine..release' }, /kind/],
    [{ ...ok, kind: '' }, /kind/],
    [{ ...ok, actor: '' }, /actor must be 1 to 200 characters, not 0/],
    [{ ...ok, actor: 'cli:eve\nforged line' }, /actor "cli:eve\\nforged line" contains a control character/],
    [{ ...ok, subject: { project: 'x\u0000' } }, /subject\.project .* contains a control character/],
    [{ ...ok, subject: { sha256: 'A'.repeat(64) } }, /subject\.sha256 must be 64 lowercase hex digits/],
    [{ ...ok, at: new Date(NaN) }, /at must be a valid Date/],
    [{ ...ok, payload: [] as never }, /payload must be a JSON object/],
    [{ ...ok, payload: { blob: 'x'.repeat(1024 * 1024) } }, /payload is over 1048576 bytes/],
  ];
  for (const [entry, message] of cases) {
    assert.throws(() => prepareEntry(entry, now), (err: unknown) => (err as { code?: string }).code === 'log.entry-invalid' && message.test((err as Error).message), String(message));
  }
  assert.throws(() => prepareEntry({ ...ok, payload: { score: NaN } }, now), { code: 'log.payload-not-json' });
});

test('a head is COUNT:HASH; anything else is refused with the reason', () => {
  assert.deepEqual(parseHead(` 12:${'ab'.repeat(32)}\n`, '--expect-head'), { count: 12, hash: 'ab'.repeat(32) });
  assert.deepEqual(parseHead(`0:${GENESIS_HASH}`, 'x'), { count: 0, hash: GENESIS_HASH });
  for (const bad of ['12', `12:${'AB'.repeat(32)}`, `-1:${'a'.repeat(64)}`, `1:${'a'.repeat(63)}`, `0:${'a'.repeat(64)}`, `1.5:${'a'.repeat(64)}`]) {
    assert.throws(() => parseHead(bad, '--expect-head'), { code: 'log.head-format' }, bad);
  }
});
