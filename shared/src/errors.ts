/**
 * The few named errors shoutu throws. Each has a stable `name` and `code` so that callers
 * (queue workers, the CLI, worker threads) can branch on them after serialisation.
 */

export interface ErrorContext {
  /** The file or storage key the error is about. */
  file?: string;
  /** The field (manifest key, GeoTIFF tag, GeoJSON path, env variable) that is wrong. */
  field?: string;
  cause?: unknown;
}

export class ShoutuError extends Error {
  readonly code: string;
  readonly file?: string;
  readonly field?: string;

  constructor(code: string, message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = 'ShoutuError';
    this.code = code;
    if (context.file !== undefined) this.file = context.file;
    if (context.field !== undefined) this.field = context.field;
  }

  /** Plain, JSON-safe form for batch status records and job failure reasons. */
  toJSON(): { name: string; code: string; message: string; file?: string; field?: string } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.file === undefined ? {} : { file: this.file }),
      ...(this.field === undefined ? {} : { field: this.field }),
    };
  }
}

/** Bad input from outside (manifest, GeoTIFF, mask, CLI argument): retrying cannot help. */
export class InvalidInputError extends ShoutuError {
  constructor(code: string, message: string, context: ErrorContext = {}) {
    super(code, message, context);
    this.name = 'InvalidInputError';
  }
}

/** A storage key that does not exist. */
export class NotFoundError extends ShoutuError {
  constructor(message: string, context: ErrorContext = {}) {
    super('not_found', message, context);
    this.name = 'NotFoundError';
  }
}

/** Configuration (environment variables, options) that is missing or malformed. */
export class ConfigError extends ShoutuError {
  constructor(message: string, context: ErrorContext = {}) {
    super('config_invalid', message, context);
    this.name = 'ConfigError';
  }
}

/**
 * A remote object (HTTP URL, S3 key) could not be read completely: network failure, time limit, server
 * error or a body cut short. May succeed when retried (queue jobs retry it); the message names the URL.
 */
export class RemoteReadError extends ShoutuError {
  constructor(message: string, context: ErrorContext = {}) {
    super('remote_read_failed', message, context);
    this.name = 'RemoteReadError';
  }
}

export function isInvalidInput(error: unknown): error is InvalidInputError {
  return error instanceof Error && error.name === 'InvalidInputError';
}
