/** The provenance key: made on first use (owner-only), the same key afterwards, its public half beside it. */
import assert from 'node:assert/strict';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SigningKeyError } from '../../src/sign/errors.js';
import { loadOrCreateSigningKey, readPublicKey } from '../../src/sign/key.js';

test('made on first use, reused after, with its public key and keyid', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'gatehouse-keys-')), 'keys');
  const first = loadOrCreateSigningKey(dir);
  assert.equal(statSync(join(dir, 'provenance-ed25519.key')).mode & 0o777, 0o600);
  assert.equal(first.privateKey.asymmetricKeyType, 'ed25519');
  const again = loadOrCreateSigningKey(dir);
  assert.equal(again.keyid, first.keyid);
  assert.equal(readFileSync(first.publicKeyPath, 'utf8'), first.publicKeyPem);
  const der = createPublicKey(first.publicKeyPem).export({ type: 'spki', format: 'der' });
  assert.equal(first.keyid, createHash('sha256').update(der).digest('hex'));
  assert.equal(readPublicKey(first.publicKeyPath).export({ type: 'spki', format: 'pem' }).toString(), first.publicKeyPem);
});

test('a key file that is not an ed25519 key is refused, naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-'));
  writeFileSync(join(dir, 'provenance-ed25519.key'), 'garbage');
  assert.throws(() => loadOrCreateSigningKey(dir), (e) => e instanceof SigningKeyError && e.code === 'sign.key-unusable' && e.message.includes(dir));
  writeFileSync(join(dir, 'x.pub'), 'garbage');
  assert.throws(() => readPublicKey(join(dir, 'x.pub')), /x\.pub is not an ed25519 public key/);
});
