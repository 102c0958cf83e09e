/**
 * Scans one artifact (a wheel, an sdist or an unpacked source tree) with every
 * analyzer: the archive reader's own findings, wheel integrity, the code rules
 * on each .py and .pth file, the metadata, the installed scripts and the
 * top-level import names. Then decides the verdict.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { readArchive, wantPackageMetadata, type ArchiveEntry } from '../archive/index.js';
import { parseCoreMetadata } from '../pep/metadata.js';
import { parseDistFilename } from '../pep/filename.js';
import { locateDistInfo, type ExpectedDistribution } from '../pep/wheel-layout.js';
import { normalizeName } from '../pep/name.js';
import { checkWheelIntegrity } from './integrity/wheel.js';
import type { Finding } from './finding.js';
import { checkLayout, checkMetadata, checkScripts, checkTopLevel } from './artifact-rules.js';
import { projectNameFromPyproject, scriptsFromEntryPoints, scriptsFromPyproject } from './entry-points.js';
import { type ArtifactKind, commonRoot, topLevelNames } from './layout.js';
import { fileRole, firstLevelPackages } from './context.js';
import { constantsFor } from './module-constants.js';
import type { ScanInput } from './inputs.js';
import { Rulebook } from './rulebook/rulebook.js';
import { type RuleHit, SourceScanner, toFinding } from './source-scan.js';
import type { ArtifactMetadata } from './subjects.js';
import { decideVerdict, type Verdict } from './verdict.js';

export interface ArtifactReport {
  path: string;
  kind: ArtifactKind;
  project?: string;
  version?: string;
  verdict: Verdict;
  /** Why: one line per finding that decided the verdict. */
  reasons: string[];
  findings: Finding[];
}

/** Files of a source tree larger than this are not read: no honest .py file is that big, and the archive limits cover artifacts. */
const maxTreeFileBytes = 20 * 1024 * 1024;
const skippedTreeDirs = new Set(['.git', '.hg', '.svn', 'node_modules', '__pycache__']);

/** The files analyzers read: code, start-up hooks and the metadata files. */
function wantedPath(path: string): boolean {
  return /\.(py|pth)$/i.test(path) || /(^|\/)(entry_points\.txt|PKG-INFO|pyproject\.toml)$/.test(path);
}

function wanted(entry: ArchiveEntry): boolean {
  return wantPackageMetadata(entry) || wantedPath(entry.path);
}

/** What an artifact offers the analyzers, whatever it was read from. */
interface ArtifactView {
  kind: ArtifactKind;
  /** Every regular file's path, relative to the artifact. */
  paths: string[];
  /** The text of the files `wanted` selected. */
  texts: Map<string, string>;
  /** The project name the file name gives, when it gives one. */
  filenameProject?: string;
  /** The project and version the file name gives, which pick the wheel's own `.dist-info` directory. */
  expected?: ExpectedDistribution;
}

export class ArtifactScanner {
  readonly source: SourceScanner;

  private constructor(readonly book: Rulebook) {
    this.source = new SourceScanner(book);
  }

  static async create(rulesDir?: string): Promise<ArtifactScanner> {
    return new ArtifactScanner(await Rulebook.load(rulesDir));
  }

