/**
 * The stored form of an advisory: what an audit report shows, with its
 * severities already scored and its malware flag already decided, and the
 * per-package matching data with events sorted and invalid versions dropped.
 * The conversion from an OSV record is in convert.ts.
 */
import type { StoredEvent } from './matcher.js';
import type { CvssSeverity, CvssRating } from './severity.js';

export interface Advisory {
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases: string[];
  summary?: string;
  details?: string;
  severity: CvssSeverity[];
  /** The highest-scoring of `severity`, as a rating; null when none is scored. What a one-line report shows. */
  highestSeverity: CvssRating | null;
  /** CvssSeverity vectors that could not be scored, kept as text. */
  unscoredSeverity: Array<{ type: string; score: string }>;
  malware: boolean;
  references: Array<{ type: string; url: string }>;
  /** The normalized names of the PyPI packages it affects. */
  packages: string[];
}

/** What one advisory says about one package, in stored (JSON) form. */
export interface StoredAffected {
  /** Normalized package name. */
  name: string;
  id: string;
  malware: boolean;
  /** ECOSYSTEM ranges, events sorted for evaluation, invalid versions dropped. */
  ranges: StoredEvent[][];
  /** `versions` entries that no range already covers (the list is a union with the ranges). */
  versions: string[];
}

export interface ConvertedAdvisory {
  advisory: Advisory;
  affected: StoredAffected[];
  /** Event version strings that are not PEP 440 and were left out of evaluation. */
  invalidEvents: string[];
}

/** Every field of an advisory as a plain object (an advisory read from the database has accessors, which a spread skips). */
export function advisoryRecord(a: Advisory): Advisory {
  return {
    id: a.id,
    modified: a.modified,
    published: a.published,
    withdrawn: a.withdrawn,
    aliases: a.aliases,
    summary: a.summary,
    details: a.details,
    severity: a.severity,
    highestSeverity: a.highestSeverity,
    unscoredSeverity: a.unscoredSeverity,
    malware: a.malware,
    references: a.references,
    packages: a.packages,
  };
}
