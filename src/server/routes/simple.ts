/**
 * The Simple Repository API (PEP 503 HTML, PEP 691 JSON): the project list and each project's page, from the
 * gateway's index (hosted first, then the upstreams in order). Pages are rendered once per revision and kept as
 * bytes (index/page-cache.ts); JSON and HTML are gzip-compressed when the client accepts it.
 *
 * `/simple/` lists the hosted projects only: the public ones are served on request, but listing an upstream's
 * 600,000 names would say nothing about what is vetted here, and cost a download of its whole list.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatehouseError } from '../../errors.js';
import { SERIAL_CHECK_MS } from '../../index/hosted-source.js';
import { RenderedPages, type RenderedPage } from '../../index/page-cache.js';
import type { SourcedPage } from '../../index/project-source.js';
import type { ServeGate } from '../../index/serve-gate.js';
import { isValidName, normalizeName } from '../../pep/name.js';
import { negotiateSimpleContentType, SIMPLE_JSON_V1, type SimpleContentType } from '../../pep/simple.js';
import { looksLikeSecret } from '../../store/tokens.js';

/** `fn` with its answers remembered for up to `max` inputs (then all forgotten): for headers clients repeat. */
function memoized<T>(fn: (input: string | undefined) => T, max = 256): (input: string | undefined) => T {
  const known = new Map<string, T>();
  return (input) => {
    if (input === undefined) return fn(input);
    let answer = known.get(input);
    if (answer === undefined && !known.has(input)) {
      answer = fn(input);
      if (known.size >= max) known.clear();
      known.set(input, answer);
    }
    return answer as T;
  };
}

// Installers send the same Accept and Accept-Encoding on every request: each is parsed once.
const negotiatedType = memoized(negotiateSimpleContentType);
const takesGzip = memoized(acceptsGzip);

/** Whether the path of a request URL (before any query) ends with `/`. */
function pathEndsWithSlash(url: string): boolean {
  const query = url.indexOf('?');
  return url.charCodeAt((query === -1 ? url.length : query) - 1) === 0x2f;
}

function negotiate(request: FastifyRequest): SimpleContentType {
  const type = negotiatedType(request.headers.accept);
  if (!type) {
    throw new GatehouseError(
      'simple.not-acceptable',
      `none of the media types in Accept (${request.headers.accept}) is served; use ${SIMPLE_JSON_V1}, application/vnd.pypi.simple.v1+html or text/html`,
      406,
    );
  }
  return type;
}

/** Whether the client takes gzip (RFC 9110 12.5.3: a listed coding with q > 0, or `*`). */
function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  for (const part of header.split(',')) {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}

function send(request: FastifyRequest, reply: FastifyReply, type: SimpleContentType, page: RenderedPage) {
  reply
    .header('content-type', `${type}; charset=utf-8`)
    .header('etag', page.etag)
    .header('vary', 'Accept, Accept-Encoding')
    // Installers revalidate every time (cheap with the ETag), so a fresh upload is visible at once.
    .header('cache-control', 'max-age=0, must-revalidate');
  const inm = request.headers['if-none-match'];
  if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === page.etag)) {
    return reply.code(304).send();
  }
  if (takesGzip(request.headers['accept-encoding'])) {
    const gz = page.gzip();
    if (gz !== page.body) return reply.header('content-encoding', 'gzip').send(gz);
  }
  return reply.send(page.body);
}

export async function simpleRoutes(app: FastifyInstance, options: { gate?: ServeGate } = {}): Promise<void> {
  const { storage, metrics, gateway } = app.services;
  const gate = options.gate ?? gateway.gate;
  const rendered = new RenderedPages();

  // The project list changes only when a project is created, which bumps the `projects` serial.
  let listSerial: { value: number; checkedAt: number } | undefined;
  storage.hosted.onChange(() => {
    if (listSerial) listSerial.checkedAt = 0; // a new project shows in the list at once
  });
  app.get('/simple/', async (request, reply) => {
    const type = negotiate(request);
    const now = Date.now();
    if (!listSerial || now - listSerial.checkedAt >= SERIAL_CHECK_MS) {
      listSerial = { value: await storage.hosted.projectsSerial(), checkedAt: now };
    }
    const page = await rendered.index(`projects:${listSerial.value}`, async () => (await storage.hosted.projectNames()).map((name) => ({ name })), type);
    return send(request, reply, type, page);
  });

  const servePage = (request: FastifyRequest, reply: FastifyReply, name: string, type: SimpleContentType, sourced: SourcedPage): void => {
    reply.header('x-gatehouse-source', sourced.source);
    if (sourced.source !== 'hosted') {
      reply.header('x-cache-status', sourced.cacheStatus).header('age', String(sourced.ageSeconds));
    }
    metrics.simplePages.inc(type === SIMPLE_JSON_V1 ? 'json' : 'html');
    send(request, reply, type, rendered.project(name, sourced.revision, sourced.page, type));
  };

  // Not an async function: a page every source and the gate have in memory is served without an await (most
  // requests, under load); anything else takes the full path.
  const projectPage = (request: FastifyRequest<{ Params: { project: string } }>, reply: FastifyReply): Promise<void> | undefined => {
    const requested = request.params.project;
    if (!isValidName(requested)) {
      throw new GatehouseError('simple.invalid-name', `'${requested}' is not a valid project name`, 404);
    }
    if (looksLikeSecret(requested)) {
      // Redirecting would echo it back in a Location header; a token never belongs in a URL.
      throw new GatehouseError('simple.invalid-name', 'that is not a project name but an API token: never put tokens in URLs, and revoke this one', 404);
    }
    const name = normalizeName(requested);
    if (name !== requested || !pathEndsWithSlash(request.url)) {
      // PEP 503: the normalized URL is canonical; redirect everything else to it.
      reply.redirect(`/simple/${name}/`, 301);
      return undefined;
    }
    const type = negotiate(request);
    const warm = gateway.index.cached(name);
    const gated = warm === undefined ? undefined : gate.cachedPage(warm);
    if (gated !== undefined) {
      servePage(request, reply, name, type, gated);
      return undefined;
    }
    return (async () => servePage(request, reply, name, type, await gate.page(warm ?? (await gateway.index.project(name)))))();
  };
  app.get('/simple/:project/', projectPage);
  app.get('/simple/:project', projectPage);
}
