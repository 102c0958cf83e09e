#!/usr/bin/env node
// Runs every test file under test/ with Node's own test runner, through tsx.
// Usage: npm test [-- FILTER…]   (a FILTER keeps the test files whose path contains it)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { startTestPostgres } from './test-postgres.mjs';

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = findTests('test')
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(2);
}
// The storage tests run against SQLite and PostgreSQL; start a cluster unless one is given.
let postgres = null;
if (!process.env.GATEHOUSE_TEST_POSTGRES) {
  postgres = await startTestPostgres();
  if (postgres) process.env.GATEHOUSE_TEST_POSTGRES = postgres.url;
  else console.error('PostgreSQL binaries not found: the PostgreSQL variants of the storage tests will fail');
}
const concurrency = process.env.GATEHOUSE_TEST_CONCURRENCY ?? String(Math.max(2, availableParallelism()));
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
postgres?.stop();
process.exit(result.status ?? 1);
