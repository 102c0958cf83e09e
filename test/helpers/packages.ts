/**
 * Builds real Python distributions for tests with `python -m build` (Debian's
 * python3-build, no network: --no-isolation with the system setuptools).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The interpreter that has `build` and setuptools (Debian's, not pyenv's). */
export const BUILD_PYTHON = '/usr/bin/python3';

export interface BuiltProject {
  dir: string;
  wheel: string;
  sdist: string;
}

/** Writes a setuptools project with one module and builds its wheel and sdist. */
export async function buildProject(options: {
  name: string;
  version: string;
  module?: string;
  code?: string;
  requiresPython?: string;
}): Promise<BuiltProject> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-pkg-'));
  const module = options.module ?? options.name.replace(/[-.]/g, '_').toLowerCase();
  await mkdir(join(dir, 'src', module), { recursive: true });
  await writeFile(join(dir, 'src', module, '__init__.py'), options.code ?? `VERSION = ${JSON.stringify(options.version)}\n`);
  await writeFile(
    join(dir, 'pyproject.toml'),
    [
      '[build-system]',
      'requires = ["setuptools"]',
      'build-backend = "setuptools.build_meta"',
      '',
      '[project]',
      `name = ${JSON.stringify(options.name)}`,
      `version = ${JSON.stringify(options.version)}`,
      'description = "A package built by the Gatehouse test suite"',
      options.requiresPython ? `requires-python = ${JSON.stringify(options.requiresPython)}` : '',
      '',
    ].join('\n'),
  );
  const outdir = join(dir, 'dist');
  try {
    await run(BUILD_PYTHON, ['-m', 'build', '--no-isolation', '--outdir', outdir, dir], { cwd: dir, timeout: 120_000 });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string };
    throw new Error(`python -m build failed for ${options.name} ${options.version}: ${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
  const files = await readdir(outdir);
  const wheel = files.find((f) => f.endsWith('.whl'));
  const sdist = files.find((f) => f.endsWith('.tar.gz'));
  if (!wheel || !sdist) throw new Error(`python -m build produced ${files.join(', ')}`);
  return { dir, wheel: join(outdir, wheel), sdist: join(outdir, sdist) };
}

/** Environment for pip that ignores this machine's global pip config and find-links. */
export function isolatedPipEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1', ...extra };
  delete env.PIP_FIND_LINKS;
  delete env.PIP_INDEX_URL;
  delete env.PIP_EXTRA_INDEX_URL;
  return env;
}

export async function runCommand(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(cmd, args, { env: options.env ?? process.env, cwd: options.cwd, timeout: options.timeoutMs ?? 180_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
