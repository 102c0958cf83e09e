/**
 * Simple API pages against a real client's reader: pip's own link parser (test/pep/oracle/simple_oracle.py) reads
 * the pages we render, in HTML and JSON, and the real PEP 503 pages of /opt/pypi/simple, which we parse too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import {
  SIMPLE_JSON_V1,
  parseProjectHtml,
  renderProjectHtml,
  renderProjectJson,
  type SimpleFile,
  type SimpleProjectPage,
} from '../../src/pep/simple.js';
import { runPythonJsonLines } from '../helpers/python.js';

const ORACLE = fileURLToPath(new URL('./oracle/simple_oracle.py', import.meta.url));
const PYPI_SIMPLE = '/opt/pypi/simple';
const PYPI_FILES = '/opt/pypi/files';

interface PipLink {
  url: string;
  filename: string;
  hashes: Record<string, string> | null;
  requires_python: string | null;
  yanked: boolean;
  yanked_reason: string | null;
  metadata: { hashes: Record<string, string> | null } | null;
}

function pipLinks(pages: Array<{ content: string; content_type: string; url: string }>): PipLink[][] {
  const answers = runPythonJsonLines(ORACLE, pages) as PipLink[][];
  assert.equal(answers.length, pages.length);
  return answers;
}

function hexDigest(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

/** Pages with the attributes pip reads, and values that need escaping in HTML. */
function generatedPages(): SimpleProjectPage[] {
  const requires = ['>=3.8', '>=3.8, <4', '!=3.0.*,>=2.7', '<"4"&>3', ''];
  const yanks: SimpleFile['yanked'][] = [false, true, 'broken', 'a "quoted" <reason> & more', "it's bad"];
  const metadata: SimpleFile['coreMetadata'][] = [undefined, false, true, { sha256: hexDigest('m') }];
  const pages: SimpleProjectPage[] = [];
  for (let p = 0; p < 5; p++) {
    const files: SimpleFile[] = [];
    for (let i = 0; i < 12; i++) {
      const filename = i % 2 === 0 ? `pkg_${p}-1.${i}.tar.gz` : `pkg_${p}-1.${i}-py3-none-any.whl`;
      const file: SimpleFile = {
        filename,
        url: i % 3 === 0 ? `../../files/${filename}` : `https://files.example/${p}/${i}/${filename}`,
        hashes: { sha256: hexDigest(filename) },
        yanked: yanks[(i + p) % yanks.length] as SimpleFile['yanked'],
        size: 100 + i,
      };
      const req = requires[(i + 2 * p) % requires.length] as string;
      if (req !== '') file.requiresPython = req;
      const md = metadata[(i + p) % metadata.length];
      if (md !== undefined) file.coreMetadata = md;
      files.push(file);
    }
    pages.push({ name: `pkg_${p}`, versions: [], files });
  }
  return pages;
}

function assertPipReads(label: string, links: PipLink[], files: SimpleFile[], base: string): void {
  assert.equal(links.length, files.length, `${label}: number of links`);
  files.forEach((file, i) => {
    const link = links[i] as PipLink;
    const where = `${label} ${file.filename}`;
    assert.equal(link.url, new URL(file.url, base).href, `${where}: url`);
    assert.equal(link.filename, file.filename, `${where}: filename`);
    assert.deepEqual(link.hashes, file.hashes, `${where}: hashes`);
    assert.equal(link.requires_python, file.requiresPython ?? null, `${where}: requires-python`);
    assert.equal(link.yanked, file.yanked !== false, `${where}: yanked`);
    if (typeof file.yanked === 'string') assert.equal(link.yanked_reason, file.yanked, `${where}: yank reason`);
    if (file.coreMetadata === undefined || file.coreMetadata === false) {
      assert.equal(link.metadata, null, `${where}: no metadata file`);
    } else {
      const hashes = file.coreMetadata === true ? null : file.coreMetadata;
      assert.deepEqual(link.metadata, { hashes }, `${where}: metadata file`);
    }
  });
}

test('pip reads the HTML and JSON pages we render as we meant them', () => {
  const pages = generatedPages();
  const base = 'http://127.0.0.1:8080/simple/pkg/';
  const html = pipLinks(pages.map((p) => ({ content: renderProjectHtml(p), content_type: 'text/html', url: base })));
  const json = pipLinks(pages.map((p) => ({ content: renderProjectJson(p), content_type: SIMPLE_JSON_V1, url: base })));
  pages.forEach((page, i) => {
    assertPipReads(`${page.name} html`, html[i] as PipLink[], page.files, base);
    assertPipReads(`${page.name} json`, json[i] as PipLink[], page.files, base);
  });
});

