/**
 * Single-flight: callers that ask for the same key while a call for it is running share that call's result (or its
 * error) instead of making their own. A burst of 200 requests for one uncached page makes one upstream request.
 *
 * Only calls in flight are shared; a key is forgotten the moment its call settles, so the next caller starts afresh
 * (what to keep longer is the cache's business). The shared result is the same object for every caller: treat it
 * as read-only.
 */
export class SingleFlight<K, V> {
  private readonly calls = new Map<K, Promise<V>>();

  /** `call()`'s result, shared with every caller of the same key while it runs. */
  run(key: K, call: () => Promise<V>): Promise<V> {
    const running = this.calls.get(key);
    if (running !== undefined) return running;
    // Started in a microtask, so the key is registered before the call can settle, even synchronously.
    const started: Promise<V> = Promise.resolve()
      .then(call)
      .finally(() => {
        if (this.calls.get(key) === started) this.calls.delete(key);
      });
    this.calls.set(key, started);
    return started;
  }

  /** Keys with a call in flight. */
  get size(): number {
    return this.calls.size;
  }
}
