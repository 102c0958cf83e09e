/**
 * The OSV record, as far as Gatehouse reads it (OSV schema 1.x,
 * https://ossf.github.io/osv-schema/). Validation is structural: a record that
 * lacks `id`, `modified` or a well-formed `affected` list is refused with the
 * field that is wrong, so an update never half-imports a broken file.
 */
import { InvalidAdvisoryError } from './errors.js';

export type OsvEvent = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

export interface OsvRange {
  type: string;
  repo?: string;
  events: OsvEvent[];
}

export interface OsvAffected {
  package?: { ecosystem: string; name: string; purl?: string };
  ranges?: OsvRange[];
  versions?: string[];
  database_specific?: Record<string, unknown>;
  ecosystem_specific?: Record<string, unknown>;
}

export interface OsvSeverity {
  type: string;
  score: string;
}

export interface OsvRecord {
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  related?: string[];
  summary?: string;
  details?: string;
  severity?: OsvSeverity[];
  affected?: OsvAffected[];
  references?: Array<{ type: string; url: string }>;
  database_specific?: Record<string, unknown>;
}

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function stringList(x: unknown, what: string, id: string): string[] | undefined {
  if (x === undefined) return undefined;
  if (!Array.isArray(x) || x.some((s) => typeof s !== 'string')) {
    throw new InvalidAdvisoryError(`${id}: ${what} must be a list of strings`);
  }
  return x as string[];
}

function optionalString(x: unknown, what: string, id: string): string | undefined {
  if (x === undefined || x === null) return undefined;
  if (typeof x !== 'string') throw new InvalidAdvisoryError(`${id}: ${what} must be a string`);
  return x;
}

function parseEvent(x: unknown, id: string): OsvEvent {
  if (!isObject(x)) throw new InvalidAdvisoryError(`${id}: a range event must be an object`);
  const keys = Object.keys(x);
  const key = keys[0];
  if (keys.length !== 1 || !EVENT_KEYS.includes(key as (typeof EVENT_KEYS)[number])) {
    throw new InvalidAdvisoryError(`${id}: a range event has exactly one of ${EVENT_KEYS.join(', ')}`);
  }
  const value = x[key as string];
  if (typeof value !== 'string') throw new InvalidAdvisoryError(`${id}: event ${key} must be a string`);
  return { [key as string]: value } as OsvEvent;
}

function parseAffected(x: unknown, id: string): OsvAffected {
  if (!isObject(x)) throw new InvalidAdvisoryError(`${id}: affected[] entries must be objects`);
  const out: OsvAffected = {};
  if (x.package !== undefined) {
    const p = x.package;
    if (!isObject(p) || typeof p.name !== 'string' || typeof p.ecosystem !== 'string') {
      throw new InvalidAdvisoryError(`${id}: affected[].package needs a name and an ecosystem`);
    }
    out.package = { ecosystem: p.ecosystem, name: p.name, purl: optionalString(p.purl, 'purl', id) };
  }
  if (x.ranges !== undefined) {
    if (!Array.isArray(x.ranges)) throw new InvalidAdvisoryError(`${id}: affected[].ranges must be a list`);
    out.ranges = x.ranges.map((r: unknown) => {
      if (!isObject(r) || typeof r.type !== 'string' || !Array.isArray(r.events)) {
        throw new InvalidAdvisoryError(`${id}: a range needs a type and a list of events`);
      }
      return { type: r.type, repo: optionalString(r.repo, 'repo', id), events: r.events.map((e) => parseEvent(e, id)) };
    });
  }
  out.versions = stringList(x.versions, 'affected[].versions', id);
  if (isObject(x.database_specific)) out.database_specific = x.database_specific;
  if (isObject(x.ecosystem_specific)) out.ecosystem_specific = x.ecosystem_specific;
  return out;
}

/** Checks that `x` is an OSV record and returns it typed. */
export function parseOsvRecord(x: unknown): OsvRecord {
  if (!isObject(x)) throw new InvalidAdvisoryError('an advisory must be a JSON/YAML object');
  if (typeof x.id !== 'string' || x.id.length === 0) throw new InvalidAdvisoryError('an advisory needs an `id`');
  const id = x.id;
  if (typeof x.modified !== 'string') throw new InvalidAdvisoryError(`${id}: \`modified\` must be a string`);
  const record: OsvRecord = {
    id,
    modified: x.modified,
    published: optionalString(x.published, 'published', id),
    withdrawn: optionalString(x.withdrawn, 'withdrawn', id),
    aliases: stringList(x.aliases, 'aliases', id),
    related: stringList(x.related, 'related', id),
    summary: optionalString(x.summary, 'summary', id),
    details: optionalString(x.details, 'details', id),
  };
  if (x.severity !== undefined) {
    if (!Array.isArray(x.severity)) throw new InvalidAdvisoryError(`${id}: severity must be a list`);
    record.severity = x.severity.map((s: unknown) => {
      if (!isObject(s) || typeof s.type !== 'string' || typeof s.score !== 'string') {
        throw new InvalidAdvisoryError(`${id}: severity entries need a type and a score`);
      }
      return { type: s.type, score: s.score };
    });
  }
  if (x.affected !== undefined) {
    if (!Array.isArray(x.affected)) throw new InvalidAdvisoryError(`${id}: affected must be a list`);
    record.affected = x.affected.map((a) => parseAffected(a, id));
  }
  if (x.references !== undefined) {
    if (!Array.isArray(x.references)) throw new InvalidAdvisoryError(`${id}: references must be a list`);
    record.references = x.references.filter(
      (r): r is { type: string; url: string } => isObject(r) && typeof r.type === 'string' && typeof r.url === 'string',
    );
  }
  if (isObject(x.database_specific)) record.database_specific = x.database_specific;
  return record;
}
