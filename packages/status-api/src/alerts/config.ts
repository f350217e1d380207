/**
 * One place that turns options + environment into the manager's settings
 * (explicit value, then environment, then default). Bad values fail at start with one line
 * naming the variable or routing-file field.
 */
import { createEnvReader, type EnvReader, parseUrl } from '@authlens/sdk/internal';
import { DEFAULTS } from '../defaults.ts';
import { refusal, smtpUrlFrom } from '../settings.ts';
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

/** The kit's readers, failing with `invalid_config` alert errors (`SETTING: 'value' is not …`). */
const readAlertSettings = (env: Env): EnvReader =>
  createEnvReader(env, (p) => configError(p.setting, refusal(p)));

/** Channels declared by the `ALERT_*` environment variables of docs/configuration.md (names: email, slack, pagerduty, webhook[-n]). */
export function channelsFromEnv(env: Env): ChannelConfig[] {
  const read = readAlertSettings(env);
  const out: ChannelConfig[] = [];
  const to = read.list('ALERT_EMAIL_RECIPIENTS');
  if (to && to.length > 0) {
    const bad = to.find((r) => !EMAIL.test(r));
    if (bad !== undefined) throw configError('ALERT_EMAIL_RECIPIENTS', `"${bad}" is not an e-mail address`);
    const smtpUrl = smtpUrlFrom(read);
    if (!smtpUrl)
      throw configError('SMTP_URL', 'required when ALERT_EMAIL_RECIPIENTS is set (or SMTP_HOST/SMTP_PORT)');
    const from = read.string('ALERT_EMAIL_FROM') ?? DEFAULTS.alerts.emailFrom;
    if (!EMAIL.test(from)) throw configError('ALERT_EMAIL_FROM', 'is not an e-mail address');
    out.push({ name: 'email', type: 'email', smtpUrl, from, to });
  }
  const slack = read.url('ALERT_SLACK_WEBHOOK_URL', { secret: true });
  if (slack) out.push({ name: 'slack', type: 'slack', webhookUrl: slack });
  const pdKey = read.string('ALERT_PAGERDUTY_INTEGRATION_KEY');
  if (pdKey) {
    const pd: ChannelConfig = { name: 'pagerduty', type: 'pagerduty', routingKey: pdKey };
    const eventsUrl = read.url('ALERT_PAGERDUTY_EVENTS_URL');
    if (eventsUrl) pd.eventsUrl = eventsUrl;
    out.push(pd);
  }
  const hooks = read.list('ALERT_WEBHOOK_URLS') ?? [];
  const secret = read.string('ALERT_WEBHOOK_SECRET');
  hooks.forEach((u, i) => {
    if (!parseUrl(u))
      throw configError('ALERT_WEBHOOK_URLS', 'is not a comma-separated list of http(s) URLs');
    const hook: ChannelConfig = { name: i === 0 ? 'webhook' : `webhook-${i + 1}`, type: 'webhook', url: u };
    if (secret) hook.secret = secret;
    out.push(hook);
  });
  return out;
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
  const read = readAlertSettings(env);
  const positiveInt = (name: string, fallback: number) =>
    read.integer(name, { default: fallback, min: 1, expected: 'a positive integer' });
  const retentionDays =
    options.retentionDays ?? positiveInt('ALERT_HISTORY_RETENTION_DAYS', DEFAULTS.alertHistoryRetentionDays);
  const retry = {
    maxAttempts: options.retry?.maxAttempts ?? DEFAULTS.alerts.retry.maxAttempts,
    baseDelayMs: options.retry?.baseDelayMs ?? DEFAULTS.alerts.retry.baseDelayMs,
    maxDelayMs: options.retry?.maxDelayMs ?? DEFAULTS.alerts.retry.maxDelayMs,
  };
  if (retry.maxAttempts < 1) throw configError('retry.maxAttempts', 'must be at least 1');
  const heartbeatMs =
    options.heartbeatMs ?? positiveInt('ALERT_REPLICA_HEARTBEAT_MS', DEFAULTS.alerts.heartbeatMs);
  const replicaTimeoutMs =
    options.replicaTimeoutMs ?? positiveInt('ALERT_REPLICA_TIMEOUT_MS', DEFAULTS.alerts.replicaTimeoutMs);
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
