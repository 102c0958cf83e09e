/**
 * Rendered Simple API pages, kept as bytes per page revision and representation: a cache hit writes bytes without
 * rendering or encoding anything. Each representation gets a strong ETag of its own, and a gzip copy, made once,
 * for clients that accept it.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  renderIndexHtml,
  renderIndexJson,
  renderProjectHtml,
  renderProjectJson,
  SIMPLE_HTML_V1,
  SIMPLE_JSON_V1,
  type SimpleContentType,
  type SimpleProjectPage,
} from '../pep/simple.js';

export interface RenderedPage {
  body: Buffer;
  /** The same bytes gzip-compressed, made on first use. */
  gzip(): Buffer;
  etag: string;
}

/** Pages smaller than this are not worth compressing. */
const GZIP_MIN_BYTES = 1024;

function rendered(type: SimpleContentType, body: Buffer): RenderedPage {
  let gz: Buffer | undefined;
  return {
    body,
    etag: `"${createHash('sha256').update(type).update('\0').update(body).digest('base64url').slice(0, 27)}"`,
    gzip: () => (gz ??= body.length < GZIP_MIN_BYTES ? body : gzipSync(body, { level: 6 })),
  };
}

interface Renditions {
  revision: string;
  byType: Map<SimpleContentType, RenderedPage>;
}

/** The three representations: JSON, and one HTML body under two media types (each with its own ETag). */
function renditions(revision: string, json: string, html: string): Renditions {
  const htmlBytes = Buffer.from(html, 'utf8');
  return {
    revision,
    byType: new Map<SimpleContentType, RenderedPage>([
      [SIMPLE_JSON_V1, rendered(SIMPLE_JSON_V1, Buffer.from(json, 'utf8'))],
      [SIMPLE_HTML_V1, rendered(SIMPLE_HTML_V1, htmlBytes)],
      ['text/html', rendered('text/html', htmlBytes)],
    ]),
  };
}

const MAX_PAGES = 10_000;

export class RenderedPages {
  private readonly pages = new Map<string, Renditions>();

  /** The project page of `revision` in the representation `type`. */
  project(project: string, revision: string, page: SimpleProjectPage, type: SimpleContentType): RenderedPage {
    let cached = this.pages.get(project);
    if (!cached || cached.revision !== revision) {
      cached = renditions(revision, renderProjectJson(page), renderProjectHtml(page));
      if (this.pages.size >= MAX_PAGES) this.pages.delete(this.pages.keys().next().value!);
      this.pages.set(project, cached);
    }
    return cached.byType.get(type)!;
  }

  /** The project list, rendered once per revision. */
  async index(revision: string, projects: () => Promise<Array<{ name: string }>>, type: SimpleContentType): Promise<RenderedPage> {
    let cached = this.pages.get('\0index');
    if (!cached || cached.revision !== revision) {
      const list = await projects();
      cached = renditions(revision, renderIndexJson(list), renderIndexHtml(list));
      this.pages.set('\0index', cached);
    }
    return cached.byType.get(type)!;
  }
}
