/**
 * What the driver (python/driver.py) hands back on file descriptor 3: one JSON line, then `payload_bytes` bytes
 * (the wheel). It comes from inside the sandbox, after the package's own code ran in the same process, so it is
 * read as untrusted input: sizes checked, every field's type checked, anything else refused with the reason.
 */
import { shippedPath } from '../paths.js';

export const driverSource = shippedPath('src', 'sandbox', 'python', 'driver.py');
/** The Windows stand-ins a lenient run (the dynamic check) puts on; bound at PERSONA_DIR. */
export const personaSource = shippedPath('src', 'sandbox', 'python', 'windows_persona.py');

export interface DriverBuildResult {
  mode: 'build';
  status: 'built' | 'failed' | 'missing-requirements';
  stage?: string;
  error?: string;
  buildSystem?: { requires: string[]; backend: string; backendPath: string[] };
  requiresForBuild?: string[];
  missing?: string[];
  preparedMetadata?: string;
  wheel?: string;
  payload: Buffer;
}

export interface DriverImportResult {
  mode: 'import';
  status: 'imported' | 'failed';
  stage?: string;
  error?: string;
  imports: { module: string; ok: boolean; error?: string }[];
}

/** Why a result could not be read: the run ended without one, or handed back something malformed. */
export class DriverResultError extends Error {}

const maxHeaderBytes = 4 * 1024 * 1024;

function strings(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new DriverResultError(`${what} is not a list of strings`);
  return value as string[];
}

function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new DriverResultError(`${what} is not a string`);
  return value;
}

function header(raw: Buffer): { fields: Record<string, unknown>; payload: Buffer } {
  if (raw.length === 0) throw new DriverResultError('the run ended without handing back a result');
  const newline = raw.indexOf(0x0a);
  if (newline < 0 || newline > maxHeaderBytes) throw new DriverResultError('the result has no header line');
  let fields: unknown;
  try {
    fields = JSON.parse(raw.subarray(0, newline).toString('utf8'));
  } catch {
    throw new DriverResultError('the result header is not JSON');
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new DriverResultError('the result header is not an object');
  const f = fields as Record<string, unknown>;
  const payload = raw.subarray(newline + 1);
  if (f.payload_bytes !== payload.length) throw new DriverResultError(`the result announced ${String(f.payload_bytes)} bytes and carried ${payload.length}`);
  return { fields: f, payload };
}

export function readBuildResult(raw: Buffer): DriverBuildResult {
  const { fields: f, payload } = header(raw);
  if (f.mode !== 'build' || !['built', 'failed', 'missing-requirements'].includes(f.status as string)) throw new DriverResultError('the result is not a build result');
  const result: DriverBuildResult = { mode: 'build', status: f.status as DriverBuildResult['status'], payload };
  const stage = optionalString(f.stage, 'stage');
  if (stage !== undefined) result.stage = stage;
  const error = optionalString(f.error, 'error');
  if (error !== undefined) result.error = error;
  if (f.build_system !== undefined) {
    const b = f.build_system as Record<string, unknown>;
    const backend = optionalString(b?.backend, 'build-backend');
    result.buildSystem = { requires: strings(b?.requires, 'requires'), backend: backend ?? '', backendPath: strings(b?.backend_path ?? [], 'backend-path') };
  }
  if (f.requires_for_build !== undefined) result.requiresForBuild = strings(f.requires_for_build, 'requires_for_build');
  if (f.missing !== undefined) result.missing = strings(f.missing, 'missing');
  const metadata = optionalString(f.prepared_metadata, 'prepared metadata');
  if (metadata !== undefined) result.preparedMetadata = metadata;
  const wheel = optionalString(f.wheel, 'wheel');
  if (wheel !== undefined) result.wheel = wheel;
  if (result.status === 'built' && (wheel === undefined || payload.length === 0)) throw new DriverResultError('the build said it built a wheel but handed none back');
  return result;
}

export function readImportResult(raw: Buffer): DriverImportResult {
  const { fields: f } = header(raw);
  if (f.mode !== 'import' || !['imported', 'failed'].includes(f.status as string)) throw new DriverResultError('the result is not an import result');
  const imports = f.imports === undefined ? [] : f.imports;
  if (!Array.isArray(imports)) throw new DriverResultError('imports is not a list');
  const result: DriverImportResult = {
    mode: 'import',
    status: f.status as DriverImportResult['status'],
    imports: imports.map((i: unknown) => {
      const o = i as Record<string, unknown>;
      if (typeof o?.module !== 'string' || typeof o.ok !== 'boolean') throw new DriverResultError('an import outcome is malformed');
      const error = optionalString(o.error, 'import error');
      return { module: o.module, ok: o.ok, ...(error !== undefined ? { error } : {}) };
    }),
  };
  const stage = optionalString(f.stage, 'stage');
  if (stage !== undefined) result.stage = stage;
  const error = optionalString(f.error, 'error');
  if (error !== undefined) result.error = error;
  return result;
}
