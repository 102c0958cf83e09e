/** Errors of the analyzers and of `gatehouse scan`. */
import { GatehouseError, InvalidInputError } from '../errors.js';

/** A rule file that does not follow the rule format (see rules/README.md). */
export class RuleFileError extends GatehouseError {
  constructor(file: string, problem: string) {
    super('analyze.rule-invalid', `rule file ${file}: ${problem}`, 500);
  }
}

/** A scan input that does not exist or is not a wheel, an sdist or a directory. */
export class ScanInputError extends InvalidInputError {
  constructor(code: 'scan.input-not-found' | 'scan.input-unsupported', message: string) {
    super(code, message);
  }
}
