/**
 * Settings of the scheduled jobs, resolved once: explicit option → environment → default.
 * The shared monitoring settings (retention, SLO target, Prometheus, health timeouts) come from
 * the status API's `normalizeOptions()`, so the API and the jobs never disagree.
 */

import { DEFAULTS } from '../defaults.ts';
import { MonitoringConfigError } from '../errors.ts';
import type { RetentionPolicy } from '../metrics/reports.ts';
import { normalizeOptions } from '../options.ts';
import { readSettings, smtpUrlFrom } from '../settings.ts';
import { DEFAULT_STORE_URL } from '../store/index.ts';

export type Env = Record<string, string | undefined>;

/** A setting the command needs is not set (`missing_setting`, exit 1), as opposed to a malformed one (exit 2). */
export class MissingSettingError extends MonitoringConfigError {
  constructor(setting: string, reason: string) {
    super(setting, reason, 'missing_setting');
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

export function resolveJobSettings(env: Env = process.env, storeUrl?: string): JobSettings {
  const o = normalizeOptions({ env });
  const read = readSettings(env);
  const days = (category: string) => o.retention.find((p) => p.category === category)?.maxAgeDays;
  const recipients = read.list('MONITORING_DIGEST_RECIPIENTS') ?? [];
  for (const r of recipients) {
    if (!ADDRESS.test(r))
      throw new MonitoringConfigError('MONITORING_DIGEST_RECIPIENTS', `'${r}' is not an e-mail address`);
  }
  const from =
    read.string('MONITORING_DIGEST_FROM') ?? read.string('ALERT_EMAIL_FROM') ?? DEFAULTS.jobs.digestFrom;
  if (!ADDRESS.test(from.replace(/^.*<(.+)>$/, '$1')))
    throw new MonitoringConfigError('MONITORING_DIGEST_FROM', `'${from}' is not an e-mail address`);
  const smtpUrl = smtpUrlFrom(read);
  const url = storeUrl ?? (env.ALERT_STORE_URL?.trim() || DEFAULT_STORE_URL);
  return {
    storeUrl: url,
    serviceName: o.serviceName,
    metricsRetentionDays: days('metrics') ?? DEFAULTS.metricsRetentionDays,
    alertRetentionDays: days('alert_history') ?? DEFAULTS.alertHistoryRetentionDays,
    retention: o.retention,
    sloTarget: o.sloTarget,
    ...(o.prometheusUrl && { prometheusUrl: o.prometheusUrl }),
    ...(o.prometheusSelector && { prometheusSelector: o.prometheusSelector }),
    healthTimeoutMs: o.timeoutMs,
    healthCacheTtlMs: o.cacheTtlMs,
    digest: { recipients, ...(smtpUrl && { smtpUrl }), from },
  };
}
