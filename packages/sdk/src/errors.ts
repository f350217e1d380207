/** Errors of @authlens/sdk. */

/** A bad configuration value: names the variable (or option) and what it accepts. */
export class AuthlensConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, value: string, accepted: string) {
    super(`${variable}=${JSON.stringify(value)} is not valid; accepted: ${accepted}`);
    this.name = 'AuthlensConfigError';
    this.variable = variable;
  }
}
