import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMBO_WORDS, comboCore } from '../../../src/analyze/names/combosquat.js';

test('comboCore: one core word plus only combo words; anything else is not a combo', () => {
  const cases: Array<[string, { core: string; extras: string[] } | undefined]> = [
    ['requests-darwin-lite', { core: 'requests', extras: ['darwin', 'lite'] }],
    ['secure-aiohttp', { core: 'aiohttp', extras: ['secure'] }],
    ['pytz3-dev', { core: 'pytz3', extras: ['dev'] }],
    ['requests', undefined], // no separator, no extra word
    ['pytest-cov', undefined], // `cov` is a plugin word, not a promise of another edition
    ['requests-oauthlib', undefined],
    ['flask-sqlalchemy-lite', undefined], // two core words
    ['lite-dev', undefined], // no core
  ];
  for (const [name, expected] of cases) assert.deepEqual(comboCore(name), expected, name);
});

test('the combo words leave out the words honest forks and helpers use', () => {
  for (const word of ['fast', 'async', 'utils', 'tools', 'cli', 'client', 'plugin', 'core']) assert.ok(!COMBO_WORDS.has(word), word);
});
