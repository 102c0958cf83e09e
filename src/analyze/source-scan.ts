/**
 * Runs the rules over the text files of an artifact. Speed comes from doing
 * the cheap thing first: every rule's prefilter is a regex over the raw text,
 * and a file is parsed with tree-sitter only when a threat rule's prefilter
 * matched. Capability rules (network, subprocess) only run on a tree that a
 * threat already paid for, since alone they never condemn.
 */
import type { Node } from 'web-tree-sitter';
import type { Finding } from './finding.js';
import type { CompiledRule, Rulebook } from './rulebook/rulebook.js';
import type { Rule } from './rulebook/rule.js';
import { type Hit, type SourceFile, lineAt, shortSnippet } from './subjects.js';

/** A rule that matched, with where. */
export interface RuleHit extends Hit {
  rule: Rule;
  file?: string;
  /** The start offset of the outermost enclosing function, -1 at module level; unset for hits found without a parse. */
  scope?: number;
}

export function toFinding(hit: RuleHit): Finding {
  return {
    rule: hit.rule.id,
    severity: hit.rule.severity,
    confidence: hit.rule.confidence,
    message: hit.message ?? hit.rule.message,
    ...(hit.file !== undefined ? { file: hit.file } : {}),
    ...(hit.line !== undefined ? { line: hit.line } : {}),
    ...(hit.snippet !== undefined ? { snippet: hit.snippet } : {}),
  };
}

/** Counters for benchmarks: how much text went through the prefilter and how much was parsed. */
export interface ScanStats {
  files: number;
  bytes: number;
  parsedFiles: number;
  parsedBytes: number;
  /** Rule id -> files whose parse that threat rule's prefilter asked for. */
  parseTriggers: Map<string, number>;
}

export class SourceScanner {
  readonly stats: ScanStats = { files: 0, bytes: 0, parsedFiles: 0, parsedBytes: 0, parseTriggers: new Map() };

  constructor(private readonly book: Rulebook) {}

  /** Findings for a .py file: its own rules, then the combinations among them. */
  scanPython(file: SourceFile): RuleHit[] {
    this.stats.files++;
    this.stats.bytes += file.text.length;
    const keywords = this.book.keywordsIn(file.text);
    const hits: RuleHit[] = [];
    const threats: CompiledRule[] = [];
    const capabilities: CompiledRule[] = [];
    for (const c of this.book.forTarget('python')) {
      if (c.rule.keywords.length > 0 && !c.rule.keywords.some((k) => keywords.has(k))) continue;
      if (c.rule.files && !c.rule.files.test(file.path)) continue;
      // A capability's prefilter is only worth running once a threat has paid for the parse.
      if (c.rule.role === 'capability') {
        capabilities.push(c);
        continue;
      }
      if (!passesPrefilter(c.rule, file)) continue;
      const m = c.rule.matcher;
      if (c.query) threats.push(c);
      else if (m.kind === 'regex') hits.push(...regexHits(c.rule, m.regex, file));
      else if (c.builtin?.target === 'python') hits.push(...withRule(c.rule, file.path, c.builtin.check(file, paramsOf(c.rule))));
    }
    if (threats.length > 0) {
      const trigger = threats[0]!.rule.id;
      this.stats.parseTriggers.set(trigger, (this.stats.parseTriggers.get(trigger) ?? 0) + 1);
      const queries = [...threats, ...capabilities.filter((c) => c.query && passesPrefilter(c.rule, file))];
      hits.push(...this.runQueries(queries, file));
    }
    return [...hits, ...this.combine(hits, file)];
  }

  /** Findings for a .pth file, which site.py reads at every interpreter start-up. */
  scanPth(file: SourceFile): RuleHit[] {
    const hits = this.book
      .forTarget('pth')
      .filter((c) => applies(c.rule, file))
      .flatMap((c) => (c.rule.matcher.kind === 'regex' ? regexHits(c.rule, c.rule.matcher.regex, file) : []));
    return [...hits, ...this.combine(hits, file)];
  }

