/**
 * Derives the collector's Sentry settings from a DSN.
 *
 * A DSN `https://<public_key>@<host>[/<path>]/<project_id>` maps to Sentry's OTLP endpoint
 * `https://<host>[/<path>]/api/<project_id>/integration/otlp` (the otlp_http exporter appends
 * `/v1/traces` and `/v1/logs`) and the header `x-sentry-auth: sentry sentry_key=<public_key>`.
 *
 *   node collector/sentry-env.ts "$SENTRY_DSN" > /etc/otelcol-authlens/sentry.env
 *
 * prints `SENTRY_OTLP_ENDPOINT=…` and `SENTRY_PUBLIC_KEY=…` lines for a systemd EnvironmentFile,
 * `docker run --env-file` or a Kubernetes Secret. Exit status 2 with one line naming SENTRY_DSN
 * when the DSN is malformed.
 */

export interface SentryOtlpEnv {
  SENTRY_OTLP_ENDPOINT: string;
  SENTRY_PUBLIC_KEY: string;
}

export function sentryOtlpEnv(dsn: string): SentryOtlpEnv {
  let url: URL;
  try {
    url = new URL(dsn.trim());
  } catch {
    throw new Error('SENTRY_DSN is not a URL (expected https://<public_key>@<host>/<project_id>)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`SENTRY_DSN must use http or https, got ${url.protocol.replace(':', '')}`);
  }
  const key = decodeURIComponent(url.username);
  if (!/^[0-9a-zA-Z]+$/.test(key)) {
    throw new Error('SENTRY_DSN has no public key (expected https://<public_key>@<host>/<project_id>)');
  }
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const project = segments.pop();
  if (project === undefined || !/^\d+$/.test(project)) {
    throw new Error('SENTRY_DSN has no numeric project id at the end of its path');
  }
  const prefix = segments.length > 0 ? `/${segments.join('/')}` : '';
  return {
    SENTRY_OTLP_ENDPOINT: `${url.protocol}//${url.host}${prefix}/api/${project}/integration/otlp`,
    SENTRY_PUBLIC_KEY: key,
  };
}

if (import.meta.main) {
  const dsn = process.argv[2] ?? process.env.SENTRY_DSN;
  if (dsn === undefined || dsn === '') {
    process.stderr.write('usage: node collector/sentry-env.ts <dsn> (or set SENTRY_DSN)\n');
    process.exit(2);
  }
  try {
    const env = sentryOtlpEnv(dsn);
    process.stdout.write(
      `SENTRY_OTLP_ENDPOINT=${env.SENTRY_OTLP_ENDPOINT}\nSENTRY_PUBLIC_KEY=${env.SENTRY_PUBLIC_KEY}\n`,
    );
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
}
