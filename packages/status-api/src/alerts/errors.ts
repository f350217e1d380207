/**
 * Errors of the alert manager, each with a stable code (from the SDK's error code table), an HTTP
 * status and (for bad input) the field; a configuration error's field is also its `setting`.
 */
import { AuthlensError } from '@authlens/sdk';

export type AlertErrorCode = 'invalid_field' | 'not_found' | 'conflict' | 'invalid_config';

export class AlertError extends AuthlensError {
  declare readonly code: AlertErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  /** The message without the field prefix. */
  readonly detail: string;
  constructor(code: AlertErrorCode, message: string, field?: string) {
    super(code, field && code !== 'not_found' ? `${field}: ${message}` : message, {
      setting: code === 'invalid_config' ? field : undefined,
    });
    this.detail = message;
    this.name = 'AlertError';
    this.field = field;
    this.status = { invalid_field: 400, not_found: 404, conflict: 409, invalid_config: 500 }[code];
  }
}

/** Bad configuration (routing file, environment variable); the message names the file/variable and field. */
export const configError = (field: string, message: string) =>
  new AlertError('invalid_config', message, field);
export const invalidField = (field: string, message: string) =>
  new AlertError('invalid_field', message, field);
