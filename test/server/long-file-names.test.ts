/**
 * Real wheel names run long: several platform tags make charset_normalizer's 116 characters, past the 100 a router
 * allows a path parameter by default (which answers 414, and pip cannot download the file). The file, its
 * METADATA and its project page are served whatever the length a file system allows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../helpers/gateway.js';
import { buildWheel, upload } from '../helpers/wheels.js';

test('files with long names, and their METADATA, are served', async (t) => {
  const gw = await startGateway({ listen: true });
  t.after(() => gw.close());
  const token = await gw.token();
  const name = 'a-project-with-a-rather-long-name-for-testing-the-router';
  const wheel = buildWheel(name, '3.5.2', { tag: 'cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64' });
  assert.ok(wheel.filename.length > 116, wheel.filename);
  const uploaded = await upload(gw.url, token, wheel, { name, version: '3.5.2' });
  assert.equal(uploaded.status, 200, uploaded.text);

  const page = await fetch(`${gw.url}/simple/${name}/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
  assert.equal(page.status, 200);
  const listed = ((await page.json()) as { files: Array<{ filename: string; url: string }> }).files;
  assert.deepEqual(listed.map((f) => f.filename), [wheel.filename]);

  const url = new URL(listed[0]!.url, `${gw.url}/simple/${name}/`).href;
  const file = await fetch(url);
  assert.equal(file.status, 200);
  assert.ok(Buffer.from(await file.arrayBuffer()).equals(wheel.data));
  const metadata = await fetch(`${url}.metadata`);
  assert.equal(metadata.status, 200);
  assert.match(await metadata.text(), /^Name: a-project-with-a-rather-long-name-for-testing-the-router$/m);

  // Past any file name a file system keeps: still a clear 404, not a router's 414.
  const tooLong = await fetch(`${gw.url}/files/${'0'.repeat(64)}/${'x'.repeat(300)}.whl`);
  assert.equal(tooLong.status, 404);
});
