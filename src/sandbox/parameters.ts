/** The sandbox's set-up as a record: what a build ran in, for its log and its provenance statement. */
import type { SandboxHost } from './host.js';
import { UID } from './layout.js';
import type { SandboxLimits } from './limits.js';
import type { Enforcement } from './run.js';

export interface SandboxParameters {
  isolation: string;
  tracer: string;
  namespaces: string[];
  network: string;
  filesystem: string;
  uid: number;
  capabilities: string;
  python: { implementation: string; version: string; executable: string };
  limits: SandboxLimits;
  enforcement: Enforcement;
}

export function sandboxParameters(host: SandboxHost, limits: SandboxLimits, enforcement: Enforcement): SandboxParameters {
  return {
    isolation: `bubblewrap ${host.versions.bubblewrap}`,
    tracer: `strace ${host.versions.strace}`,
    namespaces: ['user', 'mount', 'pid', 'network', 'ipc', 'uts', 'cgroup'],
    network: 'none (a loopback of its own; DNS questions go to it unanswered)',
    filesystem: 'system read-only; writable tmpfs for the work tree, HOME and /tmp of the disk limit',
    uid: UID,
    capabilities: 'none; nested user namespaces disabled',
    python: { implementation: host.python.implementation, version: host.python.version, executable: host.python.executable },
    limits,
    enforcement,
  };
}
