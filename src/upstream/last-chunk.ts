/**
 * An undici interceptor that never pauses a response on the chunk that ends its body.
 *
 * Why: undici 7 (the last line that runs on Node 20) crashes the whole process with an uncatchable
 * `AssertionError: assert(!this.paused)` when the upstream closes the connection after a response (HTTP/1.0, as
 * python's http.server does, or `Connection: close`) while the reader applied backpressure on the body's last
 * chunk: the socket's end finds the parser paused (nodejs/undici#5360, fixed in undici 8, which needs Node 22).
 * Any reader slower than the network meets it: a file written to disk while it is hashed does.
 *
 * A pause on any earlier chunk is harmless, since more bytes are still to come and the socket cannot end before
 * they are read; so backpressure holds for all but the last chunk, which the reader then buffers (one chunk).
 * A body that runs until the connection closes (no Content-Length, not chunked) has no known last chunk, and is
 * never paused: its reader buffers what it has not read yet. Chunked bodies end with a terminator that arrives
 * after their data, and are paused as usual.
 */
import type { Dispatcher } from 'undici';

type Controller = Dispatcher.DispatchController;

/** Bytes still to come: a number, `'chunked'` (paused as usual) or `'until-close'` (never paused). */
type Remaining = number | 'chunked' | 'until-close';

function framing(headers: Record<string, string | string[] | undefined>): Remaining {
  const encoding = headers['transfer-encoding'];
  if (encoding !== undefined && String(encoding).toLowerCase().includes('chunked')) return 'chunked';
  const length = headers['content-length'];
  const text = Array.isArray(length) ? length[0] : length;
  return text !== undefined && /^\d+$/.test(text.trim()) ? Number(text) : 'until-close';
}

class LastChunkHandler implements Dispatcher.DispatchHandler {
  private remaining: Remaining = 'chunked';
  private outer: Controller | undefined;
  private readonly controller: Controller;

  constructor(private readonly handler: Dispatcher.DispatchHandler) {
    const self = this;
    this.controller = {
      get aborted() {
        return self.outer?.aborted ?? false;
      },
      get paused() {
        return self.outer?.paused ?? false;
      },
      get reason() {
        return self.outer?.reason ?? null;
      },
      abort: (reason: Error) => self.outer?.abort(reason),
      pause: () => {
        if (self.remaining === 'chunked' || (typeof self.remaining === 'number' && self.remaining > 0)) self.outer?.pause();
      },
      resume: () => self.outer?.resume(),
    };
  }

  private use(controller: Controller): Controller {
    this.outer = controller;
    return this.controller;
  }

  onRequestStart(controller: Controller, context: unknown): void {
    this.handler.onRequestStart?.(this.use(controller), context);
  }

  onRequestUpgrade(controller: Controller, statusCode: number, headers: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>[2], socket: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>[3]): void {
    this.handler.onRequestUpgrade?.(this.use(controller), statusCode, headers, socket);
  }

  onResponseStart(controller: Controller, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    this.remaining = framing(headers);
    this.handler.onResponseStart?.(this.use(controller), statusCode, headers, statusMessage);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (typeof this.remaining === 'number') this.remaining -= chunk.length;
    this.handler.onResponseData?.(this.use(controller), chunk);
  }

  onResponseEnd(controller: Controller, trailers: Record<string, string | string[] | undefined>): void {
    this.handler.onResponseEnd?.(this.use(controller), trailers);
  }

  onResponseError(controller: Controller, error: Error): void {
    this.handler.onResponseError?.(this.use(controller), error);
  }
}

/** For `dispatcher.compose(...)`: every response's last chunk flows on whatever its reader's backpressure. */
export const neverPauseLastChunk: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) => dispatch(options, new LastChunkHandler(handler));
