/**
 * The SDK's own messages (config errors, export outages): one JSON line on stderr, in the
 * same shape as application log lines, so log pipelines parse them too.
 */

export function diagLine(
  level: 'error' | 'warn' | 'info',
  message: string,
  fields: Record<string, unknown> = {},
): void {
  try {
    process.stderr.write(
      `${JSON.stringify({ timestamp: new Date().toISOString(), level, message: `authlens: ${message}`, logger: 'authlens.sdk', ...fields })}\n`,
    );
  } catch {
    // stderr closed: nothing sensible left to do.
  }
}
