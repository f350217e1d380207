/**
 * The errors of every authlens package, in one table (as Fastify's `lib/errors.js`). Each error
 * carries a stable `code` from {@link ERROR_CODES} and, when a setting is at fault, the `setting`
 * it is about. Code that handles them branches on `err.code`, never on the class: a package
 * installed twice has two copies of each class, but one set of codes.
 * `docs/configuration.md` ("Error codes") lists the same table; a test keeps them in step.
 */

export const ERROR_CODES = Object.freeze({
  invalid_config: {
    exitStatus: 2,
    meaning: 'a setting (environment variable, option, routing-file field) has a value that is not accepted',
  },
  missing_setting: { exitStatus: 1, meaning: 'a setting the command needs is not set' },
  invalid_argument: { exitStatus: 1, meaning: 'a function was called with a value it does not accept' },
  unknown_instrument: {
    exitStatus: 1,
    meaning: 'an instrument name or kind that the catalogue does not hold',
  },
  invalid_attribute: {
    exitStatus: 1,
    meaning: 'a metric attribute key the catalogue does not allow on that instrument',
  },
  missing_package: { exitStatus: 1, meaning: 'an optional package the given option needs is not installed' },
  usage: { exitStatus: 2, meaning: 'the command line is malformed (unknown flag, bad value)' },
  unknown_dashboard: { exitStatus: 2, meaning: 'no dashboard has that name' },
  metrics_unavailable: { exitStatus: 1, meaning: 'no metrics source is configured or running' },
  metrics_source_failed: {
    exitStatus: 1,
    meaning: 'the metrics source (Prometheus, the SDK) did not answer',
  },
  invalid_field: { exitStatus: 1, meaning: 'a request field has a value that is not accepted' },
  not_found: { exitStatus: 1, meaning: 'the alert, silence or incident does not exist' },
  conflict: { exitStatus: 1, meaning: 'the change conflicts with the present state' },
} as const satisfies Record<string, { exitStatus: 1 | 2; meaning: string }>);

export type ErrorCode = keyof typeof ERROR_CODES;

export interface AuthlensErrorOptions {
  /** The environment variable, option or file field at fault. */
  setting?: string | undefined;
  cause?: unknown;
}

/** The base of every authlens error: a message for people, a `code` (and `setting`) for code. */
export class AuthlensError extends Error {
  readonly code: ErrorCode;
  readonly setting: string | undefined;
  constructor(code: ErrorCode, message: string, options: AuthlensErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuthlensError';
    this.code = code;
    this.setting = options.setting;
  }
}

/** The `code` of any thrown value that has a string one (an authlens error of any copy, a Node error…). */
export function errorCode(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** A bad configuration value (`invalid_config`): names the variable (or option) and what it accepts. */
export class AuthlensConfigError extends AuthlensError {
  constructor(setting: string, value: string, accepted: string) {
    super('invalid_config', `${setting}=${JSON.stringify(value)} is not valid; accepted: ${accepted}`, {
      setting,
    });
    this.name = 'AuthlensConfigError';
  }

  /** @deprecated Use `setting`. */
  get variable(): string {
    return this.setting as string;
  }
}

/** A bad option passed to one of the SDK's factories (`createBruteForceDetector({ … })`). */
export const invalidOption = (setting: string, message: string): AuthlensError =>
  new AuthlensError('invalid_config', message, { setting });
