/**
 * A detection rule, as read from one file in the top-level `rules/` folder.
 * The format is documented in rules/README.md; this module validates a parsed
 * file into a typed `Rule` so that a malformed rule fails at load time, naming
 * the file, instead of silently never firing.
 */
import type { Confidence, Severity } from '../finding.js';
import { RuleFileError } from '../errors.js';
import { type ExecutionContext, executionContexts } from '../context.js';
import type { Sink } from '../flow/api.js';
import { type TaintName, taintNames } from '../unpack/value.js';

/** What a rule looks at. */
export type RuleTarget =
  | 'python' // the text of a .py file (tree-sitter query, regex or built-in check)
  | 'pth' // the text of a .pth file, which site.py executes line by line when a line starts with `import`
  | 'path' // the path of any file in the artifact
  | 'metadata' // the core metadata (METADATA / PKG-INFO)
  | 'entry-points' // entry_points.txt
  | 'top-level' // the top-level import names the artifact installs
  | 'layout' // the artifact's kind and the paths of all its files
  | 'combination'; // signals of other rules that meet in one file

/**
 * A capability (network, subprocess, a file read) is common in honest code: it
 * never makes a file worth parsing on its own and never condemns alone. A
 * threat is what a reviewer would want to see.
 */
export type RuleRole = 'threat' | 'capability';

export type Matcher =
  | { kind: 'query'; query: string }
  | { kind: 'regex'; regex: RegExp }
  | { kind: 'builtin'; name: string; params: Record<string, unknown> }
  /** Each element is a signal, or a list of signals of which any one will do. */
  | { kind: 'combination'; allOf: string[][]; scope: CombinationScope }
  /** A fact of the data flow (src/analyze/flow/facts.ts): a sink reached by data of these origins, in these contexts. */
  | {
      kind: 'behaviour';
      sink: Sink;
      taints: TaintName[];
      /** The qualified name of what is called (`requests.post`, `socket.socket().connect`). */
      callee?: RegExp;
      command?: RegExp;
      url?: RegExp;
      /** Where the URL or host itself came from (a URL decoded from a literal hides its endpoint). */
      urlTaints?: TaintName[];
      /** write only: the path written. */
      path?: RegExp;
      contexts?: ExecutionContext[];
    };

/**
 * Where the signals of a combination must meet: anywhere in one file, or in
 * one function (or together at module level). Signals found without a parse
 * (regex and built-in rules) have no scope and meet any.
 */
export type CombinationScope = 'file' | 'function';

export interface Rule {
  id: string;
  severity: Severity;
  /** The severity where the code runs in a given context, when it differs (install-time code is more telling). */
  severityIn: Partial<Record<ExecutionContext, Severity>>;
  confidence: Confidence;
  rationale: string;
  /** The finding's message; defaults to the rationale. */
  message: string;
  target: RuleTarget;
  role: RuleRole;
  /** Only files whose path matches this are looked at. */
  files?: RegExp;
  /**
   * Literal strings, one of which must occur in a file before anything else of
   * the rule runs. All rules' keywords are searched in one pass, so they are
   * the cheapest test; choose rare ones.
   */
  keywords: string[];
  /** Regexes on the raw text: every one must match before the matcher runs (and, for a threat, before a parse). */
  prefilter: RegExp[];
  /**
   * Behaviour rules: where the data goes, as a regex on the raw text. The
   * file is parsed only when one of the keywords (where the data comes from)
   * occurs in the same top-level block as a match, or in a block it names.
   */
  sink?: RegExp;
  /** Names that combination rules refer to. */
  signals: string[];
  matcher: Matcher;
  positive: unknown[];
  negative: unknown[];
  /** The rule file, for error messages. */
  source: string;
}

