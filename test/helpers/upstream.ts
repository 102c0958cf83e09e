/**
 * A test upstream index: a real HTTP server on 127.0.0.1 (port 0) that serves generated wheels and sdists
 * (`distributions.ts`) the way PyPI does, and breaks on demand.
 *
 * - `/simple/` and `/simple/<project>/`: PEP 691 JSON or PEP 503 HTML, as `format` says (`negotiate` honours
 *   Accept), rendered by src/pep/simple.ts, with upload-time, yanked, requires-python, size, core metadata and
 *   provenance; ETag and Last-Modified, answering 304 to If-None-Match / If-Modified-Since; gzip when asked.
 * - `/files/<filename>`, `<filename>.metadata` (PEP 658) and `<filename>.provenance` (PEP 740).
 * - `/pypi/<project>/json`: a PyPI-style JSON API with upload times (when `jsonApi` is on).
 * - Request counters per path, and a log of every request.
 * - Faults per path, each for a number of requests: a status, a delay before the headers, a stall or a dropped
 *   connection mid-body, wrong bytes for the listed hash, a redirect, an endless body, any other body.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { normalizeName } from '../../src/pep/name.js';
import {
  SIMPLE_JSON_V1,
  negotiateSimpleContentType,
  renderIndexHtml,
  renderIndexJson,
  renderProjectHtml,
  renderProjectJson,
  type ProjectStatus,
  type SimpleFile,
  type SimpleProjectPage,
} from '../../src/pep/simple.js';
import { buildSdist, buildWheel, type BuiltDistribution } from './distributions.js';

export interface TestRelease {
  version: string;
  requiresPython?: string;
  dependencies?: string[];
  yanked?: boolean | string;
  /** PEP 700 form; by default a fixed time per release. */
  uploadTime?: string;
  /** The module's source (a large one makes a large wheel); default a one-liner. */
  code?: string;
  /** More files in the release's wheel and sdist, by path. */
  files?: Record<string, string>;
  /** Core metadata lines added as written (`License-Expression: MIT`). */
  metadata?: string[];
  /** Files in the release's wheel only (a wheel that is not what its sdist builds), by path. */
  wheelFiles?: Record<string, string>;
  /** Which files the release has; default both. */
  wheel?: boolean;
  sdist?: boolean;
}

export interface TestProject {
  name: string;
  releases: TestRelease[];
  status?: { status: ProjectStatus; reason?: string };
}

export type PageFormat = 'negotiate' | 'json' | 'html';

export type Fault = { times?: number } & (
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'delay-headers'; ms: number }
  | { kind: 'stall-body'; afterBytes: number; ms: number }
  | { kind: 'drop'; afterBytes: number }
  | { kind: 'wrong-bytes' }
  | { kind: 'redirect'; location: string; status?: number }
  | { kind: 'endless' }
  | { kind: 'body'; body: string | Buffer; contentType?: string; headers?: Record<string, string> }
);

export interface TestFile {
  project: string;
  filename: string;
  bytes: Buffer;
  sha256: string;
  metadata: string;
  uploadTime: string;
  release: TestRelease;
}

