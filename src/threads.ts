/**
 * Worker threads running one of Gatehouse's own modules: from the bundle in dist/ when this code runs bundled, or
 * from src/ through tsx's loader when it runs from source (tests, development), which a thread does not inherit.
 * Each module started this way is an entry point of its own in scripts/build.mjs.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { packageRoot } from './paths.js';

/** Starts a thread on `module`, a path under src/ without its extension (`analyze/scan-worker`). */
export function startModuleWorker(module: string): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(join(packageRoot(), 'dist', `${module}.js`));
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = pathToFileURL(join(packageRoot(), 'src', `${module}.ts`)).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, { eval: true });
}
