/**
 * The status API's environment readers: the SDK's kit (`@authlens/sdk/internal`) with
 * this package's wording, `SETTING: 'value' is not <what is accepted>` (the value left out when
 * it is a secret).
 */
import { createEnvReader, type Env, type EnvReader, type InvalidValue } from '@authlens/sdk/internal';
import { DEFAULTS } from './defaults.ts';
import { MonitoringConfigError } from './errors.ts';

/** The reason part of a refused value's message (after `SETTING: `). */
export const refusal = ({ value, expected }: InvalidValue): string =>
  value === '<hidden>' ? `is not ${expected}` : `'${value}' is not ${expected}`;

/** Reads `env`; a refused value throws a {@link MonitoringConfigError} naming the setting. */
export const readSettings = (env: Env): EnvReader =>
  createEnvReader(env, (p) => new MonitoringConfigError(p.setting, refusal(p)));

/** `SMTP_URL`, else `smtp://SMTP_HOST:SMTP_PORT` (port 25 by default), else none. */
export function smtpUrlFrom(read: EnvReader): string | undefined {
  const url = read.url('SMTP_URL', { protocols: ['smtp:', 'smtps:'], secret: true });
  if (url) return url;
  const host = read.string('SMTP_HOST');
  if (!host) return undefined;
  const port = read.integer('SMTP_PORT', {
    default: DEFAULTS.smtpPort,
    min: 0,
    max: 65535,
    expected: 'a port number',
  });
  return `smtp://${host}:${port}`;
}
