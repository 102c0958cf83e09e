/**
 * Each limit of the sandbox, reached on purpose and stopped: run by limits-cgroup.test.ts (cgroups, as on these
 * hosts) and limits-rlimit.test.ts (the fallback for hosts without them), so both enforcements are proven.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { host, runPython } from './helpers.js';

export function limitCases(cgroups: boolean): void {
  const label = cgroups ? 'cgroups' : 'rlimits';

  test(`${label}: the enforcement used is the one asked for`, async () => {
    if (cgroups) assert.ok((await host()).cgroups, 'this host must offer cgroups v1 memory, pids and cpuacct (see .ci/run)');
    const out = await runPython('print("hi")', { cgroups });
    assert.equal(out.exitCode, 0, out.output);
    assert.equal(out.output, 'hi\n');
    assert.equal(out.enforcement.memory, cgroups ? 'cgroup' : 'rlimit-as');
    assert.equal(out.enforcement.processes, cgroups ? 'cgroup' : 'watch');
    assert.deepEqual(out.limitsHit, []);
  });

  test(`${label}: a fork bomb is stopped at the process limit`, async () => {
    const started = Date.now();
    const out = await runPython('import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n', { cgroups, limits: { processes: 32, wallTimeMs: 15_000 } });
    assert.deepEqual(out.limitsHit.map((h) => h.limit), ['processes'], JSON.stringify(out.limitsHit));
    assert.match(out.limitsHit[0]!.detail, /more than 32 processes/);
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });

  test(`${label}: sleeping past the time limit is stopped`, async () => {
    const out = await runPython('import time\ntime.sleep(60)\n', { cgroups, limits: { wallTimeMs: 1500 } });
    assert.deepEqual(out.limitsHit.map((h) => h.limit), ['wall-time']);
    assert.equal(out.signal ?? String(out.exitCode), 'SIGKILL');
    assert.ok(out.wallTimeMs < 5000, `took ${out.wallTimeMs} ms`);
  });

  test(`${label}: a busy loop is stopped at the CPU limit`, async () => {
    const out = await runPython('while True:\n    pass\n', { cgroups, limits: { cpuTimeMs: 1000, wallTimeMs: 15_000 } });
    assert.deepEqual(out.limitsHit.map((h) => h.limit), ['cpu-time'], JSON.stringify(out.limitsHit));
    assert.ok(out.wallTimeMs < 8000, `took ${out.wallTimeMs} ms`);
  });

  test(`${label}: memory beyond the limit is not given`, async () => {
    const out = await runPython('x = bytearray(400 * 1024 * 1024)\nprint("allocated", len(x))\n', { cgroups, limits: { memoryBytes: 128 * 1024 ** 2 } });
    assert.doesNotMatch(out.output, /allocated/);
    if (cgroups) assert.deepEqual(out.limitsHit.map((h) => h.limit), ['memory'], JSON.stringify(out.limitsHit));
    else assert.match(out.output, /MemoryError/);
  });

  test(`${label}: filling the disk stops at its size`, async () => {
    const code = 'import os\nwith open("/tmp/fill", "wb") as f:\n    for _ in range(64):\n        f.write(b"x" * 1024 * 1024)\n        f.flush()\n';
    const out = await runPython(code, { cgroups, trace: true, limits: { diskBytes: 16 * 1024 ** 2 } });
    assert.notEqual(out.exitCode, 0);
    assert.deepEqual(out.limitsHit.map((h) => h.limit), ['disk'], JSON.stringify(out.limitsHit));
    assert.match(out.output, /No space left on device|File too large/);
  });

  test(`${label}: a flood of output is cut at the output limit and stopped`, async () => {
    const out = await runPython('import sys\nwhile True:\n    sys.stdout.write("y" * 65536)\n', { cgroups, limits: { outputBytes: 1024 * 1024 } });
    assert.deepEqual(out.limitsHit.map((h) => h.limit), ['output']);
    assert.equal(out.output.length, 1024 * 1024);
  });
}
