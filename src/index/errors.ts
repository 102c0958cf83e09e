/** Why the index cannot answer for a project: each names the project and the reason pip will print. */
import { GatehouseError } from '../errors.js';

/** No source has the project. */
export class UnknownProjectError extends GatehouseError {
  constructor(project: string, where: string) {
    super('index.unknown-project', `no project named '${project}' ${where}`, 404);
  }
}

/** A name reserved for internal projects that is not hosted: never looked up upstream (dependency confusion). */
export class ReservedNameError extends GatehouseError {
  constructor(project: string, rule: string) {
    super(
      'index.reserved-name',
      `'${project}' is reserved for internal projects here (${rule}) and is not hosted, so it is never looked up on a public index`,
      404,
    );
  }
}

/** Offline, and nothing cached answers this. 504: the gateway did not get an answer, not "no such project". */
export class OfflineError extends GatehouseError {
  constructor(what: string) {
    super('index.offline', `the gateway is offline and has not cached ${what}`, 504);
  }
}

/** A wheel the gateway's wheel option (config `[build]`) does not serve: 403, with the reason pip prints. */
export class WheelNotServedError extends GatehouseError {
  constructor(code: `build.${string}`, message: string) {
    super(code, message, 403);
  }
}
