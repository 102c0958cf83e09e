/**
 * API tokens: random secrets shown once, stored as sha256 hashes, scoped to
 * upload (to some or all projects) or admin, expirable and revocable.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { SYSTEM_ACTOR, type DecisionLog } from './decision-log/index.js';
import type { Database, TokenScope, TokenTable } from './schema.js';

export type StoredToken = Selectable<TokenTable>;

/** Every secret starts with this, so secret scanners can recognise a leaked token. */
export const TOKEN_PREFIX = 'gh1_';

/**
 * A token or a good part of one: the prefix with either separator (a token pasted into a URL path comes back
 * PEP 503-normalized, `gh1-…`), in any case, then at least 16 of the 43 secret characters. A project named
 * `gh1-utils` is left alone.
 */
const TOKEN_LIKE = /gh1[-_][A-Za-z0-9_-]{16,}/gi;

/** Replaces every token-like string in text bound for a response, a log line or a metric. */
export function redactSecrets(text: string): string {
  return text.replace(TOKEN_LIKE, 'gh1_[redacted]');
}

export function looksLikeSecret(text: string): boolean {
  TOKEN_LIKE.lastIndex = 0;
  return TOKEN_LIKE.test(text);
}

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export interface TokenGrant {
  scope: TokenScope;
  /** Normalized project names; ignored when `allProjects`. */
  projects: string[];
  allProjects: boolean;
  description: string;
  expiresAt: Date | null;
}

export interface TokenInfo {
  id: number;
  description: string;
  scope: TokenScope;
  allProjects: boolean;
  projects: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

function info(row: StoredToken): TokenInfo {
  return {
    id: row.id,
    description: row.description,
    scope: row.scope,
    allProjects: row.all_projects === 1,
    projects: JSON.parse(row.projects) as string[],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

export class TokenStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly decisionLog: DecisionLog,
  ) {}

  /**
   * Creates a token and returns its secret, which is never retrievable again. The decision log records the grant
   * (id, scope, projects, expiry, who made it; never the secret) in the same transaction.
   */
  async create(grant: TokenGrant, options: { actor?: string; now?: Date } = {}): Promise<{ id: number; secret: string }> {
    const now = options.now ?? new Date();
    const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
      .insertInto('token')
      .values({
        hash: hashToken(secret),
        description: grant.description,
        scope: grant.scope,
        all_projects: grant.allProjects ? 1 : 0,
        projects: JSON.stringify(grant.allProjects ? [] : grant.projects),
        created_at: now.toISOString(),
        expires_at: grant.expiresAt?.toISOString() ?? null,
        revoked_at: null,
        last_used_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
      await this.decisionLog.append(
        {
          kind: 'token.created',
          actor: options.actor ?? SYSTEM_ACTOR,
          payload: {
            token: row.id,
            scope: grant.scope,
            projects: grant.allProjects ? '*' : [...grant.projects],
            description: grant.description,
            expires: grant.expiresAt?.toISOString() ?? null,
          },
        },
        tx,
      );
      return { id: row.id, secret };
    });
  }

  /** The token a secret belongs to, whether or not it is still valid. */
  async find(secret: string): Promise<TokenInfo | undefined> {
    const row = await this.db.selectFrom('token').selectAll().where('hash', '=', hashToken(secret)).executeTakeFirst();
    return row ? info(row) : undefined;
  }

  async touch(id: number, now = new Date()): Promise<void> {
    await this.db.updateTable('token').set({ last_used_at: now.toISOString() }).where('id', '=', id).execute();
  }

  async list(): Promise<TokenInfo[]> {
    return (await this.db.selectFrom('token').selectAll().orderBy('id').execute()).map(info);
  }

  /** Returns false when no such token exists or it was already revoked. */
  async revoke(id: number, options: { actor?: string; now?: Date } = {}): Promise<boolean> {
    const now = options.now ?? new Date();
    return this.db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable('token')
        .set({ revoked_at: now.toISOString() })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await this.decisionLog.append({ kind: 'token.revoked', actor: options.actor ?? SYSTEM_ACTOR, payload: { token: id } }, tx);
      return true;
    });
  }
}
