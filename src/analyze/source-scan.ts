/**
 * Runs the rules over the text files of an artifact. Speed comes from doing
 * the cheap thing first: every rule's prefilter is a regex over the raw text,
 * and a file is parsed with tree-sitter only when a threat rule's prefilter
 * matched. Capability rules (network, subprocess) only run on a tree that a
 * threat already paid for, since alone they never condemn.
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { ExecutionContext, FileRole } from './context.js';
import type { Finding, Severity } from './finding.js';
import { defang } from './command/command-line.js';
import { type Fact, contextResolver, moduleFacts } from './flow/facts.js';
import { ModuleModel } from './flow/module-model.js';
import type { ConstantResolver } from './flow/evaluate.js';
import { nestingOf, tooDeep } from './python/nesting.js';
import { Blocks } from './python/blocks.js';
import { type Rename, renamesIn } from './python/renames.js';
import { deepNesting } from './builtins/deep-nesting.js';
import { querySeconds } from './python/parser.js';
import type { CompiledRule, Rulebook } from './rulebook/rulebook.js';
import type { Rule } from './rulebook/rule.js';
import { type Hit, type SourceFile, lineAt, shortSnippet } from './subjects.js';
import { taints, textOf, viaOf } from './unpack/value.js';

/** A rule that matched, with where. */
export interface RuleHit extends Hit {
  rule: Rule;
  file?: string;
  /** The start offset of the outermost enclosing function, -1 at module level; unset for hits found without a parse. */
  scope?: number;
  /** Where the matched code runs, when known. */
  context?: ExecutionContext;
}

const severityOrder: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
/** Contexts from the one that runs first (and says most) to the one that never runs. */
const contextRank: readonly ExecutionContext[] = ['install', 'import', 'call', 'unshipped'];

/**
 * The severity of a hit: the rule's own, or the one it gives for the context
 * the code runs in. Code that is neither installed nor run at install time
 * (tests, docs, examples) is at most `low` unless the rule says otherwise.
 */
export function severityOf(hit: RuleHit): Severity {
  const rule = hit.rule;
  if (hit.context === undefined) return rule.severity;
  const own = rule.severityIn[hit.context];
  if (own !== undefined) return own;
  if (hit.context === 'unshipped' && severityOrder.indexOf(rule.severity) > severityOrder.indexOf('low')) return 'low';
  return rule.severity;
}

export function toFinding(hit: RuleHit): Finding {
  return {
    rule: hit.rule.id,
    severity: severityOf(hit),
    confidence: hit.rule.confidence,
    message: hit.message ?? hit.rule.message,
    ...(hit.file !== undefined ? { file: hit.file } : {}),
    ...(hit.line !== undefined ? { line: hit.line } : {}),
    ...(hit.snippet !== undefined ? { snippet: hit.snippet } : {}),
    ...(hit.context !== undefined ? { context: hit.context } : {}),
  };
}

/** How a file is scanned: its role in the artifact, and for a decoded layer, the context of the exec that runs it. */
export interface ScanPlace {
  role: FileRole;
  /** Set for decoded layers: every statement of the layer runs where the exec that runs it does. */
  context?: ExecutionContext;
  /** How many decoded layers deep this text is. */
  depth: number;
  /** Characters of decoded layers still allowed for the file they came from (shared by all its layers). */
  layerBudget?: { chars: number };
  /** String constants of the artifact's other modules that this one imports. */
  constantOf?: ConstantResolver;
}

/**
 * Files longer than this are parsed only in part when only behaviour rules ask for the parse: the module-level
 * statements, and the top-level functions and classes where a rule's sink meets its sources, with the blocks those
 * call and the ones that call them (Blocks.meeting). Parsing and the data flow cost about 0.3 s per MB; on the real
 * wheels, files over 64 KiB were a fifth of the files parsed and two thirds of that time. Malware rarely hides in a
 * file this long; when it does, the code that asks for the parse is still read with what it calls.
 */
const partialParseChars = 64 * 1024;

