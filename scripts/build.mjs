#!/usr/bin/env node
/**
 * Builds the shipped `gatehouse` command: src/cli/main.ts bundled by esbuild into dist/cli/main.js, with each
 * module that a command loads lazily (`await import(…)`) split into dist/chunks/, so a command loads only what it
 * runs. npm packages stay outside the bundle (imported from node_modules, as installed).
 *
 * One bundled entry instead of tsc's one file per module: resolving and compiling ~100 small ES modules was a
 * fifth of a `gatehouse audit` (docs/benchmarks.md). Type checking is `npm run typecheck` (tsc), run before this by
 * `npm run build`.
 *
 *   node scripts/build.mjs [--outdir DIR]
 */
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const { dependencies } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
/** Bundled in: the command-line parser every command starts with (CommonJS, so loading it from node_modules costs a CommonJS loader). */
const bundled = new Set(['commander']);
const at = process.argv.indexOf('--outdir');
const outdir = resolve(at > 0 ? process.argv[at + 1] : resolve(root, 'dist'));

rmSync(outdir, { recursive: true, force: true }); // no stale chunks from an earlier build
await build({
  absWorkingDir: root,
  // Threads are entries of their own: a Worker loads each by path (src/threads.ts).
  entryPoints: ['src/cli/main.ts', 'src/analyze/scan-worker.ts'],
  outbase: 'src',
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: Object.keys(dependencies).filter((name) => !bundled.has(name)),
  // A CommonJS package bundled into an ES module calls require() for Node's own modules.
  banner: { js: "import { createRequire as gatehouseCreateRequire } from 'node:module';\nconst require = gatehouseCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
