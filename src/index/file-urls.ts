/**
 * Where the gateway serves a file, relative to `/simple/<project>/` so it works behind any path prefix or host
 * name: `../../files/<sha256>/<filename>`, with `.metadata` (PEP 658) and `.provenance` (PEP 740) beside it.
 * Hosted and proxied files alike: the sha256 names the bytes, wherever they came from.
 */
export function servedFileUrl(sha256: string, filename: string): string {
  return `../../files/${sha256}/${encodeURIComponent(filename)}`;
}
