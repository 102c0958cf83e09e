/**
 * A separate process appending to the decision log, for the concurrency tests:
 *   node --import tsx append-log-entries.ts DATA_DIR DATABASE_URL|- COUNT LABEL
 * Opens the storage, prints "ready", waits for a line on stdin so that every process starts at once, appends COUNT
 * entries all in parallel, and prints their sequence numbers as JSON.
 */
import { once } from 'node:events';
import { openStorage } from '../../src/store/index.js';
import { sampleEntries } from './decision-log.js';

const [dataDir, url, count, label] = process.argv.slice(2);
const storage = await openStorage({ dataDir: dataDir!, databaseUrl: url === '-' ? undefined : url });
process.stdout.write('ready\n');
await once(process.stdin, 'data');
const appended = await Promise.all(sampleEntries(Number(count), label).map((e) => storage.decisionLog.append(e)));
process.stdout.write(`${JSON.stringify(appended.map((e) => e.seq))}\n`);
await storage.close();
