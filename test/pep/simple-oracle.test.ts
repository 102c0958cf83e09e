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
import { parseProjectHtml } from '../../src/pep/simple-html.js';
import { parseProjectJson } from '../../src/pep/simple-json.js';
import {
  SIMPLE_JSON_V1,
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

/** A seeded generator, so a failing page can be regenerated. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Percent-escapes that mean the same character either way, decoded: pip and the URL standard quote differently. */
function canonicalUrl(url: string): string {
  return url.replace(/%([0-9A-Fa-f]{2})/g, (whole, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~!$&'()*+,;=:@ ]/.test(c) ? c : whole.toUpperCase();
  });
}

/** One link of a generated page: its markup (or JSON entry), and whether a careful reader keeps it. */
interface GeneratedLink {
  markup: string;
  entry: Record<string, unknown>;
  keep: boolean;
  /** For a link left out: what the issue must say. */
  reason?: RegExp;
  /** The same for the JSON entry, where it differs (the file name comes from `filename`, not from the URL). */
  entryReason?: RegExp;
}

/** File names with characters that pip and the URL standard quote differently. */
const STEMS = ['pkg', 'a_b', 'with space', 'plus+sign', 'tilde~x', "quote'x", 'caf\u00e9', 'pct%x', 'amp&x'];
const HEX_OF = (n: number, r: () => number): string => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');

function generateLinks(r: () => number, count: number): GeneratedLink[] {
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;
  const attrQuote = (value: string): string => {
    const escaped = value.replace(/&/g, '&amp;');
    const style = pick(['"', "'", 'bare']);
    if (style === 'bare' && /^[^\s"'<>=`&]+$/.test(value)) return value;
    if (style === "'") return `'${escaped.replace(/'/g, '&#39;')}'`;
    return `"${escaped.replace(/"/g, '&quot;')}"`;
  };
  const links: GeneratedLink[] = [];
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const stem = pick(STEMS);
    const filename = r() < 0.5 ? `${stem}-${i}.0.tar.gz` : `${stem.replace(/[^A-Za-z0-9]/g, '_')}-${i}.0-py3-none-any.whl`;
    const dir = pick(['', '../../files/', 'https://cdn.example/p/', '/root/', '//other.example/x/', 'sub/dir/']);
    const encoded = r() < 0.5 ? encodeURIComponent(filename) : filename.replace(/%/g, '%25').replace(/#/g, '%23').replace(/\?/g, '%3F');
    const hashKind = pick(['none', 'sha256', 'md5', 'sha512', 'egg-first']);
    const hash =
      hashKind === 'none' ? '' :
      hashKind === 'egg-first' ? `#egg=x&sha256=${HEX_OF(64, r)}` :
      `#${hashKind}=${HEX_OF(hashKind === 'sha256' ? 64 : hashKind === 'md5' ? 32 : 128, r)}`;
    let href = dir + encoded + hash;
    let keep = true;
    let reason: RegExp | undefined;
    let duplicate: string | undefined;
    const bad = r() < 0.3 ? pick(['javascript', 'data', 'mailto', 'traversal', 'short-hash', 'non-hex', 'empty-hash', 'directory', 'duplicate', 'nul']) : null;
    if (bad !== null) {
      keep = false;
      if (bad === 'javascript') [href, reason] = ['javascript:void(0)', /scheme "javascript:"/];
      else if (bad === 'data') [href, reason] = ['data:application/zip,PK', /scheme "data:"/];
      else if (bad === 'mailto') [href, reason] = ['mailto:x@example.com', /scheme "mailto:"/];
      else if (bad === 'traversal') [href, reason] = [`${dir}..%2F..%2F${encodeURIComponent(filename)}`, /path separator/];
      else if (bad === 'short-hash') [href, reason] = [`${dir}${encoded}#sha256=${HEX_OF(63, r)}`, /63 hex digits, not 64/];
      else if (bad === 'non-hex') [href, reason] = [`${dir}${encoded}#sha256=${'g'.repeat(64)}`, /not hexadecimal/];
      else if (bad === 'empty-hash') [href, reason] = [`${dir}${encoded}#md5=`, /not hexadecimal/];
      else if (bad === 'directory') [href, reason] = [pick(['../', './', 'sub/']), /names a directory/];
      else if (bad === 'nul') [href, reason] = [`${dir}x%00${encoded}`, /control character/];
      else if (names.length > 0) {
        duplicate = pick(names);
        [href, reason] = [`https://elsewhere.example/${encodeURIComponent(duplicate)}`, /listed twice/];
      } else [href, reason] = ['javascript:0', /scheme/];
    } else {
      names.push(filename);
    }
    const attributes: string[] = [`${pick(['href', 'HREF', 'Href'])}=${attrQuote(href)}`];
    const entry: Record<string, unknown> = { filename, url: href, hashes: {} };
    let entryReason: RegExp | undefined;
    if (bad === 'traversal') entry['filename'] = `../../${filename}`;
    else if (bad === 'nul') entry['filename'] = `x\u0000${filename}`;
    else if (bad === 'directory') [entry['filename'], entryReason] = ['..', /is a path segment/];
    else if (duplicate !== undefined) entry['filename'] = duplicate;
    if (r() < 0.5) {
      const requires = pick(['>=3.8', '>=3.8, <4', '!=3.0.*,>=2.7', '<"4"&>3', "'>=3'", '>=3.6']);
      attributes.push(`${pick(['data-requires-python', 'DATA-REQUIRES-PYTHON'])}=${attrQuote(requires)}`);
      entry['requires-python'] = requires;
    }
    if (r() < 0.3) {
      const reason = pick(['', 'broken', 'bad & sad', 'x<y', '"quoted"']);
      attributes.push(reason === '' ? 'data-yanked=""' : `data-yanked=${attrQuote(reason)}`);
      entry['yanked'] = reason === '' ? true : reason;
    }
    if (r() < 0.3) {
      const metadata = pick(['true', `sha256=${HEX_OF(64, r)}`]);
      attributes.push(`${pick(['data-core-metadata', 'data-dist-info-metadata', 'DATA-CORE-METADATA'])}=${attrQuote(metadata)}`);
      entry['core-metadata'] = metadata === 'true' ? true : { sha256: metadata.slice('sha256='.length) };
    }
    const space = () => pick([' ', '  ', '\n', '\t']);
    const tag = pick(['a', 'A']);
    const text = pick([filename.replace(/&/g, '&amp;').replace(/</g, '&lt;'), '', `<span>${stem.replace(/&/g, '&amp;')}</span>`, 'download']);
    links.push({ markup: `<${tag}${attributes.map((a) => space() + a).join('')}${pick(['', ' ', ' /'])}>${text}</${tag}>`, entry, keep, reason, entryReason });
  }
  return links;
}

/** Markup that holds no link, or links that neither pip nor we may see. */
const NOISE = [
  '<br/>', '<br>', '\n', '<p>', '<span>x</span>', '&amp; &lt;a href="x-1.0.tar.gz"&gt;',
  '<!-- <a href="commented-1.0.tar.gz">c</a> -->', '<!----><!-- a -- b -->',
  '<script>var s = "<a href=\'script-1.0.tar.gz\'>s</a>";</script>', '<style>a { color: red }</style>',
  '<a name="anchor">no href</a>', '<a href="">empty href</a>', '<h1>Links for p</h1>',
];

interface PageIssueLike {
  dropped: string;
  reason: string;
}

function compareWithPip(label: string, links: GeneratedLink[], pip: PipLink[], files: SimpleFile[], issues: PageIssueLike[], format: 'html' | 'json'): void {
  assert.equal(pip.length, links.length, `${label}: pip sees every generated link`);
  let kept = 0;
  let skipped = 0;
  links.forEach((link, i) => {
    const theirs = pip[i] as PipLink;
    const where = `${label}, link ${i} ${link.markup}`;
    if (!link.keep) {
      const issue = issues[skipped++];
      assert.equal(issue?.dropped, 'file', `${where}: reported as left out`);
      assert.match(issue?.reason ?? '', (format === 'json' ? link.entryReason : undefined) ?? (link.reason as RegExp), where);
      return;
    }
    const ours = files[kept++];
    assert.ok(ours !== undefined, `${where}: kept`);
    assert.equal(canonicalUrl(ours.url), canonicalUrl(theirs.url), `${where}: url`);
    assert.equal(ours.filename, theirs.filename, `${where}: filename`);
    assert.deepEqual(ours.hashes, theirs.hashes, `${where}: hashes`);
    assert.equal(ours.requiresPython ?? null, theirs.requires_python, `${where}: requires-python`);
    assert.equal(ours.yanked !== false, theirs.yanked, `${where}: yanked`);
    if (typeof ours.yanked === 'string') assert.equal(ours.yanked, theirs.yanked_reason, `${where}: yank reason`);
    const metadata = ours.coreMetadata === undefined || ours.coreMetadata === false ? null : { hashes: ours.coreMetadata === true ? null : ours.coreMetadata };
    assert.deepEqual(metadata, theirs.metadata, `${where}: metadata file`);
  });
  assert.equal(kept, files.length, `${label}: no file kept that the generator meant to leave out`);
  assert.equal(skipped, issues.length, `${label}: one issue per link left out`);
}

test('pip and we read generated HTML pages alike, and we leave out exactly the links that are not files to fetch', () => {
  const r = random(20261201);
  const base = 'https://index.example/simple/p/';
  const pages = Array.from({ length: 400 }, () => {
    const links = generateLinks(r, 1 + Math.floor(r() * 12));
    const parts: string[] = [];
    for (const link of links) {
      while (r() < 0.3) parts.push(NOISE[Math.floor(r() * NOISE.length)] as string);
      parts.push(link.markup);
    }
    const head = r() < 0.3 ? '<base href="https://mirror.example/base/">' : '';
    const tail = r() < 0.2 ? '<base href="https://late.example/">' : '';
    const doctype = r() < 0.5 ? '<!DOCTYPE html>' : '';
    return { links, content: `${doctype}<HTML><head>${head}<title>Links for p</title></head><body>${parts.join('')}${tail}</body></html>` };
  });
  const answers = pipLinks(pages.map((p) => ({ content: p.content, content_type: 'text/html', url: base })));
  let kept = 0;
  let skipped = 0;
  pages.forEach(({ links, content }, i) => {
    const issues: PageIssueLike[] = [];
    const page = parseProjectHtml(content, base, { onIssue: (issue) => issues.push(issue) });
    compareWithPip(`page ${i}: ${content}`, links, answers[i] as PipLink[], page.files, issues, 'html');
    kept += page.files.length;
    skipped += issues.length;
  });
  assert.ok(kept > 1000 && skipped > 300, `only ${kept} links kept and ${skipped} left out`);
});

test('pip and we read generated JSON pages alike, and we leave out exactly the entries that are not files to fetch', () => {
  const r = random(7);
  const base = 'https://index.example/simple/p/';
  const pages = Array.from({ length: 300 }, () => {
    const links = generateLinks(r, 1 + Math.floor(r() * 12)).map((link) => {
      // JSON carries hashes in `hashes`; a URL fragment is merged into them (as pip does).
      const url = String(link.entry['url']);
      const hash = /#(?:egg=x&)?(sha256|md5|sha512)=([0-9a-f]+)$/.exec(url);
      if (hash !== null && link.keep && r() < 0.7) {
        link.entry['url'] = url.slice(0, hash.index);
        link.entry['hashes'] = { [hash[1] as string]: hash[2] as string };
      }
      return link;
    });
    return { links, content: JSON.stringify({ meta: { 'api-version': '1.1' }, name: 'p', files: links.map((l) => l.entry) }) };
  });
  const answers = pipLinks(pages.map((p) => ({ content: p.content, content_type: SIMPLE_JSON_V1, url: base })));
  pages.forEach(({ links, content }, i) => {
    const issues: PageIssueLike[] = [];
    const page = parseProjectJson(content, base, { onIssue: (issue) => issues.push(issue) });
    compareWithPip(`JSON page ${i}: ${content}`, links, answers[i] as PipLink[], page.files, issues, 'json');
  });
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
