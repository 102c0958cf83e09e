/** DSSE envelopes: the spec's PAE example, signatures checked by an independent implementation (Python cryptography), tampering refused. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { pae, parseEnvelope, signEnvelope, verifyEnvelope } from '../../src/sign/dsse.js';
import { ProvenanceError } from '../../src/sign/errors.js';
import { keyIdOf } from '../../src/sign/key.js';

const pair = generateKeyPairSync('ed25519');
const key = { keyid: keyIdOf(pair.publicKey), privateKey: pair.privateKey };

test('PAE is the encoding the DSSE protocol gives as its example', () => {
  assert.equal(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString(), 'DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  // Lengths count bytes, not characters.
  assert.equal(pae('t', Buffer.from('é')).toString('latin1'), 'DSSEv1 1 t 2 \xc3\xa9');
});

test('an envelope we sign verifies here and with Python cryptography, over the PAE', () => {
  const envelope = signEnvelope('application/vnd.in-toto+json', Buffer.from('{"a":1}'), key);
  assert.deepEqual(verifyEnvelope(parseEnvelope(JSON.stringify(envelope)), pair.publicKey), { payload: Buffer.from('{"a":1}'), keyid: key.keyid });
  const script = `
import base64, json, sys
from cryptography.hazmat.primitives.serialization import load_pem_public_key
env = json.loads(sys.argv[1]); pub = load_pem_public_key(sys.argv[2].encode())
body = base64.b64decode(env["payload"]); t = env["payloadType"].encode()
pub.verify(base64.b64decode(env["signatures"][0]["sig"]), b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body))
print("verified")
`;
  const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  assert.equal(execFileSync('python3', ['-c', script, JSON.stringify(envelope), pem], { encoding: 'utf8' }).trim(), 'verified');
});

test('a changed payload, a changed type, another key and a broken envelope are refused with the reason', () => {
  const envelope = signEnvelope('application/vnd.in-toto+json', Buffer.from('{"a":1}'), key);
  const invalid = (e: unknown, code: string): boolean => e instanceof ProvenanceError && e.code === code;
  assert.throws(() => verifyEnvelope({ ...envelope, payload: Buffer.from('{"a":2}').toString('base64') }, pair.publicKey), (e) => invalid(e, 'provenance.signature-invalid'));
  assert.throws(() => verifyEnvelope({ ...envelope, payloadType: 'text/plain' }, pair.publicKey), (e) => invalid(e, 'provenance.signature-invalid'));
  assert.throws(() => verifyEnvelope(envelope, generateKeyPairSync('ed25519').publicKey), (e) => invalid(e, 'provenance.signature-invalid'));
  assert.throws(() => parseEnvelope('not json'), (e) => invalid(e, 'provenance.malformed'));
  assert.throws(() => parseEnvelope(JSON.stringify({ ...envelope, signatures: [] })), (e) => invalid(e, 'provenance.malformed'));
  assert.throws(() => parseEnvelope(JSON.stringify({ ...envelope, payload: '***' })), (e) => invalid(e, 'provenance.malformed'));
});