/** How deep decoded payloads are unpacked and scanned again, and the most text all layers of one file may have. */
const maxLayerDepth = 4;
const maxLayerChars = 4 * 1024 * 1024;

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

  /**
   * Findings for a .py file: its own rules, then the combinations among them.
   * `setup.py` is always parsed (it runs at install time); other files when a
   * threat rule's keywords and prefilter ask for it.
   */
  scanPython(original: SourceFile, place: ScanPlace = { role: 'package', depth: 0 }): RuleHit[] {
    const file = { ...original, text: foldStyledLetters(original.text) };
    this.stats.files++;
    this.stats.bytes += file.text.length;
    const keywords = this.book.keywordsIn(file.text);
    const hits: RuleHit[] = [];
    const threats: CompiledRule[] = [];
    const behaviours: CompiledRule[] = [];
    const capabilities: CompiledRule[] = [];
    let blocks: Blocks | undefined;
    let renames: Rename[] | undefined;
    const fileContext = place.context ?? (place.role === 'setup' ? 'install' : place.role === 'unshipped' ? 'unshipped' : undefined);
    // The rule that asks for a parse, for the benchmarks' counters.
    let behaviourTrigger: string | undefined = place.role === 'setup' ? 'setup.py (always parsed)' : undefined;
    // A large file is parsed only at module level and where a behaviour rule's sink meets its sources, when only
    // behaviour rules ask for the parse: the scopes of every rule that asks, collected here (see partialParseChars).
    let scopes: Set<number> | undefined = file.text.length > partialParseChars && place.role !== 'setup' && place.depth === 0 ? new Set() : undefined;
    // And within a class, the methods that hold a sink or a source of those rules (Blocks.rangesOf).
    const meetings: Meeting[] = [];
    for (const c of this.book.forTarget('python')) {
      if (c.rule.files && !c.rule.files.test(file.path)) continue;
      const m = c.rule.matcher;
      const keyed = c.rule.keywords.length === 0 || c.rule.keywords.some((k) => keywords.has(k));
      // Once a file is parsed every behaviour rule judges its facts; the keywords only decide whether to parse.
      // setup.py is always parsed: install-time code is what matters most.
      if (m.kind === 'behaviour') {
        behaviours.push(c);
        // Tests, docs and examples are not parsed for behaviours: what they do is capped at low anyway.
        if ((behaviourTrigger === undefined || scopes !== undefined) && place.role !== 'unshipped' && c.rule.role === 'threat' && keyed && passesPrefilter(c.rule, file)) {
          const met = sinkMeetsSources(c.rule, () => (renames ??= renamesIn(file.text)), keywords, () => (blocks ??= Blocks.of(file.text)), scopes !== undefined);
          if (met !== undefined) {
            behaviourTrigger ??= c.rule.id;
            if (met === 'anywhere') scopes = undefined;
            else if (scopes !== undefined) {
              for (const k of met.scopes) scopes.add(k);
              meetings.push(met);
            }
          }
        }
        continue;
      }
      if (!keyed) continue;
      // A capability's prefilter is only worth running once a threat has paid for the parse.
      if (c.rule.role === 'capability') {
        capabilities.push(c);
        continue;
      }
      if (!passesPrefilter(c.rule, file)) continue;
      if (c.query) threats.push(c);
      else if (m.kind === 'regex') hits.push(...regexHits(c.rule, m.regex, file, fileContext));
      else if (c.builtin?.target === 'python') hits.push(...withRule(c.rule, file.path, c.builtin.check(file, paramsOf(c.rule)), fileContext));
    }
    // A machine-made expression thousands deep would make every walk over its tree quadratic: not parsed, but reported.
    let parse = threats.length > 0 || behaviourTrigger !== undefined;
    if (parse && tooDeep(nestingOf(file.text))) {
      parse = false;
      const deep = this.book.get('code.deep-nesting');
      if (deep && !hits.some((h) => h.rule.id === deep.rule.id)) hits.push(...withRule(deep.rule, file.path, deepNesting(file.text), fileContext));
    }
    if (parse) {
      const trigger = threats[0]?.rule.id ?? behaviourTrigger!;
      this.stats.parseTriggers.set(trigger, (this.stats.parseTriggers.get(trigger) ?? 0) + 1);
      const queries = [...threats, ...capabilities.filter((c) => c.query && passesPrefilter(c.rule, file))];
      const ranges = threats.length === 0 && scopes !== undefined && scopes.size > 0 ? (blocks ??= Blocks.of(file.text)).rangesOf(scopes, (text) => meetings.some((m) => m.holds(text))) : undefined;
      this.stats.parsedFiles++;
      this.stats.parsedBytes += ranges === undefined ? file.text.length : ranges.reduce((n, [start, end]) => n + end - start, 0);
      const tree = this.book.parser.parse(file.text, undefined, ranges);
      try {
        const model = new ModuleModel(tree.rootNode);
        const contextOf = place.context !== undefined ? () => place.context! : contextResolver(model, place.role);
        hits.push(...this.runQueries(queries, file, tree, contextOf, model));
        if (behaviours.length > 0) hits.push(...this.runBehaviours(behaviours, file, model, place));
      } finally {
        tree.delete();
      }
    }
    return [...hits, ...this.combine(hits, file)];
  }

  /** Behaviour rules over the module's facts, and the decoded layers that its execs and commands run. */
  private runBehaviours(rules: CompiledRule[], file: SourceFile, model: ModuleModel, place: ScanPlace): RuleHit[] {
    const facts = moduleFacts(model, place.role, place.constantOf);
    const hits: RuleHit[] = [];
    for (const fact of facts) {
      const context = place.context ?? fact.context;
      for (const c of rules) {
        const m = c.rule.matcher;
        if (m.kind !== 'behaviour' || !factMatches(m, fact, context)) continue;
        hits.push({
          rule: c.rule,
          file: file.path,
          line: fact.node.startPosition.row + 1,
          snippet: factSnippet(fact),
          scope: fact.scope,
          context,
          ...(m.command && fact.command && fact.command.layers.length > 0 ? { message: `${c.rule.message} (in ${fact.command.layers.map((l) => l.via).join(' > ')})` } : {}),
        });
      }
      const layerBudget = place.layerBudget ?? { chars: maxLayerChars };
      place.layerBudget = layerBudget;
      if (place.depth < maxLayerDepth) hits.push(...this.scanLayers(fact, file, { role: place.role, context, depth: place.depth + 1, layerBudget }));
    }
    return dedupe(hits);
  }

  /** Scans again what an exec or a command runs once unpacked (or written out to a file), and reports it at the line that runs it. */
  private scanLayers(fact: Fact, file: SourceFile, place: ScanPlace): RuleHit[] {
    const layers: Array<{ via: string; text: string }> = [];
    const hidden = taints.decoded | taints.obfuscated;
    // What exec runs is code whether it was hidden or written out as a plain string literal.
    if (fact.sink === 'exec') {
      const text = textOf(fact.value);
      const hiddenText = (fact.value.t & hidden) !== 0;
      if (text !== undefined) layers.push({ via: viaOf(fact.value).join(' > ') || (hiddenText ? 'an obfuscated expression' : 'a string literal'), text });
    }
    for (const code of fact.command?.python ?? []) layers.push({ via: 'python -c', text: code });
    for (const code of fact.scripts ?? []) layers.push({ via: 'a file it writes, then runs', text: code });
    const line = fact.node.startPosition.row + 1;
    const out: RuleHit[] = [];
    for (const layer of layers) {
      const budget = place.layerBudget!;
      if (layer.text.length > budget.chars || layer.text.includes('\0')) continue;
      budget.chars -= layer.text.length;
      const inner = this.scanPython({ path: file.path, text: layer.text }, place);
      const excerpt = shortSnippet(defang(layer.text.replace(/\s+/g, ' ')), 100);
      for (const h of inner) {
        out.push({ ...h, file: file.path, line, scope: fact.scope, message: `${h.message ?? h.rule.message} (in code unpacked from ${layer.via} at line ${line}: ${excerpt})` });
      }
    }
    return out;
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

  private runQueries(queries: CompiledRule[], file: SourceFile, tree: Tree, contextOf: (node: Node) => ExecutionContext, model: ModuleModel): RuleHit[] {
    const hits: RuleHit[] = [];
    // Bounded in time: a query cut short gives the matches found so far.
    const deadline = performance.now() + querySeconds * 1000;
    const options = { progressCallback: () => performance.now() > deadline };
    for (const c of queries) {
      const seen = new Set<number>();
      for (const match of c.query!.matches(tree.rootNode, options)) {
        const capture = match.captures.find((x) => x.name === 'finding') ?? match.captures[0];
        if (capture === undefined) continue;
        const line = capture.node.startPosition.row + 1;
        if (seen.has(line)) continue;
        seen.add(line);
        hits.push({ rule: c.rule, file: file.path, line, snippet: snippetOf(capture.node), scope: model.outerScopeOf(capture.node), context: contextOf(capture.node) });
      }
    }
    return hits;
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
        // The parts run together, so the combination runs where the earliest-running part does.
        const context = contextRank.find((x) => found.some((p) => p.context === x));
        out.push({ rule: c.rule, file: file.path, line: found[0]!.line, snippet: found[0]!.snippet, message: `${c.rule.message}: ${why}`, ...(context ? { context } : {}) });
        break;
      }
    }
    return out;
  }
}

