/**
 * The command as shipped: `scripts/build.mjs` bundles src/cli/main.ts into `dist/` inside a copy of the package
 * layout (package.json copied; data/, rules/ and node_modules linked), so that the bundle finds what ships next to
 * it. Tests that measure the running gateway (memory) measure this, not a process compiling TypeScript as it loads.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

/** Builds into `<dir>/app` and returns the path of the built `dist/cli/main.js`. */
export function buildShippedCommand(dir: string): string {
  const app = join(dir, 'app');
  mkdirSync(app, { recursive: true });
  cpSync(join(repoRoot, 'package.json'), join(app, 'package.json'));
  for (const shipped of ['data', 'rules', 'node_modules']) symlinkSync(join(repoRoot, shipped), join(app, shipped));
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/build.mjs'), '--outdir', join(app, 'dist')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/build.mjs failed: ${r.stderr}`);
  return join(app, 'dist/cli/main.js');
}
