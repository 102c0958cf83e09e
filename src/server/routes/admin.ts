/**
 * The admin API (admin-scoped token required).
 *
 *   POST /admin/api/projects/<project>/yank    {"version": "1.0", "reason": "…"}  or {"filename": "…"}
 *   POST /admin/api/projects/<project>/unyank  {"version": "1.0"}                  or {"filename": "…"}
 *
 *   GET  /admin/api/upstreams   each upstream: URL, circuit state and counts, cached pages
 *   GET  /admin/api/alerts      dependency-confusion alerts (an upstream has a hosted or reserved name)
 *   GET  /admin/api/quarantine                     files held for review
 *   POST /admin/api/quarantine/<decision>/release  {"reason": "…"}   serve it; recorded with the token
 *   POST /admin/api/quarantine/<decision>/reject   {"reason": "…"}   refuse it for good
 *   GET  /admin/api/decisions/<decision>           one decision, explained
 *   GET  /admin/api/explain/<project>[?version=V]  every decision about a project's files
 *   GET  /admin/api/builds/<project>               the wheel option for a project: each pure-Python wheel, its
 *                                                  check against its sdist, and what is served
 *   POST /admin/api/builds/<project>/rebuild       {"version": "1.0"}  build the release's sdist again and re-check
 *
 * Yanking (PEP 592) keeps the files installable when pinned with `==`, and
 * hides them from every other resolution.
 */
import type { FastifyInstance } from 'fastify';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import { normalizeName } from '../../pep/name.js';
import { Version } from '../../pep/version.js';
import { authenticate, requireAdminScope } from '../auth.js';
import { explain } from '../../policy/explain.js';
import { tokenActor } from '../../store/decision-log/index.js';

interface YankBody {
  version?: string;
  filename?: string;
  reason?: string;
}

const yankSchema = {
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      version: { type: 'string', minLength: 1, maxLength: 200 },
      filename: { type: 'string', minLength: 1, maxLength: 500 },
      reason: { type: 'string', maxLength: 1000 },
    },
  },
} as const;

const reviewSchema = {
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['reason'],
    properties: { reason: { type: 'string', minLength: 1, maxLength: 2000 } },
  },
} as const;

const rebuildSchema = {
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['version'],
    properties: { version: { type: 'string', minLength: 1, maxLength: 200 } },
  },
} as const;

