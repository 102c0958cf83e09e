/**
 * The Simple API view of a hosted project: its files as PEP 503/691 entries.
 */
import type { SimpleFile, SimpleProjectPage } from '../pep/simple.js';
import type { HostedFile, HostedProject, HostedRelease } from '../store/index.js';
import { servedFileUrl } from './file-urls.js';


/** A project's page: one version per release, in the spelling of its first file; every file as uploaded. */
export function hostedProjectPage(project: HostedProject, releases: HostedRelease[], files: HostedFile[]): SimpleProjectPage {
  const simpleFiles: SimpleFile[] = files.map((f) => {
    return {
      filename: f.filename,
      url: servedFileUrl(f.sha256, f.filename),
      hashes: { sha256: f.sha256 },
      requiresPython: f.requires_python ?? undefined,
      yanked: f.yanked === 1 ? (f.yanked_reason ?? true) : false,
      coreMetadata: f.metadata_sha256 ? { sha256: f.metadata_sha256 } : false,
      size: f.size,
      uploadTime: f.upload_time,
    };
  });
  return { name: project.display_name, versions: releases.map((r) => r.version), files: simpleFiles };
}
