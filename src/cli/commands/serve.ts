/** `gatehouse serve`: runs the gateway. */
import type { Command } from 'commander';
import { addStorageOptions, resolveConfig, type GatewayOptions } from '../gateway-options.js';
import { missingServeFlags, SERVE_NODE_FLAGS } from '../serve-flags.js';

export function registerServeCommand(program: Command): void {
  const cmd = program
    .command('serve')
    .description('Run the gateway: the Simple API for pip/uv/poetry, file downloads, and uploads from twine/poetry.')
    .option('--host <host>', 'address to listen on (env GATEHOUSE_HOST; default 127.0.0.1; 0.0.0.0 for all interfaces)')
    .option('--port <port>', 'port to listen on, 0 for any free port (env GATEHOUSE_PORT; default 8080)')
    .option(
      '--upstream <url>',
      'an upstream index to proxy, asked in the order given; NAME=URL names it (repeatable; env GATEHOUSE_UPSTREAMS, space- or comma-separated; default https://pypi.org/simple/)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--no-upstream', 'serve hosted projects only: no upstream index at all')
    .option('--offline', 'serve only what is cached; never contact an upstream (env GATEHOUSE_OFFLINE=1)');
  addStorageOptions(cmd)
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace', 'info')
    .addHelpText(
      'after',
      `
With no options, serves http://127.0.0.1:8080 with an embedded SQLite database
and files under ./gatehouse-data: your hosted projects, and every other project
from https://pypi.org/simple/, fetched once, checked against its listed sha256,
cached, and served from the cache even when PyPI is down.

Examples:
  gatehouse serve
  gatehouse serve --host 0.0.0.0 --port 8080 --data /var/lib/gatehouse
  gatehouse serve --database postgres://gatehouse@db:5432/gatehouse
  gatehouse serve --upstream mirror=https://devpi.example.com/root/pypi/+simple/ --upstream https://pypi.org/simple/
  gatehouse serve --no-upstream                    # hosted projects only

Then:
  gatehouse token create --project my-lib          # a token for uploads
  twine upload --repository-url http://127.0.0.1:8080/legacy/ -u __token__ -p <token> dist/*
  pip install --index-url http://127.0.0.1:8080/simple/ my-lib

Config file (TOML, --config):
  [server]   host = "0.0.0.0"   port = 8080
  [storage]  data = "/var/lib/gatehouse"   database = "postgres://…"
  [upload]   max_file_size = 104857600     # bytes
  [proxy]    page_ttl = 600   negative_ttl = 120   offline = false
  [index]    reserved = ["acme-*", "internal-tool"]   pinned = { torch = "pytorch" }
  [build]    wheels = "matching"   projects = { idna = "rebuilt" }   concurrency = 1   page_wait = 8
             # which wheel of a proxied release is served: upstream (default), matching (only an
             # upstream pure-Python wheel its sdist rebuilds to in the sandbox), rebuilt (the one built here)
  [[upstream]]  name = "pytorch"  url = "https://download.pytorch.org/whl/cpu/"
                token_env = "PYTORCH_TOKEN"   allowed_file_hosts = ["files.example.com"]

Logs are JSON lines on stdout (pino). SIGINT/SIGTERM stop accepting new
connections, finish the requests in flight, and close the database.`,
    )
    .action(async (opts: GatewayOptions & { logLevel: string; upstream?: string[] | boolean }) => {
      // commander gives --no-upstream as `upstream: false`, and true when neither flag is given.
      if (opts.upstream === true) delete opts.upstream;
      const config = resolveConfig(opts);
      // Loaded here, not at the top: every other command starts without the server stack.
      const [{ buildApp }, { openStorage }] = await Promise.all([import('../../server/app.js'), import('../../store/index.js')]);
      const storage = await openStorage({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
      const app = await buildApp(storage, config, { logger: { level: opts.logLevel } });
      if (storage.sweptTempFiles > 0) {
        app.log.warn({ files: storage.sweptTempFiles }, 'removed temporary files left by an interrupted run');
      }
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        app.log.info({ signal }, 'shutting down: finishing requests in flight');
        await app.close();
        await storage.close();
        app.log.info('stopped');
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
      const address = await app.listen({ host: config.host, port: config.port });
      const upstreams = config.upstreams.map((u) => `${u.name} ${new URL(u.url).origin}${new URL(u.url).pathname}`);
      app.log.info(
        {
          address,
          data: config.dataDir,
          database: `${storage.database.dialect} ${storage.database.location}`,
          upstreams: upstreams.length > 0 ? upstreams : 'none (hosted only)',
          offline: config.proxy.offline,
        },
        `Gatehouse listening on ${address} (index: ${address}/simple/, uploads: ${address}/legacy/); data in ${config.dataDir}`,
      );
      const missing = missingServeFlags();
      if (missing.length > 0) {
        app.log.warn(
          { missing, recommended: SERVE_NODE_FLAGS },
          `started without the Node flags ${missing.join(' ')}: files fetched from an upstream cost about twice the CPU and memory peaks higher. ` +
            `\`npm start\` passes them; otherwise start the gateway as \`node ${SERVE_NODE_FLAGS.join(' ')} dist/cli/main.js serve\``,
        );
      }
    });
}
