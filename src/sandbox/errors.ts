/** Errors of the sandbox: what it needs from the host, and inputs it cannot work with. */
import { GatehouseError, InvalidInputError } from '../errors.js';

/** The host lacks something the sandbox needs (bubblewrap, strace, a usable Python), or refuses to run it. */
export class SandboxUnavailableError extends GatehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('sandbox.unavailable', message, 503, options);
  }
}

/** A limit given on the command line or in code that is not a positive size or duration. */
export class SandboxLimitError extends InvalidInputError {
  constructor(message: string) {
    super('sandbox.limit-invalid', message);
  }
}

/** A behaviour rule file that does not follow the format of rules/sandbox/README.md. */
export class BehaviourRuleError extends GatehouseError {
  constructor(file: string, problem: string) {
    super('sandbox.rule-invalid', `behaviour rule ${file}: ${problem}`, 500);
  }
}

/** Build dependencies that could not be resolved or fetched from the index outside the sandbox. */
export class DependencyResolutionError extends GatehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('sandbox.dependencies-unresolved', message, 502, options);
  }
}

/** An input (sdist, wheel) that the sandbox cannot start on: missing, unreadable, or of the wrong kind. */
export class SandboxInputError extends InvalidInputError {
  constructor(code: 'sandbox.input-not-found' | 'sandbox.input-unsupported', message: string) {
    super(code, message);
  }
}
