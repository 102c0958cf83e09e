/**
 * CVSS severity of an advisory: the `severity[]` vectors (CVSS_V3, CVSS_V4)
 * scored with ae-cvss-calculator (FIRST's v3.0/v3.1/v4.0 base equations),
 * and the qualitative rating of CVSS v3.1 §5 / v4.0 §2 (the same bands in both).
 * Scores are computed once, when the database is built (cvss.ts), so an
 * audit never loads the calculator.
 */
export type CvssLevel = 'none' | 'low' | 'medium' | 'high' | 'critical';

/** A base score and its qualitative level: what a report shows in one cell. */
export interface CvssRating {
  /** The base score, 0.0–10.0. */
  score: number;
  level: CvssLevel;
}

export interface CvssSeverity extends CvssRating {
  /** `CVSS_V3` or `CVSS_V4`, as in the OSV record. */
  type: string;
  vector: string;
}

/** CVSS v3.1 §5 and v4.0 §2: None 0.0, Low 0.1–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0. */
export function levelOf(score: number): CvssLevel {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

/** The highest-scoring of an advisory's severities, or null when it has none. */
export function worstSeverity(severities: readonly CvssSeverity[]): CvssSeverity | null {
  let worst: CvssSeverity | null = null;
  for (const s of severities) if (worst === null || s.score > worst.score) worst = s;
  return worst;
}
