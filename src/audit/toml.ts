/** TOML input with errors that name the file (lock files and pyproject.toml are TOML 1.0). */
import { parse, TomlError } from 'smol-toml';
import { AuditInputError } from './errors.js';

export type TomlTable = Record<string, unknown>;

export function parseTomlFile(text: string, origin: string): TomlTable {
  try {
    return parse(text) as TomlTable;
  } catch (err) {
    const detail = err instanceof TomlError ? err.message.split('\n')[0] : String(err);
    throw new AuditInputError(`${origin} is not valid TOML: ${detail}`, { cause: err });
  }
}

export function tables(value: unknown): TomlTable[] {
  return Array.isArray(value) ? value.filter((x): x is TomlTable => typeof x === 'object' && x !== null && !Array.isArray(x)) : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function table(value: unknown): TomlTable | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as TomlTable) : undefined;
}
