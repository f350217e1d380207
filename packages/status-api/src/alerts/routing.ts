/**
 * Routing: which channels an alert goes to (severity and label matchers, with `continue`),
 * its escalation levels, inhibition rules, maintenance windows and the repeat interval.
 * A routing file (YAML or JSON) is validated once at start; every error names the file and
 * the field. Without a file the default routes (docs/alerting.md) apply to the configured channels:
 * critical → PagerDuty + Slack + e-mail, high → Slack + e-mail, medium → Slack, low/info →
 * digest only (stored, listed, no immediate notification).
 */
import { readFileSync } from 'node:fs';
import { parseDuration as parseDurationText, parseUrl } from '@authlens/sdk/internal';
import YAML from 'yaml';
import { validatePublicTemplate } from '../incidents/template.ts';
import type { PublicIncidentTemplate } from '../incidents/types.ts';
import { AlertError, configError } from './errors.ts';
import { type Matcher, matchesAll, matchLabels, parseMatchers } from './matchers.ts';
import { type Alert, CHANNEL_TYPES, type ChannelType, type Severity } from './types.ts';

/** Seconds as a number, or a string such as `90s`, `5m`, `4h`, `1d`, `250ms`. */
export type Duration = number | string;

export interface EmailChannelConfig {
  name: string;
  type: 'email';
  /** `smtp://user:pass@host:port` or `smtps://…`. */
  smtpUrl: string;
  from: string;
  to: string[];
}
export interface SlackChannelConfig {
  name: string;
  type: 'slack';
  /** The incoming webhook URL (a secret). */
  webhookUrl: string;
  /** At most one message per this interval per webhook (Slack's limit: 1 s). */
  minIntervalMs?: number;
}
export interface PagerDutyChannelConfig {
  name: string;
  type: 'pagerduty';
  /** Events API v2 integration (routing) key (a secret). */
  routingKey: string;
  /** Default `https://events.pagerduty.com/v2/enqueue`. */
  eventsUrl?: string;
}
export interface WebhookChannelConfig {
  name: string;
  type: 'webhook';
  url: string;
  /** HMAC-SHA256 key for `X-Authlens-Signature`; unsigned when absent. */
  secret?: string;
}
export type ChannelConfig =
  | EmailChannelConfig
  | SlackChannelConfig
  | PagerDutyChannelConfig
  | WebhookChannelConfig;

export interface EscalationStepConfig {
  /** Time since the alert was first notified. */
  after: Duration;
  channels: string[];
}
export interface RouteConfig {
  matchers?: string[];
  channels: string[];
  /** Keep evaluating the following routes after this one matched. */
  continue?: boolean;
  escalation?: EscalationStepConfig[];
  repeatInterval?: Duration;
  /** Marks the rule public: a matching alert opens a status-page incident with this text. */
  statusPage?: PublicIncidentTemplate;
}
export interface InhibitRuleConfig {
  sourceMatchers: string[];
  targetMatchers: string[];
  /** Labels that must be equal on source and target. */
  equal?: string[];
}
export interface MaintenanceWindowConfig {
  name: string;
  start: string | Date;
  end: string | Date;
  /** Alerts it mutes; all alerts when empty. */
  matchers?: string[];
  /** Shows the window on the status page as scheduled maintenance with this text. */
  statusPage?: PublicIncidentTemplate;
}
export interface RoutingConfig {
  channels?: ChannelConfig[];
  routes?: RouteConfig[];
  inhibitRules?: InhibitRuleConfig[];
  maintenanceWindows?: MaintenanceWindowConfig[];
  /** Re-notify a still-firing alert when it repeats after this long (default 4h). */
  repeatInterval?: Duration;
}

export interface EscalationStep {
  afterMs: number;
  channels: string[];
}
export interface RoutePlan {
  channels: string[];
  escalation: EscalationStep[];
  repeatIntervalMs: number;
  /** The public incident text of the first matching rule that has one. */
  statusPage?: PublicIncidentTemplate;
}
export interface CompiledInhibitRule {
  source: Matcher[];
  target: Matcher[];
  equal: string[];
}
export interface CompiledMaintenance {
  name: string;
  start: number;
  end: number;
  matchers: Matcher[];
  statusPage?: PublicIncidentTemplate;
}
export interface Routing {
  route(alert: Pick<Alert, 'name' | 'severity' | 'source' | 'labels'>): RoutePlan;
  inhibitRules: CompiledInhibitRule[];
  maintenance: CompiledMaintenance[];
}

