/**
 * A decision log entry: what it holds, the checks it passes before it is written, and its hash.
 *
 * The hash of an entry is the lowercase hex sha256 of the UTF-8 bytes of this JSON document in canonical form
 * (RFC 8785, see canonical-json.ts):
 *
 *   {"actor":…,"at":…,"kind":…,"payload":{…},"prev":…,"seq":N,
 *    "subject":{"filename":…,"project":…,"sha256":…,"version":…}}
 *
 * Every key is always present; an absent subject field is `null`; `prev` is the hash of the entry before (64 zeros
 * for entry 1). An exported line is the same document with `"hash"` added, also canonical, so an outside verifier
 * removes `hash`, canonicalizes what is left, hashes it and compares (docs/decisions.md, "Decision log").
 */
import { hash } from 'node:crypto';
import { InvalidInputError } from '../../errors.js';
import type { DecisionLogTable } from '../schema.js';
import { canonicalJson, hasLoneSurrogate, type JsonObject } from './canonical-json.js';

/** The `prev` of entry 1. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The kinds of entry Gatehouse writes, with what each records. The log takes any kind of the same shape
 * (dot-separated lowercase words), so a new kind of event needs no migration; add it here to document it.
 */
export const LOG_KINDS = {
  decision: 'the policy decided on a project, release or file: its inputs, the rules that fired, the outcome, the policy and vulnerability database revisions',
  'token.created': 'an API token was created (its id, scope and projects; never the secret)',
  'token.revoked': 'an API token was revoked',
  yank: 'a hosted release or file was yanked, with the reason',
  unyank: 'a yank was undone',
  'quarantine.release': 'a quarantined file was released by an administrator, with the reason',
  'quarantine.reject': 'a quarantined file was rejected by an administrator, with the reason',
  'quarantine.auto-release': 'a quarantined file was released because the reason it was held has gone',
  'policy.reload': 'the policy was loaded or reloaded (its revision)',
  'vulndb.update': 'the vulnerability database changed (its revision)',
  'waiver.added': 'a waiver was granted: what it covers, why, by whom, until when',
  'waiver.removed': 'a waiver was withdrawn before its expiry',
} as const;

export type KnownLogKind = keyof typeof LOG_KINDS;
/** A known kind, or any other of the same shape (`string & {}` keeps the known ones offered by editors). */
export type LogKind = KnownLogKind | (string & {});

/** The actor of what Gatehouse does on its own (a scan's decision, an automatic release). */
export const SYSTEM_ACTOR = 'system';

/** The actor of a request authenticated with an API token. */
export function tokenActor(tokenId: number): string {
  return `token:${tokenId}`;
}

/** The actor of a command run on the gateway's host, named by the operating system user who ran it. */
export function cliActor(user: string): string {
  return `cli:${user}`;
}

/** What an entry is about; each part where it applies. */
export interface LogSubject {
  /** PEP 503-normalized project name. */
  project?: string | null;
  version?: string | null;
  filename?: string | null;
  /** The file's sha256, lowercase hex. */
  sha256?: string | null;
}

export interface NewLogEntry {
  kind: LogKind;
  /** `tokenActor(id)`, `SYSTEM_ACTOR` or `cliActor(user)`. */
  actor: string;
  subject?: LogSubject;
  /** JSON data: the decision's inputs and outcome, an action's reason. Canonicalized; see canonical-json.ts. */
  payload?: JsonObject;
  /** Defaults to the time of the append. */
  at?: Date;
}

export interface LogEntry {
  seq: number;
  /** ISO 8601 UTC with milliseconds. */
  at: string;
  kind: string;
  actor: string;
  subject: { project: string | null; version: string | null; filename: string | null; sha256: string | null };
  payload: JsonObject;
  /** The hash of the entry before (`GENESIS_HASH` for entry 1). */
  prev: string;
  hash: string;
}

/** How long the log is and the hash of its last entry: `count:hash` is what an operator keeps elsewhere. */
export interface LogHead {
  count: number;
  hash: string;
}

/** The columns an entry is stored as, all of which its hash covers. */
export type EntryFields = Omit<DecisionLogTable, 'hash'>;
/** An entry checked and ready to be numbered and chained. */
export type PreparedEntry = Omit<EntryFields, 'seq' | 'prev_hash'>;

