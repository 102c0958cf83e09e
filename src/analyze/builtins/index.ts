/** The named built-in checks that rule files can call with `match: { builtin: NAME, params: … }`. */
import type { ArtifactLayout, ArtifactMetadata, Hit, InstalledScripts, SourceFile, TopLevelNames } from '../subjects.js';
import { orphanBytecode, prebuiltExtension } from './layout.js';
import { commandShadowing } from './command-shadowing.js';
import { escapedTextLiteral } from './escaped-text.js';
import { deepNesting } from './deep-nesting.js';
import { highEntropyString } from './high-entropy.js';
import { importHijack } from './import-hijack.js';
import { disposableEmail, fileSharingUrl, placeholderDescription, templateVersion } from './metadata.js';

type Params = Record<string, unknown>;

export type Builtin =
  | { target: 'python'; check: (file: SourceFile, params: Params) => Hit[] }
  | { target: 'metadata'; check: (meta: ArtifactMetadata, params: Params) => Hit[] }
  | { target: 'entry-points'; check: (scripts: InstalledScripts, params: Params) => Hit[] }
  | { target: 'top-level'; check: (names: TopLevelNames, params: Params) => Hit[] }
  | { target: 'layout'; check: (layout: ArtifactLayout, params: Params) => Array<Hit & { file: string }> };

export const builtins: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ['deep-nesting', { target: 'python', check: (f) => deepNesting(f.text) }],
  ['escaped-text-literal', { target: 'python', check: (f, p) => escapedTextLiteral(f.text, p) }],
  ['high-entropy-string', { target: 'python', check: (f, p) => highEntropyString(f.text, p) }],
  ['placeholder-description', { target: 'metadata', check: placeholderDescription }],
  ['template-version', { target: 'metadata', check: templateVersion }],
  ['disposable-email', { target: 'metadata', check: disposableEmail }],
  ['file-sharing-url', { target: 'metadata', check: fileSharingUrl }],
  ['command-shadowing', { target: 'entry-points', check: commandShadowing }],
  ['import-hijack', { target: 'top-level', check: (names) => importHijack(names) }],
  ['orphan-bytecode', { target: 'layout', check: (layout) => orphanBytecode(layout) }],
  ['prebuilt-extension', { target: 'layout', check: (layout) => prebuiltExtension(layout) }],
]);
