/** Errors of `gatehouse audit`: inputs it cannot read, options it cannot honour. */
import { InvalidInputError } from '../errors.js';

/** An input file that does not follow its format. */
export class AuditInputError extends InvalidInputError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('audit.invalid-input', message, options);
  }
}

/** An `--ignore` entry that is not `ID[:reason[:until-date]]`. */
export class InvalidIgnoreError extends InvalidInputError {
  constructor(message: string) {
    super('audit.invalid-ignore', message);
  }
}

/** `--fix` asked of an input that is not a requirements file. */
export class UnfixableInputError extends InvalidInputError {
  constructor(message: string) {
    super('audit.unfixable', message);
  }
}
