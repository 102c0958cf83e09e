/**
 * What the sandbox build tests share: /opt/pypi served as a real PEP 503 index by `python3 -m http.server` on
 * 127.0.0.1 (the build dependencies' upstream), a cache of fetched wheels and build environments kept between
 * runs (keyed by content, so reuse is safe), and sdists written on the fly.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SandboxHost } from '../../src/sandbox/host.js';
import { host } from './helpers.js';

export const PYPI = '/opt/pypi';

export interface StaticIndex {
  url: string;
  stop(): void;
}

/** /opt/pypi over HTTP; fails loudly when it is missing. */
export async function serveOptPypi(): Promise<StaticIndex> {
  if (!existsSync(join(PYPI, 'simple'))) throw new Error(`${PYPI}/simple is missing: these tests need the real wheels of setuptools, hatchling, flit_core… there`);
  // Its own process group: `python3` may be a shim that forks the interpreter, and stop() must end both.
  const server = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', PYPI], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`http.server did not start: ${seen}`)), 15_000);
    server.stdout.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = /port (\d+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    server.on('exit', (code) => reject(new Error(`http.server exited ${code}: ${seen}`)));
  });
  server.stderr.resume();
  const stop = (): void => {
    try {
      process.kill(-server.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.once('exit', stop);
  return { url: `http://127.0.0.1:${port}/simple/`, stop };
}

/** Fetched wheels and build environments, kept across test runs. */
export const sharedCache = join(tmpdir(), 'gatehouse-sandbox-test-cache');

export interface BuildFixture {
  host: SandboxHost;
  index: StaticIndex;
  cacheDir: string;
  outDir: string;
}

export async function buildFixture(): Promise<BuildFixture> {
  const h = await host();
  const index = await serveOptPypi();
  mkdirSync(sharedCache, { recursive: true });
  return { host: h, index, cacheDir: sharedCache, outDir: mkdtempSync(join(tmpdir(), 'gatehouse-built-')) };
}

/** A setuptools project, with `setup.py` as given, packed as NAME-VERSION.tar.gz. */
export function makeSdist(options: { name: string; version?: string; setupPy: string; files?: Record<string, string>; pyproject?: string }): string {
  const version = options.version ?? '1.0';
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sdist-'));
  const root = `${options.name}-${version}`;
  const module = options.name.replace(/[-.]/g, '_');
  const files: Record<string, string> = {
    'pyproject.toml': options.pyproject ?? '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
    'setup.py': options.setupPy,
    'PKG-INFO': `Metadata-Version: 2.1\nName: ${options.name}\nVersion: ${version}\n`,
    [`${module}/__init__.py`]: 'VALUE = 1\n',
    ...options.files,
  };
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir, root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  const archive = join(dir, `${root}.tar.gz`);
  execFileSync('tar', ['-czf', archive, '-C', dir, root]);
  return archive;
}

/** A setup.py that runs `payload` (Python source) and then calls setup(). */
export function setupRunning(payload: string, name: string): string {
  return `from setuptools import setup\n${payload}\nsetup(name=${JSON.stringify(name)}, version="1.0", packages=[${JSON.stringify(name.replace(/[-.]/g, '_'))}])\n`;
}