export async function adminRoutes(app: FastifyInstance): Promise<void> {
  const { storage, gateway, config, policy, wheels } = app.services;
  const admin = async (authorization: string | undefined) => {
    const token = await authenticate(storage.tokens, authorization);
    requireAdminScope(token);
    return token;
  };

  app.get('/admin/api/quarantine', async (request) => {
    await admin(request.headers.authorization);
    const rows = await storage.decisions.list({ states: ['quarantined'] });
    return {
      quarantined: rows.map((r) => ({
        decision: r.decision_id,
        project: r.project,
        version: r.version,
        filename: r.filename,
        sha256: r.sha256,
        source: r.source,
        since: r.decided_at,
        reasons: (JSON.parse(r.results) as Array<{ rule: string; outcome: string; message: string }>).filter((x) => x.outcome === 'quarantine'),
      })),
    };
  });

  for (const action of ['release', 'reject'] as const) {
    app.post<{ Params: { decision: string }; Body: { reason: string } }>(`/admin/api/quarantine/:decision/${action}`, { schema: reviewSchema }, async (request) => {
      const token = await admin(request.headers.authorization);
      const row = await storage.decisions.byDecisionId(request.params.decision);
      if (!row) throw new NotFoundError('quarantine.unknown', `no decision ${request.params.decision}`);
      const decided = await policy.judge.review(row.sha256, row.filename, action, request.body.reason, tokenActor(token.id));
      request.log.info({ filename: row.filename, decision: decided.decisionId, state: decided.state, token: token.id, reason: request.body.reason }, `quarantine ${action}: ${row.filename}`);
      return { filename: row.filename, state: decided.state, decision: decided.decisionId };
    });
  }

  app.get<{ Params: { decision: string } }>('/admin/api/decisions/:decision', async (request) => {
    await admin(request.headers.authorization);
    const row = await storage.decisions.byDecisionId(request.params.decision);
    if (!row) throw new NotFoundError('decision.unknown', `no decision ${request.params.decision}`);
    return explain(row.project, row.source, policy.state.engine, [row]);
  });

  app.get<{ Params: { project: string }; Querystring: { version?: string } }>('/admin/api/explain/:project', async (request) => {
    await admin(request.headers.authorization);
    const project = normalizeName(request.params.project);
    const rows = await storage.decisions.list({ project });
    const hosted = (await storage.hosted.project(project)) !== undefined;
    return explain(project, hosted ? 'hosted' : (rows[0]?.source ?? 'upstream'), policy.state.engine, rows, request.query.version);
  });

  app.get<{ Params: { project: string } }>('/admin/api/builds/:project', async (request) => {
    await admin(request.headers.authorization);
    const project = normalizeName(request.params.project);
    const { source, mode, wheels: checked } = await wheels.gate.project(project);
    const file = (f: { filename: string; hashes: Record<string, string> }) => ({ filename: f.filename, sha256: f.hashes['sha256'] ?? null });
    return {
      project,
      source,
      mode,
      wheels: checked.map(({ pair, status, verdict }) => ({
        version: pair.version,
        wheel: file(pair.wheel),
        sdist: pair.sdist ? file(pair.sdist) : null,
        check: status ? { state: status.state, reason: status.reason, ...(status.differences ? { differences: status.differences } : {}), ...(status.finishedAt ? { finishedAt: status.finishedAt } : {}) } : { state: 'unchecked' },
        built: status?.built
          ? {
              filename: status.built.filename,
              sha256: status.built.sha256,
              // Served only to projects that take wheels built here.
              ...(mode === 'rebuilt' ? { url: `/files/${status.built.sha256}/${encodeURIComponent(status.built.filename)}` } : {}),
              ...(status.built.provenancePath ? { provenance: `/files/${status.built.sha256}/${encodeURIComponent(status.built.filename)}.provenance.json` } : {}),
            }
          : null,
        served: verdict.serve,
        ...(verdict.serve === 'none' ? { reason: verdict.reason } : {}),
      })),
    };
  });

  app.post<{ Params: { project: string }; Body: { version: string } }>('/admin/api/builds/:project/rebuild', { schema: rebuildSchema }, async (request, reply) => {
    const token = await admin(request.headers.authorization);
    const project = normalizeName(request.params.project);
    const version = Version.tryParse(request.body.version);
    if (!version) throw new InvalidInputError('admin.version-invalid', `invalid version ${JSON.stringify(request.body.version)}`);
    const queued = await wheels.gate.recheck(project, version, true);
    if (queued.length === 0) throw new NotFoundError('builds.nothing-to-build', `'${project}' ${version.toString()} has no pure-Python wheel with an sdist beside it on its page`);
    request.log.info({ project, version: version.toString(), wheels: queued.map((p) => p.wheel.filename), token: token.id }, `rebuild of ${project} ${version.toString()} requested`);
    return reply.code(202).send({ project, version: version.toString(), queued: queued.map((p) => ({ wheel: p.wheel.filename, sdist: p.sdist.filename })) });
  });

  app.get('/admin/api/upstreams', async (request) => {
    requireAdminScope(await authenticate(storage.tokens, request.headers.authorization));
    const pages = new Map((await storage.upstreamPages.counts()).map((c) => [c.upstream, c]));
    return {
      offline: config.proxy.offline,
      upstreams: gateway.health().map((h) => ({
        ...h,
        cachedPages: { found: pages.get(h.name)?.found ?? 0, missing: pages.get(h.name)?.missing ?? 0 },
      })),
    };
  });

  app.get('/admin/api/alerts', async (request) => {
    requireAdminScope(await authenticate(storage.tokens, request.headers.authorization));
    const alerts = await storage.alerts.list();
    return {
      alerts: alerts.map((a) => ({ project: a.project, upstream: a.upstream, kind: a.kind, firstSeen: a.first_seen, lastSeen: a.last_seen, count: a.count })),
    };
  });

  for (const action of ['yank', 'unyank'] as const) {
    app.post<{ Params: { project: string }; Body: YankBody }>(
      `/admin/api/projects/:project/${action}`,
      { schema: yankSchema },
      async (request) => {
        const token = await authenticate(storage.tokens, request.headers.authorization);
        requireAdminScope(token);
        const project = normalizeName(request.params.project);
        const { filename, reason } = request.body ?? {};
        if ((request.body?.version === undefined) === (filename === undefined)) {
          throw new InvalidInputError('admin.yank-target', `${action} needs exactly one of "version" or "filename"`);
        }
        let version: Version | undefined;
        if (request.body?.version !== undefined) {
          const v = Version.tryParse(request.body.version);
          if (!v) throw new InvalidInputError('admin.version-invalid', `invalid version ${JSON.stringify(request.body.version)}`);
          version = v;
        }
        // A version names its release, whatever spelling its files use: yanking `5.0` yanks `5.0.0` too.
        const target = version !== undefined ? { canonicalVersion: version.canonical } : { filename };
        const { matched, changed } = await storage.hosted.setYanked(project, target, action === 'yank', reason ?? null, tokenActor(token.id));
        if (matched === 0) {
          const what = version !== undefined ? `version ${version.toString()}` : `file ${filename}`;
          throw new NotFoundError('admin.nothing-to-yank', `project '${project}' has no ${what}`);
        }
        if (changed > 0) {
          request.log.info({ project, version: version?.toString(), filename, reason, token: token.id }, `${action}ed ${changed} file(s)`);
        }
        return { project, action, files: changed, matched };
      },
    );
  }
}
