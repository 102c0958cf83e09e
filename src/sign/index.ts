/** Signing and checking what Gatehouse attests: DSSE envelopes, the provenance key, SLSA provenance for built wheels. */
export { pae, parseEnvelope, signEnvelope, verifyEnvelope, type DsseEnvelope, type DsseSignature } from './dsse.js';
export { keyIdOf, loadOrCreateSigningKey, readPublicKey, type SigningKey } from './key.js';
export {
  BUILD_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  provenanceStatement,
  signProvenance,
  verifyProvenance,
  type ProvenanceStatement,
  type VerifiedProvenance,
} from './provenance.js';
export { ProvenanceError, SigningKeyError, type ProvenanceProblem } from './errors.js';
