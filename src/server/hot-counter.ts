/**
 * A Prometheus counter for the paths every request takes. prom-client's `inc(labels)` builds and hashes a label
 * string on each call, which was a tenth of what serving a cached page allocated. Here each label set is counted
 * in a plain number, found through a map per label of its values, and added to the prom-client counter when the
 * registry is read (a scrape): the exposition is prom-client's, with the same name, labels and values.
 *
 * Label values must come from small sets (routes, methods, status codes, upstream names): every set seen is kept.
 */
import { Counter, type Registry } from 'prom-client';

interface Tally {
  labels: Record<string, string>;
  count: number;
}

type Level = Map<string, Level | Tally>;

export class HotCounter<L extends string> {
  readonly counter: Counter<L>;
  private readonly labelNames: readonly L[];
  private readonly root: Level = new Map();
  private readonly tallies: Tally[] = [];

  constructor(config: { name: string; help: string; labelNames: readonly L[]; registers: Registry[] }) {
    if (config.labelNames.length < 1 || config.labelNames.length > 3) throw new Error(`${config.name}: a hot counter has one to three labels`);
    this.labelNames = config.labelNames;
    const tallies = this.tallies;
    this.counter = new Counter<L>({
      ...config,
      collect() {
        for (const tally of tallies) {
          if (tally.count === 0) continue;
          this.inc(tally.labels as Partial<Record<L, string>>, tally.count);
          tally.count = 0;
        }
      },
    });
  }

  /** Counts one for the label values given in `labelNames` order. */
  inc(first: string, second?: string, third?: string): void {
    let level = this.root;
    let key = first;
    if (this.labelNames.length > 1) {
      level = this.next(level, first);
      key = second!;
    }
    if (this.labelNames.length > 2) {
      level = this.next(level, second!);
      key = third!;
    }
    let tally = level.get(key) as Tally | undefined;
    if (tally === undefined) {
      const values = [first, second, third];
      tally = { labels: Object.fromEntries(this.labelNames.map((name, i) => [name, values[i]!])), count: 0 };
      this.tallies.push(tally);
      level.set(key, tally);
    }
    tally.count++;
  }

  private next(level: Level, value: string): Level {
    let below = level.get(value) as Level | undefined;
    if (below === undefined) {
      below = new Map();
      level.set(value, below);
    }
    return below;
  }
}
