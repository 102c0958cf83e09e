/** What the sandbox benchmarks share: /opt/pypi served as the build dependencies' index, the host, a cache, packing a tree as an sdist. */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Index {
  url: string;
  stop(): void;
}

export async function serveIndex(root = '/opt/pypi'): Promise<Index> {
  if (!existsSync(join(root, 'simple'))) {
    console.error(`${root}/simple is missing: the benchmark needs the real wheels of the build backends`);
    process.exit(2);
  }
  // Its own process group: `python3` may be a shim that forks the interpreter, and stop() must end both.
  const server = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', root], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  const port = await new Promise<number>((resolve) => {
    let seen = '';
    server.stdout.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = /port (\d+)/.exec(seen);
      if (m) resolve(Number(m[1]));
    });
  });
  const stop = (): void => {
    try {
      process.kill(-server.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.once('exit', stop);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop();
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
  return { url: `http://127.0.0.1:${port}/simple/`, stop };
}

/** A source tree packed the way an sdist is: one top-level NAME-VERSION directory, VCS metadata left out. */
export function packTree(tree: string, stem: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-sdist-'));
  const archive = join(dir, `${stem}.tar.gz`);
  execFileSync('tar', ['-czf', archive, '--exclude=.git', '--exclude=.hg', `--transform=s,^\\.,${stem},`, '-C', tree, '.']);
  return archive;
}

/** A small setuptools project as an sdist: the unit of the start-up benchmark. */
export function smallSdist(name = 'bench-small'): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-small-'));
  const root = join(dir, `${name}-1.0`);
  const files: Record<string, string> = {
    'pyproject.toml': `[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "${name}"\nversion = "1.0"\ndescription = "small"\n`,
    [`${name.replace(/-/g, '_')}/__init__.py`]: 'def hello():\n    return "hello"\n',
    [`${name.replace(/-/g, '_')}/util.py`]: 'X = 1\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const archive = join(dir, `${name}-1.0.tar.gz`);
  execFileSync('tar', ['-czf', archive, '-C', dir, `${name}-1.0`]);
  return archive;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function argValue(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}
