/**
 * Where the files that ship with Gatehouse are (package.json, data/, rules/): next to the package.json of the
 * package this code belongs to. Found by walking up from this module, so the same code works from src/ (tsx),
 * from the bundle in dist/ and from an installed package, whatever the depth of the file that asks.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The directory holding Gatehouse's package.json. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  const self = fileURLToPath(import.meta.url);
  let dir = dirname(self);
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find Gatehouse's package.json in any directory above ${self}`);
    dir = parent;
  }
  return (root = dir);
}

/** A path inside the package: `shippedPath('data', 'osv')`. */
export function shippedPath(...segments: string[]): string {
  return join(packageRoot(), ...segments);
}
