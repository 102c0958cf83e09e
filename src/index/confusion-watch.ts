/**
 * Dependency-confusion alerts: an upstream that has a project named like a hosted or reserved one. Hosted and
 * reserved names are never looked up upstream (gateway-index.ts), so this is learnt without asking for them: from
 * pages the cache fetched before a name became hosted, and from each upstream's own list of projects (its root
 * page), read on a schedule and compared here. The internal names never leave the gateway.
 */
import { normalizeName } from '../pep/name.js';
import type { HostedStore } from '../store/hosted.js';
import type { UpstreamAlertStore, UpstreamPageStore } from '../store/proxy-cache.js';
import { reservedBy } from './gateway-index.js';
import type { UpstreamSource } from './upstream-source.js';

export interface ConfusionAlert {
  project: string;
  upstream: string;
  kind: 'hosted' | 'reserved';
  /** True the first time this upstream is seen with this name. */
  first: boolean;
  /** How it was found: a cached page, or the upstream's project list. */
  via: 'cached-page' | 'project-list';
}

export interface ScanResult {
  upstream: string;
  listed: number;
  alerts: number;
  error?: string;
}

export class ConfusionWatch {
  constructor(
    private readonly upstreams: readonly UpstreamSource[],
    private readonly reserved: readonly string[],
    private readonly stores: { hosted: HostedStore; upstreamPages: UpstreamPageStore; alerts: UpstreamAlertStore },
    private readonly onAlert: (alert: ConfusionAlert) => void,
  ) {}

  /** A hosted project changed: an upstream page cached under its name before it was hosted is a collision. */
  async hostedChanged(project: string): Promise<void> {
    for (const upstream of await this.stores.upstreamPages.upstreamsWith(project)) {
      const first = await this.stores.alerts.record(project, upstream, 'hosted');
      if (first) this.onAlert({ project, upstream, kind: 'hosted', first, via: 'cached-page' });
    }
  }

  /** Reads each upstream's project list and records every hosted or reserved name on it. */
  async scan(): Promise<ScanResult[]> {
    const hosted = new Set(await this.stores.hosted.projectNames().then((names) => names.map(normalizeName)));
    if (hosted.size === 0 && this.reserved.length === 0) return [];
    const results: ScanResult[] = [];
    for (const source of this.upstreams) {
      try {
        const names = await source.client.fetchProjectList();
        let alerts = 0;
        for (const listed of names) {
          const project = normalizeName(listed);
          const kind = hosted.has(project) ? 'hosted' : reservedBy(project, this.reserved) !== undefined ? 'reserved' : null;
          if (kind === null) continue;
          alerts++;
          const first = await this.stores.alerts.record(project, source.name, kind);
          this.onAlert({ project, upstream: source.name, kind, first, via: 'project-list' });
        }
        results.push({ upstream: source.name, listed: names.length, alerts });
      } catch (err) {
        results.push({ upstream: source.name, listed: 0, alerts: 0, error: (err as Error).message });
      }
    }
    return results;
  }
}
