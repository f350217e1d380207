/** Errors of @authlens/dashboards, in one place; their codes are in the error code table of `@authlens/sdk`. */
import { AuthlensError } from '@authlens/sdk';

/** `unknown_dashboard`: no dashboard has that name. */
export class UnknownDashboardError extends AuthlensError {
  declare readonly code: 'unknown_dashboard';
  readonly dashboard: string;
  constructor(name: string, known: readonly string[]) {
    super('unknown_dashboard', `unknown dashboard "${name}" (known: ${known.join(', ')})`);
    this.name = 'UnknownDashboardError';
    this.dashboard = name;
  }
}

/** `invalid_config`: an export option (`setting`) that is not accepted. */
export class InvalidExportOptionsError extends AuthlensError {
  declare readonly code: 'invalid_config';
  declare readonly setting: string;
  constructor(setting: string, message: string) {
    super('invalid_config', `${setting}: ${message}`, { setting });
    this.name = 'InvalidExportOptionsError';
  }

  /** @deprecated Use `setting`. */
  get field(): string {
    return this.setting;
  }
}
