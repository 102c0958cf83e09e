/** What each rule target looks at, as handed to matchers and built-in checks. */

/** A text file of the artifact: a .py or .pth file. */
export interface SourceFile {
  path: string;
  text: string;
}

/** The parts of core metadata (METADATA / PKG-INFO) that metadata rules judge. */
export interface ArtifactMetadata {
  name?: string;
  version?: string;
  summary?: string;
  description?: string;
  /** Addresses from Author-email and Maintainer-email. */
  emails: string[];
  /** Home-page, Download-URL and Project-URL values. */
  urls: string[];
}

/** The console and GUI scripts an artifact installs, from entry_points.txt. */
export interface InstalledScripts {
  /** The normalized project name (PEP 503) of the artifact. */
  project: string;
  /** Script name -> `module:function`. */
  scripts: Map<string, string>;
}

/** The top-level import names an artifact installs (its packages and modules). */
/** What an artifact is made of: its kind and every regular file's path, relative to its root. */
export interface ArtifactLayout {
  kind: 'wheel' | 'sdist' | 'source-tree';
  paths: readonly string[];
}

export interface TopLevelNames {
  project: string;
  names: string[];
}

/** Where a rule matched, before it becomes a `Finding`. */
export interface Hit {
  line?: number;
  snippet?: string;
  /** Overrides the rule's message when the check can say more. */
  message?: string;
}

/** Cuts evidence to one short line for findings and tables. */
export function shortSnippet(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
