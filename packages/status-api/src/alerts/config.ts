/**
 * One place that turns options + environment into the manager's settings
 * (explicit value, then environment, then default). Bad values fail at start with one line
 * naming the variable or routing-file field.
 */
import { DEFAULT_STORE_URL } from '../store/index.ts';
import { configError } from './errors.ts';
import { type ChannelConfig, loadRoutingFile, type RoutingConfig, validateRoutingConfig } from './routing.ts';

export type Env = Record<string, string | undefined>;

export interface RetryOptions {
  /** Attempts per delivery before it is marked failed (default 8). */
  maxAttempts?: number;
  /** First backoff (default 1 s); doubles per attempt, with jitter. */
  baseDelayMs?: number;
  /** Backoff ceiling (default 5 min). */
  maxDelayMs?: number;
}

export interface ResolvedAlertSettings {
  storeUrl: string;
  channels: ChannelConfig[];
  routing: RoutingConfig;
  retentionDays: number;
  retry: Required<RetryOptions>;
  /** The routing file, when routing came from one (named in compile errors). */
  routingFile: string | undefined;
  /** How often this replica records its heartbeat (`ALERT_REPLICA_HEARTBEAT_MS`). */
  heartbeatMs: number;
  /** Silence after which a replica counts as dead and its deliveries are taken over (`ALERT_REPLICA_TIMEOUT_MS`). */
  replicaTimeoutMs: number;
}

const EMAIL = /^[^\s@,]+@[^\s@,]+$/;

function httpUrl(name: string, value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol === 'http:' || u.protocol === 'https:') return value;
  } catch {}
  throw configError(name, 'must be an http(s) URL');
}

/** Channels declared by the `ALERT_*` environment variables of docs/configuration.md (names: email, slack, pagerduty, webhook[-n]). */
export function channelsFromEnv(env: Env): ChannelConfig[] {
  const out: ChannelConfig[] = [];
  const recipients = env.ALERT_EMAIL_RECIPIENTS?.trim();
  if (recipients) {
    const to = recipients
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = to.find((r) => !EMAIL.test(r));
    if (bad !== undefined) throw configError('ALERT_EMAIL_RECIPIENTS', `"${bad}" is not an e-mail address`);
    const smtpUrl =
      env.SMTP_URL?.trim() || (env.SMTP_HOST ? `smtp://${env.SMTP_HOST}:${env.SMTP_PORT ?? '25'}` : '');
    if (!smtpUrl)
      throw configError('SMTP_URL', 'required when ALERT_EMAIL_RECIPIENTS is set (or SMTP_HOST/SMTP_PORT)');
    if (!/^smtps?:\/\//.test(smtpUrl)) throw configError('SMTP_URL', 'must be an smtp:// or smtps:// URL');
    if (env.SMTP_PORT !== undefined && !/^\d{1,5}$/.test(env.SMTP_PORT))
      throw configError('SMTP_PORT', 'must be a port number');
    const from = env.ALERT_EMAIL_FROM?.trim() || 'authlens@localhost';
    if (!EMAIL.test(from)) throw configError('ALERT_EMAIL_FROM', 'is not an e-mail address');
    out.push({ name: 'email', type: 'email', smtpUrl, from, to });
  }
  const slack = env.ALERT_SLACK_WEBHOOK_URL?.trim();
  if (slack)
    out.push({ name: 'slack', type: 'slack', webhookUrl: httpUrl('ALERT_SLACK_WEBHOOK_URL', slack) });
  const pdKey = env.ALERT_PAGERDUTY_INTEGRATION_KEY?.trim();
  if (pdKey) {
    const pd: ChannelConfig = { name: 'pagerduty', type: 'pagerduty', routingKey: pdKey };
    const eventsUrl = env.ALERT_PAGERDUTY_EVENTS_URL?.trim();
    if (eventsUrl) pd.eventsUrl = httpUrl('ALERT_PAGERDUTY_EVENTS_URL', eventsUrl);
    out.push(pd);
  }
  const hooks = (env.ALERT_WEBHOOK_URLS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const secret = env.ALERT_WEBHOOK_SECRET?.trim();
  hooks.forEach((u, i) => {
    const hook: ChannelConfig = {
      name: i === 0 ? 'webhook' : `webhook-${i + 1}`,
      type: 'webhook',
      url: httpUrl('ALERT_WEBHOOK_URLS', u),
    };
    if (secret) hook.secret = secret;
    out.push(hook);
  });
  return out;
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1)
    throw configError(name, `must be a positive integer (got "${value}")`);
  return Number(value);
}

export function resolveSettings(
  options: {
    storeUrl?: string | undefined;
    routing?: RoutingConfig | string | undefined;
    channels?: ChannelConfig[] | undefined;
    retentionDays?: number | undefined;
    retry?: RetryOptions | undefined;
    heartbeatMs?: number | undefined;
    replicaTimeoutMs?: number | undefined;
  },
  env: Env,
): ResolvedAlertSettings {
  const storeUrl = options.storeUrl ?? env.ALERT_STORE_URL ?? DEFAULT_STORE_URL;
  const routingSource = options.routing ?? (env.ALERT_ROUTING_FILE?.trim() || undefined);
  const routing =
    routingSource === undefined
      ? {}
      : typeof routingSource === 'string'
        ? loadRoutingFile(routingSource, env)
        : validateRoutingConfig(routingSource);
  const channels = [...(options.channels ?? channelsFromEnv(env)), ...(routing.channels ?? [])];
  const seen = new Set<string>();
  for (const c of channels) {
    if (seen.has(c.name)) throw configError('channels', `channel name "${c.name}" is declared twice`);
    seen.add(c.name);
  }
  const retentionDays =
    options.retentionDays ??
    positiveInt('ALERT_HISTORY_RETENTION_DAYS', env.ALERT_HISTORY_RETENTION_DAYS, 30);
  const retry = {
    maxAttempts: options.retry?.maxAttempts ?? 8,
    baseDelayMs: options.retry?.baseDelayMs ?? 1000,
    maxDelayMs: options.retry?.maxDelayMs ?? 300_000,
  };
  if (retry.maxAttempts < 1) throw configError('retry.maxAttempts', 'must be at least 1');
  const heartbeatMs =
    options.heartbeatMs ?? positiveInt('ALERT_REPLICA_HEARTBEAT_MS', env.ALERT_REPLICA_HEARTBEAT_MS, 1000);
  const replicaTimeoutMs =
    options.replicaTimeoutMs ?? positiveInt('ALERT_REPLICA_TIMEOUT_MS', env.ALERT_REPLICA_TIMEOUT_MS, 5000);
  if (!(replicaTimeoutMs >= 2 * heartbeatMs))
    throw configError(
      options.replicaTimeoutMs !== undefined ? 'replicaTimeoutMs' : 'ALERT_REPLICA_TIMEOUT_MS',
      `must be at least twice the heartbeat interval (${heartbeatMs} ms)`,
    );
  return {
    heartbeatMs,
    replicaTimeoutMs,
    storeUrl,
    channels,
    routing,
    retentionDays,
    retry,
    routingFile: typeof routingSource === 'string' ? routingSource : undefined,
  };
}

/** Bounded exponential backoff with jitter: half fixed, half random, capped at `maxDelayMs`. */
export function backoffMs(attempt: number, retry: Required<RetryOptions>, random = Math.random): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
