/** Runs the rules whose subject is the artifact as a whole: its metadata, its scripts, its import names, its layout. */
import type { Rulebook } from './rulebook/rulebook.js';
import type { RuleHit } from './source-scan.js';
import type { ArtifactLayout, ArtifactMetadata, InstalledScripts, TopLevelNames } from './subjects.js';

export function checkMetadata(book: Rulebook, meta: ArtifactMetadata, file?: string): RuleHit[] {
  return book.forTarget('metadata').flatMap((c) =>
    c.builtin?.target === 'metadata' && c.rule.matcher.kind === 'builtin'
      ? c.builtin.check(meta, c.rule.matcher.params).map((h) => ({ ...h, rule: c.rule, ...(file ? { file } : {}) }))
      : [],
  );
}

export function checkScripts(book: Rulebook, scripts: InstalledScripts, file?: string): RuleHit[] {
  return book.forTarget('entry-points').flatMap((c) =>
    c.builtin?.target === 'entry-points' && c.rule.matcher.kind === 'builtin'
      ? c.builtin.check(scripts, c.rule.matcher.params).map((h) => ({ ...h, rule: c.rule, ...(file ? { file } : {}) }))
      : [],
  );
}

export function checkTopLevel(book: Rulebook, names: TopLevelNames): RuleHit[] {
  return book.forTarget('top-level').flatMap((c) =>
    c.builtin?.target === 'top-level' && c.rule.matcher.kind === 'builtin'
      ? c.builtin.check(names, c.rule.matcher.params).map((h) => ({ ...h, rule: c.rule }))
      : [],
  );
}

export function checkLayout(book: Rulebook, layout: ArtifactLayout): RuleHit[] {
  return book.forTarget('layout').flatMap((c) =>
    c.builtin?.target === 'layout' && c.rule.matcher.kind === 'builtin'
      ? c.builtin.check(layout, c.rule.matcher.params).map((h) => ({ ...h, rule: c.rule }))
      : [],
  );
}
