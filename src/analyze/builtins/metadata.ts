/**
 * Checks on core metadata. Throwaway malicious uploads tend to skip the care
 * that honest projects take: no description, the first version number a
 * template gives, a disposable mailbox, links to paste or file-sharing sites.
 */
import type { ArtifactMetadata, Hit } from '../subjects.js';
import { shortSnippet } from '../subjects.js';

function strings(params: Record<string, unknown>, key: string): string[] {
  const v = params[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Summary and description both empty or template text. */
export function placeholderDescription(meta: ArtifactMetadata, params: Record<string, unknown>): Hit[] {
  const placeholders = new Set(strings(params, 'placeholders').map((p) => p.toLowerCase()));
  const empty = (s: string | undefined): boolean => {
    const t = (s ?? '').trim().toLowerCase().replace(/[.!]+$/, '');
    return t === '' || placeholders.has(t);
  };
  if (!empty(meta.summary) || !empty(meta.description)) return [];
  return [{ snippet: shortSnippet(`Summary: ${meta.summary ?? ''} | Description: ${meta.description ?? ''}`) }];
}

/** A version that templates start from. Only the artifact is known here, not the project's other releases. */
export function templateVersion(meta: ArtifactMetadata, params: Record<string, unknown>): Hit[] {
  return meta.version !== undefined && strings(params, 'versions').includes(meta.version) ? [{ snippet: `Version: ${meta.version}` }] : [];
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function onDomain(host: string, domains: string[]): string | undefined {
  return domains.find((d) => host === d || host.endsWith(`.${d}`));
}

export function disposableEmail(meta: ArtifactMetadata, params: Record<string, unknown>): Hit[] {
  const domains = strings(params, 'domains');
  return meta.emails.flatMap((email) => {
    const domain = email.split('@')[1]?.toLowerCase().replace(/>$/, '');
    const hit = domain === undefined ? undefined : onDomain(domain, domains);
    return hit ? [{ snippet: email, message: `author email on the disposable-mail domain ${hit}` }] : [];
  });
}

export function fileSharingUrl(meta: ArtifactMetadata, params: Record<string, unknown>): Hit[] {
  const domains = strings(params, 'domains');
  return meta.urls.flatMap((url) => {
    const host = hostOf(url);
    const hit = host === undefined ? undefined : onDomain(host, domains);
    return hit ? [{ snippet: shortSnippet(url), message: `a project URL points at ${hit}, a paste or file-sharing site` }] : [];
  });
}