/** A number of seconds, or a string with its unit (`30s`, `5m`, `4h`). */
export function parseDuration(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.round(value * 1000);
  const ms = typeof value === 'string' ? parseDurationText(value.trim()) : undefined;
  if (ms !== undefined) return ms;
  throw configError(field, `${JSON.stringify(value)} is not a duration (seconds, or e.g. "30s", "5m", "4h")`);
}

const DEFAULT_REPEAT_MS = 4 * 3_600_000;

interface CompiledRoute {
  matchers: Matcher[];
  channels: string[];
  continue: boolean;
  escalation: EscalationStep[];
  repeatIntervalMs: number | undefined;
  statusPage: PublicIncidentTemplate | undefined;
}

/** Reads and validates a routing file (`.yaml`, `.yml` or `.json`). Errors name the file and field. */
export function loadRoutingFile(
  file: string,
  env: Record<string, string | undefined> = process.env,
): RoutingConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw configError(
      'ALERT_ROUTING_FILE',
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  let data: unknown;
  try {
    data = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw configError(
      file,
      `not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
    );
  }
  try {
    return validateRoutingConfig(interpolate(data ?? {}, env, ''));
  } catch (err) {
    if (err instanceof AlertError) throw configError(`${file}: ${err.field ?? ''}`, err.detail);
    throw err;
  }
}

/** `${NAME}` in strings becomes the environment variable (keeps secrets out of the file). */
function interpolate(value: unknown, env: Record<string, string | undefined>, field: string): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined) throw configError(field, `environment variable ${name} is not set`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, `${field}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, env, field ? `${field}.${k}` : k)]),
    );
  }
  return value;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function expectKeys(v: unknown, field: string, allowed: readonly string[]): Record<string, unknown> {
  if (!isObject(v)) throw configError(field || 'routing', 'must be an object');
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key))
      throw configError(field ? `${field}.${key}` : key, `unknown key (allowed: ${allowed.join(', ')})`);
  }
  return v;
}
function stringList(v: unknown, field: string, { optional = false } = {}): string[] {
  if (v === undefined && optional) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw configError(field, 'must be a list of strings');
  return v as string[];
}
function nonEmptyString(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw configError(field, 'must be a non-empty string');
  return v;
}
function url(v: unknown, field: string): string {
  const s = nonEmptyString(v, field);
  if (!parseUrl(s)) throw configError(field, 'must be an http(s) URL');
  return s;
}

/** Checks a routing config's shape; throws `invalid_config` naming the field. */
export function validateRoutingConfig(data: unknown): RoutingConfig {
  const root = expectKeys(data, '', [
    'channels',
    'routes',
    'inhibitRules',
    'maintenanceWindows',
    'repeatInterval',
  ]);
  const out: RoutingConfig = {};
  if (root.channels !== undefined) {
    if (!Array.isArray(root.channels)) throw configError('channels', 'must be a list');
    out.channels = root.channels.map((c, i) => validateChannel(c, `channels[${i}]`));
  }
  if (root.routes !== undefined) {
    if (!Array.isArray(root.routes)) throw configError('routes', 'must be a list');
    out.routes = root.routes.map((r, i) => {
      const f = `routes[${i}]`;
      const o = expectKeys(r, f, [
        'matchers',
        'channels',
        'continue',
        'escalation',
        'repeatInterval',
        'statusPage',
      ]);
      const route: RouteConfig = { channels: stringList(o.channels ?? [], `${f}.channels`) };
      if (o.matchers !== undefined) route.matchers = stringList(o.matchers, `${f}.matchers`);
      if (o.continue !== undefined) {
        if (typeof o.continue !== 'boolean') throw configError(`${f}.continue`, 'must be true or false');
        route.continue = o.continue;
      }
      if (o.repeatInterval !== undefined) route.repeatInterval = o.repeatInterval as Duration;
      if (o.statusPage !== undefined)
        route.statusPage = validatePublicTemplate(o.statusPage, `${f}.statusPage`);
      if (o.escalation !== undefined) {
        if (!Array.isArray(o.escalation)) throw configError(`${f}.escalation`, 'must be a list');
        route.escalation = o.escalation.map((s, j) => {
          const sf = `${f}.escalation[${j}]`;
          const so = expectKeys(s, sf, ['after', 'channels']);
          return { after: so.after as Duration, channels: stringList(so.channels, `${sf}.channels`) };
        });
      }
      return route;
    });
  }
  if (root.inhibitRules !== undefined) {
    if (!Array.isArray(root.inhibitRules)) throw configError('inhibitRules', 'must be a list');
    out.inhibitRules = root.inhibitRules.map((r, i) => {
      const f = `inhibitRules[${i}]`;
      const o = expectKeys(r, f, ['sourceMatchers', 'targetMatchers', 'equal']);
      return {
        sourceMatchers: stringList(o.sourceMatchers, `${f}.sourceMatchers`),
        targetMatchers: stringList(o.targetMatchers, `${f}.targetMatchers`),
        equal: stringList(o.equal, `${f}.equal`, { optional: true }),
      };
    });
  }
  if (root.maintenanceWindows !== undefined) {
    if (!Array.isArray(root.maintenanceWindows)) throw configError('maintenanceWindows', 'must be a list');
    out.maintenanceWindows = root.maintenanceWindows.map((w, i) => {
      const f = `maintenanceWindows[${i}]`;
      const o = expectKeys(w, f, ['name', 'start', 'end', 'matchers', 'statusPage']);
      const window: MaintenanceWindowConfig = {
        name: nonEmptyString(o.name, `${f}.name`),
        start: o.start as string,
        end: o.end as string,
        matchers: stringList(o.matchers, `${f}.matchers`, { optional: true }),
      };
      if (o.statusPage !== undefined)
        window.statusPage = validatePublicTemplate(o.statusPage, `${f}.statusPage`, {
          impactRequired: false,
        });
      return window;
    });
  }
  if (root.repeatInterval !== undefined) out.repeatInterval = root.repeatInterval as Duration;
  return out;
}

