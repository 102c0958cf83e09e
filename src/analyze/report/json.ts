/** The JSON report of `gatehouse scan --format json`: `{"artifacts":[{"path","verdict","findings":[…]}]}`. */
import type { ArtifactReport } from '../artifact.js';

export function jsonReport(reports: readonly ArtifactReport[]): string {
  return `${JSON.stringify(
    {
      artifacts: reports.map((r) => ({
        path: r.path,
        kind: r.kind,
        ...(r.project !== undefined ? { project: r.project } : {}),
        ...(r.version !== undefined ? { version: r.version } : {}),
        verdict: r.verdict,
        reasons: r.reasons,
        findings: r.findings.map((f) => ({
          rule: f.rule,
          severity: f.severity,
          confidence: f.confidence,
          file: f.file ?? null,
          line: f.line ?? null,
          message: f.message,
          ...(f.snippet !== undefined ? { snippet: f.snippet } : {}),
        })),
      })),
    },
    null,
    2,
  )}\n`;
}
