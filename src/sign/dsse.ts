/**
 * DSSE envelopes (github.com/secure-systems-lab/dsse, protocol v1): a payload, its type, and signatures over the
 * pre-authentication encoding PAE(type, payload) = "DSSEv1" SP LEN(type) SP type SP LEN(payload) SP payload,
 * lengths in ASCII decimal bytes. Signing over the type as well as the body means a signature cannot be replayed
 * on the same bytes read as something else.
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { ProvenanceError } from './errors.js';

export interface DsseSignature {
  keyid: string;
  /** Base64 of the signature bytes. */
  sig: string;
}

export interface DsseEnvelope {
  payloadType: string;
  /** Base64 of the payload bytes. */
  payload: string;
  signatures: DsseSignature[];
}

export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** An ed25519 signature over PAE(type, payload). */
export function signEnvelope(payloadType: string, payload: Buffer, key: { keyid: string; privateKey: KeyObject }): DsseEnvelope {
  const sig = sign(null, pae(payloadType, payload), key.privateKey).toString('base64');
  return { payloadType, payload: payload.toString('base64'), signatures: [{ keyid: key.keyid, sig }] };
}

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Reads an envelope, checking its shape (not its signatures). */
export function parseEnvelope(text: string): DsseEnvelope {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ProvenanceError('provenance.malformed', 'the provenance file is not JSON');
  }
  const e = data as Partial<DsseEnvelope>;
  if (typeof e !== 'object' || e === null || typeof e.payloadType !== 'string' || typeof e.payload !== 'string' || !base64.test(e.payload)) {
    throw new ProvenanceError('provenance.malformed', 'the provenance file is not a DSSE envelope (payloadType, payload, signatures)');
  }
  if (!Array.isArray(e.signatures) || e.signatures.length === 0 || !e.signatures.every((s) => typeof s?.sig === 'string' && base64.test(s.sig))) {
    throw new ProvenanceError('provenance.malformed', 'the DSSE envelope carries no signature');
  }
  return { payloadType: e.payloadType, payload: e.payload, signatures: e.signatures.map((s) => ({ keyid: typeof s.keyid === 'string' ? s.keyid : '', sig: s.sig })) };
}

/** The payload, when a signature verifies with `publicKey`; the keyid of that signature alongside. */
export function verifyEnvelope(envelope: DsseEnvelope, publicKey: KeyObject): { payload: Buffer; keyid: string } {
  const payload = Buffer.from(envelope.payload, 'base64');
  const message = pae(envelope.payloadType, payload);
  for (const signature of envelope.signatures) {
    let ok = false;
    try {
      ok = verify(null, message, publicKey, Buffer.from(signature.sig, 'base64'));
    } catch {
      ok = false;
    }
    if (ok) return { payload, keyid: signature.keyid };
  }
  throw new ProvenanceError('provenance.signature-invalid', 'no signature of the envelope verifies with this public key: the statement was changed after signing, or another key signed it');
}
