/**
 * The name gate: decides whether a requested project name is fine, a likely
 * typosquat of a popular project, an internal name that also exists publicly
 * (dependency confusion), denied by config, or unknown to the index.
 *
 * Pure: built once from a corpus and a config, then each check is a few
 * dozen hash probes (see deletion-index.ts and forms.ts).
 *
 * Popularity decides. A name on the ranked list is a squat only when its
 * target is far more popular (RANK_RATIO times) and one step away; an
 * unranked name close to a popular one is a squat.
 */
import { InvalidNameError } from '../../pep/errors.js';
import { normalizeName, parseName } from '../../pep/name.js';
import type { NameCorpus, PopularName } from './corpus.js';
import { DeletionIndex } from './deletion-index.js';
import { COMBO_TOP, comboCore } from './combosquat.js';
import { boundedEditDistance, classifySingleEdit, type SingleEdit } from './edits.js';
import { NAME_FORMS, type NameForm, withoutRepeats, withoutVersionSuffix } from './forms.js';

export type NameVerdictKind = 'ok' | 'typosquat' | 'unknown' | 'internal-collision' | 'denied';

export interface NameVerdict {
  /** The name as requested. */
  readonly name: string;
  /** PEP 503-normalized (equal to `name` when the name is invalid). */
  readonly normalized: string;
  readonly verdict: NameVerdictKind;
  /** The popular project this name imitates (typosquat only). */
  readonly target?: string;
  /** One sentence a pip user can act on. */
  readonly reason: string;
  /** The rule that decided: an edit kind, a name form, or a config list. */
  readonly rule?: string;
}

export interface NameGateConfig {
  /** Names that are always ok (a known-good project that looks like a squat). */
  readonly allow?: readonly string[];
  /** Names that are always refused. */
  readonly deny?: readonly string[];
  /** Prefixes of the organization's own projects, e.g. `acme-`. */
  readonly internalPrefixes?: readonly string[];
  /** Names of the organization's own projects. */
  readonly internalNames?: readonly string[];
}

export interface NameGate {
  check(name: string): NameVerdict;
  /** Sizes of the built index, for benchmarks and the status command. */
  readonly stats: { readonly deletionEntries: number; readonly deletionBytes: number };
}

/** A ranked name is a squat of a target only when it ranks this many times lower. */
export const RANK_RATIO = 20;
/**
 * Targets at least this long and at least this popular are matched at edit
 * distance 2 as well as 1: attackers spend their second typo on the names
 * most people install, and shorter or rarer names are two edits from too many
 * honest ones.
 */
export const TWO_EDIT_LENGTH = 7;
export const TWO_EDIT_TOP = 500;

/** Targets shorter than this are matched by name forms only: too many honest short names are one edit apart. */
const MIN_EDIT_LENGTH = 4;
/**
 * Targets of MIN_EDIT_LENGTH up to this length only match the single edits
 * that are slips of the finger (transposition, repetition, neighbouring key),
 * plus, at exactly SHORT_LENGTH, an insertion or omission inside the name
 * (`numipy`; not `torchx`, which extends `torch` the way honest names do).
 */
const SHORT_LENGTH = 5;

function allowsSingleEdit(targetLength: number, edit: SingleEdit): boolean {
  if (targetLength > SHORT_LENGTH) return true;
  if (edit.kind === 'insertion' || edit.kind === 'omission') return targetLength === SHORT_LENGTH && !edit.atEnd;
  return edit.kind !== 'substitution';
}

/**
 * Whether the candidate drops the target's first letter. People start a name
 * with its first letter, so such a match is less telling than one that keeps
 * it (`crypt` is `crypto` cut short more likely than `bcrypt` without its
 * `b`). Adding a letter in front (`arequests`) or hitting a wrong first key
 * (`gequests`) are as likely as elsewhere.
 */
function dropsFirstLetter(query: string, target: string, edit: SingleEdit): boolean {
  return edit.kind === 'omission' && query.charCodeAt(0) !== target.charCodeAt(0);
}

