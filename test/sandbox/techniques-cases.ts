/** Each technique sample built in the sandbox; the dynamic check must report it with its evidence. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { decideVerdict } from '../../src/analyze/verdict.js';
import { buildSdist } from '../../src/sandbox/build.js';
import { buildFixture, makeSdist, setupRunning, type BuildFixture } from './fixtures.js';
import { obfuscate, techniques } from './techniques.js';

export function techniqueCases(obfuscated: boolean): void {
  let fx: BuildFixture;
  before(async () => {
    fx = await buildFixture();
  });
  after(() => fx.index.stop());

  for (const [i, technique] of techniques.entries()) {
    test(`${technique.name}${obfuscated ? ', obfuscated' : ''}: caught by the dynamic check`, async () => {
      const name = `sample-${i + 1}`;
      const code = obfuscated ? obfuscate(technique.payload, i + 1) : technique.payload;
      const sdist = makeSdist({ name, setupPy: setupRunning(code, name) });
      const text = execFileSync('tar', ['-xzOf', sdist], { encoding: 'latin1' });
      for (const word of technique.giveaways) {
        if (obfuscated) assert.ok(!text.toLowerCase().includes(word.toLowerCase()), `the obfuscated sdist still shows '${word}'`);
        else assert.ok(text.includes(word));
      }
      const result = await buildSdist(sdist, { host: fx.host, indexUrl: fx.index.url, cacheDir: fx.cacheDir, outDir: fx.outDir });
      assert.equal(result.status, 'built', `${result.reason}\n${result.log}`);
      for (const { rule, evidence } of technique.expect) {
        const found = result.findings.filter((f) => f.rule === rule);
        assert.ok(found.some((f) => evidence.test(f.snippet ?? '')), `${rule} with ${evidence} not among ${JSON.stringify(result.findings.map((f) => [f.rule, f.snippet]), null, 1)}`);
      }
      assert.notEqual(decideVerdict(result.findings).verdict, 'clean');
    });
  }
}