/** Mathematical alphanumerics, letterlike symbols and full-width letters: styles of letters that NFKC folds to ASCII. */
const styledLetters = /[\u2100-\u214f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u{1d400}-\u{1d7ff}]+/gu;

/**
 * Python reads identifiers in their NFKC form, so `ℯ𝓍ℯ𝒸(code)` calls exec and
 * `__𝘪𝗺𝙥𝗼𝗿𝘵__` is __import__. Styled letters are folded before any rule or
 * the parser reads the text; lines stay where they were.
 */
export function foldStyledLetters(text: string): string {
  styledLetters.lastIndex = 0;
  if (!styledLetters.test(text)) return text;
  return text.replace(styledLetters, (m) => m.normalize('NFKC'));
}

/**
 * A behaviour rule with a `sink` pattern asks for a parse only when one of
 * its keywords (a source) occurs in the sink's top-level block or in a block
 * that one names: a decoder in one function and an exec in an unrelated one
 * of a 10,000-line compiler are not worth a parse. Gives the top-level blocks
 * where they meet (see Blocks.meeting), and undefined when they do not meet.
 * A rule without a sink asks for a parse wherever its keywords are: with
 * `scoped`, the blocks around them (Blocks.around), else `anywhere`.
 */
function sinkMeetsSources(rule: Rule, renames: () => Rename[], found: ReadonlySet<string>, blocks: () => Blocks, scoped: boolean): Meeting | 'anywhere' | undefined {
  const sources = rule.keywords.filter((k) => found.has(k));
  const holdsSource = (text: string): boolean => sources.some((k) => text.includes(k));
  if (rule.sink === undefined) return scoped && sources.length > 0 ? { scopes: blocks().around(sources), holds: holdsSource } : 'anywhere';
  const sink = withAliases(rule.sink, renames());
  const scopes = blocks().meeting(sink, holdsSource);
  if (scopes === undefined) return undefined;
  const sinkIn = new RegExp(sink.source, sink.flags.replace(/[gy]/g, ''));
  return { scopes, holds: (text) => sinkIn.test(text) || holdsSource(text) };
}