function isTwoEditTarget(p: PopularName): boolean {
  return p.name.length >= TWO_EDIT_LENGTH && p.rank <= TWO_EDIT_TOP;
}

interface SquatMatch {
  target: PopularName;
  rule: string;
  /** Reads "<candidate> RELATION <target>". */
  relation: string;
  /** Lower is a more telling match; ties go to the more popular target. */
  strength: number;
}

/** How a single edit of a transformed query reads as a rule and relation of the original candidate. */
type EditWording = (edit: SingleEdit) => { rule: string; relation: string };
const plainEdit: EditWording = (edit) => ({ rule: edit.kind, relation: edit.detail });

/** A deletion index and the popular names behind its entries. */
interface EditSource {
  readonly index: DeletionIndex;
  readonly targets: readonly PopularName[];
}

const formatter = new Intl.NumberFormat('en-US');
const formatCount = (n: number): string => formatter.format(n);

export function createNameGate(corpus: NameCorpus, config: NameGateConfig = {}): NameGate {
  const popular = corpus.popular;
  const rankOf = new Map<string, number>(popular.map((p) => [p.name, p.rank]));
  // One-edit neighbours of every popular name, and, in a small index of its
  // own (so its probes stay in cache), two-edit neighbours of the few names
  // that get them.
  const oneEdit = new DeletionIndex(
    popular.map((p) => (p.name.length >= MIN_EDIT_LENGTH ? p.name : '')),
    popular.map(() => false),
  );
  const twoEditTargets = popular.filter(isTwoEditTarget);
  const twoEdit = new DeletionIndex(
    twoEditTargets.map((p) => p.name),
    twoEditTargets.map(() => true),
  );
  const formMaps = NAME_FORMS.map((form) => indexByForm(form, popular));
  const byName = new Map<string, PopularName>(popular.map((p) => [p.name, p]));
  const comboTargets = indexComboTargets(popular, byName);
  const allow = new Set((config.allow ?? []).map(normalizeName));
  const deny = new Set((config.deny ?? []).map(normalizeName));
  const internalNames = new Set((config.internalNames ?? []).map(normalizeName));
  const internalPrefixes = (config.internalPrefixes ?? []).map(normalizeName);
  const topClause = `among the ${formatCount(corpus.topSize)} most downloaded`;

  function internalPrefixOf(name: string): string | undefined {
    for (const prefix of internalPrefixes) if (name.startsWith(prefix)) return prefix;
    return undefined;
  }

  function popularityClause(candidate: string, rank: number | undefined): string {
    return rank === undefined ? `'${candidate}' is not ${topClause}` : `'${candidate}' ranks only ${formatCount(rank)}`;
  }

  /** Whether `target` is popular enough, against the candidate's own rank, to be imitated by it. */
  function outranks(target: PopularName, candidate: string, rank: number | undefined): boolean {
    return target.name !== candidate && (rank === undefined || rank >= target.rank * RANK_RATIO);
  }

  function better(match: SquatMatch, best: SquatMatch | undefined): boolean {
    return !best || match.strength < best.strength || (match.strength === best.strength && match.target.rank < best.target.rank);
  }

  const everyName: EditSource = { index: oneEdit, targets: popular };
  const twoEditNames: EditSource = { index: twoEdit, targets: twoEditTargets };

  /** The best name of `source` one allowed edit from `query` that outranks `candidate` and is `eligible`. */
  function singleEditMatch(
    query: string,
    candidate: string,
    rank: number | undefined,
    strength: number,
    wording: EditWording,
    source: EditSource = everyName,
    eligible: (target: PopularName) => boolean = () => true,
  ): SquatMatch | undefined {
    let best: SquatMatch | undefined;
    // One deletion of the query meets the source's stored deletions: a
    // superset of the names one edit away, verified below.
    for (const entry of source.index.candidates(query, false)) {
      const target = source.targets[entry];
      if (!target || !outranks(target, candidate, rank) || !eligible(target)) continue;
      const edit = boundedEditDistance(query, target.name, 1) === 1 ? classifySingleEdit(query, target.name) : undefined;
      if (!edit || !allowsSingleEdit(target.name.length, edit)) continue;
      const match = { target, ...wording(edit), strength: strength + (dropsFirstLetter(query, target.name, edit) ? 0.5 : 0) };
      if (better(match, best)) best = match;
    }
    return best;
  }

  function findSquat(candidate: string, rank: number | undefined): SquatMatch | undefined {
    let best: SquatMatch | undefined;
    // Indexed loops over plain arrays: this is the hot path of every check.
    for (let f = 0; f < NAME_FORMS.length; f++) {
      const form = NAME_FORMS[f]!;
      const key = form.key(candidate);
      const targets = key === undefined ? undefined : formMaps[f]!.get(key);
      if (targets === undefined) continue;
      for (const target of targets) {
        if (!outranks(target, candidate, rank)) continue;
        // PyPI's ultranormalization also folds letters people do not confuse
        // (`i`/`l`), so it ranks below the other forms.
        const match = { target, rule: form.rule, relation: form.relation, strength: form.rule === 'ultranormalize' ? 1 : 0 };
        if (better(match, best)) best = match;
        break;
      }
    }
    const edited = singleEditMatch(candidate, candidate, rank, 1, plainEdit);
    if (edited && better(edited, best)) best = edited;
    // Two edits apart is a family resemblance more often than a typo
    // (`azureml-core`, `azure-core`): only an unranked name is flagged for it.
    if (rank === undefined && candidate.length >= TWO_EDIT_LENGTH - 2) {
      for (const entry of twoEdit.candidates(candidate, true)) {
        const target = twoEditTargets[entry];
        if (!target || target.name === candidate || boundedEditDistance(candidate, target.name, 2) !== 2) continue;
        const match = { target, rule: 'two-edits', relation: 'is two edits away from', strength: 2 };
        if (better(match, best)) best = match;
      }
    }
    return best ?? (rank === undefined ? findLooseSquat(candidate) : undefined);
  }

  /**
   * The weakest rules, for an unranked name nothing above explains: a popular
   * name dressed up with combo words, and letters held down too long.
   */
  function findLooseSquat(candidate: string): SquatMatch | undefined {
    let best: SquatMatch | undefined;
    const combo = comboCore(candidate);
    if (combo) {
      const added = `adds '${combo.extras.join("', '")}' to`;
      const exact = comboTargets.get(combo.core) ?? comboTargets.get(withoutVersionSuffix(combo.core) ?? '');
      if (exact) best = { target: exact, rule: 'combosquat', relation: added, strength: 3 };
      else if (combo.core.length >= TWO_EDIT_LENGTH && !corpus.all.has(combo.core)) {
        // A misspelled core plus a word is two changes, so it needs a two-edit
        // length (`python-plus` is not `cython`); and a core that is a
        // project of its own (`network`, `locker`) is a word, not a misspelling.
        const wording: EditWording = (edit) => ({ rule: 'combosquat', relation: `${added} '${combo.core}', which ${edit.detail}` });
        best = singleEditMatch(combo.core, candidate, undefined, 3, wording, everyName, (target) => target.rank <= COMBO_TOP);
      }
    }
    // Cut every run of a letter to one; then the same name, or one edit from
    // a name that gets two edits anyway (isTwoEditTarget, looked up in their
    // small index): on other names, letters held down plus one more edit
    // match too many honest names (`funny`, `funcy`).
    const collapsed = withoutRepeats(candidate);
    if (collapsed !== candidate && collapsed.length >= MIN_EDIT_LENGTH) {
      const same = byName.get(collapsed);
      let match: SquatMatch | undefined;
      if (same && outranks(same, candidate, undefined)) match = { target: same, rule: 'repeated-letters', relation: 'repeats letters of', strength: 3 };
      else {
        const wording: EditWording = (edit) => ({ rule: 'repeated-letters', relation: `repeats letters and ${edit.detail}` });
        if (collapsed.length >= TWO_EDIT_LENGTH - 1) match = singleEditMatch(collapsed, candidate, undefined, 3, wording, twoEditNames);
      }
      if (match && better(match, best)) best = match;
    }
    return best;
  }

  function check(requested: string): NameVerdict {
    let name: string;
    try {
      name = parseName(requested);
    } catch (err) {
      if (!(err instanceof InvalidNameError)) throw err;
      return { name: requested, normalized: requested, verdict: 'denied', rule: 'invalid-name', reason: err.message };
    }
    const verdict = (kind: NameVerdictKind, reason: string, rule?: string, target?: string): NameVerdict => ({
      name: requested,
      normalized: name,
      verdict: kind,
      ...(target !== undefined && { target }),
      reason,
      ...(rule !== undefined && { rule }),
    });
    if (deny.has(name)) return verdict('denied', `'${name}' is on the denylist`, 'denylist');
    if (allow.has(name)) return verdict('ok', `'${name}' is on the allowlist`, 'allowlist');
    const prefix = internalPrefixOf(name);
    if (prefix !== undefined || internalNames.has(name)) {
      const why = prefix !== undefined ? `has the internal prefix '${prefix}'` : 'is an internal project name';
      return corpus.all.has(name)
        ? verdict(
            'internal-collision',
            `'${name}' ${why} but a project of that name exists on the public index: installing it from there would run a stranger's code`,
            'dependency-confusion',
          )
        : verdict('ok', `'${name}' ${why} and is not on the public index`, 'internal');
    }
    const rank = rankOf.get(name);
    const squat = findSquat(name, rank);
    if (squat) {
      const { target } = squat;
      const reason = `'${name}' ${squat.relation} '${target.name}' (rank ${formatCount(target.rank)}); ${popularityClause(name, rank)}`;
      return verdict('typosquat', reason, squat.rule, target.name);
    }
    if (rank !== undefined) return verdict('ok', `'${name}' ranks ${formatCount(rank)} ${topClause}`);
    if (!corpus.all.has(name)) return verdict('unknown', `'${name}' is not on the index snapshot`);
    return verdict('ok', `'${name}' is on the index and resembles no popular project`);
  }

  return {
    check,
    stats: { deletionEntries: oneEdit.entryCount + twoEdit.entryCount, deletionBytes: oneEdit.byteLength + twoEdit.byteLength },
  };
}

