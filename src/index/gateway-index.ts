/**
 * The index clients see: hosted projects first, then each upstream in order, with first-index semantics (as uv
 * does it): a project is served from the first source that has it, and versions are never mixed across sources.
 *
 * Dependency confusion is answered here: a hosted project is never looked up upstream, a reserved name (exact, or a
 * prefix such as `acme-*`) that is not hosted is refused without asking anyone, and a project pinned to one
 * upstream is asked of that upstream only. An upstream that fails is not skipped: falling through to the next
 * could serve a public project under a name the failing (perhaps private) index owns. It answers 502/504, or its
 * cached page stale.
 */
import type { HostedSource } from './hosted-source.js';
import { ReservedNameError, UnknownProjectError } from './errors.js';
import { NOT_FOUND, type SourcedPage } from './project-source.js';
import type { UpstreamSource } from './upstream-source.js';

export interface IndexRules {
  /** Normalized names, and prefixes written `acme-*`. */
  reserved: readonly string[];
  /** Normalized project name -> upstream name. */
  pinned: Readonly<Record<string, string>>;
}

/** The rule that reserves a name, or undefined. */
export function reservedBy(project: string, reserved: readonly string[]): string | undefined {
  for (const rule of reserved) {
    if (rule.endsWith('-*') ? project.startsWith(rule.slice(0, -1)) : project === rule) return rule;
  }
  return undefined;
}

export class GatewayIndex {
  constructor(
    readonly hosted: HostedSource,
    readonly upstreams: readonly UpstreamSource[],
    private readonly rules: IndexRules,
  ) {}

  /** A name reserved here and not hosted is never looked up anywhere. */
  private refuseReserved(project: string): void {
    const rule = reservedBy(project, this.rules.reserved);
    if (rule !== undefined) throw new ReservedNameError(project, rule === project ? 'reserved name' : `reserved prefix ${rule}`);
  }

  /** The sources a project may come from, in order, after the hosted index. */
  upstreamsFor(project: string): readonly UpstreamSource[] {
    const pinned = this.rules.pinned[project];
    return pinned === undefined ? this.upstreams : this.upstreams.filter((u) => u.name === pinned);
  }

  /**
   * The page when each source on the way can answer from memory (`ProjectSource.cached`): the same answer as
   * `project`, without an await. Undefined when a source must look, or when no source has the project (`project`
   * then says where it was looked for).
   */
  cached(project: string, now = Date.now()): SourcedPage | undefined {
    const hosted = this.hosted.cached(project, now);
    if (hosted === undefined) return undefined;
    if (hosted.found) return hosted.page;
    this.refuseReserved(project);
    const sources = this.upstreamsFor(project);
    for (let i = 0; i < sources.length; i++) {
      const answer = sources[i]!.cached(project, now);
      if (answer === undefined) return undefined;
      if (answer.found) {
        // Served: each source on the way counts its answer, as it does on the full path.
        for (let j = 0; j < i; j++) sources[j]!.answeredFromMemory(project, NOT_FOUND);
        sources[i]!.answeredFromMemory(project, answer);
        return answer.page;
      }
    }
    return undefined;
  }

  async project(project: string): Promise<SourcedPage> {
    const hosted = await this.hosted.project(project);
    if (hosted.found) return hosted.page;
    this.refuseReserved(project);
    const sources = this.upstreamsFor(project);
    for (const source of sources) {
      const answer = await source.project(project);
      if (answer.found) return answer.page;
    }
    const where =
      sources.length === 0
        ? 'is hosted here (no upstream index is configured)'
        : `is hosted here or on ${sources.map((s) => `'${s.name}'`).join(', ')}`;
    throw new UnknownProjectError(project, where);
  }
}
