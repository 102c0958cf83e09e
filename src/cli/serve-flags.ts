/**
 * The Node flags a long-running gateway runs with: `npm start` passes them (package.json, checked against this list by
 * test/cli/serve-flags.test.ts), and `gatehouse serve` warns when it was started without them. They can only be given
 * when the process starts: `NODE_OPTIONS` refuses the second, and `v8.setFlagsFromString` afterwards has no effect.
 *
 * - `--max-semi-space-size=2`: V8's young generation otherwise grows to 16 MiB semi-spaces under the allocation rate of
 *   a streaming file and stays there (~+25 MiB of RSS); the 274 MB wheel's peak stays under 150 MiB with it. Its
 *   price is collections: a warm page's allocations fill a small young generation often, so what the page path
 *   allocates per request is kept small (benchmark (a): 0.59 of a bare node:http server with these flags).
 * - `--initial-old-space-size=64`: with a live heap of ~22 MB, V8 sets the old generation's limit only ~10 MB above it
 *   once it has had its first full collection, and a large file streaming through (its dead 64 KiB socket buffers)
 *   keeps reaching that limit: a full mark-compact every 100-200 ms, 11-16 of them for the 274 MB wheel, their
 *   concurrent marking on V8's worker threads costing about as much CPU as everything else the gateway does for the
 *   file. With a 64 MB floor under the limit there are none or one: 6.1 -> 4.8 CPU s/GB cold, 3.0 -> 1.2 cached, for
 *   ~5 MiB more RSS (docs/benchmarks.md, "A gateway that has been running").
 */
export const SERVE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--initial-old-space-size=64'];

/** The flags of SERVE_NODE_FLAGS this process was started without (`process.execArgv`). */
export function missingServeFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return SERVE_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}
