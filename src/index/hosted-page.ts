/**
 * The Simple API view of a hosted project: its files as PEP 503/691 entries.
 */
import type { SimpleFile, SimpleProjectPage } from '../pep/simple.js';
import type { HostedFile, HostedProject } from '../store/index.js';

/** Where a file is served, relative to `/simple/<project>/` so the gateway works behind any path prefix. */
export function fileUrl(file: Pick<HostedFile, 'sha256' | 'filename'>): string {
  return `../../files/${file.sha256}/${encodeURIComponent(file.filename)}`;
}

export function hostedProjectPage(project: HostedProject, files: HostedFile[]): SimpleProjectPage {
  const versions = new Set<string>();
  const simpleFiles: SimpleFile[] = files.map((f) => {
    versions.add(f.version);
    return {
      filename: f.filename,
      url: fileUrl(f),
      hashes: { sha256: f.sha256 },
      requiresPython: f.requires_python ?? undefined,
      yanked: f.yanked === 1 ? (f.yanked_reason ?? true) : false,
      coreMetadata: f.metadata_sha256 ? { sha256: f.metadata_sha256 } : false,
      size: f.size,
      uploadTime: f.upload_time,
    };
  });
  return { name: project.display_name, versions: [...versions], files: simpleFiles };
}
