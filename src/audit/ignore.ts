/**
 * `--ignore ID[:reason[:until-date]]`: an accepted risk. The ID may be the
 * advisory's own id or any alias (CVE-…, GHSA-…). An ignore with an
 * `until` date (YYYY-MM-DD) stops applying after that day, so an accepted risk
 * comes back instead of being forgotten.
 */
import { InvalidIgnoreError } from './errors.js';

export interface Ignore {
  id: string;
  reason?: string;
  /** Last day (UTC, inclusive) on which the ignore applies. */
  until?: string;
}

export function parseIgnore(text: string): Ignore {
  const first = text.indexOf(':');
  const id = (first < 0 ? text : text.slice(0, first)).trim();
  if (!/^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9._-]+$/.test(id)) {
    throw new InvalidIgnoreError(`--ignore ${JSON.stringify(text)}: expected ID[:reason[:until-date]] with an advisory id such as PYSEC-2021-7 or CVE-2021-33203`);
  }
  if (first < 0) return { id };
  const rest = text.slice(first + 1);
  // The reason may itself contain colons; a trailing :YYYY-MM-DD is the date.
  const dated = /^(.*):(\d{4}-\d{2}-\d{2})$/.exec(rest);
  const reason = (dated ? dated[1] : rest)?.trim();
  const until = dated?.[2];
  if (until !== undefined && !isCalendarDate(until)) {
    throw new InvalidIgnoreError(`--ignore ${JSON.stringify(text)}: ${until} is not a calendar date (YYYY-MM-DD)`);
  }
  return { id, ...(reason ? { reason } : {}), ...(until ? { until } : {}) };
}

function isCalendarDate(text: string): boolean {
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** Whether the ignore still applies on `today` (YYYY-MM-DD, UTC). */
export function isActive(ignore: Ignore, today: string): boolean {
  return ignore.until === undefined || today <= ignore.until;
}

/** The active ignore that covers an advisory with this id and these aliases, if any. */
export function findIgnore(ignores: readonly Ignore[], ids: readonly string[], today: string): Ignore | undefined {
  return ignores.find((i) => isActive(i, today) && ids.includes(i.id));
}
