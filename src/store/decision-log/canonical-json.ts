/**
 * Canonical JSON: the JSON Canonicalization Scheme of RFC 8785 (JCS). Object members are sorted by their names
 * compared as UTF-16 code units, nothing is written between tokens, and strings and numbers are written the way
 * ECMAScript's `JSON.stringify` writes them (RFC 8785 sections 3.2.2.2 and 3.2.2.3 define them so), encoded as
 * UTF-8. Any JCS library in any language produces the same bytes for the same value, which is what lets someone
 * outside Gatehouse recompute a decision log entry's hash.
 *
 * Values that `JSON.stringify` would quietly change are refused instead, so what is hashed is what was given:
 * NaN and infinities (written as `null`), `undefined` inside arrays (`null`), strings with lone surrogates (RFC 8785
 * refuses them), and objects that are not plain (a `Date` would turn into its `toJSON()` string, a `Map` into `{}`).
 * An object member whose value is `undefined` is left out, as JSON has no such value.
 */
import { InvalidInputError } from '../../errors.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue | undefined;
}

/** Deeper than any decision's inputs go; also ends a cycle with a clear error instead of a stack overflow. */
const MAX_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A value that has no canonical JSON form; `path` names where it sits (`$.findings[2].score`). */
/**
 * A value as plain JSON, for a log payload built from domain objects: members that are undefined dropped, dates as
 * their ISO strings, as JSON.stringify writes them.
 */
export function plainJson<T extends JsonValue = JsonValue>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export class CanonicalJsonError extends InvalidInputError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super('log.payload-not-json', `${path}: ${reason}`);
  }
}

export function canonicalJson(value: unknown): string {
  return write(value, '$', 0);
}

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

function writeString(text: string, path: string): string {
  if (hasLoneSurrogate(text)) throw new CanonicalJsonError(path, 'a string with a lone UTF-16 surrogate has no UTF-8 form');
  return JSON.stringify(text);
}

function write(value: unknown, path: string, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'string':
      return writeString(value, path);
    case 'object': {
      if (depth >= MAX_DEPTH) throw new CanonicalJsonError(path, `nested deeper than ${MAX_DEPTH} levels (or a cycle)`);
      if (Array.isArray(value)) {
        // Indexed, not `map`: a sparse array's holes are `undefined` here, and refused like any other.
        const items: string[] = [];
        for (let i = 0; i < value.length; i++) items.push(write(value[i], `${path}[${i}]`, depth + 1));
        return `[${items.join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
        throw new CanonicalJsonError(path, `a ${name} is not plain JSON data (convert it first, e.g. a Date with toISOString())`);
      }
      const record = value as Record<string, unknown>;
      // Array.prototype.sort without a comparator orders strings by UTF-16 code units, as RFC 8785 section 3.2.3 asks.
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort();
      const members = keys.map((k) => `${writeString(k, `${path} (a member name)`)}:${write(record[k], `${path}.${k}`, depth + 1)}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new CanonicalJsonError(path, `${typeof value} has no JSON form`);
  }
}
