/**
 * Turns a rule's own samples into real artifacts: a code sample becomes a
 * file in a wheel (or, for setup.py, an sdist), a metadata sample becomes a
 * METADATA file, an entry-points sample an entry_points.txt, a top-level
 * sample a wheel with those packages, a layout sample an artifact with those files.
 */
import type { Rule } from '../../../src/analyze/rulebook/rule.js';
import { type ArtifactSpec, plainMetadata } from './pack.js';

function field(sample: unknown, key: string): unknown {
  return typeof sample === 'object' && sample !== null ? (sample as Record<string, unknown>)[key] : undefined;
}

/** An sdist root written in a sample (`pkg-1.0/setup.py`) is replaced by the packer's own. */
const sdistRoot = /^[^/]+-[0-9][^/]*\/(?!.*\.data\/)/;

export function artifactForSample(rule: Rule, sample: unknown, label: string): ArtifactSpec {
  const name = `s-${rule.id.replace(/[^a-z0-9]+/g, '-')}-${label}`;
  const base = { name, version: '1.0.0' };
  switch (rule.target) {
    case 'python':
    case 'combination':
    case 'pth': {
      const text = typeof sample === 'string' ? sample : String(field(sample, 'text'));
      const given = field(sample, 'path');
      const path = typeof given === 'string' ? given : rule.target === 'pth' ? 'example.pth' : 'pkg/module.py';
      const isSetup = /(^|\/)setup\.py$/.test(path);
      return isSetup
        ? { ...base, kind: 'sdist', files: { [path.replace(sdistRoot, '')]: text } }
        : { ...base, kind: 'wheel', files: { [path]: text } };
    }
    case 'path': {
      const path = String(sample);
      return sdistRoot.test(path) && !path.includes('.data/')
        ? { ...base, kind: 'sdist', files: { [path.replace(sdistRoot, '')]: '# sample\n' } }
        : { ...base, kind: 'wheel', files: { [path]: '# sample\n' } };
    }
    case 'metadata': {
      const metadata: Record<string, string | string[]> = { Summary: String(field(sample, 'summary') ?? plainMetadata.Summary) };
      metadata.Description = String(field(sample, 'description') ?? plainMetadata.Description);
      const emails = field(sample, 'emails');
      if (Array.isArray(emails) && emails.length > 0) metadata['Author-email'] = emails.join(', ');
      const urls = field(sample, 'urls');
      if (Array.isArray(urls)) metadata['Project-URL'] = urls.map((u, i) => `Link ${i + 1}, ${String(u)}`);
      const version = field(sample, 'version');
      return { ...base, kind: 'wheel', version: typeof version === 'string' ? version : '1.0.0', metadata, files: { 'pkg/__init__.py': '' } };
    }
    case 'entry-points': {
      const scripts = (field(sample, 'scripts') ?? {}) as Record<string, string>;
      const text = `[console_scripts]\n${Object.entries(scripts).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`;
      return { kind: 'wheel', name: String(field(sample, 'project')), version: '1.0.0', entryPoints: text, files: { 'pkg/__init__.py': '' } };
    }
    case 'top-level': {
      const names = field(sample, 'names') as string[];
      return { kind: 'wheel', name: String(field(sample, 'project')), version: '1.0.0', files: Object.fromEntries(names.map((n) => [`${n}/__init__.py`, ''])) };
    }
    case 'layout': {
      // The packer writes the metadata files itself; the sample's other paths become files (the rule reads names only).
      const paths = (field(sample, 'paths') as string[]).filter((p) => !/\.dist-info\/|^PKG-INFO$|^setup\.py$/.test(p));
      const kind = field(sample, 'kind') === 'wheel' ? 'wheel' : 'sdist';
      return { ...base, kind, files: Object.fromEntries(paths.map((p) => [p, '# sample\n'])) };
    }
  }
}
