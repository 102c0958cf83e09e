/**
 * Builds the index clients see from the configuration: the hosted source, one upstream source per configured
 * upstream (each with its client), the ordered combination, and the proxied files. The server hands in what
 * observes them (metrics, logs) and the gate the policy will decide at.
 */
import type { GatewayConfig } from '../config/gateway.js';
import type { Storage } from '../store/index.js';
import { UpstreamClient, type UpstreamEvents, type UpstreamHealth } from '../upstream/index.js';
import { ConfusionWatch, type ConfusionAlert } from './confusion-watch.js';
import { GatewayIndex } from './gateway-index.js';
import { HostedSource } from './hosted-source.js';
import { ProxiedFiles, type ProxiedFilesObserver } from './proxied-files.js';
import { OPEN_GATE, type ServeGate } from './serve-gate.js';
import { UpstreamSource, type UpstreamSourceObserver } from './upstream-source.js';

export interface GatewayIndexParts {
  index: GatewayIndex;
  files: ProxiedFiles;
  gate: ServeGate;
  confusion: ConfusionWatch;
  health(): UpstreamHealth[];
  close(): Promise<void>;
}

export function createGatewayIndex(
  storage: Storage,
  config: GatewayConfig,
  options: {
    upstreamEvents?: UpstreamEvents;
    sourceObserver?: UpstreamSourceObserver;
    filesObserver?: ProxiedFilesObserver;
    gate?: ServeGate;
    onAlert?: (alert: ConfusionAlert) => void;
    onError?: (err: unknown, what: string) => void;
  } = {},
): GatewayIndexParts {
  const gate = options.gate ?? OPEN_GATE;
  const clients = config.upstreams.map(
    (definition) =>
      new UpstreamClient(definition, {
        ...(options.upstreamEvents ? { events: options.upstreamEvents } : {}),
        userAgent: 'gatehouse (+https://github.com/gatehouse; caching proxy)',
      }),
  );
  const sources = clients.map((client) => new UpstreamSource(client, storage.upstreamPages, storage.cachedFiles, config.proxy, options.sourceObserver));
  const index = new GatewayIndex(new HostedSource(storage.hosted), sources, config.index);
  const files = new ProxiedFiles(index, storage, gate, config.proxy, options.filesObserver);
  const confusion = new ConfusionWatch(sources, config.index.reserved, storage, options.onAlert ?? (() => undefined));
  storage.hosted.onChange((project) => {
    confusion.hostedChanged(project).catch((err: unknown) => options.onError?.(err, `checking ${project} for dependency confusion`));
  });
  return {
    index,
    files,
    gate,
    confusion,
    health: () => clients.map((c) => c.health()),
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}