const severities: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
const confidences: readonly Confidence[] = ['low', 'medium', 'high'];
const targets: readonly RuleTarget[] = ['python', 'pth', 'path', 'metadata', 'entry-points', 'top-level', 'layout', 'combination'];
const minimumSamples = 3;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Validates one parsed rule file. */
export function ruleFromData(data: unknown, source: string): Rule {
  const fail = (problem: string): never => {
    throw new RuleFileError(source, problem);
  };
  if (!isRecord(data)) return fail('the file must hold a mapping');
  const text = (key: string, required = true): string | undefined => {
    const v = data[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v.trim() === '') return fail(`\`${key}\` must be a non-empty string`);
    return v.trim();
  };
  const regex = (pattern: unknown, where: string, flags = ''): RegExp => {
    if (typeof pattern !== 'string') return fail(`${where} must be a string`);
    try {
      return new RegExp(pattern, flags);
    } catch (err) {
      return fail(`${where} is not a valid regular expression: ${(err as Error).message}`);
    }
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback?: T): T => {
    const v = data[key] ?? fallback;
    if (!allowed.includes(v as T)) return fail(`\`${key}\` must be one of ${allowed.join(', ')}`);
    return v as T;
  };
  const list = (key: string): unknown[] => {
    const v = data[key] ?? [];
    if (!Array.isArray(v)) return fail(`\`${key}\` must be a list`);
    return v;
  };

  const id = text('id')!;
  if (!/^[a-z]+\.[a-z0-9-]+$/.test(id)) fail('`id` must look like `area.rule-name`');
  const rationale = text('rationale')!;
  const target = oneOf('target', targets);
  const role = oneOf<RuleRole>('role', ['threat', 'capability'], 'threat');

  const match = data.match;
  if (!isRecord(match)) return fail('`match` must be a mapping with one of query, regex, builtin, all-of');
  let matcher: Matcher;
  if (typeof match.query === 'string') {
    if (target !== 'python') fail('a tree-sitter query needs target python');
    matcher = { kind: 'query', query: match.query };
  } else if (match.regex !== undefined) {
    matcher = { kind: 'regex', regex: regex(match.regex, '`match.regex`', `gm${typeof match.flags === 'string' ? match.flags : ''}`) };
  } else if (typeof match.builtin === 'string') {
    const params = match.params ?? {};
    if (!isRecord(params)) return fail('`match.params` must be a mapping');
    matcher = { kind: 'builtin', name: match.builtin, params };
  } else if (Array.isArray(match['all-of'])) {
    if (target !== 'combination') fail('`all-of` needs target combination');
    const allOf = match['all-of'].map((x) =>
      typeof x === 'string' ? [x] : Array.isArray(x) && x.every((s) => typeof s === 'string') ? (x as string[]) : fail('`all-of` holds signals or lists of signals'),
    );
    if (allOf.length < 2) fail('a combination needs at least two signals');
    const scope = match.scope ?? 'file';
    if (scope !== 'file' && scope !== 'function') return fail('`match.scope` must be file or function');
    matcher = { kind: 'combination', allOf, scope };
  } else if (typeof match.behaviour === 'string') {
    if (target !== 'python') fail('a behaviour needs target python');
    const sinks = ['exec', 'process', 'network', 'write'] as const;
    if (!sinks.includes(match.behaviour as Sink)) return fail(`\`match.behaviour\` must be one of ${sinks.join(', ')}`);
    const names = (key: string, allowed: readonly string[]): string[] => {
      const v = match[key] ?? [];
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && allowed.includes(x))) return fail(`\`match.${key}\` must list some of ${allowed.join(', ')}`);
      return v as string[];
    };
    matcher = {
      kind: 'behaviour',
      sink: match.behaviour as Sink,
      taints: names('taints', taintNames) as TaintName[],
      ...(match.callee !== undefined ? { callee: regex(match.callee, '`match.callee`') } : {}),
      ...(match.command !== undefined ? { command: regex(match.command, '`match.command`', 'i') } : {}),
      ...(match.url !== undefined ? { url: regex(match.url, '`match.url`', 'i') } : {}),
      ...(match['url-taints'] !== undefined ? { urlTaints: names('url-taints', taintNames) as TaintName[] } : {}),
      ...(match.path !== undefined ? { path: regex(match.path, '`match.path`', 'i') } : {}),
      ...(match.contexts !== undefined ? { contexts: names('contexts', executionContexts) as ExecutionContext[] } : {}),
    };
  } else {
    return fail('`match` must have one of query, regex, builtin, all-of, behaviour');
  }
  if (target === 'combination' && matcher.kind !== 'combination') fail('target combination needs `all-of`');
  if (data.sink !== undefined && (matcher.kind !== 'behaviour' || data.keywords === undefined)) fail('`sink` needs a behaviour matcher and `keywords` (the sources it must meet)');
  if (target === 'python' && role === 'threat' && (matcher.kind === 'query' || matcher.kind === 'behaviour') && data.keywords === undefined) {
    fail(`a threat ${matcher.kind} needs \`keywords\`: without them every file would be parsed`);
  }

  const positive = list('positive');
  const negative = list('negative');
  if (positive.length < minimumSamples || negative.length < minimumSamples) {
    fail(`a rule needs at least ${minimumSamples} positive and ${minimumSamples} negative samples`);
  }
  const signals = list('signals').map((s) => (typeof s === 'string' ? s : fail('`signals` holds strings')));
  const files = data.files === undefined ? undefined : regex(data.files, '`files`');
  const severityIn: Partial<Record<ExecutionContext, Severity>> = {};
  if (data['severity-in'] !== undefined) {
    const table = data['severity-in'];
    if (!isRecord(table)) return fail('`severity-in` must map contexts to severities');
    for (const [context, severity] of Object.entries(table)) {
      if (!executionContexts.includes(context as ExecutionContext)) fail(`\`severity-in\` names an unknown context ${context} (${executionContexts.join(', ')})`);
      if (!severities.includes(severity as Severity)) fail(`\`severity-in.${context}\` must be one of ${severities.join(', ')}`);
      severityIn[context as ExecutionContext] = severity as Severity;
    }
  }
  return {
    id,
    severity: oneOf('severity', severities),
    severityIn,
    confidence: oneOf('confidence', confidences),
    rationale,
    message: text('message', false) ?? rationale,
    target,
    role,
    ...(files ? { files } : {}),
    keywords: list('keywords').map((k) => (typeof k === 'string' && k !== '' ? k : fail('`keywords` holds non-empty strings'))),
    prefilter: list('prefilter').map((p, i) => regex(p, `\`prefilter[${i}]\``, 'm')),
    ...(data.sink !== undefined ? { sink: regex(data.sink, '`sink`', 'gm') } : {}),
    signals,
    matcher,
    positive,
    negative,
    source,
  };
}
