/**
 * Properties of file names built from arbitrary valid project names and PEP 440 versions: escaping with
 * wheelFilenameEscape always gives a wheel or PEP 625 sdist name that parses back to the same project and version.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSdistFilename, parseWheelFilename, wheelFilenameEscape } from '../../src/pep/filename.js';
import { normalizeName } from '../../src/pep/name.js';
import { Version } from '../../src/pep/version.js';

const projectName = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,12}[A-Za-z0-9])?$/);

/** PEP 440 versions in the spellings people write, not only the normalized one. */
const version = fc
  .record({
    epoch: fc.option(fc.nat(3), { nil: undefined }),
    release: fc.array(fc.nat(30), { minLength: 1, maxLength: 4 }),
    pre: fc.option(fc.tuple(fc.constantFrom('a', 'b', 'rc', 'alpha', 'c', 'preview', '-RC', '.beta'), fc.nat(9)), { nil: undefined }),
    post: fc.option(fc.tuple(fc.constantFrom('.post', '-', '_post', 'r', '.rev'), fc.nat(9)), { nil: undefined }),
    dev: fc.option(fc.tuple(fc.constantFrom('.dev', 'dev', '-dev'), fc.nat(9)), { nil: undefined }),
    local: fc.option(fc.stringMatching(/^[a-z0-9]{1,4}(?:[._-][a-z0-9]{1,4}){0,2}$/), { nil: undefined }),
  })
  .map(({ epoch, release, pre, post, dev, local }) => {
    let text = epoch === undefined ? '' : `${epoch}!`;
    text += release.join('.');
    if (pre !== undefined) text += `${pre[0]}${pre[1]}`;
    if (post !== undefined) text += `${post[0]}${post[1]}`;
    if (dev !== undefined) text += `${dev[0]}${dev[1]}`;
    if (local !== undefined) text += `+${local}`;
    return text;
  });

const tagSet = fc.array(fc.stringMatching(/^[a-z0-9_]{1,8}$/), { minLength: 1, maxLength: 3 }).map((tags) => tags.join('.'));

test('an escaped name and version make a wheel name that parses back', () => {
  fc.assert(
    fc.property(
      projectName,
      version,
      // The rest of a build tag cannot start with a digit: the digits would belong to the number.
      fc.option(fc.tuple(fc.nat(999), fc.stringMatching(/^(?:[a-z_.][a-z0-9_.]{0,3})?$/)), { nil: undefined }),
      tagSet,
      tagSet,
      tagSet,
      (name, v, build, python, abi, platform) => {
        const escapedVersion = wheelFilenameEscape(v, 'version');
        const buildPart = build === undefined ? '' : `-${build[0]}${build[1]}`;
        const filename = `${wheelFilenameEscape(name)}-${escapedVersion}${buildPart}-${python}-${abi}-${platform}.whl`;
        const wheel = parseWheelFilename(filename);
        assert.equal(wheel.normalizedName, normalizeName(name));
        assert.equal(wheel.version, Version.parse(v).toString());
        assert.deepEqual(wheel.buildTag, build === undefined ? null : { number: build[0], rest: build[1] });
        const expected = python.split('.').length * abi.split('.').length * platform.split('.').length;
        assert.equal(wheel.tags().length, expected);
      },
    ),
    { numRuns: 500 },
  );
});

test('an escaped name and version make a PEP 625 sdist name that parses back, with or without the project', () => {
  fc.assert(
    fc.property(projectName, version, (name, v) => {
      const filename = `${wheelFilenameEscape(name)}-${wheelFilenameEscape(v, 'version')}.tar.gz`;
      for (const sdist of [parseSdistFilename(filename), parseSdistFilename(filename, name)]) {
        assert.equal(sdist.normalizedName, normalizeName(name));
        assert.equal(sdist.version, Version.parse(v).toString());
        assert.equal(sdist.legacy, false, filename);
      }
    }),
    { numRuns: 500 },
  );
});

test('a legacy sdist name with the project name splits where the project name ends', () => {
  fc.assert(
    fc.property(projectName, version, fc.constantFrom('.tar.gz', '.zip', '.tar.bz2'), (name, v, ext) => {
      // Written as old tools wrote them: the name unescaped, the version as given (it may contain "-").
      const sdist = parseSdistFilename(`${name}-${v}${ext}`, name.toUpperCase());
      assert.equal(sdist.name, name);
      assert.equal(sdist.version, Version.parse(v).toString());
    }),
    { numRuns: 500 },
  );
});
