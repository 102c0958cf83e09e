/** PEP 503's normalization examples and the core metadata name rule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidNameError } from '../../src/pep/errors.js';
import { isNormalizedName, isValidName, normalizeName, parseName } from '../../src/pep/name.js';

test('PEP 503: these all normalize to friendly-bard', () => {
  for (const name of ['friendly-bard', 'Friendly-Bard', 'FRIENDLY-BARD', 'friendly.bard', 'friendly_bard', 'friendly--bard', 'FrIeNdLy-._.-bArD']) {
    assert.equal(normalizeName(name), 'friendly-bard', name);
    assert.equal(parseName(name), 'friendly-bard', name);
  }
});

test('validity: ASCII letters and digits, with -_. inside only', () => {
  const table: Array<[string, boolean]> = [
    ['a', true], ['A1', true], ['zope.interface', true], ['typing_extensions', true], ['a-_.b', true],
    ['', false], ['-a', false], ['a-', false], ['.a', false], ['a b', false], ['café', false], ['a/b', false],
    ['\u212a', false], // Kelvin sign: lower-cases to "k", but is not ASCII
  ];
  for (const [name, valid] of table) assert.equal(isValidName(name), valid, name);
  assert.equal(isNormalizedName('friendly-bard'), true);
  assert.equal(isNormalizedName('Friendly-Bard'), false);
  assert.equal(isNormalizedName('friendly_bard'), false);
});

test('parseName refuses invalid names, saying which rule they break', () => {
  assert.throws(() => parseName(''), (e: unknown) => e instanceof InvalidNameError && /empty name/.test(e.message));
  assert.throws(() => parseName('requests!'), (e: unknown) => e instanceof InvalidNameError && /"!" at position 8/.test(e.message));
  assert.throws(() => parseName('_private'), (e: unknown) => e instanceof InvalidNameError && e.code === 'pep.invalid-name' && /start and end/.test(e.message));
});
