/**
 * Reads a PEP 503 project page as any index writes it, with a real HTML tokenizer (htmlparser2): character
 * references decoded as the HTML standard says (attribute rules included), comments and `<script>` skipped,
 * attributes in any quoting and case, and the document's first `<base href>` applied to every link, before or after
 * it. Data attributes: PEP 503 `data-requires-python`, PEP 592 `data-yanked`, PEP 658/714 `data-core-metadata` and
 * `data-dist-info-metadata`, PEP 740 `data-provenance`; `<meta>` for PEP 629 (repository version), PEP 708 and
 * PEP 792. HTML carries no size (0) and no upload time.
 *
 * The file name is the last segment of the link's path, decoded, as pip and uv read it (PEP 503 says the link text
 * must match it, and installers trust the URL). Where pip departs from the HTML standard we follow the standard:
 * the first of two equal attributes wins (pip keeps the last), a relative `<base href>` resolves against the page,
 * character references in attributes follow the standard's legacy rules (`&copy=1` in a query stays as written),
 * and `<title>` and `<textarea>` hold text, not links. A bare `data-yanked` yanks (its value is ""), as PEP 592 keys
 * on presence.
 */
import { Parser } from 'htmlparser2';
import {
  PageFiles,
  checkRepositoryVersion,
  filenameProblem,
  fragmentHashes,
  linkForIssue,
  pageUrl,
  projectStatusOf,
  readHashes,
  reporter,
  resolveLink,
  versionsOf,
  type PageIssue,
  type PageReadOptions,
} from './simple-reading.js';
import type { SimpleFile, SimpleProjectPage } from './simple.js';

type Attributes = Record<string, string>;

interface Collected {
  anchors: Attributes[];
  baseHref: string | undefined;
  title: string | undefined;
  meta: Map<string, string[]>;
}

