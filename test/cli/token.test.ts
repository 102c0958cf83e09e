import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../../src/store/index.js';
import { runCli } from '../helpers/cli.js';

test('token create prints only the secret; list shows it without the secret; revoke ends it', async (t) => {
  const data = await mkdtemp(join(tmpdir(), 'gatehouse-cli-token-'));
  t.after(() => rm(data, { recursive: true, force: true }));

  const created = await runCli(['token', 'create', '--project', 'Demo_Pkg', '--project', 'other', '--expires', '30', '--description', 'ci', '--data', data]);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /^gh1_[A-Za-z0-9_-]{43}\n$/, 'stdout is the token and nothing else');
  const secret = created.stdout.trim();

  const admin = await runCli(['token', 'create', '--scope', 'admin', '--data', data]);
  assert.equal(admin.code, 0, admin.stderr);

  const listed = await runCli(['token', 'list', '--format', 'json', '--data', data]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.ok(!listed.stdout.includes(secret), 'list never shows a secret');
  const { tokens } = JSON.parse(listed.stdout) as { tokens: Array<{ id: number; scope: string; projects: string[]; expiresAt: string | null; allProjects: boolean }> };
  assert.equal(tokens.length, 2);
  assert.deepEqual(tokens[0]!.projects, ['demo-pkg', 'other']);
  assert.equal(tokens[0]!.scope, 'upload');
  const days = (Date.parse(tokens[0]!.expiresAt!) - Date.now()) / 86_400_000;
  assert.ok(days > 29.9 && days <= 30, `expires in 30 days (${days})`);
  assert.equal(tokens[1]!.scope, 'admin');
  assert.equal(tokens[1]!.allProjects, true);

  const table = await runCli(['token', 'list', '--data', data]);
  assert.match(table.stdout, /^ID\s+SCOPE\s+PROJECTS\s+STATE/);
  assert.match(table.stdout, /\n1\s+upload\s+demo-pkg,other\s+active/);

  const revoked = await runCli(['token', 'revoke', '1', '--data', data]);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal(revoked.stdout, 'revoked token 1\n');
  const storage = await openStorage({ dataDir: data });
  assert.ok((await storage.tokens.find(secret))?.revokedAt);
  await storage.close();

  const again = await runCli(['token', 'revoke', '1', '--data', data]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /no active token with id 1/);
});

test('token create refuses bad options with a reason and exit code 2', async (t) => {
  const data = await mkdtemp(join(tmpdir(), 'gatehouse-cli-token-'));
  t.after(() => rm(data, { recursive: true, force: true }));
  const cases: Array<[string[], RegExp]> = [
    [['token', 'create'], /needs --project NAME \(repeatable\) or --all/],
    [['token', 'create', '--all', '--project', 'x'], /exclude each other/],
    [['token', 'create', '--all', '--scope', 'root'], /--scope must be upload or admin/],
    [['token', 'create', '--all', '--expires', 'soon'], /--expires must be a positive number of days/],
    [['token', 'create', '--project', '-bad-'], /invalid project name/],
    [['token', 'revoke', 'abc'], /token id must be a positive integer/],
  ];
  for (const [args, reason] of cases) {
    const r = await runCli([...args, '--data', data]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, reason);
    assert.equal(r.stdout, '');
  }
});

test('serve --help teaches; a bad config file is refused with its reason', async (t) => {
  const help = await runCli(['serve', '--help']);
  assert.equal(help.code, 0);
  for (const text of ['--port', '--data', '--database', '--config', 'twine upload', 'pip install --index-url']) assert.ok(help.stdout.includes(text), text);

  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-cli-serve-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'gatehouse.toml');
  await writeFile(config, '[server]\nprot = 8080\n');
  const r = await runCli(['serve', '--config', config]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown key server\.prot \(known: host, port\)/);
  const port = await runCli(['serve', '--port', 'eighty', '--data', dir]);
  assert.equal(port.code, 2);
  assert.match(port.stderr, /--port must be a port number/);
});
