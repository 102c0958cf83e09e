/**
 * Which license `projectLicense` derives for real wheels, and what it costs.
 *
 *   node --import tsx bench/licenses.ts [DIR …]      (default: /opt/pypi/files)
 *
 * Reads the METADATA of every wheel (src/archive/wheel-metadata.ts), derives its license, and reports how many get
 * an expression from License-Expression, from the classifiers and from the License field (as written, from the title
 * line of a pasted license text, as a classifier's name, or through spdx-correct), how many stay unknown, and the most common inputs of the
 * unknown ones. Time: deriving and judging every license against a typical rule, as a ratio to parsing the same
 * METADATA files (`parseCoreMetadata`, which any decision needs first), best of 7 alternating rounds.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readWheelMetadata } from '../src/archive/wheel-metadata.js';
import { parseWheelFilename } from '../src/pep/filename.js';
import { type CoreMetadata, parseCoreMetadata } from '../src/pep/metadata.js';
import { isLicenseClassifier } from '../src/policy/license-classifiers.js';
import { readLicenseField } from '../src/policy/license-field.js';
import { judgeLicense, type LicenseRule, projectLicense } from '../src/policy/license.js';

const dirs = process.argv.length > 2 ? process.argv.slice(2) : ['/opt/pypi/files'];
const wheels = dirs.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.whl')).sort().map((f) => join(dir, f)));
if (wheels.length === 0) throw new Error(`no wheels in ${dirs.join(', ')}`);

const texts: Buffer[] = [];
let unreadable = 0;
for (const path of wheels) {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const wheel = parseWheelFilename(name);
  const bytes = await readWheelMetadata(path, { normalizedName: wheel.normalizedName, version: wheel.version });
  if (bytes === null) unreadable++;
  else texts.push(bytes);
}
const metadata: CoreMetadata[] = texts.map((t) => parseCoreMetadata(t));

const counts = new Map<string, number>();
const bump = (map: Map<string, number>, key: string): void => {
  map.set(key, (map.get(key) ?? 0) + 1);
};
const unknownInputs = new Map<string, number>();
const invalidExpressions: string[] = [];
for (const md of metadata) {
  const license = projectLicense(md);
  let bucket: string = license.source;
  if (license.source === 'license-field') {
    const field = readLicenseField(md.license);
    if (field.kind === 'expression') bucket += ` (${field.via})`;
  }
  if (license.source === 'none') bucket = md.licenseExpression ? 'unknown (invalid License-Expression)' : 'unknown';
  bump(counts, bucket);
  if (license.expression === null) {
    if (license.invalid !== undefined && md.licenseExpression) invalidExpressions.push(license.invalid);
    const classifiers = md.classifiers.filter(isLicenseClassifier).map((c) => c.replace(/^License :: (OSI Approved :: )?/, ''));
    const field = license.evidence.find((e) => e.startsWith('License: '));
    bump(unknownInputs, `${classifiers.length > 0 ? `[${classifiers.join(' | ')}]` : '[no classifier]'} ${field ?? '(no License field)'}`);
  }
}

// A rule of the usual shape: permissive licenses allowed, strong copyleft denied.
const rule: LicenseRule = {
  allow: ['MIT', 'MIT-0', 'Apache-2.0', 'BSD-2-Clause', 'BSD-3-Clause', 'ISC', 'PSF-2.0', 'Zlib', 'Unlicense', 'CC0-1.0', 'MPL-2.0', 'LGPL-2.1-or-later'],
  deny: ['GPL-2.0-or-later', 'AGPL-3.0-or-later'],
};
const verdicts = new Map<string, number>();
for (const md of metadata) bump(verdicts, judgeLicense(projectLicense(md), rule).verdict);

function time(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}
let oursMs = Infinity;
let baselineMs = Infinity;
for (let round = 0; round < 7; round++) {
  baselineMs = Math.min(baselineMs, time(() => texts.forEach((t) => parseCoreMetadata(t))));
  oursMs = Math.min(oursMs, time(() => metadata.forEach((md) => judgeLicense(projectLicense(md), rule))));
}

const pct = (n: number): string => `${((100 * n) / metadata.length).toFixed(1)}%`;
const lines = [
  `wheels: ${wheels.length} (${unreadable} without a readable METADATA), metadata read: ${metadata.length}`,
  'license source:',
  ...[...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${k}: ${n} (${pct(n)})`),
  `verdicts under the sample rule: ${[...verdicts].map(([k, n]) => `${k} ${n}`).join(', ')}`,
  `invalid License-Expression values: ${invalidExpressions.length === 0 ? 'none' : invalidExpressions.join(' | ')}`,
  'most common inputs of the unknown ones:',
  ...[...unknownInputs].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, n]) => `  ${n}  ${k}`),
  `time: derive + judge ${oursMs.toFixed(1)} ms for ${metadata.length} projects (${((1000 * oursMs) / metadata.length).toFixed(1)} µs each); ` +
    `baseline parseCoreMetadata of the same files ${baselineMs.toFixed(1)} ms; ratio ${(oursMs / baselineMs).toFixed(2)} of the parse`,
];
process.stdout.write(lines.join('\n') + '\n');