/**
 * The popular names a combosquat may dress up, by name and by name without
 * its version number when no ranked project has that name (`urllib3` as
 * `urllib`; but `boto` is a project of its own, not `boto3`).
 */
function indexComboTargets(popular: readonly PopularName[], byName: ReadonlyMap<string, PopularName>): Map<string, PopularName> {
  const byKey = new Map<string, PopularName>();
  for (const p of popular) {
    if (p.rank > COMBO_TOP || p.name.length < MIN_EDIT_LENGTH) continue;
    if (!byKey.has(p.name)) byKey.set(p.name, p);
    const bare = withoutVersionSuffix(p.name);
    // `boto` is a project of its own, not `boto3` without its number.
    if (bare !== undefined && bare.length >= MIN_EDIT_LENGTH && !byName.has(bare) && !byKey.has(bare)) byKey.set(bare, p);
  }
  return byKey;
}

/** Popular names by their key under `form`, each list in rank order. */
function indexByForm(form: NameForm, popular: readonly PopularName[]): Map<string, PopularName[]> {
  const byKey = new Map<string, PopularName[]>();
  for (const p of popular) {
    const key = form.key(p.name);
    if (key === undefined) continue;
    const list = byKey.get(key);
    if (list) list.push(p);
    else byKey.set(key, [p]);
  }
  return byKey;
}
