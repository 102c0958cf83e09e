/**
 * The loaded set of rules: every file in the top-level `rules/` folder,
 * validated, with tree-sitter queries compiled once and built-in checks
 * resolved. Adding a rule means adding a file there, not editing this.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shippedPath } from '../../paths.js';
import { parse as parseYaml } from 'yaml';
import type { Query } from 'web-tree-sitter';
import { RuleFileError } from '../errors.js';
import { PythonParser } from '../python/parser.js';
import { type Builtin, builtins } from '../builtins/index.js';
import { KeywordIndex } from './keyword-index.js';
import { type Rule, type RuleTarget, ruleFromData } from './rule.js';

/** `rules/` at the package root (see paths.ts). */
export const defaultRulesDir = shippedPath('rules');

export interface CompiledRule {
  rule: Rule;
  query?: Query;
  builtin?: Builtin;
}



export class Rulebook {
  private readonly byTarget = new Map<RuleTarget, CompiledRule[]>();
  /**
   * Every keyword of the python rules in one automaton. One pass over a file
   * finds which keywords it contains, instead of one pass per rule: that is
   * what keeps the scan fast.
   */
  private readonly pythonKeywords: KeywordIndex;

  private constructor(
    readonly rules: CompiledRule[],
    readonly parser: PythonParser,
  ) {
    for (const c of rules) {
      const list = this.byTarget.get(c.rule.target) ?? [];
      list.push(c);
      this.byTarget.set(c.rule.target, list);
    }
    this.pythonKeywords = new KeywordIndex(this.forTarget('python').flatMap((c) => c.rule.keywords));
  }

  forTarget(target: RuleTarget): readonly CompiledRule[] {
    return this.byTarget.get(target) ?? [];
  }

  /** The keywords of the python rules that occur in `text`. */
  keywordsIn(text: string): Set<string> {
    return this.pythonKeywords.find(text);
  }

  get(id: string): CompiledRule | undefined {
    return this.rules.find((c) => c.rule.id === id);
  }

  /** Loads every `*.yaml` / `*.yml` rule file of `dir`, sorted by file name. */
  static async load(dir = defaultRulesDir): Promise<Rulebook> {
    const parser = await PythonParser.load();
    const files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
    const seen = new Set<string>();
    const compiled = files.map((f): CompiledRule => {
      const source = join(dir, f);
      let data: unknown;
      try {
        data = parseYaml(readFileSync(source, 'utf8'));
      } catch (err) {
        throw new RuleFileError(source, `not valid YAML: ${(err as Error).message}`);
      }
      const rule = ruleFromData(data, source);
      if (seen.has(rule.id)) throw new RuleFileError(source, `duplicate rule id ${rule.id}`);
      seen.add(rule.id);
      return compile(rule, parser);
    });
    return new Rulebook(compiled, parser);
  }
}

function compile(rule: Rule, parser: PythonParser): CompiledRule {
  const m = rule.matcher;
  if (m.kind === 'query') {
    try {
      return { rule, query: parser.compile(m.query) };
    } catch (err) {
      throw new RuleFileError(rule.source, `the tree-sitter query does not compile: ${(err as Error).message}`);
    }
  }
  if (m.kind === 'builtin') {
    const builtin = builtins.get(m.name);
    if (builtin === undefined) throw new RuleFileError(rule.source, `no built-in check named ${m.name}`);
    if (builtin.target !== rule.target) throw new RuleFileError(rule.source, `built-in ${m.name} needs target ${builtin.target}`);
    return { rule, builtin };
  }
  return { rule };
}