function validateChannel(c: unknown, f: string): ChannelConfig {
  if (!isObject(c)) throw configError(f, 'must be an object');
  const type = c.type;
  if (typeof type !== 'string' || !(CHANNEL_TYPES as readonly string[]).includes(type)) {
    throw configError(`${f}.type`, `must be one of ${CHANNEL_TYPES.join(', ')}`);
  }
  const name = nonEmptyString(c.name, `${f}.name`);
  switch (type as ChannelType) {
    case 'email': {
      const o = expectKeys(c, f, ['name', 'type', 'smtpUrl', 'from', 'to']);
      const smtpUrl = nonEmptyString(o.smtpUrl, `${f}.smtpUrl`);
      if (!/^smtps?:\/\//.test(smtpUrl))
        throw configError(`${f}.smtpUrl`, 'must be an smtp:// or smtps:// URL');
      const to = stringList(o.to, `${f}.to`);
      if (to.length === 0) throw configError(`${f}.to`, 'needs at least one recipient');
      return {
        name,
        type: 'email',
        smtpUrl,
        from: nonEmptyString(o.from ?? 'authlens@localhost', `${f}.from`),
        to,
      };
    }
    case 'slack': {
      const o = expectKeys(c, f, ['name', 'type', 'webhookUrl', 'minIntervalMs']);
      const out: SlackChannelConfig = {
        name,
        type: 'slack',
        webhookUrl: url(o.webhookUrl, `${f}.webhookUrl`),
      };
      if (o.minIntervalMs !== undefined) {
        if (typeof o.minIntervalMs !== 'number' || o.minIntervalMs < 0) {
          throw configError(`${f}.minIntervalMs`, 'must be a non-negative number');
        }
        out.minIntervalMs = o.minIntervalMs;
      }
      return out;
    }
    case 'pagerduty': {
      const o = expectKeys(c, f, ['name', 'type', 'routingKey', 'eventsUrl']);
      const out: PagerDutyChannelConfig = {
        name,
        type: 'pagerduty',
        routingKey: nonEmptyString(o.routingKey, `${f}.routingKey`),
      };
      if (o.eventsUrl !== undefined) out.eventsUrl = url(o.eventsUrl, `${f}.eventsUrl`);
      return out;
    }
    case 'webhook': {
      const o = expectKeys(c, f, ['name', 'type', 'url', 'secret']);
      const out: WebhookChannelConfig = { name, type: 'webhook', url: url(o.url, `${f}.url`) };
      if (o.secret !== undefined) out.secret = nonEmptyString(o.secret, `${f}.secret`);
      return out;
    }
  }
}

/** The default routes (docs/alerting.md, "Routing") over the channels that exist. */
export function defaultRoutes(channels: readonly ChannelConfig[]): RouteConfig[] {
  const names = (...types: ChannelType[]) =>
    types.flatMap((t) => channels.filter((c) => c.type === t).map((c) => c.name));
  const webhooks = names('webhook');
  const route = (severity: Severity, types: ChannelType[], escalateAfter?: string): RouteConfig => {
    const list = [...names(...types), ...webhooks];
    const r: RouteConfig = { matchers: [`severity=${severity}`], channels: list };
    const escalateTo = [...new Set([...names('pagerduty'), ...list])];
    if (escalateAfter && escalateTo.length) r.escalation = [{ after: escalateAfter, channels: escalateTo }];
    return r;
  };
  return [
    route('critical', ['pagerduty', 'slack', 'email'], '15m'),
    route('high', ['slack', 'email'], '30m'),
    route('medium', ['slack']),
    { matchers: ['severity=~low|info'], channels: [] },
  ];
}

/** Compiles routes against the configured channels; unknown channel names fail here, at start. */
export function compileRouting(config: RoutingConfig, channels: readonly ChannelConfig[]): Routing {
  const known = new Set(channels.map((c) => c.name));
  const checkChannels = (list: string[], field: string) => {
    list.forEach((name, i) => {
      if (!known.has(name)) {
        throw configError(
          `${field}[${i}]`,
          `unknown channel "${name}" (configured: ${[...known].join(', ') || 'none'})`,
        );
      }
    });
    return list;
  };
  const defaultRepeat =
    config.repeatInterval === undefined
      ? DEFAULT_REPEAT_MS
      : parseDuration(config.repeatInterval, 'repeatInterval');
  const routes: CompiledRoute[] = (config.routes ?? defaultRoutes(channels)).map((r, i) => {
    const f = `routes[${i}]`;
    let last = -1;
    const escalation = (r.escalation ?? []).map((s, j) => {
      const afterMs = parseDuration(s.after, `${f}.escalation[${j}].after`);
      if (afterMs <= last)
        throw configError(`${f}.escalation[${j}].after`, 'must be later than the previous level');
      last = afterMs;
      return { afterMs, channels: checkChannels(s.channels, `${f}.escalation[${j}].channels`) };
    });
    return {
      matchers: parseConfigMatchers(r.matchers ?? [], `${f}.matchers`),
      channels: checkChannels(r.channels, `${f}.channels`),
      continue: r.continue ?? false,
      escalation,
      repeatIntervalMs:
        r.repeatInterval === undefined ? undefined : parseDuration(r.repeatInterval, `${f}.repeatInterval`),
      statusPage: r.statusPage,
    };
  });
  const inhibitRules = (config.inhibitRules ?? []).map((r, i) => ({
    source: parseConfigMatchers(r.sourceMatchers, `inhibitRules[${i}].sourceMatchers`),
    target: parseConfigMatchers(r.targetMatchers, `inhibitRules[${i}].targetMatchers`),
    equal: r.equal ?? [],
  }));
  const maintenance = (config.maintenanceWindows ?? []).map((w, i) => {
    const time = (v: unknown, field: string) => {
      const t = v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : Number.NaN;
      if (Number.isNaN(t)) throw configError(field, 'must be an ISO 8601 date-time');
      return t;
    };
    const start = time(w.start, `maintenanceWindows[${i}].start`);
    const end = time(w.end, `maintenanceWindows[${i}].end`);
    if (end <= start) throw configError(`maintenanceWindows[${i}].end`, 'must be after start');
    return {
      name: w.name,
      start,
      end,
      matchers: parseConfigMatchers(w.matchers ?? [], `maintenanceWindows[${i}].matchers`),
      ...(w.statusPage && { statusPage: w.statusPage }),
    };
  });

  return {
    inhibitRules,
    maintenance,
    route(alert) {
      const labels = matchLabels(alert);
      const channelSet = new Set<string>();
      let escalation: EscalationStep[] | undefined;
      let repeatIntervalMs: number | undefined;
      let statusPage: PublicIncidentTemplate | undefined;
      for (const r of routes) {
        if (!matchesAll(r.matchers, labels)) continue;
        for (const c of r.channels) channelSet.add(c);
        if (!escalation && r.escalation.length) escalation = r.escalation;
        repeatIntervalMs ??= r.repeatIntervalMs;
        statusPage ??= r.statusPage;
        if (!r.continue) break;
      }
      return {
        channels: [...channelSet],
        escalation: escalation ?? [],
        repeatIntervalMs: repeatIntervalMs ?? defaultRepeat,
        ...(statusPage && { statusPage }),
      };
    },
  };
}

function parseConfigMatchers(list: readonly string[], field: string): Matcher[] {
  try {
    return parseMatchers(list, field);
  } catch (err) {
    if (err instanceof AlertError) throw configError(err.field ?? field, err.detail);
    throw err;
  }
}
