/**
 * An upstream index as configured (`UpstreamDefinition`, from the command line, the environment or `[[upstream]]`
 * tables), and as the client uses it (`Upstream`): a base URL without credentials, the Authorization header kept in
 * a private field (so logging the object cannot print it), the hosts files may come from, and a Redactor that knows
 * its secrets.
 */
import { UpstreamConfigError, type ErrorSource } from './errors.js';
import { Redactor } from './redact.js';

export type UpstreamCredentials =
  /** HTTP basic authentication. */
  | { username: string; password: string }
  /**
   * A token read from the environment variable named `tokenEnv` when the client is built: sent as
   * `Authorization: Bearer <token>`, or as the basic password of `username` when one is given (Artifactory, Nexus
   * and GitLab take tokens that way).
   */
  | { tokenEnv: string; username?: string };

export interface UpstreamDefinition {
  /** Shown in logs, errors, metrics and the health listing: letters, digits, `.`, `_` and `-`. */
  name: string;
  /** The Simple API base URL (`https://pypi.org/simple/`). A user name and password in it become basic credentials. */
  url: string;
  credentials?: UpstreamCredentials;
  /**
   * Hosts that files may be fetched from besides the index's own (`files.pythonhosted.org` for PyPI), as `host`
   * (any port) or `host:port`. A file link or redirect to any other host is refused.
   */
  allowedFileHosts?: string[];
  /**
   * The base of a PyPI-style JSON API (`https://pypi.org/pypi/`, serving `<base><project>/json`), read for upload
   * times a simple page lacks. By default derived from an index URL ending in `/simple/`; `false` for none.
   */
  jsonApiUrl?: string | false;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Where a host is allowed: `host` matches any port, `host:port` one port. Host names compare in lowercase. */
function hostAllowed(url: URL, allowed: ReadonlySet<string>): boolean {
  return allowed.has(url.host.toLowerCase()) || allowed.has(url.hostname.toLowerCase());
}

export class Upstream {
  readonly name: string;
  /** The index base URL, without credentials, ending in `/`. */
  readonly indexUrl: URL;
  readonly jsonApiUrl: URL | null;
  readonly redactor: Redactor;
  readonly #authorization: string | null;
  readonly #fileHosts: ReadonlySet<string>;

  constructor(definition: UpstreamDefinition, env: NodeJS.ProcessEnv = process.env) {
    const name = definition.name;
    const secrets: string[] = [];
    // Configuration errors are built before `redactor` exists: with one that knows the secrets found so far.
    const source = (): ErrorSource => ({ name: typeof name === 'string' ? name : String(name), redactor: new Redactor(secrets) });
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new UpstreamConfigError(source(), 'the name must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit');
    }
    this.name = name;
    let url: URL;
    try {
      url = new URL(definition.url);
    } catch {
      // The text may hold a password: say only that it is not a URL.
      throw new UpstreamConfigError(source(), 'the index URL is not a valid URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new UpstreamConfigError(source(), `the index URL must be http or https, not ${url.protocol}`);
    }
    let credentials = definition.credentials;
    if (url.username !== '' || url.password !== '') {
      if (credentials !== undefined) throw new UpstreamConfigError(source(), 'credentials are given both in the URL and separately');
      credentials = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
      secrets.push(url.password, url.username + ':' + url.password);
      url.username = '';
      url.password = '';
    }
    url.search = '';
    url.hash = '';
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    this.indexUrl = url;

    let authorization: string | null = null;
    if (credentials !== undefined) {
      if ('tokenEnv' in credentials) {
        const token = env[credentials.tokenEnv];
        if (token === undefined || token === '') {
          throw new UpstreamConfigError(source(), `the token variable ${credentials.tokenEnv} is not set`);
        }
        secrets.push(token);
        if (credentials.username === undefined) authorization = `Bearer ${token}`;
        else {
          secrets.push(credentials.username + ':' + token);
          authorization = basic(credentials.username, token);
        }
      } else {
        secrets.push(credentials.password, credentials.username + ':' + credentials.password);
        authorization = basic(credentials.username, credentials.password);
      }
      secrets.push(authorization, authorization.slice(authorization.indexOf(' ') + 1));
    }
    this.#authorization = authorization;
    this.redactor = new Redactor(secrets);

    const fileHosts = new Set<string>();
    for (const host of definition.allowedFileHosts ?? []) {
      const trimmed = host.trim().toLowerCase();
      if (trimmed === '' || /[/\s@?#]/.test(trimmed)) {
        throw new UpstreamConfigError(this, `the allowed file host ${JSON.stringify(host)} is not a host name (or host:port)`);
      }
      fileHosts.add(trimmed);
    }
    this.#fileHosts = fileHosts;

    if (definition.jsonApiUrl === false) this.jsonApiUrl = null;
    else if (definition.jsonApiUrl !== undefined) {
      let api: URL;
      try {
        api = new URL(definition.jsonApiUrl);
      } catch {
        throw new UpstreamConfigError(source(), 'the JSON API URL is not a valid URL');
      }
      if (api.username !== '' || api.password !== '') throw new UpstreamConfigError(source(), 'the JSON API URL must not carry credentials');
      if (!api.pathname.endsWith('/')) api.pathname += '/';
      this.jsonApiUrl = api;
    } else {
      this.jsonApiUrl = url.pathname.endsWith('/simple/') ? new URL('../pypi/', url) : null;
    }
  }

  /** The Authorization header for a request to `url`: only ever sent to the index's own origin. */
  authorizationFor(url: URL): string | null {
    return url.origin === this.indexUrl.origin ? this.#authorization : null;
  }

  /** Whether files may be fetched from `url`'s host: the index's own host and port, or an allowed file host. */
  servesFilesFrom(url: URL): boolean {
    return url.host.toLowerCase() === this.indexUrl.host.toLowerCase() || hostAllowed(url, this.#fileHosts);
  }

  /** A plain description for logs: nothing secret is in it. */
  toJSON(): { name: string; url: string } {
    return { name: this.name, url: this.indexUrl.href };
  }
}

function basic(username: string, password: string): string {
  return 'Basic ' + Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}
