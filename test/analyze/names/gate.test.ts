import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNameCorpus, loadNameCorpus } from '../../../src/analyze/names/corpus.js';
import { createNameGate } from '../../../src/analyze/names/gate.js';
import { NameSet } from '../../../src/analyze/names/name-set.js';

const shipped = createNameGate(loadNameCorpus());

test('the example from the issue, word for word', () => {
  assert.deepEqual(shipped.check('reqeusts'), {
    name: 'reqeusts',
    normalized: 'reqeusts',
    verdict: 'typosquat',
    target: 'requests',
    rule: 'transposition',
    reason: "'reqeusts' swaps the 'u' and 'e' of 'requests' (rank 6); 'reqeusts' is not among the 15,000 most downloaded",
  });
});

test('each typo class the issue lists is caught, with the right target and rule', () => {
  const cases: Array<[name: string, target: string, rule: string]> = [
    ['urlib3', 'urllib3', 'omission'],
    ['requestss', 'requests', 'repetition'],
    ['colourama', 'colorama', 'insertion'],
    ['matplftlib', 'matplotlib', 'substitution'],
    ['numoy', 'numpy', 'keyboard-substitution'],
    ['pysprak', 'pyspark', 'transposition'],
    ['jeIlyfish', 'jellyfish', 'confusable'],
    ['djang0', 'django', 'confusable'],
    ['rnatplotlib', 'matplotlib', 'confusable'],
    ['vvheel', 'wheel', 'confusable'],
    ['cljango', 'django', 'confusable'],
    ['pi1low', 'pillow', 'confusable'],
    ['setup-tools', 'setuptools', 'separators'],
    ['dateutil-python', 'python-dateutil', 'word-order'],
    ['python3-dateutil', 'python-dateutil', 'python-affix'],
    ['requests-python', 'requests', 'python-affix'],
    ['pyrequests', 'requests', 'python-affix'],
    ['requests2', 'requests', 'version-suffix'],
    ['urllib4', 'urllib3', 'version-suffix'],
    ['requestsaa', 'requests', 'two-edits'],
    ['beautifulsouq4z', 'beautifulsoup4', 'two-edits'],
    ['yamlpy', 'pyyaml', 'affix-moved'],
    ['libhtml5', 'html5lib', 'affix-moved'],
    ['urllib3-fixed', 'urllib3', 'combosquat'],
    ['pandas-lite-windows', 'pandas', 'combosquat'],
    ['pytz3-dev', 'pytz', 'combosquat'],
    ['matplotib-new', 'matplotlib', 'combosquat'],
    ['numpyyy', 'numpy', 'repeated-letters'],
    ['reqqquestts', 'requests', 'repeated-letters'],
  ];
  for (const [name, target, rule] of cases) {
    const v = shipped.check(name);
    assert.equal(v.verdict, 'typosquat', `${name}: ${v.reason}`);
    assert.equal(v.target, target, name);
    assert.equal(v.rule, rule, name);
  }
});

test('a match that drops the first letter loses to one that keeps it; a wrong first key or an added one does not', () => {
  const cases: Array<[name: string, target: string, rule: string]> = [
    ['crypt', 'crypto', 'omission'], // not `bcrypt` (rank 184) without its `b`
    ['arequests', 'requests', 'insertion'], // not `grequests` with `g` replaced
    ['gequests', 'requests', 'substitution'], // not `grequests` without its `r`
  ];
  for (const [name, target, rule] of cases) {
    const v = shipped.check(name);
    assert.deepEqual([v.verdict, v.target, v.rule], ['typosquat', target, rule], name);
  }
});

test('combo words and repeated letters stay narrow: plugin words, own-project cores and plain words pass', () => {
  for (const name of ['requests-oauthlib', 'pytest-cov', 'flask-fast', 'python-plus', 'boto-lite', 'funny', 'zippy']) {
    assert.equal(shipped.check(name).verdict, 'ok', name);
  }
});

test("PyPI's ultranormalize collisions are caught when no plainer form explains them", () => {
  // `1` for `i` is a confusable too; `0`-for-`o` across a separator is only ultranormalization.
  const v = shipped.check('b0t0-c0re');
  assert.equal(v.verdict, 'typosquat');
  assert.equal(v.target, 'botocore');
});

test('popular names are not squats, even one edit from a more popular name', () => {
  for (const name of ['requests', 'numpy', 'boto3', 'botocore', 'pandas', 'urllib3', 'six', 'attrs', 'torch', 'pytest-cov', 'flask-login']) {
    assert.equal(shipped.check(name).verdict, 'ok', name);
  }
});

test('a far less popular ranked name next to a top name is flagged and its rank is given', () => {
  const v = shipped.check('panda');
  assert.equal(v.verdict, 'typosquat');
  assert.equal(v.target, 'pandas');
  assert.match(v.reason, /'panda' ranks only [\d,]+$/);
});

test('names not on the index are unknown; names on it that resemble nothing are ok', () => {
  assert.equal(shipped.check('zzqx-nothing-like-it-9').verdict, 'unknown');
  const onIndex = shipped.check('gatehouse');
  assert.notEqual(onIndex.verdict, 'typosquat');
});

test('input is normalized first (case, runs of separators), and the verdict says so', () => {
  const v = shipped.check('Python__DateUtil');
  assert.equal(v.normalized, 'python-dateutil');
  assert.equal(v.verdict, 'ok');
});

test('an invalid name is denied with the rule that it breaks', () => {
  const v = shipped.check('-bad name');
  assert.equal(v.verdict, 'denied');
  assert.equal(v.rule, 'invalid-name');
});

test('config: denylist beats allowlist beats internal names beats the detector', () => {
  const corpus = createNameCorpus(
    [
      { name: 'requests', rank: 1 },
      { name: 'colorama', rank: 2 },
    ],
    NameSet.fromNames(['requests', 'colorama', 'acme-utils', 'reqeusts', 'colourama']),
  );
  const gate = createNameGate(corpus, {
    allow: ['Reqeusts', 'colourama'],
    deny: ['colourama', 'evil-pkg'],
    internalPrefixes: ['ACME_'],
    internalNames: ['billing-core'],
  });
  const verdict = (name: string): [string, string | undefined] => {
    const v = gate.check(name);
    return [v.verdict, v.rule];
  };
  assert.deepEqual(verdict('reqeusts'), ['ok', 'allowlist']);
  assert.deepEqual(verdict('colourama'), ['denied', 'denylist']);
  assert.deepEqual(verdict('evil-pkg'), ['denied', 'denylist']);
  assert.deepEqual(verdict('acme-utils'), ['internal-collision', 'dependency-confusion']);
  assert.deepEqual(verdict('acme-billing'), ['ok', 'internal']);
  assert.deepEqual(verdict('billing-core'), ['ok', 'internal']);
  assert.deepEqual(verdict('requestss'), ['typosquat', 'repetition']);
  assert.match(gate.check('acme-utils').reason, /internal prefix 'acme-'.*exists on the public index/);
});

test('the top size in reasons comes from the corpus', () => {
  const corpus = createNameCorpus([{ name: 'requests', rank: 3 }], NameSet.fromNames(['requests']));
  assert.match(createNameGate(corpus).check('reqeusts').reason, /not among the 3 most downloaded$/);
});