function collect(html: string): Collected {
  const collected: Collected = { anchors: [], baseHref: undefined, title: undefined, meta: new Map() };
  let titleText: string[] | null = null;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'a') {
          if (attributes['href'] !== undefined && attributes['href'] !== '') collected.anchors.push(attributes);
        } else if (name === 'base') {
          // HTML: the first <base> with an href sets the document's base URL.
          if (collected.baseHref === undefined && attributes['href'] !== undefined) collected.baseHref = attributes['href'];
        } else if (name === 'meta') {
          const metaName = attributes['name'];
          const content = attributes['content'];
          if (metaName !== undefined && content !== undefined) {
            const key = metaName.toLowerCase();
            const list = collected.meta.get(key);
            if (list === undefined) collected.meta.set(key, [content]);
            else list.push(content);
          }
        } else if (name === 'title' && collected.title === undefined) {
          titleText = [];
        }
      },
      ontext(text) {
        if (titleText !== null) titleText.push(text);
      },
      onclosetag(name) {
        if (name === 'title' && titleText !== null) {
          collected.title = titleText.join('').trim();
          titleText = null;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return collected;
}

/** PEP 658/714 attribute value: `true`, or `<hashname>=<hexdigest>`. */
function coreMetadataOf(value: string, link: () => string, report: (issue: PageIssue) => void): SimpleFile['coreMetadata'] {
  if (value === 'true') return true;
  const eq = value.indexOf('=');
  if (eq <= 0) {
    report({ link: link(), dropped: 'core-metadata', reason: `the value ${JSON.stringify(value.slice(0, 80))} is neither "true" nor <hash name>=<hex digest>` });
    return undefined;
  }
  const read = readHashes({ [value.slice(0, eq)]: value.slice(eq + 1) });
  if ('problem' in read) {
    // The metadata file may exist, but it could not be verified: the gateway derives it from the wheel instead.
    report({ link: link(), dropped: 'core-metadata', reason: read.problem });
    return undefined;
  }
  return read.hashes;
}

function fileOf(attributes: Attributes, base: URL, report: (issue: PageIssue) => void): SimpleFile | null {
  const href = attributes['href'] as string;
  const skip = (reason: string): null => {
    report({ link: linkForIssue(href, base), dropped: 'file', reason });
    return null;
  };
  const resolved = resolveLink(href, base);
  if ('problem' in resolved) return skip(resolved.problem);
  const url = resolved.url;
  const hashes = readHashes(fragmentHashes(url.hash.slice(1)));
  if ('problem' in hashes) return skip(hashes.problem);
  if (url.hash !== '') url.hash = '';
  const segment = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  if (segment === '') return skip('the link names a directory, not a file');
  let filename: string;
  try {
    filename = decodeURIComponent(segment);
  } catch {
    return skip(`the file name ${JSON.stringify(segment.slice(0, 80))} is not valid percent-encoded UTF-8`);
  }
  const problem = filenameProblem(filename);
  if (problem !== null) return skip(problem);

  const file: SimpleFile = { filename, url: url.href, hashes: hashes.hashes, yanked: false, size: 0 };
  const requiresPython = attributes['data-requires-python'];
  if (requiresPython !== undefined && requiresPython !== '') file.requiresPython = requiresPython;
  const yanked = attributes['data-yanked'];
  if (yanked !== undefined) file.yanked = yanked === '' ? true : yanked;
  // PEP 714: data-core-metadata wins; data-dist-info-metadata is the older name for the same thing.
  const coreMetadata = attributes['data-core-metadata'] ?? attributes['data-dist-info-metadata'];
  if (coreMetadata !== undefined) {
    const parsed = coreMetadataOf(coreMetadata, () => linkForIssue(href, base), report);
    if (parsed !== undefined) file.coreMetadata = parsed;
  }
  const provenance = attributes['data-provenance'];
  if (provenance !== undefined) {
    const resolvedProvenance = resolveLink(provenance, base);
    if ('problem' in resolvedProvenance) report({ link: linkForIssue(href, base), dropped: 'provenance', reason: `the provenance URL: ${resolvedProvenance.problem}` });
    else file.provenance = resolvedProvenance.url.href;
  }
  return file;
}

function nameFromUrl(url: URL): string {
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const last = segments[segments.length - 1] ?? '';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/**
 * Reads a PEP 503 project page fetched from `url`. Links that are not files to fetch (bad URLs, other schemes,
 * unsafe file names, malformed hashes, repeated file names) are left out and reported through `onIssue`. Throws
 * InvalidSimpleDocumentError only for a repository version this reader does not know (PEP 629).
 */
export function parseProjectHtml(html: string, url: string, options?: PageReadOptions): SimpleProjectPage {
  const report = reporter(options);
  const page = pageUrl(url);
  const collected = collect(html);
  const repositoryVersion = collected.meta.get('pypi:repository-version')?.[0];
  if (repositoryVersion !== undefined) checkRepositoryVersion(repositoryVersion);

  let base = page;
  if (collected.baseHref !== undefined) {
    const resolved = resolveLink(collected.baseHref, page);
    if ('problem' in resolved) report({ link: linkForIssue(collected.baseHref, page), dropped: 'base', reason: `the <base href>: ${resolved.problem}` });
    else base = resolved.url;
  }
  const files = new PageFiles(report);
  for (const attributes of collected.anchors) {
    const file = fileOf(attributes, base, report);
    if (file !== null) files.add(file, () => linkForIssue(attributes['href'] as string, base));
  }

  const title = collected.title;
  const name = title?.startsWith('Links for ') ? title.slice('Links for '.length).trim() : nameFromUrl(page);
  const result: SimpleProjectPage = { name, versions: versionsOf(name, files.files), files: files.files };
  const status = collected.meta.get('pypi:project-status')?.[0];
  if (status !== undefined) result.projectStatus = projectStatusOf(status, collected.meta.get('pypi:project-status-reason')?.[0]);
  const tracks = collected.meta.get('pypi:tracks');
  if (tracks !== undefined) result.tracks = tracks;
  const alternateLocations = collected.meta.get('pypi:alternate-locations');
  if (alternateLocations !== undefined) result.alternateLocations = alternateLocations;
  return result;
}

/** The project names of a PEP 503 root page: each link's text (PEP 503: "the text of the anchor tag MUST be the name"). */
export function parseIndexHtml(html: string): string[] {
  const names: string[] = [];
  let text: string[] | null = null;
  const parser = new Parser(
    {
      onopentag(name) {
        if (name === 'a') text = [];
      },
      ontext(data) {
        text?.push(data);
      },
      onclosetag(name) {
        if (name === 'a' && text !== null) {
          const value = text.join('').trim();
          if (value !== '') names.push(value);
          text = null;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  return names;
}
