/**
 * The one place where a project page and a file are handed on before they are served, hosted or fetched from an
 * upstream. The policy decides here (index/policy-gate.ts); the open gate passes everything.
 */
import type { SourcedFile, SourcedPage } from './project-source.js';

export interface FileRequest {
  /** `hosted` or the upstream's name. */
  source: string;
  project: string;
  file: SourcedFile;
}

/** What the gate says of a file before its bytes go out. */
export interface FileAdmission {
  /**
   * Present when the decision needs the file's content (a scan, its metadata): called with a local path of the
   * verified bytes before the last of them are sent; it throws the refusal when the content refuses the file.
   */
  contentCheck?: (path: string) => Promise<void>;
}

export interface ServeGate {
  /**
   * The page to serve for a sourced page (refused files marked, for example). A gate that changes pages must change
   * `revision` with them, since rendered pages are cached per revision. Throws the refusal of a whole project.
   */
  page(page: SourcedPage): Promise<SourcedPage>;
  /**
   * What `page` would answer, when the gate can tell from memory alone (no query, no await); undefined when `page`
   * must be asked. A busy page is answered here.
   */
  cachedPage(page: SourcedPage): SourcedPage | undefined;
  /** Throws a GatehouseError (403 with the reason) when the file must not be served. */
  file(request: FileRequest): Promise<FileAdmission>;
}

export const OPEN_GATE: ServeGate = {
  page: async (page) => page,
  cachedPage: (page) => page,
  file: async () => ({}),
};
