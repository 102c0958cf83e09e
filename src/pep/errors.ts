/** Errors raised by the pure packaging-spec modules in `src/pep/`. */
import { InvalidInputError } from '../errors.js';

/** A version string that does not follow PEP 440; `reason` says what is wrong with it. */
export class InvalidVersionError extends InvalidInputError {
  readonly version: string;
  readonly reason: string;

  constructor(version: string, reason: string) {
    super('pep.invalid-version', `invalid version ${JSON.stringify(version)}: ${reason}`);
    this.version = version;
    this.reason = reason;
  }
}

/** A version specifier (PEP 440 `>=1.0`, `==1.*`, …) or specifier set that cannot be parsed. */
export class InvalidSpecifierError extends InvalidInputError {
  readonly specifier: string;

  constructor(specifier: string, reason: string) {
    super('pep.invalid-specifier', `invalid version specifier ${JSON.stringify(specifier)}: ${reason}`);
    this.specifier = specifier;
  }
}

/** A project name that breaks the core metadata name rule (PEP 508: ASCII letters, digits, `-_.` inside). */
export class InvalidNameError extends InvalidInputError {
  readonly projectName: string;

  constructor(name: string, reason: string) {
    super('pep.invalid-name', `invalid project name ${JSON.stringify(name)}: ${reason}`);
    this.projectName = name;
  }
}

/** A PEP 508 dependency specifier that cannot be parsed; `position` is the 0-based offset of the problem. */
export class InvalidRequirementError extends InvalidInputError {
  readonly requirement: string;
  readonly position: number;

  constructor(requirement: string, reason: string, position: number) {
    super(
      'pep.invalid-requirement',
      `invalid requirement ${JSON.stringify(requirement)} at position ${position}: ${reason}`,
    );
    this.requirement = requirement;
    this.position = position;
  }
}

/** A PEP 508 environment marker that cannot be parsed; `position` is the 0-based offset of the problem. */
export class InvalidMarkerError extends InvalidInputError {
  readonly marker: string;
  readonly position: number;

  constructor(marker: string, reason: string, position: number) {
    super('pep.invalid-marker', `invalid marker ${JSON.stringify(marker)} at position ${position}: ${reason}`);
    this.marker = marker;
    this.position = position;
  }
}

/**
 * A marker that parses but cannot be evaluated: an operator that PEP 508 leaves undefined for the operands
 * (`os_name ~= "x"`), or a variable the environment does not provide (`extras` outside a lock file).
 */
export class MarkerEvaluationError extends InvalidInputError {
  constructor(message: string) {
    super('pep.marker-evaluation', message);
  }
}

/** A wheel or sdist file name that does not follow the filename specs (PEP 427, PEP 625). */
export class InvalidFilenameError extends InvalidInputError {
  readonly filename: string;
  readonly reason: string;

  constructor(filename: string, reason: string) {
    super('pep.invalid-filename', `invalid distribution file name ${JSON.stringify(filename)}: ${reason}`);
    this.filename = filename;
    this.reason = reason;
  }
}

/** Core metadata (METADATA / PKG-INFO) that cannot be read; `field` names the header at fault. */
export class InvalidMetadataError extends InvalidInputError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('pep.invalid-metadata', `invalid core metadata field ${field}: ${message}`);
    this.field = field;
  }
}

/** A Simple API document (PEP 503 HTML or PEP 691 JSON) that cannot be read. */
export class InvalidSimpleDocumentError extends InvalidInputError {
  constructor(message: string) {
    super('pep.invalid-simple-document', `invalid Simple API document: ${message}`);
  }
}
