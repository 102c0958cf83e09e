/**
 * Every proxied page asks the hosted index first (a hosted name is never looked up upstream), so "not hosted" is
 * remembered like a serial is: one lookup a second, not a query per request. A project created through this process
 * is seen at once, even when its upload races a lookup; one created by another replica sharing the database within
 * SERIAL_CHECK_MS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HostedSource, SERIAL_CHECK_MS } from '../../src/index/hosted-source.js';
import { openStorage, type Storage } from '../../src/store/index.js';

async function addProject(storage: Storage, name: string): Promise<void> {
  await storage.hosted.addFile({
    projectName: name,
    displayName: name,
    filename: `${name}-1.0-py3-none-any.whl`,
    version: '1.0',
    canonicalVersion: '1',
    identity: 'wheel -py3-none-any',
    kind: 'wheel',
    sha256: Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64),
    md5: '0'.repeat(32),
    blake2b_256: '0'.repeat(64),
    size: 1000,
    requiresPython: null,
    metadataSha256: null,
    metadataSize: null,
    uploadedBy: null,
  });
}

/** Counts the store's serial lookups; `hold` keeps the next lookup's answer until it is released. */
function countLookups(storage: Storage) {
  const original = storage.hosted.serial.bind(storage.hosted);
  const counter = { calls: 0, hold: undefined as Promise<void> | undefined };
  storage.hosted.serial = async (name: string) => {
    counter.calls++;
    const answer = await original(name);
    if (counter.hold) await counter.hold;
    return answer;
  };
  return counter;
}

test('"not hosted" costs one lookup a second; a project created here is seen at once, even mid-lookup', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-hosted-source-'));
  const storage = await openStorage({ dataDir });
  t.after(async () => {
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const source = new HostedSource(storage.hosted);
  const lookups = countLookups(storage);

  for (let i = 0; i < 100; i++) assert.deepEqual(await source.project('proxied-only'), { found: false });
  assert.equal(lookups.calls, 1, 'one lookup for 100 requests of a project that is not hosted');

  await addProject(storage, 'proxied-only');
  const found = await source.project('proxied-only');
  assert.ok(found.found, 'created through this process: hosted at once');

  // An upload that lands while a lookup is in flight: the lookup's "not hosted" is not remembered.
  let release!: () => void;
  lookups.hold = new Promise((resolve) => (release = resolve));
  const racing = source.has('racy');
  await sleep(10);
  await addProject(storage, 'racy');
  release();
  lookups.hold = undefined;
  assert.equal(await racing, false, 'the lookup answered before the upload');
  assert.equal(await source.has('racy'), true, 'and the next request sees the project');
});

test('a project created by another replica sharing the database is seen within SERIAL_CHECK_MS', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-hosted-source-'));
  const storage = await openStorage({ dataDir });
  const other = await openStorage({ dataDir });
  t.after(async () => {
    await other.close();
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const source = new HostedSource(storage.hosted);
  assert.equal(await source.has('elsewhere'), false);
  await addProject(other, 'elsewhere');
  await sleep(SERIAL_CHECK_MS + 50);
  assert.equal(await source.has('elsewhere'), true);
});

test('a burst of requests shares one lookup, unless a change was made here while it ran', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-hosted-source-'));
  const storage = await openStorage({ dataDir });
  t.after(async () => {
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  await addProject(storage, 'busy');
  const source = new HostedSource(storage.hosted);
  const lookups = countLookups(storage);
  const builds = { calls: 0 };
  const project = storage.hosted.project.bind(storage.hosted);
  storage.hosted.project = async (name: string) => {
    builds.calls++;
    return project(name);
  };

  const answers = await Promise.all(Array.from({ length: 50 }, () => source.project('busy')));
  assert.ok(answers.every((a) => a.found && a === answers[0]), 'every request gets the one page');
  assert.deepEqual({ lookups: lookups.calls, builds: builds.calls }, { lookups: 1, builds: 1 });
  const missing = await Promise.all(Array.from({ length: 50 }, () => source.project('not-here')));
  assert.ok(missing.every((a) => !a.found));
  assert.equal(lookups.calls, 2, 'one lookup for 50 requests of a project that is not hosted');

  // A change made through this process while a lookup runs: later requests do not wait for the older answer.
  let release!: () => void;
  lookups.hold = new Promise((resolve) => (release = resolve));
  const before = source.project('late');
  await sleep(10);
  await addProject(storage, 'late');
  lookups.hold = undefined;
  const after = source.project('late');
  release();
  assert.equal((await before).found, false, 'the lookup answered before the upload');
  assert.equal((await after).found, true, 'a request after the upload sees the project, though the older lookup was still running');
});
