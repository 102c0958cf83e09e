/**
 * Token authentication for uploads and the admin API.
 *
 * Clients send the token as HTTP Basic credentials with the user name
 * `__token__` (what twine, poetry and uv send for PyPI tokens), or as
 * `Authorization: Bearer <token>`.
 */
import { GatehouseError } from '../errors.js';
import type { TokenInfo } from '../store/index.js';
import type { TokenStore } from '../store/tokens.js';

export class AuthError extends GatehouseError {
  /** 401: no usable credentials; 403: credentials that do not allow this. */
  constructor(code: string, message: string, status: 401 | 403) {
    super(code, message, status);
  }
}

export function secretFromHeader(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value] = header.split(/\s+/, 2);
  if (!scheme || !value) return null;
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() !== 'basic') return null;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  // Never quote the user name back: people paste the token there (`curl -u "$TOKEN:"`).
  if (user !== '__token__') {
    throw new AuthError('auth.user', 'the user name must be __token__, with the API token as the password', 403);
  }
  return password;
}

/** Resolves the request's token, refusing missing, unknown, revoked or expired ones. */
export async function authenticate(tokens: TokenStore, header: string | undefined, now = new Date()): Promise<TokenInfo> {
  const secret = secretFromHeader(header);
  if (!secret) {
    throw new AuthError('auth.missing', 'authentication required: send an API token as user __token__ (gatehouse token create)', 401);
  }
  const token = await tokens.find(secret);
  if (!token) throw new AuthError('auth.invalid', 'invalid API token', 403);
  if (token.revokedAt) throw new AuthError('auth.revoked', `API token ${token.id} was revoked at ${token.revokedAt}`, 403);
  if (token.expiresAt && Date.parse(token.expiresAt) <= now.getTime()) {
    throw new AuthError('auth.expired', `API token ${token.id} expired at ${token.expiresAt}`, 403);
  }
  // "Last used" to the minute: writing it on every request would cost uploads a database commit each.
  if (token.lastUsedAt === null || now.getTime() - Date.parse(token.lastUsedAt) >= 60_000) await tokens.touch(token.id, now);
  return token;
}

/** Checks that a token may upload to a project. Admin tokens may do everything. */
export function requireUploadScope(token: TokenInfo, project: string): void {
  if (token.scope === 'admin' || token.allProjects || token.projects.includes(project)) return;
  const scope = token.projects.length > 0 ? token.projects.join(', ') : 'no project';
  throw new AuthError('auth.scope', `API token ${token.id} may upload to ${scope}, not to '${project}'`, 403);
}

export function requireAdminScope(token: TokenInfo): void {
  if (token.scope !== 'admin') throw new AuthError('auth.scope', `API token ${token.id} is an upload token; this needs an admin token`, 403);
}
