/**
 * A pool of scanning threads (scan-worker.ts): the gateway scans uploads and fetched files off its request thread,
 * a few at a time, each thread with the rules loaded once. Jobs queue when every thread is busy.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Finding } from '../finding.js';
import { startModuleWorker } from '../threads.js';

export interface ScanJob {
  id: number;
  /** A local file with the artifact's bytes (a blob, or an upload's temporary file). */
  path: string;
  /** Its distribution file name, which the scanner reads the project and version from. */
  filename: string;
  kind: 'wheel' | 'sdist';
}

export interface ScanOutcome {
  id: number;
  verdict: 'clean' | 'suspicious' | 'malicious' | 'error';
  reasons: string[];
  findings: Finding[];
  /** The core metadata text (METADATA or PKG-INFO), when it could be read. */
  metadata: string | null;
  durationMs: number;
}

/** A scanning thread (scan-worker.ts). */
function startWorker(): Worker {
  return startModuleWorker('analyze/scan-worker');
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

export class ScanPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Array<{ job: ScanJob; resolve: (o: ScanOutcome) => void; reject: (e: Error) => void }> = [];
  private readonly waiting = new Map<number, { resolve: (o: ScanOutcome) => void; reject: (e: Error) => void; slot: Slot }>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly size = Math.max(1, Math.min(2, availableParallelism() - 1))) {}

  /** Scans one artifact. */
  scan(path: string, filename: string, kind: 'wheel' | 'sdist'): Promise<ScanOutcome> {
    if (this.closed) return Promise.reject(new Error('the scan pool is closed'));
    const job: ScanJob = { id: this.nextId++, path, filename, kind };
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const next = this.queue.shift()!;
      slot.busy = true;
      this.waiting.set(next.job.id, { resolve: next.resolve, reject: next.reject, slot });
      slot.worker.postMessage(next.job);
    }
  }

  private spawn(): Slot {
    const worker = startWorker();
    const slot: Slot = { worker, busy: false };
    worker.unref();
    worker.on('message', (outcome: ScanOutcome) => {
      const entry = this.waiting.get(outcome.id);
      if (!entry) return;
      this.waiting.delete(outcome.id);
      entry.slot.busy = false;
      entry.resolve(outcome);
      this.dispatch();
    });
    const fail = (err: Error) => {
      // A thread that died takes its jobs with it: fail them, and let the next job start a new thread.
      this.slots.splice(this.slots.indexOf(slot), 1);
      for (const [id, entry] of this.waiting) {
        if (entry.slot !== slot) continue;
        this.waiting.delete(id);
        entry.reject(err);
      }
      if (!this.closed) this.dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (code !== 0 && this.slots.includes(slot)) fail(new Error(`a scanning thread exited with ${code}`));
    });
    this.slots.push(slot);
    return slot;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.reject(new Error('the scan pool is closed'));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }
}
