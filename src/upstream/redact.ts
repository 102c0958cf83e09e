/**
 * The one place that keeps upstream credentials out of text: every message, log field, event and error the
 * upstream client produces passes through a Redactor first.
 *
 * It removes two things: the secret values it was built with (passwords, tokens, the Authorization header's
 * value, in plain, percent-encoded and base64 forms), wherever they appear; and the user-information part of any
 * URL in the text (`https://user:secret@host/` becomes `https://***@host/`), which also covers credentials it was
 * never told about. Query strings of URLs are dropped too: signed file URLs (S3, GCS) carry their signature there.
 */

const MASK = '***';
/**
 * `scheme://userinfo@` anywhere in a text; userinfo ends at the first `/`, `?`, `#`, whitespace or quote. A scheme
 * starts at a word boundary: without it, a long run of letters would be scanned from each of its positions
 * (quadratic time on a long message).
 */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s"'<>@]*@/gi;
/** A URL's query string, up to the fragment or the end of the URL. */
const URL_QUERY = /\b([a-z][a-z0-9+.-]*:\/\/[^\s"'<>?#]*)\?[^\s"'<>#]*/gi;

export class Redactor {
  /** A private field, so that printing the object (util.inspect, a logger) cannot show the secrets. */
  readonly #secrets: string[];

  constructor(secrets: Iterable<string> = []) {
    const forms = new Set<string>();
    for (const secret of secrets) {
      if (secret === '') continue;
      forms.add(secret);
      forms.add(encodeURIComponent(secret));
      forms.add(Buffer.from(secret, 'utf8').toString('base64'));
      forms.add(Buffer.from(secret, 'utf8').toString('base64url'));
    }
    // Longest first, so a secret that contains another is masked whole.
    this.#secrets = [...forms].sort((a, b) => b.length - a.length);
  }

  /** A copy that also masks `more`. */
  with(more: Iterable<string>): Redactor {
    return new Redactor([...this.#secrets, ...more]);
  }

  text(text: string): string {
    let out = text.replace(URL_USERINFO, `$1${MASK}@`).replace(URL_QUERY, `$1?${MASK}`);
    for (const secret of this.#secrets) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    }
    return out;
  }

  /** A URL as it may be shown: no user name, no password, no query. */
  url(url: URL | string): string {
    let parsed: URL;
    try {
      parsed = new URL(String(url));
    } catch {
      return this.text(String(url));
    }
    parsed.username = '';
    parsed.password = '';
    if (parsed.search !== '') parsed.search = MASK;
    return this.text(parsed.href);
  }

  /** What went wrong in an error from anywhere (undici, Node, ours), as one redacted line: never the object. */
  error(error: unknown): string {
    if (error instanceof Error) {
      const code = (error as { code?: unknown }).code;
      const message = error.message === '' ? error.name : error.message;
      return this.text(typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message);
    }
    return this.text(String(error));
  }
}
