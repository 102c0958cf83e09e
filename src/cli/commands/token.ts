/** `gatehouse token create|list|revoke`: API tokens for uploads and the admin API. */
import type { Command } from 'commander';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import { isValidName, normalizeName } from '../../pep/name.js';
import { addStorageOptions, withStorage, type GatewayOptions } from '../gateway-options.js';
import { currentCliActor } from '../actor.js';
import { formatTable } from '../table.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

interface CreateOptions extends GatewayOptions {
  project: string[];
  all?: boolean;
  scope: string;
  expires?: string;
  description?: string;
}

export function registerTokenCommand(program: Command): void {
  const token = program
    .command('token')
    .description('Create, list and revoke API tokens (stored hashed; the secret is shown once).');

  addStorageOptions(
    token
      .command('create')
      .description('Create a token and print only its secret on stdout.')
      .option('--project <name>', 'a project the token may upload to (repeatable)', collect, [] as string[])
      .option('--all', 'the token may upload to every project, including new ones')
      .option('--scope <scope>', 'upload (publish files) or admin (yank, manage)', 'upload')
      .option('--expires <days>', 'days until the token expires (default: never)')
      .option('--description <text>', 'a note to recognise the token by in `token list`'),
  )
    .addHelpText(
      'after',
      `
An upload token needs --project NAME (repeatable) or --all. An admin token
may do everything.

Examples:
  gatehouse token create --project my-lib --expires 90
  TOKEN=$(gatehouse token create --all --description "CI publisher")
  gatehouse token create --scope admin --description "release managers"

Use it as the password with user __token__:
  twine upload --repository-url http://HOST:8080/legacy/ -u __token__ -p "$TOKEN" dist/*`,
    )
    .action(async (opts: CreateOptions) => {
      if (opts.scope !== 'upload' && opts.scope !== 'admin') {
        throw new InvalidInputError('token.scope', `--scope must be upload or admin, not ${JSON.stringify(opts.scope)}`);
      }
      if (opts.scope === 'upload' && !opts.all && opts.project.length === 0) {
        throw new InvalidInputError('token.projects', 'an upload token needs --project NAME (repeatable) or --all');
      }
      if (opts.all && opts.project.length > 0) {
        throw new InvalidInputError('token.projects', '--all and --project exclude each other');
      }
      for (const p of opts.project) {
        if (!isValidName(p)) throw new InvalidInputError('token.project-name', `invalid project name ${JSON.stringify(p)}`);
      }
      let expiresAt: Date | null = null;
      if (opts.expires !== undefined) {
        const days = Number(opts.expires);
        if (!Number.isFinite(days) || days <= 0) {
          throw new InvalidInputError('token.expires', `--expires must be a positive number of days, not ${JSON.stringify(opts.expires)}`);
        }
        expiresAt = new Date(Date.now() + days * 86_400_000);
      }
      const { secret, id } = await withStorage(opts, (s) =>
        s.tokens.create({
          scope: opts.scope as 'upload' | 'admin',
          allProjects: Boolean(opts.all) || opts.scope === 'admin',
          projects: [...new Set(opts.project.map(normalizeName))],
          description: opts.description ?? '',
          expiresAt,
        }, { actor: currentCliActor() }),
      );
      process.stdout.write(`${secret}\n`);
      if (process.stderr.isTTY) process.stderr.write(`created token ${id}; store the secret now, it is not shown again\n`);
    });

  addStorageOptions(token.command('list').description('List tokens: id, scope, projects, dates and state (never secrets).'))
    .option('--format <format>', 'table or json', 'table')
    .action(async (opts: GatewayOptions & { format: string }) => {
      const tokens = await withStorage(opts, (s) => s.tokens.list());
      if (opts.format === 'json') {
        process.stdout.write(`${JSON.stringify({ tokens }, null, 2)}\n`);
        return;
      }
      if (opts.format !== 'table') throw new InvalidInputError('token.format', `--format must be table or json`);
      const now = Date.now();
      const rows = tokens.map((t) => [
        String(t.id),
        t.scope,
        t.allProjects ? '*' : t.projects.join(','),
        t.revokedAt ? 'revoked' : t.expiresAt && Date.parse(t.expiresAt) <= now ? 'expired' : 'active',
        t.createdAt.slice(0, 10),
        t.expiresAt?.slice(0, 10) ?? 'never',
        t.lastUsedAt?.slice(0, 19) ?? 'never',
        t.description,
      ]);
      process.stdout.write(formatTable(['ID', 'SCOPE', 'PROJECTS', 'STATE', 'CREATED', 'EXPIRES', 'LAST USED', 'DESCRIPTION'], rows));
    });

  addStorageOptions(token.command('revoke').description('Revoke a token by its id (see `token list`).').argument('<id>', 'token id'))
    .action(async (idText: string, opts: GatewayOptions) => {
      const id = Number(idText);
      if (!Number.isInteger(id) || id <= 0) throw new InvalidInputError('token.id', `token id must be a positive integer, not ${JSON.stringify(idText)}`);
      const revoked = await withStorage(opts, (s) => s.tokens.revoke(id, { actor: currentCliActor() }));
      if (!revoked) throw new NotFoundError('token.unknown', `no active token with id ${id}`);
      process.stdout.write(`revoked token ${id}\n`);
    });
}