/** A payload's canonical form may be at most this long: a decision's inputs, not a file's contents. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

const KIND = /^[a-z][a-z0-9-]*(?:\.[a-z][a-z0-9-]*)*$/;
const SHA256 = /^[0-9a-f]{64}$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function invalid(message: string): InvalidInputError {
  return new InvalidInputError('log.entry-invalid', `decision log entry: ${message}`);
}

function checkText(value: string, field: string, max: number): string {
  if (value.length === 0 || value.length > max) throw invalid(`${field} must be 1 to ${max} characters, not ${value.length}`);
  if (CONTROL.test(value) || hasLoneSurrogate(value)) throw invalid(`${field} ${JSON.stringify(value)} contains a control character or a lone surrogate`);
  return value;
}

function subjectPart(value: string | null | undefined, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(`subject.${field} must be a string or null`);
  return checkText(value, `subject.${field}`, 500);
}

/** Checks an entry and puts it in the form it is stored in; throws `log.entry-invalid` or `log.payload-not-json`. */
export function prepareEntry(entry: NewLogEntry, now: Date): PreparedEntry {
  if (typeof entry.kind !== 'string' || entry.kind.length > 64 || !KIND.test(entry.kind)) {
    throw invalid(`kind ${JSON.stringify(entry.kind)} must be dot-separated lowercase words (for example quarantine.release)`);
  }
  if (typeof entry.actor !== 'string') throw invalid('actor must be a string (token:<id>, system or cli:<user>)');
  const at = entry.at ?? now;
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw invalid('at must be a valid Date');
  const payload = entry.payload ?? {};
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw invalid('payload must be a JSON object');
  const text = canonicalJson(payload);
  if (Buffer.byteLength(text, 'utf8') > MAX_PAYLOAD_BYTES) throw invalid(`payload is over ${MAX_PAYLOAD_BYTES} bytes in canonical form`);
  const sha256 = subjectPart(entry.subject?.sha256, 'sha256');
  if (sha256 !== null && !SHA256.test(sha256)) throw invalid(`subject.sha256 must be 64 lowercase hex digits, not ${JSON.stringify(sha256)}`);
  return {
    at: at.toISOString(),
    kind: entry.kind,
    actor: checkText(entry.actor, 'actor', 200),
    project: subjectPart(entry.subject?.project, 'project'),
    version: subjectPart(entry.subject?.version, 'version'),
    filename: subjectPart(entry.subject?.filename, 'filename'),
    sha256,
    payload: text,
  };
}

/** Printable ASCII other than `"` and `\`: the strings JSON writes as they are, between quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * A JSON string exactly as `JSON.stringify` writes it. Most of an entry's strings (times, hashes, kinds, names) need
 * no escaping, and a regular expression test is cheaper than a `JSON.stringify` call: verification makes ten a row.
 */
function str(value: string): string {
  return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
}

function quoted(value: string | null): string {
  return value === null ? 'null' : str(value);
}

/**
 * The canonical document of stored fields, with `hash` when given. Written out member by member (in sorted order)
 * rather than through `canonicalJson`, because the stored payload already is canonical text: verifying a million
 * entries then costs no payload parsing. A test holds this equal to `canonicalJson` of the same entry.
 */
function document(f: EntryFields, entryHash: string | undefined): string {
  return (
    `{"actor":${str(f.actor)},"at":${str(f.at)}` +
    (entryHash === undefined ? '' : `,"hash":${str(entryHash)}`) +
    `,"kind":${str(f.kind)},"payload":${f.payload},"prev":${str(f.prev_hash)},"seq":${f.seq}` +
    `,"subject":{"filename":${quoted(f.filename)},"project":${quoted(f.project)},"sha256":${quoted(f.sha256)},"version":${quoted(f.version)}}}`
  );
}

/** The bytes (as a string, to be UTF-8 encoded) that an entry's hash covers. */
export function canonicalEntry(f: EntryFields): string {
  return document(f, undefined);
}

export function entryHash(f: EntryFields): string {
  return hash('sha256', document(f, undefined), 'hex');
}

/** An entry as one line of `gatehouse log export`: its canonical document with its hash, no newline. */
export function exportLine(row: DecisionLogTable): string {
  return document(row, row.hash);
}

export function entryFromRow(row: DecisionLogTable): LogEntry {
  return {
    seq: row.seq,
    at: row.at,
    kind: row.kind,
    actor: row.actor,
    subject: { project: row.project, version: row.version, filename: row.filename, sha256: row.sha256 },
    payload: JSON.parse(row.payload) as JsonObject,
    prev: row.prev_hash,
    hash: row.hash,
  };
}

export function formatHead(head: LogHead): string {
  return `${head.count}:${head.hash}`;
}

/** Reads `COUNT:HASH` as `gatehouse log head` prints it; `source` names where it came from for the error. */
export function parseHead(text: string, source: string): LogHead {
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(text.trim());
  if (!m) throw new InvalidInputError('log.head-format', `${source} must be COUNT:HASH as \`gatehouse log head\` prints it (64 lowercase hex digits), not ${JSON.stringify(text)}`);
  const head = { count: Number(m[1]), hash: m[2]! };
  if (head.count === 0 && head.hash !== GENESIS_HASH) throw new InvalidInputError('log.head-format', `${source}: an empty log's head hash is 64 zeros`);
  return head;
}
