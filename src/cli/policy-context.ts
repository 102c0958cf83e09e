/** Opens what the policy commands work on: the storage, the policy in force (as the gateway reads it) and its judge. */
import type { Judge } from '../policy/judge.js';
import type { PolicyState } from '../policy/policy-state.js';
import type { Storage } from '../store/index.js';
import { withStorage, type GatewayOptions } from './gateway-options.js';

export async function withJudge<T>(opts: GatewayOptions, work: (judge: Judge, storage: Storage, state: PolicyState) => Promise<T>): Promise<T> {
  return withStorage(opts, async (storage, config) => {
    const [{ PolicyState }, { Judge }, { ScanPool }] = await Promise.all([
      import('../policy/policy-state.js'),
      import('../policy/judge.js'),
      import('../analyze/scan-pool.js'),
    ]);
    const state = await PolicyState.open({ configFile: config.configFile, dataDir: config.dataDir });
    const scans = new ScanPool();
    try {
      return await work(new Judge(state, storage.decisions, scans), storage, state);
    } finally {
      state.close();
      await scans.close();
    }
  });
}