  /**
   * Scans one input. Whatever the input does to the analyzers, the answer is a
   * report: a scan that stops gives the verdict `error` with the reason, so
   * that one planted file cannot take down a batch.
   */
  async scan(input: ScanInput): Promise<ArtifactReport> {
    try {
      return await (input.kind === 'source-tree' ? this.scanTree(input.path) : this.scanArchive(input.path, input.kind));
    } catch (err) {
      const reason = `the scan stopped: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
      const finding: Finding = { rule: 'analyze.scan-error', severity: 'high', confidence: 'high', message: reason };
      return { path: input.path, kind: input.kind, verdict: 'error', reasons: [reason], findings: [finding] };
    }
  }

  async scanArchive(path: string, kind: 'wheel' | 'sdist'): Promise<ArtifactReport> {
    const contents = await readArchive(path, { want: wanted });
    const findings = [...contents.findings];
    if (kind === 'wheel') findings.push(...checkWheelIntegrity(basename(path), contents));
    const texts = new Map<string, string>();
    for (const [p, data] of contents.files) texts.set(p, data.toString('utf8'));
    let expected: ExpectedDistribution | undefined;
    try {
      const dist = parseDistFilename(basename(path));
      expected = { normalizedName: dist.normalizedName, version: dist.version };
    } catch {
      // An unparsable file name is the integrity check's finding; the metadata may still name the project.
    }
    const view: ArtifactView = {
      kind,
      paths: contents.entries.filter((e) => e.kind === 'file').map((e) => e.path),
      texts,
      ...(expected ? { filenameProject: expected.normalizedName, expected } : {}),
    };
    return this.analyze(path, view, findings);
  }

  async scanTree(dir: string): Promise<ArtifactReport> {
    const paths: string[] = [];
    const texts = new Map<string, string>();
    const walk = async (at: string): Promise<void> => {
      for (const entry of await readdir(at, { withFileTypes: true })) {
        const full = join(at, entry.name);
        if (entry.isDirectory()) {
          if (!skippedTreeDirs.has(entry.name)) await walk(full);
          continue;
        }
        if (!entry.isFile()) continue; // symlinks are not followed: a tree must not make us read outside it
        const rel = relative(dir, full).split(sep).join('/');
        paths.push(rel);
        if (wantedPath(rel) && (await lstat(full)).size <= maxTreeFileBytes) texts.set(rel, await readFile(full, 'utf8'));
      }
    };
    await walk(dir);
    return this.analyze(dir, { kind: 'source-tree', paths: paths.sort(), texts }, []);
  }

  private analyze(path: string, view: ArtifactView, findings: Finding[]): ArtifactReport {
    const hits: RuleHit[] = [];
    const root = view.kind === 'sdist' ? commonRoot(view.paths) : '';
    const setupHelpers = view.kind === 'wheel' ? new Set<string>() : setupImports(view.texts, root);
    const packages = firstLevelPackages(view.paths.map((p) => inArtifact(p, root)));
    for (const [file, text] of view.texts) {
      // One file that defeats an analyzer must not blind the scan of the others: it becomes a finding.
      try {
        const role = setupHelpers.has(file) ? 'setup' : fileRole(inArtifact(file, root), view.kind, packages);
        if (/\.py$/i.test(file)) hits.push(...this.source.scanPython({ path: file, text }, { role, depth: 0, constantOf: constantsFor(file, view.texts, root) }));
        else if (/\.pth$/i.test(file)) hits.push(...this.source.scanPth({ path: file, text }));
      } catch (err) {
        findings.push(unanalyzable(file, err));
      }
    }
    for (const file of view.paths) hits.push(...this.source.scanPath(file));
    hits.push(...checkLayout(this.book, { kind: view.kind, paths: view.paths.map((p) => inArtifact(p, root)) }));

    // The same directory the integrity check and the upload check accept, never a decoy beside it.
    const distInfo = view.kind === 'wheel' ? locateDistInfo(view.paths, view.expected).dir : undefined;
    const metadataFile = distInfo ? `${distInfo}/METADATA` : `${root}PKG-INFO`;
    const meta = readMetadata(view.texts.get(metadataFile));
    const pyproject = view.texts.get(`${root}pyproject.toml`);
    const declaredName = meta?.name ?? (pyproject === undefined ? undefined : projectNameFromPyproject(pyproject));
    const project = declaredName ? normalizeName(declaredName) : view.filenameProject;
    if (meta) hits.push(...checkMetadata(this.book, meta, metadataFile));

    if (project !== undefined) {
      const entryPointsFile = distInfo ? `${distInfo}/entry_points.txt` : `${root}pyproject.toml`;
      const text = view.texts.get(entryPointsFile);
      if (text !== undefined) {
        const scripts = distInfo ? scriptsFromEntryPoints(text) : scriptsFromPyproject(text);
        hits.push(...checkScripts(this.book, { project, scripts }, entryPointsFile));
      }
      hits.push(...checkTopLevel(this.book, { project, names: topLevelNames(view.kind, view.paths) }));
    }

    const all = [...findings, ...hits.map(toFinding)];
    const { verdict, reasons } = decideVerdict(all);
    return {
      path,
      kind: view.kind,
      ...(project !== undefined ? { project } : {}),
      ...(meta?.version ? { version: meta.version } : {}),
      verdict,
      reasons,
      findings: all,
    };
  }
}

/**
 * The modules beside `setup.py` that it imports (`from pre_install import
 * run`, `import build_helpers`), and the modules and scripts it names to run
 * (`python -m pkg.main`, `"tools/gen.py"`): they run when setup.py does, at
 * install time, so they are read as setup.py is. Imports count only for files
 * at the root, next to setup.py: an installed package imported for its version
 * string is the package's own code.
 */
function setupImports(texts: ReadonlyMap<string, string>, root: string): Set<string> {
  const out = new Set<string>();
  const setup = texts.get(`${root}setup.py`);
  if (setup === undefined) return out;
  for (const m of setup.matchAll(/^[ \t]*(?:from[ \t]+([A-Za-z_]\w*)[ \t]+import\b|import[ \t]+([A-Za-z_]\w*(?:[ \t]*,[ \t]*[A-Za-z_]\w*)*))/gm)) {
    for (const name of (m[1] ?? m[2]!).split(',').map((n) => n.trim())) {
      const file = `${root}${name}.py`;
      if (name !== 'setup' && texts.has(file)) out.add(file);
    }
  }
  // A module or script it runs: `python -m pkg.main` (as a string or a list), `python helper.py`, `exec(open("x.py").read())`.
  const runLines = setup.split('\n').filter((line) => /python|executable|exec\s*\(|runpy|subprocess|system\s*\(|Popen|call\s*\(/.test(line)).join('\n');
  for (const m of runLines.matchAll(/-m["',\s]+([A-Za-z_][\w.]*)|["']([\w./-]+\.py)["']/g)) {
    const candidates = m[1] !== undefined ? [`${m[1].replace(/\./g, '/')}.py`, `${m[1].replace(/\./g, '/')}/__main__.py`] : [m[2]!.replace(/^\.\//, '')];
    for (const rel of candidates) {
      for (const file of [`${root}${rel}`, `${root}src/${rel}`]) if (file !== `${root}setup.py` && texts.has(file)) out.add(file);
    }
  }
  return out;
}

/** A path relative to the artifact's root, without an sdist's `name-1.0/` or a `src/` layout's folder. */
function inArtifact(file: string, root: string): string {
  const rel = file.startsWith(root) ? file.slice(root.length) : file;
  return rel.startsWith('src/') ? rel.slice(4) : rel;
}

function unanalyzable(file: string, err: unknown): Finding {
  return {
    rule: 'analyze.file-unanalyzable',
    severity: 'medium',
    confidence: 'medium',
    message: `the code analyzers stopped on this file (${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}); it was not fully checked`,
    file,
  };
}

function readMetadata(text: string | undefined): ArtifactMetadata | undefined {
  if (text === undefined) return undefined;
  let md: ReturnType<typeof parseCoreMetadata>;
  try {
    md = parseCoreMetadata(text);
  } catch {
    return undefined; // malformed metadata is the integrity check's finding, not ours
  }
  const emails = [md.authorEmail, md.maintainerEmail]
    .filter((e): e is string => e !== undefined)
    .flatMap((e) => e.split(','))
    .map((e) => e.trim())
    .filter((e) => e.includes('@'));
  const urls = [md.homePage, md.downloadUrl, ...md.projectUrls.map((u) => u.url)].filter((u): u is string => u !== undefined && u !== '');
  return {
    name: md.name,
    version: md.version,
    ...(md.summary !== undefined ? { summary: md.summary } : {}),
    ...(md.description !== undefined ? { description: md.description } : {}),
    emails,
    urls,
  };
}
