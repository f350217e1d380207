import { sdkState } from './state.ts';

/**
 * Reports an error to Sentry (when `SENTRY_DSN` is set) with the active trace ID, the user by
 * ID and the correlation ID; redacted like everything else. A no-op without Sentry.
 */
export function captureError(error: unknown): void {
  sdkState().captureError?.(error);
}
