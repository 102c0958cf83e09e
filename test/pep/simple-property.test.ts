/**
 * Round-trip properties of the Simple API documents over arbitrary pages: whatever text a yank reason, a
 * requires-python value, a status reason or a file name holds, parse(render(page)) gives the page back (the parts
 * each format carries).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  parseProjectHtml,
  parseProjectJson,
  renderProjectHtml,
  renderProjectJson,
  type SimpleFile,
  type SimpleProjectPage,
} from '../../src/pep/simple.js';

const BASE = 'https://gatehouse.example/simple/project/';

/** Text with the characters that break HTML when not escaped, and some that look like entities. */
const awkwardText = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.array(fc.constantFrom('<', '>', '&', '"', "'", '&amp;', '&#39;', '&lt;', ' ', 'é', '✓', '\n', 'x'), { maxLength: 8 }).map((a) => a.join('')),
);
/** File names as they appear in the link text: not blank at either end (the text is trimmed). */
const filename = awkwardText.map((t) => `f${t.trim()}.whl`);
const hashes = fc.dictionary(fc.constantFrom('sha256', 'sha512', 'md5', 'blake2b_256'), fc.stringMatching(/^[0-9a-f]{8,64}$/), { minKeys: 1 })
  // fast-check builds these without a prototype; parsed documents have plain objects.
  .map((h) => ({ ...h }));

const file: fc.Arbitrary<SimpleFile> = fc
  .record({
    filename,
    // Already in the normal form the URL parser gives (no `.` or `..` segments).
    path: fc.stringMatching(/^[a-z0-9_-]{1,8}(?:\/[a-z0-9_-]{1,8}){0,2}\.whl$/),
    hashes,
    requiresPython: fc.option(awkwardText, { nil: undefined }),
    yanked: fc.oneof(fc.constant(false as const), fc.constant(true as const), awkwardText.filter((t) => t !== '')),
    coreMetadata: fc.option(fc.oneof(fc.constant(false as const), fc.constant(true as const), hashes), { nil: undefined }),
    size: fc.nat(),
    uploadTime: fc.option(fc.constant('2025-05-06T07:08:09.123456Z'), { nil: undefined }),
    provenance: fc.option(fc.constant('https://files.example/provenance'), { nil: undefined }),
  })
  .map(({ path, ...rest }) => {
    const out: SimpleFile = { ...rest, url: `https://files.example/${path}` };
    for (const key of Object.keys(out) as Array<keyof SimpleFile>) if (out[key] === undefined) delete out[key];
    return out;
  });

const page: fc.Arbitrary<SimpleProjectPage> = fc
  .record({
    name: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,10}$/),
    versions: fc.array(fc.stringMatching(/^[0-9]{1,2}(\.[0-9]{1,2}){0,2}$/), { maxLength: 4 }),
    files: fc.array(file, { maxLength: 6 }),
    projectStatus: fc.option(
      fc.record(
        { status: fc.constantFrom('active' as const, 'archived' as const, 'quarantined' as const, 'deprecated' as const), reason: awkwardText },
        { requiredKeys: ['status'] },
      ).map((s) => ({ ...s })),
      { nil: undefined },
    ),
    tracks: fc.option(fc.array(fc.constant('https://pypi.org/simple/project/'), { minLength: 1, maxLength: 2 }), { nil: undefined }),
    alternateLocations: fc.option(fc.array(fc.constant('https://mirror.example/simple/project/'), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  })
  .map((p) => {
    const out: SimpleProjectPage = { ...p };
    for (const key of Object.keys(out) as Array<keyof SimpleProjectPage>) if (out[key] === undefined) delete out[key];
    return out;
  });

function preferredHash(h: Record<string, string>): Record<string, string> {
  const name = h['sha256'] !== undefined ? 'sha256' : (Object.keys(h)[0] as string);
  return { [name]: h[name] as string };
}

test('JSON: parse(render(page)) is the page', () => {
  fc.assert(
    fc.property(page, (p) => {
      assert.deepEqual(parseProjectJson(renderProjectJson(p), BASE), p);
    }),
    { numRuns: 300 },
  );
});

test('HTML: parse(render(page)) keeps every file attribute HTML carries', () => {
  fc.assert(
    fc.property(page, (p) => {
      const parsed = parseProjectHtml(renderProjectHtml(p), BASE);
      assert.equal(parsed.name, p.name);
      assert.deepEqual(parsed.projectStatus, p.projectStatus);
      assert.deepEqual(parsed.tracks, p.tracks);
      assert.deepEqual(parsed.alternateLocations, p.alternateLocations);
      assert.equal(parsed.files.length, p.files.length);
      p.files.forEach((f, i) => {
        const g = parsed.files[i] as SimpleFile;
        assert.equal(g.filename, f.filename);
        assert.equal(g.url, f.url);
        assert.deepEqual(g.hashes, preferredHash(f.hashes));
        assert.equal(g.requiresPython, f.requiresPython);
        assert.equal(g.yanked, f.yanked);
        const metadata = f.coreMetadata === undefined || f.coreMetadata === false ? undefined : f.coreMetadata === true ? true : preferredHash(f.coreMetadata);
        assert.deepEqual(g.coreMetadata, metadata);
        assert.equal(g.provenance, f.provenance);
      });
    }),
    { numRuns: 300 },
  );
});
