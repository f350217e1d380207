/**
 * Settings of the scheduled jobs, resolved once: explicit option → environment → default.
 * The shared monitoring settings (retention, SLO target, Prometheus, health timeouts) come from
 * the status API's `normalizeOptions()`, so the API and the jobs never disagree.
 */
import { MonitoringConfigError } from '../errors.ts';
import type { RetentionPolicy } from '../metrics/reports.ts';
import { normalizeOptions } from '../options.ts';
import { DEFAULT_STORE_URL } from '../store/index.ts';

export type Env = Record<string, string | undefined>;

/** A setting the command needs is not set (exit 1), as opposed to a malformed one (exit 2). */
export class MissingSettingError extends MonitoringConfigError {
  constructor(setting: string, reason: string) {
    super(setting, reason);
    this.name = 'MissingSettingError';
  }
}

export interface DigestSettings {
  /** `MONITORING_DIGEST_RECIPIENTS`, comma-separated addresses. */
  recipients: string[];
  /** `SMTP_URL`, else `smtp://SMTP_HOST:SMTP_PORT`. */
  smtpUrl?: string;
  /** `MONITORING_DIGEST_FROM`, else `ALERT_EMAIL_FROM`, else `authlens@localhost`. */
  from: string;
}

export interface JobSettings {
  storeUrl: string;
  serviceName: string;
  /** `METRICS_RETENTION_DAYS` (90): KPI snapshots, health snapshots and job runs. */
  metricsRetentionDays: number;
  /** `ALERT_HISTORY_RETENTION_DAYS` (30): resolved alerts. */
  alertRetentionDays: number;
  retention: RetentionPolicy[];
  sloTarget: number;
  prometheusUrl?: string;
  prometheusSelector?: string;
  healthTimeoutMs: number;
  healthCacheTtlMs: number;
  digest: DigestSettings;
}

const ADDRESS = /^[^\s@,<>]+@[^\s@,<>]+$/;

function smtpUrlFrom(env: Env): string | undefined {
  const url = env.SMTP_URL?.trim();
  if (url) {
    if (!/^smtps?:\/\/[^/]+/.test(url))
      throw new MonitoringConfigError('SMTP_URL', 'must start with smtp:// or smtps://');
    return url;
  }
  const host = env.SMTP_HOST?.trim();
  if (!host) return undefined;
  const port = env.SMTP_PORT?.trim() || '25';
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535)
    throw new MonitoringConfigError('SMTP_PORT', `'${port}' is not a port number`);
  return `smtp://${host}:${port}`;
}

export function resolveJobSettings(env: Env = process.env, storeUrl?: string): JobSettings {
  const o = normalizeOptions({ env });
  const days = (category: string) => o.retention.find((p) => p.category === category)?.maxAgeDays;
  const recipients = (env.MONITORING_DIGEST_RECIPIENTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const r of recipients) {
    if (!ADDRESS.test(r))
      throw new MonitoringConfigError('MONITORING_DIGEST_RECIPIENTS', `'${r}' is not an e-mail address`);
  }
  const from = env.MONITORING_DIGEST_FROM?.trim() || env.ALERT_EMAIL_FROM?.trim() || 'authlens@localhost';
  if (!ADDRESS.test(from.replace(/^.*<(.+)>$/, '$1')))
    throw new MonitoringConfigError('MONITORING_DIGEST_FROM', `'${from}' is not an e-mail address`);
  const smtpUrl = smtpUrlFrom(env);
  const url = storeUrl ?? (env.ALERT_STORE_URL?.trim() || DEFAULT_STORE_URL);
  return {
    storeUrl: url,
    serviceName: o.serviceName,
    metricsRetentionDays: days('metrics') ?? 90,
    alertRetentionDays: days('alert_history') ?? 30,
    retention: o.retention,
    sloTarget: o.sloTarget,
    ...(o.prometheusUrl && { prometheusUrl: o.prometheusUrl }),
    ...(o.prometheusSelector && { prometheusSelector: o.prometheusSelector }),
    healthTimeoutMs: o.timeoutMs,
    healthCacheTtlMs: o.cacheTtlMs,
    digest: { recipients, ...(smtpUrl && { smtpUrl }), from },
  };
}