test('pip and we read generated PEP 503 markup alike (quoting, case, entities, comments, stray tags)', () => {
  const quote = (v: string): fc.Arbitrary<string> =>
    fc.constantFrom(`"${v.replace(/"/g, '&quot;')}"`, `'${v.replace(/'/g, '&#39;')}'`, ...(/^[^\s"'<>=`]+$/.test(v) ? [v] : []));
  const entityText = fc
    .array(fc.constantFrom('>=3', '&gt;', '&lt;', '&amp;', '&#62;', '&#x3C;', '&quot;', ',', ' ', '3.8', '!=', '&#39;'), { minLength: 1, maxLength: 5 })
    .map((a) => a.join(''));
  const anchor = fc
    .record({
      tag: fc.constantFrom('a', 'A'),
      name: fc.stringMatching(/^[a-z][a-z0-9_]{0,6}-[0-9]\.[0-9]\.tar\.gz$/),
      dir: fc.constantFrom('', '../../files/', 'https://cdn.example/p/', '/root/'),
      hash: fc.option(fc.constantFrom('#sha256=' + 'ab'.repeat(32), '#md5=0123abcd', '#sha512=ff'), { nil: undefined }),
      requires: fc.option(entityText, { nil: undefined }),
      yanked: fc.option(fc.constantFrom('', 'reason', 'bad &amp; sad', 'x&lt;y'), { nil: undefined }),
      metadata: fc.option(fc.constantFrom('true', 'sha256=' + 'cd'.repeat(32)), { nil: undefined }),
      metadataAttribute: fc.constantFrom('data-core-metadata', 'data-dist-info-metadata', 'DATA-CORE-METADATA'),
      space: fc.constantFrom(' ', '  ', '\n'),
    })
    .chain((a) =>
      fc
        .tuple(
          quote(a.dir + a.name + (a.hash ?? '')),
          a.requires === undefined ? fc.constant('') : quote(a.requires).map((q) => `${a.space}data-requires-python=${q}`),
          a.yanked === undefined ? fc.constant('') : a.yanked === '' ? fc.constant(' data-yanked=""') : quote(a.yanked).map((q) => ` data-yanked=${q}`),
          a.metadata === undefined ? fc.constant('') : quote(a.metadata).map((q) => ` ${a.metadataAttribute}=${q}`),
        )
        .map(([href, rp, y, md]) => `<${a.tag} href=${href}${rp}${y}${md}>${a.name}</${a.tag}>`),
    );
  // A bare `data-yanked` is left out: in HTML its value is "" (yanked, PEP 592), while pip 23.2 reads it as absent.
  const noise = fc.constantFrom('<br/>', '<br>', '\n', '<!-- <a href="commented-1.0.tar.gz">c</a> -->', '<span>x</span>', '<p>', '  ');
  const page = fc
    .array(fc.oneof({ weight: 3, arbitrary: anchor }, { weight: 1, arbitrary: noise }), { maxLength: 8 })
    .map((parts) => `<!DOCTYPE html><html><body>${parts.join('')}</body></html>`);
  const base = 'https://index.example/simple/p/';
  const pages = fc.sample(page, { numRuns: 300, seed: 7 });
  const answers = pipLinks(pages.map((content) => ({ content, content_type: 'text/html', url: base })));
  let links = 0;
  pages.forEach((content, i) => {
    const ours = parseProjectHtml(content, base);
    assertPipReads(`generated page ${i}: ${content}`, answers[i] as PipLink[], ours.files, base);
    links += ours.files.length;
  });
  assert.ok(links > 300, `only ${links} links generated`);
});

test('the real PEP 503 pages of /opt/pypi parse as pip parses them, and point at the real files', () => {
  assert.ok(existsSync(PYPI_SIMPLE), `${PYPI_SIMPLE} is missing: this test needs the real PyPI index tree`);
  const projects = readdirSync(PYPI_SIMPLE).filter((n) => statSync(join(PYPI_SIMPLE, n)).isDirectory());
  assert.ok(projects.length > 500, `expected hundreds of projects in ${PYPI_SIMPLE}, found ${projects.length}`);
  const pages = projects.map((project) => ({
    project,
    base: pathToFileURL(join(PYPI_SIMPLE, project)).href + '/',
    content: readFileSync(join(PYPI_SIMPLE, project, 'index.html'), 'utf8'),
  }));
  const answers = pipLinks(pages.map((p) => ({ content: p.content, content_type: 'text/html', url: p.base })));
  let files = 0;
  const smallest: Array<{ path: string; sha256: string; size: number }> = [];
  pages.forEach(({ project, base, content }, i) => {
    const page = parseProjectHtml(content, base);
    assert.equal(page.name, project);
    assert.ok(page.files.length > 0, `${project}: no files`);
    assertPipReads(project, answers[i] as PipLink[], page.files, base);
    for (const file of page.files) {
      files++;
      const path = fileURLToPath(file.url);
      assert.equal(basename(path), file.filename, `${project}: the link text is the file name`);
      assert.ok(existsSync(path), `${project}: ${file.url} does not resolve to a file in ${PYPI_FILES}`);
      assert.match(file.hashes['sha256'] ?? '', /^[0-9a-f]{64}$/, `${project}: sha256`);
      smallest.push({ path, sha256: file.hashes['sha256'] as string, size: statSync(path).size });
    }
    assert.ok(page.versions.length > 0, `${project}: versions from file names`);
  });
  assert.ok(files >= pages.length);
  // The hash fragments are the files' real digests (checked on the smallest files, to stay fast).
  smallest.sort((a, b) => a.size - b.size);
  for (const { path, sha256 } of smallest.slice(0, 25)) {
    assert.equal(createHash('sha256').update(readFileSync(path)).digest('hex'), sha256, path);
  }
});
