/**
 * The gateway's own signing key for provenance: ed25519 (node:crypto), made on first use in the data directory
 * (`keys/provenance-ed25519.key`, readable by the owner only) with its public half beside it for anyone who
 * verifies (`keys/provenance-ed25519.pub`, SPKI PEM). Its keyid is the sha256 of the public key's DER bytes.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SigningKeyError } from './errors.js';

export interface SigningKey {
  keyid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  /** Where the public key is, to hand to those who verify. */
  publicKeyPath: string;
}

const privateName = 'provenance-ed25519.key';
const publicName = 'provenance-ed25519.pub';

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** The key in `dir`, made there first when there is none (the first writer wins if two race). */
export function loadOrCreateSigningKey(dir: string): SigningKey {
  const privatePath = join(dir, privateName);
  const publicPath = join(dir, publicName);
  try {
    if (!existsSync(privatePath)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const { privateKey } = generateKeyPairSync('ed25519');
      try {
        writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    const privateKey = createPrivateKey(readFileSync(privatePath));
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${privatePath} is not an ed25519 key`);
    const publicKey = createPublicKey(privateKey);
    const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    if (!existsSync(publicPath) || readFileSync(publicPath, 'utf8') !== publicKeyPem) writeFileSync(publicPath, publicKeyPem, { mode: 0o644 });
    return { keyid: keyIdOf(publicKey), privateKey, publicKey, publicKeyPem, publicKeyPath: publicPath };
  } catch (err) {
    throw new SigningKeyError(`cannot use the provenance signing key in ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

/** A public key from a PEM file (SPKI, or the private key it belongs to). */
export function readPublicKey(path: string): KeyObject {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (err) {
    throw new SigningKeyError(`cannot read the public key ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`it is a ${key.asymmetricKeyType} key, not ed25519`);
    return key;
  } catch (err) {
    throw new SigningKeyError(`${path} is not an ed25519 public key in PEM: ${(err as Error).message}`, { cause: err });
  }
}
