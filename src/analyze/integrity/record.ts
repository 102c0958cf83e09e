/**
 * The RECORD file of a wheel (binary distribution format spec, "The .dist-info
 * directory"; PEP 376): CSV lines `path,algorithm=urlsafe-b64-digest,size`,
 * written by Python's csv module (excel dialect: `"` quotes, `""` escapes).
 */

export interface RecordRow {
  /** 1-based line number, for findings. */
  line: number;
  path: string;
  /** Empty when the line gives no hash (allowed for RECORD itself). */
  algorithm: string;
  /** The digest as hex, decoded from urlsafe base64 without padding. */
  digestHex: string;
  /**
   * How the digest was written: the spec's urlsafe base64, or hex (some build
   * tools write hex; recognised by its length, twice the digest's bytes).
   */
  digestEncoding: 'base64url' | 'hex';
  /** The digest as written, for messages. */
  digestText: string;
  /** Undefined when the line gives no size. */
  size: number | undefined;
}

export interface RecordProblem {
  line: number;
  message: string;
  text: string;
}

/** Splits CSV text into records of fields, honouring quotes (a quoted field may hold commas and newlines). */
export function parseCsv(text: string): { fields: string[]; line: number; text: string }[] {
  const rows: { fields: string[]; line: number; text: string }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let rowStart = 0;
  const endRow = (end: number): void => {
    fields.push(field);
    const rowText = text.slice(rowStart, end);
    if (!(fields.length === 1 && fields[0] === '')) rows.push({ fields, line: rowLine, text: rowText });
    fields = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      endRow(i);
      if (c === '\r' && text[i + 1] === '\n') i++;
      line++;
      rowLine = line;
      rowStart = i + 1;
    } else field += c;
  }
  if (field !== '' || fields.length > 0) endRow(text.length);
  return rows;
}

const URLSAFE_B64 = /^[A-Za-z0-9_-]+={0,2}$/;
const HEX = /^[0-9a-f]+$/i;
const DIGEST_BYTES: Record<string, number> = { md5: 16, sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

export function parseRecord(text: string): { rows: RecordRow[]; problems: RecordProblem[] } {
  const rows: RecordRow[] = [];
  const problems: RecordProblem[] = [];
  for (const { fields, line, text: rowText } of parseCsv(text)) {
    if (fields.length !== 3) {
      problems.push({ line, message: `has ${fields.length} fields, not 3 (path, hash, size)`, text: rowText });
      continue;
    }
    const [path = '', hash = '', sizeText = ''] = fields;
    let algorithm = '';
    let digestText = '';
    let digestHex = '';
    let digestEncoding: RecordRow['digestEncoding'] = 'base64url';
    if (hash !== '') {
      const eq = hash.indexOf('=');
      algorithm = eq > 0 ? hash.slice(0, eq).toLowerCase() : '';
      digestText = eq > 0 ? hash.slice(eq + 1) : '';
      if (algorithm === '' || !URLSAFE_B64.test(digestText)) {
        problems.push({ line, message: `hash ${JSON.stringify(hash)} is not algorithm=urlsafe-base64-digest`, text: rowText });
        continue;
      }
      const bytes = DIGEST_BYTES[algorithm];
      if (bytes !== undefined && digestText.length === 2 * bytes && HEX.test(digestText)) {
        digestEncoding = 'hex';
        digestHex = digestText.toLowerCase();
      } else digestHex = Buffer.from(digestText, 'base64url').toString('hex');
    }
    let size: number | undefined;
    if (sizeText !== '') {
      if (!/^\d+$/.test(sizeText)) {
        problems.push({ line, message: `size ${JSON.stringify(sizeText)} is not a number`, text: rowText });
        continue;
      }
      size = Number(sizeText);
    }
    rows.push({ line, path, algorithm, digestHex, digestEncoding, digestText, size });
  }
  return { rows, problems };
}
