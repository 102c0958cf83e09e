/**
 * Runs Python scripts as reference oracles (for example `packaging`), feeding
 * JSON lines on stdin and reading JSON lines back. Fails loudly when python3 or
 * the module is missing: an oracle test that silently passes proves nothing.
 */
import { spawnSync } from 'node:child_process';

export function runPythonJsonLines(script: string, inputs: unknown[], python = 'python3'): unknown[] {
  const r = spawnSync(python, [script], {
    input: inputs.map((x) => JSON.stringify(x)).join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (r.error) throw new Error(`cannot run ${python} ${script}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${python} ${script} exited ${r.status}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as unknown);
}
