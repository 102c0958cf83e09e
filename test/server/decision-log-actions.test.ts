/**
 * Every administrative action lands in the decision log with who did it, in the same transaction as the action:
 * tokens created and revoked, yanks and unyanks, the policy at start and each reload with the waivers it added or
 * removed. The log verifies afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waiverChanges } from '../../src/server/policy-setup.js';
import type { LogEntry } from '../../src/store/index.js';
import type { Waiver } from '../../src/policy/policy.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { DATABASES } from '../helpers/postgres.js';
import { buildWheel, upload } from '../helpers/wheels.js';

async function entries(gw: TestGateway, kind?: string): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of gw.storage.decisionLog.entries(kind ? { kind } : {})) out.push(e);
  return out;
}

for (const database of DATABASES) {
  test(`${database}: tokens, yanks and unyanks are logged with their actor; the log verifies`, async (t) => {
    const gw = await startGateway({ database, listen: true });
    t.after(() => gw.close());
    const admin = await gw.token({ scope: 'admin' });
    const adminId = (await gw.storage.tokens.find(admin))!.id;
    const created = await entries(gw, 'token.created');
    assert.equal(created.length, 1);
    assert.equal(created[0]!.actor, 'system');
    assert.deepEqual(created[0]!.payload, { token: adminId, scope: 'admin', projects: '*', description: 'test', expires: null });
    assert.ok(!JSON.stringify(created).includes(admin), 'never the secret');

    const up = await upload(gw.url, admin, buildWheel('demo', '5.0'), { name: 'demo', version: '5.0' });
    assert.equal(up.status, 200, up.text);
    const yank = async (action: 'yank' | 'unyank') =>
      fetch(`${gw.url}/admin/api/projects/demo/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ version: '5.0.0', reason: 'broken build' }),
      });
    assert.equal((await yank('yank')).status, 200);
    assert.equal((await yank('yank')).status, 200, 'a yank that changes nothing…');
    assert.equal((await yank('unyank')).status, 200);
    const yanks = (await entries(gw)).filter((e) => e.kind === 'yank' || e.kind === 'unyank');
    assert.deepEqual(
      yanks.map((e) => [e.kind, e.actor, e.subject.project, e.subject.version, e.payload]),
      [
        ['yank', `token:${adminId}`, 'demo', '5', { reason: 'broken build', files: ['demo-5.0-py3-none-any.whl'] }],
        ['unyank', `token:${adminId}`, 'demo', '5', { reason: null, files: ['demo-5.0-py3-none-any.whl'] }],
      ],
      '…is not logged',
    );

    assert.equal(await gw.storage.tokens.revoke(adminId, { actor: 'cli:alice' }), true);
    assert.equal(await gw.storage.tokens.revoke(adminId, { actor: 'cli:alice' }), false);
    assert.deepEqual(
      (await entries(gw, 'token.revoked')).map((e) => [e.actor, e.payload]),
      [['cli:alice', { token: adminId }]],
    );
    const verified = await gw.storage.decisionLog.verify();
    assert.equal(verified.intact, true, JSON.stringify(verified));
  });
}

test('the policy is logged at start (once per revision, across restarts) and at each reload, with waiver changes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-policy-log-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const configFile = join(dir, 'gatehouse.toml');
  const waiver = (project: string) =>
    `[[policy.waiver]]\nproject = "${project}"\nrule = "cooldown.too-new"\nreason = "hotfix"\ngranted_by = "alice"\nexpires = "2099-01-01"\n`;
  // Rules that need neither the name corpus nor the advisory database: the test is about the log.
  const base = '[policy.names]\ntyposquat = "allow"\nunknown = "allow"\n[policy.vulnerabilities]\nmalware = "allow"\nblock_severity = "none"\nwarn_severity = "none"\n';
  await writeFile(configFile, base + waiver('one'));
  const dataDir = join(dir, 'data');
  const first = await startGateway({ policy: 'config', config: { dataDir, configFile } });
  let reloads = await entries(first, 'policy.reload');
  assert.equal(reloads.length, 1);
  assert.equal(reloads[0]!.payload.revision, first.app.services.policy.state.revisions.policy);
  assert.deepEqual((await entries(first, 'waiver.added')).map((e) => e.subject.project), ['one']);

  await writeFile(configFile, base + waiver('two'));
  assert.deepEqual(await first.app.services.policy.state.reload(), { changed: true });
  // The change listener appends without holding up the reload: wait for it (at most 5 s).
  for (let i = 0; i < 50 && (reloads = await entries(first, 'policy.reload')).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(reloads.length, 2);
  assert.equal(reloads[1]!.payload.previous, reloads[0]!.payload.revision);
  assert.deepEqual((await entries(first, 'waiver.added')).map((e) => e.subject.project), ['one', 'two']);
  assert.deepEqual((await entries(first, 'waiver.removed')).map((e) => [e.subject.project, e.payload.reason, e.payload.grantedBy]), [['one', 'hotfix', 'alice']]);
  await first.close();

  const again = await startGateway({ policy: 'config', config: { dataDir, configFile } });
  t.after(() => again.close());
  assert.equal((await entries(again, 'policy.reload')).length, 2, 'a restart with the same policy logs nothing');
  assert.equal((await again.storage.decisionLog.verify()).intact, true);
});

test('waiver changes compare whole waivers: a changed expiry is one removed and one added', () => {
  const w: Waiver = { project: 'a', reason: 'r', grantedBy: 'alice', expires: '2030-01-01' };
  assert.deepEqual(waiverChanges([w], [w]), []);
  const changed = waiverChanges([w], [{ ...w, expires: '2031-01-01' }]);
  assert.deepEqual(
    changed.map((e) => [e.kind, e.payload?.expires]),
    [
      ['waiver.added', '2031-01-01'],
      ['waiver.removed', '2030-01-01'],
    ],
  );
});