/** Where a behaviour rule's sink meets its sources: the top-level blocks, and a test of whether a text holds either. */
interface Meeting {
  scopes: ReadonlySet<number>;
  holds: (text: string) => boolean;
}

/**
 * The sink pattern, plus the names the file gives the sink under another
 * name (`from os import system as run`, `run = os.system`, `e = exec`), so
 * that a renamed call still anchors the sink.
 */
/** Modules whose functions run code, start processes, fetch or decode: a renamed one still anchors a sink. */
const sinkModules = new Set(['os', 'subprocess', 'builtins', 'commands', 'pty', 'urllib', 'urllib.request', 'urllib2', 'requests', 'httpx', 'base64', 'codecs', 'zlib', 'marshal', 'binascii']);

function withAliases(sink: RegExp, renames: readonly Rename[]): RegExp {
  const aliases: string[] = [];
  for (const { original, alias } of renames) {
    const probe = (call: string): boolean => {
      sink.lastIndex = 0;
      return sink.test(call);
    };
    if (probe(` ${original}(`)) aliases.push(alias);
    // A module renamed (`import subprocess as sp`): only modules whose functions are sinks; probing any module with
    // `.Popen(` would make every `np.` call a sink.
    else if (sinkModules.has(original) && ['system', 'Popen', 'urlopen', 'get', 'b64decode'].some((f) => probe(` ${original}.${f}(`))) aliases.push(`${alias}\\.\\w+`);
    if (aliases.length >= 16) break;
  }
  return aliases.length === 0 ? sink : new RegExp(`${sink.source}|(?:^|[^\\w.])(?:${aliases.join('|')})\\s*\\(`, sink.flags);
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

function factMatches(m: Extract<Rule['matcher'], { kind: 'behaviour' }>, fact: Fact, context: ExecutionContext): boolean {
  if (m.sink !== fact.sink) return false;
  if (m.contexts !== undefined && !m.contexts.includes(context)) return false;
  if (m.taints.length > 0 && !m.taints.some((t) => (fact.taint & taints[t]) !== 0)) return false;
  if (m.callee !== undefined && !m.callee.test(fact.callee)) return false;
  if (m.urlTaints !== undefined && !m.urlTaints.some((t) => ((fact.urlTaint ?? 0) & taints[t]) !== 0)) return false;
  if (m.path !== undefined) {
    const path = fact.sink === 'write' ? textOf(fact.value) : undefined;
    if (path === undefined) return false;
    m.path.lastIndex = 0;
    if (!m.path.test(path)) return false;
  }
  if (m.command !== undefined) {
    if (fact.command === undefined) return false;
    m.command.lastIndex = 0;
    if (!m.command.test(fact.command.text)) return false;
  }
  if (m.url !== undefined) {
    if (fact.url === undefined) return false;
    m.url.lastIndex = 0;
    if (!m.url.test(fact.url)) return false;
  }
  return true;
}

/** The call, and for a command or unpacked code, a defanged excerpt of what it runs. */
function factSnippet(fact: Fact): string {
  const call = fact.node.text.length > 200 ? `${fact.node.text.slice(0, 200)}…` : fact.node.text;
  const shown = fact.command?.layers.length ? fact.command.layers[fact.command.layers.length - 1]!.text : fact.command?.text ?? (fact.sink === 'exec' ? textOf(fact.value) : undefined);
  return shortSnippet(defang(shown !== undefined && (fact.value.t & (taints.decoded | taints.obfuscated)) !== 0 || fact.command?.layers.length ? `${call} => ${shown}` : call), 160);
}

/** One hit per rule and line. */
function dedupe(hits: RuleHit[]): RuleHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    const key = `${h.rule.id}:${h.line}:${h.message ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function withRule(rule: Rule, file: string, hits: Hit[], context?: ExecutionContext): RuleHit[] {
  return hits.map((h) => ({ ...h, rule, file, ...(context !== undefined ? { context } : {}) }));
}

function regexHits(rule: Rule, regex: RegExp, file: SourceFile, context?: ExecutionContext): RuleHit[] {
  const hits: RuleHit[] = [];
  const lines = new Set<number>();
  for (const m of file.text.matchAll(regex)) {
    const line = lineAt(file.text, m.index);
    if (lines.has(line)) continue;
    lines.add(line);
    const end = file.text.indexOf('\n', m.index);
    hits.push({ rule, file: file.path, line, snippet: shortSnippet(file.text.slice(m.index, end === -1 ? undefined : end)), ...(context !== undefined ? { context } : {}) });
  }
  return hits;
}

function snippetOf(node: Node): string {
  return shortSnippet(node.text);
}
