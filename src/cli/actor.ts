/** Who a command run on the gateway's host acts as, in the decision log: the operating system user. */
import { userInfo } from 'node:os';
import { cliActor } from '../store/decision-log/index.js';

export function currentCliActor(): string {
  try {
    return cliActor(userInfo().username);
  } catch {
    // A uid with no passwd entry (some containers): still a command run on the host.
    return cliActor(String(process.getuid?.() ?? 'unknown'));
  }
}
