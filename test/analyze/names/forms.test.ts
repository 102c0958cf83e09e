import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NAME_FORMS,
  affixAndRest,
  confusableSkeleton,
  ultranormalize,
  withoutPythonAffix,
  withoutRepeats,
  withoutVersionSuffix,
} from '../../../src/analyze/names/forms.js';

test("ultranormalize follows Warehouse's ultranormalize_name (drop . _ -, o->0, i/l->1, lowercase)", () => {
  const cases: Array<[string, string]> = [
    ['Foo.Bar_baz-Qux', 'f00barbazqux'],
    ['LION', '110n'],
    ['l10n', '110n'],
    ['lion', '110n'],
    ['mcp-xray', 'mcpxray'],
    ['IiLl', '1111'],
  ];
  for (const [name, expected] of cases) assert.equal(ultranormalize(name), expected, name);
});

test('confusable skeleton folds rn/m, vv/w, cl/d, l/1/i and 0/o', () => {
  const same: Array<[string, string]> = [
    ['rnatplotlib', 'matplotlib'],
    ['vvheel', 'wheel'],
    ['cljango', 'django'],
    ['jeilyfish', 'jellyfish'],
    ['djang0', 'django'],
    ['pi11ow', 'pillow'],
  ];
  for (const [a, b] of same) assert.equal(confusableSkeleton(a), confusableSkeleton(b), `${a} ~ ${b}`);
  assert.notEqual(confusableSkeleton('numpy'), confusableSkeleton('nunpy'));
});

test('Python affixes: py/python/python3 as a word at either end, or glued to the front', () => {
  const cases: Array<[string, string | undefined]> = [
    ['python-dateutil', 'dateutil'],
    ['python3-dateutil', 'dateutil'],
    ['dateutil-python', 'dateutil'],
    ['py-redis', 'redis'],
    ['pyyaml', 'yaml'],
    ['kafkapython', 'kafka'],
    ['requests', undefined],
    ['py', undefined],
    ['pyx', undefined],
  ];
  for (const [name, expected] of cases) assert.equal(withoutPythonAffix(name), expected, name);
});

test('version suffixes: trailing digits and version numbers', () => {
  const cases: Array<[string, string | undefined]> = [
    ['requests2', 'requests'],
    ['requests-2', 'requests'],
    ['requests-2-31', 'requests'],
    ['requests-v2', 'requests'],
    ['urllib3', 'urllib'],
    ['requests', undefined],
    ['py3', undefined],
  ];
  for (const [name, expected] of cases) assert.equal(withoutVersionSuffix(name), expected, name);
});

test('every form has a rule id and relation, and the ids are unique', () => {
  const rules = NAME_FORMS.map((f) => f.rule);
  assert.equal(new Set(rules).size, rules.length);
  for (const form of NAME_FORMS) assert.ok(form.relation.length > 0);
  const wordOrder = NAME_FORMS.find((f) => f.rule === 'word-order');
  assert.equal(wordOrder?.key('dateutil-python'), wordOrder?.key('python-dateutil'));
  assert.equal(wordOrder?.key('requests'), undefined);
});

test('affixAndRest: a lib/py/python glued to either end gives the same key; other names have none', () => {
  const cases: Array<[string, string | undefined]> = [
    ['libhtml5', 'lib|html5'],
    ['html5lib', 'lib|html5'],
    ['pyyaml', 'py|yaml'],
    ['yamlpy', 'py|yaml'],
    ['py-yaml', 'py|yaml'],
    ['kafkapython', 'python|kafka'],
    ['pythonkafka', 'python|kafka'],
    ['pyqt', undefined], // the rest would be shorter than 3 characters
    ['requests', undefined],
    ['numpy', 'py|num'],
  ];
  for (const [name, key] of cases) assert.equal(affixAndRest(name), key, name);
});

test('withoutRepeats cuts every run of a character to one, and returns names without runs unchanged', () => {
  const cases: Array<[string, string]> = [
    ['requstsss', 'requsts'],
    ['reqqquestts', 'requests'],
    ['aaa', 'a'],
    ['pillow', 'pilow'],
    ['numpy', 'numpy'],
    ['', ''],
  ];
  for (const [name, collapsed] of cases) assert.equal(withoutRepeats(name), collapsed, name);
});
