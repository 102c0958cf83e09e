/**
 * The one place where a project page and a file are handed on before they are served, hosted or fetched from an
 * upstream. The policy engine decides here; until it exists, everything passes.
 */
import type { SourcedFile, SourcedPage } from './project-source.js';

export interface FileRequest {
  /** `hosted` or the upstream's name. */
  source: string;
  project: string;
  file: SourcedFile;
}

export interface ServeGate {
  /**
   * The page to serve for a sourced page (files the policy refuses left out, for example). A gate that changes
   * pages must change `revision` with them, since rendered pages are cached per revision.
   */
  page(page: SourcedPage): Promise<SourcedPage>;
  /** Throws a GatehouseError (403 with the reason) when the file must not be served. */
  file(request: FileRequest): Promise<void>;
}

export const OPEN_GATE: ServeGate = {
  page: async (page) => page,
  file: async () => undefined,
};
