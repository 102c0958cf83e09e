/**
 * Damaged archives: random byte changes, insertions and cuts of a valid zip
 * and tar.gz must never throw, never hang, and never end in an internal error
 * ("reading stopped: …", which means a reader failed to describe the damage).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { readArchive } from '../../src/archive/index.js';
import { buildTarGz, TempDir } from './fixtures.js';
import { buildZip, pseudoRandomBytes } from './zip-writer.js';

const tmp = new TempDir();
after(() => tmp.remove());
const MUTANTS = 150;

/** Overwrites, inserts or deletes a few bytes, or cuts the tail, chosen by a seeded generator. */
function mutate(original: Buffer, seed: number): Buffer {
  const random = pseudoRandomBytes(64, seed);
  const at = (i: number): number => random.readUInt32LE(i * 4) % original.length;
  switch (random[60]! % 4) {
    case 0: {
      const copy = Buffer.from(original);
      for (let i = 0; i < 1 + (random[61]! % 8); i++) copy[at(i)] = random[32 + i]!;
      return copy;
    }
    case 1:
      return Buffer.concat([original.subarray(0, at(0)), random.subarray(0, 1 + (random[61]! % 16)), original.subarray(at(0))]);
    case 2: {
      const from = at(0);
      return Buffer.concat([original.subarray(0, from), original.subarray(from + 1 + (random[61]! % 64))]);
    }
    default:
      return original.subarray(0, at(0));
  }
}

async function survives(original: Buffer): Promise<void> {
  const internal: string[] = [];
  for (let seed = 1; seed <= MUTANTS; seed++) {
    const path = tmp.write(mutate(original, seed), 'mutant');
    const started = Date.now();
    const contents = await readArchive(path);
    assert.ok(Date.now() - started < 10_000, `seed ${seed} took too long`);
    for (const f of contents.findings) if (f.message.startsWith('reading stopped')) internal.push(`seed ${seed}: ${f.message}`);
  }
  assert.deepEqual(internal, []);
}

describe(`${MUTANTS} damaged copies of each format`, () => {
  it('zip', async () => {
    await survives(
      buildZip({
        entries: [
          { name: 'pkg/__init__.py', data: 'print("hi")\n'.repeat(50) },
          { name: 'pkg/data.bin', data: pseudoRandomBytes(3000, 7), method: 0 },
          { name: 'pkg-1.0.dist-info/RECORD', data: 'pkg/__init__.py,,\n' },
        ],
      }),
    );
  });
  it('tar.gz', async () => {
    await survives(
      await buildTarGz([
        { name: 'pkg-1.0/PKG-INFO', data: 'Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n' },
        { name: 'pkg-1.0/setup.py', data: 'from setuptools import setup\nsetup()\n'.repeat(20) },
        { name: 'pkg-1.0/link', type: 'symlink', linkname: 'setup.py' },
      ]),
    );
  });
});
