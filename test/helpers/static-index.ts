/**
 * A static directory served by `python3 -m http.server` on 127.0.0.1: the simplest real upstream there is (a PEP
 * 503 tree of files, with Last-Modified and If-Modified-Since, no ETag, no compression, no JSON API). Tests use
 * it with /opt/pypi, the ~900 real PyPI wheels on these machines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface StaticIndex {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

/** Fails loudly when `dir` is missing: a test that needs real data must not pass without it. */
export async function serveDirectory(dir: string): Promise<StaticIndex> {
  if (!existsSync(dir)) throw new Error(`${dir} is missing: this test needs it (see the machine notes in docs)`);
  const child: ChildProcess = spawn('python3', ['-u', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', dir, '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`python3 -m http.server did not start: ${output}`)), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /port (\d+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`python3 -m http.server exited with ${code}: ${output}`));
    });
  });
  // The request log goes to stderr; read it so the pipe never fills.
  child.stderr?.resume();
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) resolve();
        else {
          child.once('exit', () => resolve());
          child.kill();
        }
      }),
  };
}

/**
 * A gatehouse.toml whose one upstream is a static tree at `origin` (no JSON API: asking it for upload times would
 * cost a 404 per page), with the policy's analyzers off: for measuring the proxy itself. The name corpus, the
 * advisory database and the scanning thread each take tens of MB and their own CPU (measured on their own in
 * docs/benchmarks.md), and with no upload times the default cooldown would refuse every file (it fails closed).
 */
export function proxyOnlyConfig(origin: string): string {
  const policyOff = [
    '[policy.names]\ntyposquat = "allow"',
    '[policy.scanner]\nmalicious = "allow"\nsuspicious = "allow"\nerror = "allow"',
    '[policy.vulnerabilities]\nwarn_severity = "none"\nmalware = "allow"',
    '[policy.cooldown]\nminimum_age = "0s"\nunknown_upload_time = "allow"',
  ].join('\n\n');
  return `[[upstream]]\nname = "opt-pypi"\nurl = "${origin}/simple/"\njson_api = false\n\n${policyOff}\n`;
}
