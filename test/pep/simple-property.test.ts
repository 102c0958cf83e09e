/**
 * Round-trip properties of the Simple API documents over arbitrary pages: whatever text a yank reason, a
 * requires-python value, a status reason or a file name holds, parse(render(page)) gives the page back (the parts
 * each format carries).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseProjectHtml } from '../../src/pep/simple-html.js';
import { parseProjectJson } from '../../src/pep/simple-json.js';
import {
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
/** File names with awkward characters; a file name is one path segment, so no separators or control characters. */
const filename = awkwardText.map((t) => `f${t.replace(/[\u0000-\u001f\u007f-\u009f/\\]/g, '')}.whl`);
const HEX_DIGITS: Record<string, number> = { sha256: 64, sha512: 128, md5: 32, blake2b_256: 64 };
const hexDigit = fc.constantFrom(...'0123456789abcdef');
/** Each algorithm's digest, built once (building arbitraries inside `chain` costs seconds over a run). */
const DIGESTS = Object.fromEntries(
  Object.entries(HEX_DIGITS).map(([name, length]) => [name, fc.string({ unit: hexDigit, minLength: length, maxLength: length })]),
) as Record<string, fc.Arbitrary<string>>;
const hashes = fc
  .record(Object.fromEntries(Object.keys(DIGESTS).map((name) => [name, fc.option(DIGESTS[name] as fc.Arbitrary<string>, { nil: undefined })])))
  .map((picked) => {
    const out: Record<string, string> = {};
    for (const [name, digest] of Object.entries(picked)) if (digest !== undefined) out[name] = digest;
    return out;
  })
  .filter((h) => Object.keys(h).length > 0);

const file: fc.Arbitrary<SimpleFile> = fc
  .record({
    filename,
    // Directories already in the normal form the URL parser gives (no `.` or `..` segments).
    directory: fc.stringMatching(/^(?:[a-z0-9_-]{1,8}\/){0,2}$/),
    hashes,
    // An empty requires-python means none (pip reads it so), so it does not round-trip as "".
    requiresPython: fc.option(awkwardText.filter((t) => t !== ''), { nil: undefined }),
    yanked: fc.oneof(fc.constant(false as const), fc.constant(true as const), awkwardText.filter((t) => t !== '')),
    coreMetadata: fc.option(fc.oneof(fc.constant(false as const), fc.constant(true as const), hashes), { nil: undefined }),
    size: fc.nat(),
    uploadTime: fc.option(fc.constant('2025-05-06T07:08:09.123456Z'), { nil: undefined }),
    provenance: fc.option(fc.constant('https://files.example/provenance'), { nil: undefined }),
  })
  .map(({ directory, ...rest }) => {
    // The file name is the URL's last segment (as installers read HTML pages), encoded as the URL parser would.
    const url = new URL(`https://files.example/${directory}${encodeURIComponent(rest.filename)}`).href;
    const out: SimpleFile = { ...rest, url };
    for (const key of Object.keys(out) as Array<keyof SimpleFile>) if (out[key] === undefined) delete out[key];
    return out;
  });

const page: fc.Arbitrary<SimpleProjectPage> = fc
  .record({
    name: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,10}$/),
    versions: fc.array(fc.stringMatching(/^[0-9]{1,2}(\.[0-9]{1,2}){0,2}$/), { maxLength: 4 }),
    // A file name is listed once: a reader keeps the first of two links with the same name.
    files: fc.uniqueArray(file, { maxLength: 6, selector: (f) => f.filename }),
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

/** The hash an HTML page carries: the renderer's preferred one. */
function preferredHash(h: Record<string, string>): Record<string, string> {
  const name = h['sha256'] !== undefined ? 'sha256' : (Object.keys(h)[0] as string);
  return { [name]: h[name] as string };
}

/** A URL fragment's hash names a hashlib algorithm (PEP 503); other fragment parameters are not hashes. */
function fragmentHash(h: Record<string, string>): Record<string, string> {
  const preferred = preferredHash(h);
  return 'blake2b_256' in preferred ? {} : preferred;
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
        assert.deepEqual(g.hashes, fragmentHash(f.hashes));
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
