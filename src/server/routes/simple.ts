/**
 * The Simple Repository API (PEP 503 HTML, PEP 691 JSON) for hosted projects.
 *
 * Rendered pages are cached per project serial. A change made through this
 * process drops its cached page at once; a change made by another replica
 * sharing the database is seen when the serial is next checked, at most
 * SERIAL_CHECK_MS later. So a busy page costs one serial lookup a second, not
 * one per request.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError, GatehouseError } from '../../errors.js';
import { hostedProjectPage } from '../../index/hosted-page.js';
import { isValidName, normalizeName } from '../../pep/name.js';
import { looksLikeSecret } from '../../store/tokens.js';
import {
  negotiateSimpleContentType,
  renderIndexHtml,
  renderIndexJson,
  renderProjectHtml,
  renderProjectJson,
  SIMPLE_JSON_V1,
} from '../../pep/simple.js';

type SimpleType = NonNullable<ReturnType<typeof negotiateSimpleContentType>>;

interface RenderedPage {
  /** Encoded once, so a cache hit writes bytes without re-encoding the string. */
  body: Buffer;
  etag: string;
}

function rendered(type: SimpleType, text: string): RenderedPage {
  return { body: Buffer.from(text, 'utf8'), etag: etagOf(type, text) };
}

interface CachedProject {
  serial: number;
  checkedAt: number;
  pages: Map<SimpleType, RenderedPage>;
}

const MAX_CACHED_PROJECTS = 10_000;
const SERIAL_CHECK_MS = 1000;

/** A strong ETag per representation: the same page as HTML and as JSON gets two tags. */
function etagOf(type: SimpleType, body: string): string {
  return `"${createHash('sha256').update(type).update('\0').update(body).digest('base64url').slice(0, 27)}"`;
}

function contentTypeHeader(type: SimpleType): string {
  return `${type}; charset=utf-8`;
}

function negotiate(request: FastifyRequest): SimpleType {
  const type = negotiateSimpleContentType(request.headers.accept);
  if (!type) {
    throw new GatehouseError(
      'simple.not-acceptable',
      `none of the media types in Accept (${request.headers.accept}) is served; use ${SIMPLE_JSON_V1}, application/vnd.pypi.simple.v1+html or text/html`,
      406,
    );
  }
  return type;
}

function send(request: FastifyRequest, reply: FastifyReply, type: SimpleType, page: RenderedPage) {
  reply
    .header('content-type', contentTypeHeader(type))
    .header('etag', page.etag)
    .header('vary', 'Accept')
    // Installers revalidate every time (cheap with the ETag), so a fresh upload is visible at once.
    .header('cache-control', 'max-age=0, must-revalidate');
  const inm = request.headers['if-none-match'];
  if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === page.etag)) {
    return reply.code(304).send();
  }
  return reply.send(page.body);
}

export async function simpleRoutes(app: FastifyInstance): Promise<void> {
  const { storage, metrics } = app.services;
  const cache = new Map<string, CachedProject>();
  storage.hosted.onChange((name) => {
    cache.delete(name);
    if (index) index.checkedAt = 0; // a new project shows in the list at once, not a second later
  });

  // The project list changes only when a project is created, which bumps the `projects` serial; like a project
  // page, it is rendered once per serial and the serial is re-read at most once a second.
  let index: { serial: number; checkedAt: number; pages: Map<SimpleType, RenderedPage> } | undefined;
  let indexRendering: Promise<NonNullable<typeof index>> | undefined;
  const renderIndex = async (serial: number, now: number) => {
    const projects = (await storage.hosted.projectNames()).map((name) => ({ name }));
    const html = renderIndexHtml(projects);
    const pages = new Map<SimpleType, RenderedPage>([[SIMPLE_JSON_V1, rendered(SIMPLE_JSON_V1, renderIndexJson(projects))]]);
    for (const t of ['application/vnd.pypi.simple.v1+html', 'text/html'] as const) pages.set(t, rendered(t, html));
    return { serial, checkedAt: now, pages };
  };
  app.get('/simple/', async (request, reply) => {
    const type = negotiate(request);
    const now = Date.now();
    if (!index || now - index.checkedAt >= SERIAL_CHECK_MS) {
      const serial = await storage.hosted.projectsSerial();
      if (index && index.serial === serial) {
        index.checkedAt = now;
      } else {
        // One rendering at a time: a burst of requests after a change waits for it instead of each rendering.
        indexRendering ??= renderIndex(serial, now).finally(() => (indexRendering = undefined));
        index = await indexRendering;
      }
    }
    return send(request, reply, type, index.pages.get(type)!);
  });

  const renderProject = async (name: string, now: number): Promise<CachedProject> => {
    const project = await storage.hosted.project(name);
    if (!project) throw new NotFoundError('simple.unknown-project', `no project named '${name}' is hosted here`);
    const page = hostedProjectPage(project, await storage.hosted.releases(project.id), await storage.hosted.files(project.id));
    const json = renderProjectJson(page);
    const html = renderProjectHtml(page);
    const cached: CachedProject = { serial: project.serial, checkedAt: now, pages: new Map() };
    cached.pages.set(SIMPLE_JSON_V1, rendered(SIMPLE_JSON_V1, json));
    for (const t of ['application/vnd.pypi.simple.v1+html', 'text/html'] as const) cached.pages.set(t, rendered(t, html));
    if (cache.size >= MAX_CACHED_PROJECTS) cache.delete(cache.keys().next().value!);
    cache.set(name, cached);
    return cached;
  };

  const projectPage = async (request: FastifyRequest<{ Params: { project: string } }>, reply: FastifyReply) => {
    const requested = request.params.project;
    if (!isValidName(requested)) {
      throw new GatehouseError('simple.invalid-name', `'${requested}' is not a valid project name`, 404);
    }
    if (looksLikeSecret(requested)) {
      // Redirecting would echo it back in a Location header; a token never belongs in a URL.
      throw new GatehouseError('simple.invalid-name', 'that is not a project name but an API token: never put tokens in URLs, and revoke this one', 404);
    }
    const name = normalizeName(requested);
    if (name !== requested || !request.url.split('?')[0]!.endsWith('/')) {
      // PEP 503: the normalized URL is canonical; redirect everything else to it.
      return reply.redirect(`/simple/${name}/`, 301);
    }
    const type = negotiate(request);
    let cached = cache.get(name);
    const now = Date.now();
    if (!cached || now - cached.checkedAt >= SERIAL_CHECK_MS) {
      const serial = await storage.hosted.serial(name);
      if (serial === undefined) {
        cache.delete(name);
        throw new NotFoundError('simple.unknown-project', `no project named '${name}' is hosted here`);
      }
      if (cached && cached.serial === serial) {
        cached.checkedAt = now;
      } else {
        cached = await renderProject(name, now);
      }
    }
    metrics.simplePages.inc({ format: type === SIMPLE_JSON_V1 ? 'json' : 'html' });
    return send(request, reply, type, cached.pages.get(type)!);
  };
  app.get('/simple/:project/', projectPage);
  app.get('/simple/:project', projectPage);
}