export interface RequestRecord {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

export interface TestUpstreamOptions {
  projects?: TestProject[];
  format?: PageFormat;
  /** Serve `/pypi/<project>/json`; default true. */
  jsonApi?: boolean;
  /** Put upload-time in JSON pages; default true (HTML never has it). */
  uploadTimeInPages?: boolean;
  /** Gzip pages for clients that accept it; default true. */
  compress?: boolean;
  /** Offer PEP 658 metadata files for wheels; default true. */
  coreMetadata?: boolean;
}

const LAST_MODIFIED = new Date('2026-11-01T00:00:00Z').toUTCString();

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class TestUpstream {
  /** `http://127.0.0.1:<port>` */
  origin = '';
  format: PageFormat;
  jsonApi: boolean;
  uploadTimeInPages: boolean;
  compress: boolean;
  coreMetadata: boolean;
  readonly log: RequestRecord[] = [];
  /** TCP connections accepted: keep-alive shows as fewer connections than requests. */
  connections = 0;
  private readonly counts = new Map<string, number>();
  private readonly projects = new Map<string, TestProject>();
  private readonly files = new Map<string, TestFile>();
  private readonly faults = new Map<string, Array<Fault & { left: number }>>();
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  constructor(options: TestUpstreamOptions) {
    this.format = options.format ?? 'negotiate';
    this.jsonApi = options.jsonApi ?? true;
    this.uploadTimeInPages = options.uploadTimeInPages ?? true;
    this.compress = options.compress ?? true;
    this.coreMetadata = options.coreMetadata ?? true;
    for (const project of options.projects ?? []) this.addProject(project);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
    this.server.on('connection', (socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The Simple API base URL, `http://127.0.0.1:<port>/simple/`. */
  get url(): string {
    return `${this.origin}/simple/`;
  }

  /** Adds or replaces a project; its files are built now. */
  addProject(project: TestProject): void {
    const name = normalizeName(project.name);
    for (const file of this.files.values()) if (file.project === name) this.files.delete(file.filename);
    this.projects.set(name, project);
    project.releases.forEach((release, i) => {
      const spec = { name: project.name, version: release.version, ...(release.requiresPython === undefined ? {} : { requiresPython: release.requiresPython }), ...(release.dependencies === undefined ? {} : { dependencies: release.dependencies }), ...(release.code === undefined ? {} : { code: release.code }), ...(release.files === undefined ? {} : { files: release.files }), ...(release.metadata === undefined ? {} : { metadata: release.metadata }) };
      const built: BuiltDistribution[] = [];
      if (release.wheel !== false) built.push(buildWheel(release.wheelFiles === undefined ? spec : { ...spec, files: { ...spec.files, ...release.wheelFiles } }));
      if (release.sdist !== false) built.push(buildSdist(spec));
      const uploadTime = release.uploadTime ?? new Date(Date.UTC(2025, 0, 1 + i, 12, 0, 0)).toISOString().replace('Z', '000Z');
      for (const b of built) {
        this.files.set(b.filename, { project: name, filename: b.filename, bytes: b.bytes, sha256: sha256(b.bytes), metadata: b.metadata, uploadTime, release });
      }
    });
  }

  /** A served file by name. */
  file(filename: string): TestFile {
    const file = this.files.get(filename);
    if (file === undefined) throw new Error(`the test upstream has no file ${filename}`);
    return file;
  }

  /** The files of a project, in page order. */
  filesOf(project: string): TestFile[] {
    const name = normalizeName(project);
    return [...this.files.values()].filter((f) => f.project === name);
  }

  fileUrl(filename: string): string {
    return `${this.origin}/files/${encodeURIComponent(filename)}`;
  }

  /** Adds a fault for requests to `path` (exact, e.g. `/simple/demo/` or `/files/demo-1.0.tar.gz`). */
  fault(path: string, fault: Fault): void {
    const list = this.faults.get(path) ?? [];
    list.push({ ...fault, left: fault.times ?? Infinity });
    this.faults.set(path, list);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Requests received for `path` (any method). */
  requests(path: string): number {
    return this.counts.get(path) ?? 0;
  }

  resetCounts(): void {
    this.counts.clear();
    this.log.length = 0;
    this.connections = 0;
  }

  /** The project page as the model has it (what this upstream lists), for comparisons. */
  page(project: string): SimpleProjectPage {
    const name = normalizeName(project);
    const spec = this.projects.get(name);
    if (spec === undefined) throw new Error(`the test upstream has no project ${project}`);
    const files: SimpleFile[] = this.filesOf(name).map((f) => {
      const file: SimpleFile = {
        filename: f.filename,
        url: this.fileUrl(f.filename),
        hashes: { sha256: f.sha256 },
        yanked: f.release.yanked ?? false,
        size: f.bytes.length,
        uploadTime: f.uploadTime,
        provenance: `${this.fileUrl(f.filename)}.provenance`,
      };
      if (f.release.requiresPython !== undefined) file.requiresPython = f.release.requiresPython;
      if (f.filename.endsWith('.whl') && this.coreMetadata) file.coreMetadata = { sha256: sha256(f.metadata) };
      return file;
    });
    const page: SimpleProjectPage = { name: spec.name, versions: spec.releases.map((r) => r.version), files };
    if (spec.status !== undefined) page.projectStatus = spec.status;
    return page;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private takeFault(path: string): Fault | undefined {
    const list = this.faults.get(path);
    const fault = list?.find((f) => f.left > 0);
    if (fault !== undefined) fault.left--;
    return fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    this.counts.set(path, (this.counts.get(path) ?? 0) + 1);
    this.log.push({ method: req.method ?? 'GET', path, headers: req.headers });
    const fault = this.takeFault(path);
    if (fault?.kind === 'delay-headers') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers });
      res.end(`fault: status ${fault.status}\n`);
      return;
    }
    if (fault?.kind === 'redirect') {
      res.writeHead(fault.status ?? 302, { location: fault.location });
      res.end();
      return;
    }
    if (fault?.kind === 'body') {
      const body = typeof fault.body === 'string' ? Buffer.from(fault.body) : fault.body;
      res.writeHead(200, { 'content-type': fault.contentType ?? 'application/octet-stream', 'content-length': String(body.length), ...fault.headers });
      res.end(body);
      return;
    }
    if (fault?.kind === 'endless') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const write = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', write);
      };
      write();
      return;
    }

    const found = this.route(req, path);
    if (found === null) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    let body = fault?.kind === 'wrong-bytes' ? Buffer.from(found.body) : found.body;
    if (fault?.kind === 'wrong-bytes') body[body.length - 1] = (body[body.length - 1] ?? 0) ^ 0xff;
    const headers: Record<string, string> = { 'content-type': found.contentType };
    if (found.compressible && this.compress && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      body = gzipSync(body);
      headers['content-encoding'] = 'gzip';
    }
    if (found.etag !== undefined) {
      headers['etag'] = found.etag;
      headers['last-modified'] = LAST_MODIFIED;
      const noneMatch = req.headers['if-none-match'];
      const since = req.headers['if-modified-since'];
      if ((noneMatch !== undefined && noneMatch === found.etag) || (noneMatch === undefined && since !== undefined && Date.parse(since) >= Date.parse(LAST_MODIFIED))) {
        res.writeHead(304, { etag: found.etag, 'last-modified': LAST_MODIFIED });
        res.end();
        return;
      }
    }
    headers['content-length'] = String(body.length);
    res.writeHead(found.status ?? 200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (fault?.kind === 'drop' || fault?.kind === 'stall-body') {
      res.write(body.subarray(0, fault.afterBytes));
      if (fault.kind === 'drop') {
        // Let the first bytes leave before the connection goes.
        setTimeout(() => res.destroy(), 20);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, fault.ms));
      if (!res.destroyed) res.end(body.subarray(fault.afterBytes));
      return;
    }
    res.end(body);
  }

  private route(req: IncomingMessage, path: string): { status?: number; body: Buffer; contentType: string; etag?: string; compressible?: boolean } | null {
    if (path === '/simple/' || path.startsWith('/simple/')) {
      const type = this.format === 'json' ? SIMPLE_JSON_V1 : this.format === 'html' ? 'text/html' : negotiateSimpleContentType(req.headers.accept);
      if (type === null) return { status: 406, body: Buffer.from('not acceptable\n'), contentType: 'text/plain' };
      const json = type === SIMPLE_JSON_V1;
      let text: string;
      if (path === '/simple/') {
        const projects = [...this.projects.values()].map((p) => ({ name: p.name }));
        text = json ? renderIndexJson(projects) : renderIndexHtml(projects);
      } else {
        const name = path.slice('/simple/'.length).replace(/\/$/, '');
        if (!this.projects.has(name)) return null;
        const page = this.page(name);
        if (!this.uploadTimeInPages) for (const file of page.files) delete file.uploadTime;
        text = json ? renderProjectJson(page) : renderProjectHtml(page);
      }
      const body = Buffer.from(text);
      return { body, contentType: json ? SIMPLE_JSON_V1 : 'text/html; charset=utf-8', etag: `"${sha256(body).slice(0, 32)}"`, compressible: true };
    }
    if (path.startsWith('/files/')) {
      const name = path.slice('/files/'.length);
      const file = this.files.get(name);
      if (file !== undefined) return { body: file.bytes, contentType: 'application/octet-stream' };
      const metadata = name.endsWith('.metadata') && this.coreMetadata ? this.files.get(name.slice(0, -'.metadata'.length)) : undefined;
      if (metadata !== undefined) return { body: Buffer.from(metadata.metadata), contentType: 'application/octet-stream' };
      const provenance = name.endsWith('.provenance') ? this.files.get(name.slice(0, -'.provenance'.length)) : undefined;
      if (provenance !== undefined) {
        return { body: Buffer.from(JSON.stringify({ version: 1, attestation_bundles: [] })), contentType: 'application/vnd.pypi.integrity.v1+json' };
      }
      return null;
    }
    const api = /^\/pypi\/([^/]+)\/json$/.exec(path);
    if (api !== null && this.jsonApi) {
      const name = normalizeName(api[1] as string);
      const spec = this.projects.get(name);
      if (spec === undefined) return null;
      const releases: Record<string, unknown[]> = {};
      for (const release of spec.releases) releases[release.version] = [];
      for (const file of this.filesOf(name)) {
        releases[file.release.version]?.push({
          filename: file.filename,
          url: this.fileUrl(file.filename),
          digests: { sha256: file.sha256 },
          size: file.bytes.length,
          upload_time: file.uploadTime.replace(/\.\d+Z$/, ''),
          upload_time_iso_8601: file.uploadTime,
          yanked: file.release.yanked !== undefined && file.release.yanked !== false,
        });
      }
      const latest = spec.releases[spec.releases.length - 1]?.version;
      const doc = { info: { name: spec.name, version: latest }, releases, urls: latest === undefined ? [] : releases[latest] };
      return { body: Buffer.from(JSON.stringify(doc)), contentType: 'application/json', compressible: true };
    }
    return null;
  }
}

export async function startTestUpstream(options: TestUpstreamOptions = {}): Promise<TestUpstream> {
  const upstream = new TestUpstream(options);
  await upstream.listen();
  return upstream;
}
