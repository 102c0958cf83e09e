/** The tamper-evident decision log: its public surface. */
export { DecisionLog, type EntryQuery } from './log.js';
export {
  cliActor,
  formatHead,
  GENESIS_HASH,
  LOG_KINDS,
  MAX_PAYLOAD_BYTES,
  parseHead,
  SYSTEM_ACTOR,
  tokenActor,
  type KnownLogKind,
  type LogEntry,
  type LogHead,
  type LogKind,
  type LogSubject,
  type NewLogEntry,
} from './entry.js';
export { CanonicalJsonError, canonicalJson, plainJson, type JsonObject, type JsonValue } from './canonical-json.js';
export type { LogProblem, LogProblemReason, LogVerification, VerifyOptions } from './verify.js';
