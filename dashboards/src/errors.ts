/** Errors of @authlens/dashboards, in one place. */

export class UnknownDashboardError extends Error {
  readonly code = 'AUTHLENS_UNKNOWN_DASHBOARD';
  readonly dashboard: string;
  constructor(name: string, known: readonly string[]) {
    super(`unknown dashboard "${name}" (known: ${known.join(', ')})`);
    this.name = 'UnknownDashboardError';
    this.dashboard = name;
  }
}

export class InvalidExportOptionsError extends Error {
  readonly code = 'AUTHLENS_INVALID_EXPORT_OPTIONS';
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'InvalidExportOptionsError';
    this.field = field;
  }
}