  /** Findings about where a file sits (a shipped sitecustomize.py, for example). */
  scanPath(path: string): RuleHit[] {
    return this.book.forTarget('path').flatMap((c) => {
      const m = c.rule.matcher;
      if (m.kind !== 'regex') return [];
      m.regex.lastIndex = 0;
      return m.regex.test(path) ? [{ rule: c.rule, file: path, snippet: path }] : [];
    });
  }

  private runQueries(queries: CompiledRule[], file: SourceFile): RuleHit[] {
    this.stats.parsedFiles++;
    this.stats.parsedBytes += file.text.length;
    const tree = this.book.parser.parse(file.text);
    try {
      const hits: RuleHit[] = [];
      for (const c of queries) {
        const seen = new Set<number>();
        for (const match of c.query!.matches(tree.rootNode)) {
          const capture = match.captures.find((x) => x.name === 'finding') ?? match.captures[0];
          if (capture === undefined) continue;
          const line = capture.node.startPosition.row + 1;
          if (seen.has(line)) continue;
          seen.add(line);
          hits.push({ rule: c.rule, file: file.path, line, snippet: snippetOf(capture.node), scope: scopeOf(capture.node) });
        }
      }
      return hits;
    } finally {
      tree.delete();
    }
  }

  /** Combination rules: signals of different rules that meet in one file, or in one function. */
  private combine(hits: RuleHit[], file: SourceFile): RuleHit[] {
    if (hits.length < 2) return [];
    const out: RuleHit[] = [];
    for (const c of this.book.forTarget('combination')) {
      const m = c.rule.matcher;
      if (m.kind !== 'combination' || !applies(c.rule, file)) continue;
      const scoped = [...new Set(hits.map((h) => h.scope).filter((s) => s !== undefined))];
      const scopes = m.scope === 'file' || scoped.length === 0 ? [undefined] : scoped;
      for (const scope of scopes) {
        const inScope = hits.filter((h) => scope === undefined || h.scope === undefined || h.scope === scope);
        const parts = m.allOf.map((group) => inScope.find((h) => h.rule.signals.some((s) => group.includes(s))));
        if (parts.some((p) => p === undefined)) continue;
        const found = parts as RuleHit[];
        const why = found.map((p) => `${p.rule.id}${p.line !== undefined ? ` (line ${p.line})` : ''}`).join(' + ');
        out.push({ rule: c.rule, file: file.path, line: found[0]!.line, snippet: found[0]!.snippet, message: `${c.rule.message}: ${why}` });
        break;
      }
    }
    return out;
  }
}

/**
 * The outermost function a node sits in (its start offset), or -1 at module
 * level, so that a closure shares the scope of the function that defines it.
 * Classes do not count: their methods do.
 */
function scopeOf(node: Node): number {
  let scope = -1;
  for (let n = node.parent; n !== null; n = n.parent) if (n.type === 'function_definition') scope = n.startIndex;
  return scope;
}

function passesPrefilter(rule: Rule, file: SourceFile): boolean {
  return rule.prefilter.every((p) => p.test(file.text));
}

function applies(rule: Rule, file: SourceFile): boolean {
  return (rule.files === undefined || rule.files.test(file.path)) && passesPrefilter(rule, file);
}

function paramsOf(rule: Rule): Record<string, unknown> {
  return rule.matcher.kind === 'builtin' ? rule.matcher.params : {};
}

function withRule(rule: Rule, file: string, hits: Hit[]): RuleHit[] {
  return hits.map((h) => ({ ...h, rule, file }));
}

function regexHits(rule: Rule, regex: RegExp, file: SourceFile): RuleHit[] {
  const hits: RuleHit[] = [];
  const lines = new Set<number>();
  for (const m of file.text.matchAll(regex)) {
    const line = lineAt(file.text, m.index);
    if (lines.has(line)) continue;
    lines.add(line);
    const end = file.text.indexOf('\n', m.index);
    hits.push({ rule, file: file.path, line, snippet: shortSnippet(file.text.slice(m.index, end === -1 ? undefined : end)) });
  }
  return hits;
}

function snippetOf(node: Node): string {
  return shortSnippet(node.text);
}
